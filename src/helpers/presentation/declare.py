"""What a chart or table cell shows, declared where it is drawn, checked where it is published.

The privacy scan (``helpers.publish.audit``) must know which values on a page are counts
of people and what their disclosure threshold is. The drawing code says so:

* ``declare(chart, {field: [indicator, …]})`` stores, in the chart's
  ``usermeta.stuurkit.values``, per data field the catalogue indicators whose values it
  holds (id, kind, ``min_count``); ``{}`` declares a chart without indicator values (a
  budget, counts of goals). ``declared(spec)`` reads it back.
* ``declare(chart, values, series=frame, names=…)`` also stores the observations the
  chart draws (``SERIES_COLUMNS``: indicator, label, area code and name, year, value,
  unit, status, source), each value rounded to its indicator's ``decimals`` as the page
  shows it and a value the page does not show (suppressed, secret, missing) left out,
  its status kept; ``declared_series(spec)`` reads them back. They are the chart's
  accessible data table (``render.data_table``: every panel of a grouped chart, values
  as shown rather than as drawn) and the long table of the report's workbook
  (``publish.workbook``), which the privacy scan checks against them.
* ``cell_attributes(indicator)`` gives the attributes (``data-indicator``, ``data-kind``,
  ``data-min-count``) of a table cell showing an indicator's value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from helpers.model import MISSING, OK, PROVISIONAL, SECRET, SUPPRESSED, USABLE
from helpers.presentation.embed import METADATA_KEY

__all__ = ["declare", "declared", "declared_series", "series_rows", "cell_attributes",
           "CELL_INDICATOR", "CELL_KIND", "CELL_MIN_COUNT", "SERIES_COLUMNS", "STATUS_WORDS"]

SERIES_COLUMNS = ["indicator", "label", "gebied", "gebied_naam", "jaar", "waarde", "eenheid",
                  "status", "bron"]
# an observation's status as the workbook and the data tables write it
STATUS_WORDS = {OK: "ok", PROVISIONAL: "voorlopig", SECRET: "geheim", MISSING: "ontbreekt",
                SUPPRESSED: "onderdrukt"}

CELL_INDICATOR, CELL_KIND, CELL_MIN_COUNT = "data-indicator", "data-kind", "data-min-count"
_KEY = METADATA_KEY  # the kit's key, in a spec's usermeta as in output metadata


def declare(chart, values: dict[str, Iterable[Any]], series=None,
            names: Mapping[str, str] | None = None):
    """Say which indicators a chart's value fields show and, with ``series``, which
    observations it draws (see the module docstring).

    ``series``: a frame with ``area_code, year, indicator, value, status`` (and
    optionally ``source``), one row per observation drawn; ``names`` maps area codes to
    names. Its indicators must be among ``values``.

    Examples
    --------
    >>> declare(alt.Chart(frame).mark_bar(),  # doctest: +SKIP
    ...         {"waarde": [catalogue["inwoners"]]})
    """
    values = {name: list(inds) for name, inds in values.items()}
    entries = {name: [{"id": i.id, "kind": i.kind, "min_count": i.min_count} for i in inds]
               for name, inds in values.items()}
    meta: dict[str, Any] = {"values": entries}
    if series is not None:
        known = {i.id: i for inds in values.values() for i in inds}
        meta["series"] = series_rows(series, known, names or {})
    return chart.properties(usermeta={_KEY: meta})


def series_rows(series, indicators: Mapping[str, Any], names: Mapping[str, str]
                ) -> dict[str, Any]:
    """The ``series`` declaration of ``declare``: ``columns`` (``SERIES_COLUMNS``),
    ``rows`` and per indicator its ``decimals``; values rounded as shown, none behind a
    status the page does not show."""
    rows = []
    for row in series.itertuples(index=False):
        indicator = indicators.get(row.indicator)
        if indicator is None:
            raise ValueError(f"the series holds indicator {row.indicator!r}, which the chart "
                             "does not declare among its values")
        value = None
        if row.status in USABLE and row.value is not None and not (
                isinstance(row.value, float) and math.isnan(row.value)):
            value = round(float(row.value), int(indicator.decimals))
            value = int(value) if int(indicator.decimals) == 0 else value
        source = getattr(row, "source", None)
        rows.append([str(indicator.id), str(indicator.label), str(row.area_code),
                     str(names.get(row.area_code, row.area_code)), int(row.year), value,
                     str(indicator.unit), str(row.status),
                     str(source) if isinstance(source, str) and source else
                     str(getattr(indicator, "source", "") or "")])
    decimals = {i.id: int(i.decimals) for i in indicators.values()}
    return {"columns": list(SERIES_COLUMNS), "rows": rows, "decimals": decimals}


def declared(spec: dict) -> dict[str, list[dict]] | None:
    """A spec's declaration (field → ``[{id, kind, min_count}, …]``); ``None`` when the
    chart declares nothing."""
    meta = (spec.get("usermeta") or {}).get(_KEY)
    if not isinstance(meta, dict) or not isinstance(meta.get("values"), dict):
        return None
    return meta["values"]


def declared_series(spec: dict) -> list[dict[str, Any]] | None:
    """The observations a spec declares it draws (``SERIES_COLUMNS`` plus ``decimals``
    per row), in order; ``None`` when it declares none."""
    meta = (spec.get("usermeta") or {}).get(_KEY)
    found = meta.get("series") if isinstance(meta, dict) else None
    if not isinstance(found, dict) or not isinstance(found.get("rows"), list):
        return None
    columns = [str(c) for c in found.get("columns") or SERIES_COLUMNS]
    decimals = found.get("decimals") if isinstance(found.get("decimals"), dict) else {}
    out = []
    for row in found["rows"]:
        if isinstance(row, list) and len(row) == len(columns):
            record = dict(zip(columns, row, strict=True))
            record["decimals"] = decimals.get(record.get("indicator"), 1)
            out.append(record)
    return out


def cell_attributes(indicator) -> dict[str, str]:
    """The attributes that let the privacy scan check a table cell showing ``indicator``
    (a template writes them, escaped, with ``xmlattr``)."""
    return {CELL_INDICATOR: str(indicator.id), CELL_KIND: str(indicator.kind),
            CELL_MIN_COUNT: str(int(indicator.min_count))}
