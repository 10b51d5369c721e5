"""Dutch (nl-NL) number formatting for text and tables: 1.234,5."""

from __future__ import annotations

import math

from babel.numbers import format_decimal

from helpers.model import MISSING, STATUS_TEXT, USABLE

__all__ = ["format_number", "STATUS_TEXT"]


def format_number(value: float | None, decimals: int = 1, status: str = "ok") -> str:
    """Format a number the Dutch way; a status other than ok/provisional gives its text.

    Examples
    --------
    >>> format_number(1234.56, 1)
    '1.234,6'
    >>> format_number(None)
    '–'
    >>> format_number(12.0, 0, status="suppressed")
    'onderdrukt'
    """
    if status not in USABLE:
        return STATUS_TEXT.get(status, "–")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return STATUS_TEXT[MISSING]
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(round(float(value), decimals), format=pattern, locale="nl_NL")
    return text + ("*" if status == "provisional" else "")
