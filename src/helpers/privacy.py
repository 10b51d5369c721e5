"""Disclosure control, applied to observations before anything is drawn or published.

Rule (per indicator ``min_count`` from the catalogue): a computed value (count,
proportion, rate) is suppressed when its numerator is between 1 and ``min_count - 1``
or its denominator is below ``min_count``. A suppressed row keeps no value, numerator
or denominator, so no chart or table built from it can reveal the small count.
Values that CBS already kept secret (``.``) arrive with status ``secret``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.catalogue import Catalogue

__all__ = ["suppress"]


def suppress(observations: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Return a copy with small counts suppressed (status ``suppressed``, no numbers)."""
    obs = observations.copy()
    threshold = obs["indicator"].map({k: v.min_count for k, v in catalogue.items()}).fillna(0)
    num, den = obs["numerator"], obs["denominator"]
    small = ((num > 0) & (num < threshold)) | (den.notna() & (den < threshold))
    small &= threshold > 0
    obs.loc[small, ["value", "numerator", "denominator"]] = np.nan
    obs.loc[small, "status"] = "suppressed"
    return obs
