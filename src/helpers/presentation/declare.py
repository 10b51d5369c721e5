"""What a chart or table cell shows, declared where it is drawn, checked where it is published.

The privacy scan (``helpers.publish.audit``) must know which values on a page are counts
of people and what their disclosure threshold is. The drawing code says so:

* ``declare(chart, {field: [indicator, …]})`` stores, in the chart's
  ``usermeta.stuurkit.values``, per data field the catalogue indicators whose values it
  holds (id, kind, ``min_count``); ``{}`` declares a chart without indicator values (a
  budget, counts of goals). ``declared(spec)`` reads it back.
* ``cell_attributes(indicator)`` gives the attributes (``data-indicator``, ``data-kind``,
  ``data-min-count``) of a table cell showing an indicator's value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from helpers.presentation.embed import METADATA_KEY

__all__ = ["declare", "declared", "cell_attributes", "CELL_INDICATOR", "CELL_KIND",
           "CELL_MIN_COUNT"]

CELL_INDICATOR, CELL_KIND, CELL_MIN_COUNT = "data-indicator", "data-kind", "data-min-count"
_KEY = METADATA_KEY  # the kit's key, in a spec's usermeta as in output metadata


def declare(chart, values: dict[str, Iterable[Any]]):
    """Say which indicators a chart's value fields show (see the module docstring).

    Examples
    --------
    >>> declare(alt.Chart(frame).mark_bar(),  # doctest: +SKIP
    ...         {"waarde": [catalogue["inwoners"]]})
    """
    entries = {name: [{"id": i.id, "kind": i.kind, "min_count": i.min_count} for i in inds]
               for name, inds in values.items()}
    return chart.properties(usermeta={_KEY: {"values": entries}})


def declared(spec: dict) -> dict[str, list[dict]] | None:
    """A spec's declaration (field → ``[{id, kind, min_count}, …]``); ``None`` when the
    chart declares nothing."""
    meta = (spec.get("usermeta") or {}).get(_KEY)
    if not isinstance(meta, dict) or not isinstance(meta.get("values"), dict):
        return None
    return meta["values"]


def cell_attributes(indicator) -> dict[str, str]:
    """The attributes that let the privacy scan check a table cell showing ``indicator``
    (a template writes them, escaped, with ``xmlattr``)."""
    return {CELL_INDICATOR: str(indicator.id), CELL_KIND: str(indicator.kind),
            CELL_MIN_COUNT: str(int(indicator.min_count))}
