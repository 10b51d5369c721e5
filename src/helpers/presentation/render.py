"""How charts reach the reader: offline in JupyterLab and in self-contained HTML.

Three modes, picked by ``mode()``:

``jupyter``  (interactive JupyterLab; the default when ``JPY_SESSION_NAME`` is set)
    altair's anywidget-based ``jupyter`` renderer with ``offline=True``: the JavaScript
    comes from vl-convert, nothing from the internet.
``html``  (papermill and batch runs; the default otherwise)
    the Vega/Vega-Lite/vega-embed bundle is displayed *once* per notebook and every
    chart becomes a small ``<div>`` plus its spec as an inert JSON data block, drawn by
    the page's one loader script (``helpers.presentation.embed``). The exported HTML
    carries the JavaScript once, however many charts there are.
``svg``  static SVG images rendered by vl-convert (no JavaScript at all).

``STUURKIT_RENDER`` (``jupyter`` | ``html`` | ``svg``) overrides the choice.
"""

from __future__ import annotations

import logging
import os
import tempfile

import altair as alt

from helpers.numbers import format_number
from helpers.paths import cache_dir
from helpers.presentation import markup
from helpers.presentation.declare import declared_series
from helpers.presentation.embed import BUNDLE_ID, chart_html, chart_id, placeholder, wrap
from helpers.presentation.theme import enable as enable_theme

__all__ = ["mode", "setup", "reset", "javascript_bundle", "data_table", "BUNDLE_ID",
           "RENDERER"]

log = logging.getLogger(__name__)

RENDERER = "stuurkit_html"
MODES = ("jupyter", "html", "svg")
_state = {"counter": 0, "bundle_shown": False}


def reset() -> None:
    """Forget this process's charts (counter, bundle shown): a warm kernel calls it
    between reports (``helpers.run.kernel``), so each report starts as in a new kernel."""
    _state.update(counter=0, bundle_shown=False)


def mode() -> str:
    """The render mode for this process (see the module docstring)."""
    chosen = os.environ.get("STUURKIT_RENDER", "").strip().lower()
    if chosen:
        if chosen not in MODES:
            raise ValueError(f"STUURKIT_RENDER={chosen!r}: use one of {', '.join(MODES)}.")
        return chosen
    return "jupyter" if os.environ.get("JPY_SESSION_NAME") else "html"


def _vl_version() -> str:
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_version_for_vl_convert()


def _bundle_path():
    import vl_convert as vlc

    return cache_dir() / f"vega-bundle-{vlc.__version__}-{_vl_version()}.js"


def javascript_bundle() -> str:
    """The vega + vega-lite + vega-embed bundle, cached on disk per vl-convert version.

    Generating it takes ~3 s, so it is computed once and kept in the user cache.
    """
    import vl_convert as vlc

    path = _bundle_path()
    if path.exists():
        return path.read_text(encoding="utf-8")
    bundle = vlc.javascript_bundle(vl_version=_vl_version())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(bundle)
        os.replace(tmp, path)
    except OSError as exc:  # a read-only home is no reason to fail a report
        log.warning("could not cache the chart bundle in %s: %s", path, exc)
    return bundle


def _summary(spec: dict) -> str:
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return str(spec.get("description") or title or "Grafiek")


def data_table(spec: dict, limit: int = 300) -> str:
    """The chart's data as an HTML table (its text alternative): the observations it
    declares (``declare.declared_series``: every panel, values as shown), else the rows
    of all its datasets; geometry left out."""
    series = declared_series(spec)
    if series:
        return str(markup.render(
            "data_table.html.j2", columns=["Indicator", "Gebied", "Jaar", "Waarde", "Eenheid"],
            rows=[[r["label"], r["gebied_naam"], str(r["jaar"]),
                   format_number(r["waarde"], r["decimals"], r["status"]), r["eenheid"]]
                  for r in series[:limit]],
            hidden=len(series) - limit if len(series) > limit else 0))
    datasets = spec.get("datasets") or {}
    hidden_columns = ("geometry", "type", "gekozen")
    rows = [row for dataset in datasets.values() for row in dataset
            if isinstance(row, dict) and set(row) - set(hidden_columns)]
    if not rows:
        return ""
    columns = list(dict.fromkeys(c for row in rows for c in row if c not in hidden_columns))
    return str(markup.render(
        "data_table.html.j2", columns=[str(c) for c in columns],
        rows=[[_cell(row.get(c)) for c in columns] for row in rows[:limit]],
        hidden=len(rows) - limit if len(rows) > limit else 0))


def _cell(value) -> str:
    if isinstance(value, float):
        text = format_number(value, 2)
        return text.rstrip("0").rstrip(",") if "," in text else text
    return "" if value is None else str(value)


def _html_renderer(spec: dict, **metadata) -> dict[str, str]:
    """altair renderer: a div and the spec as a data block; the bundle is on the page once.

    The chart is a figure: the div has ``role="img"`` and the chart's one-sentence
    description as its accessible name, and its data follows as a table.
    """
    _state["counter"] += 1
    return {"text/html": chart_html(chart_id(_state["counter"], spec), spec, _summary(spec),
                                    markup.Markup(data_table(spec)))}


def _bundle_html() -> str:
    """A placeholder that publishing fills (``helpers.presentation.embed``); the whole bundle when
    the cache cannot hold it (a read-only home)."""
    bundle = javascript_bundle()
    path = _bundle_path()
    if path.exists():
        return placeholder(path.name)
    return wrap(bundle)


def setup(colours: list[str] | None = None) -> str:
    """Activate the theme (optionally with house-style colours) and the renderer for
    this process; return the mode used.

    In ``html`` mode this also displays the chart bundle, once per kernel.
    """
    enable_theme(colours)
    alt.data_transformers.disable_max_rows()
    chosen = mode()
    if chosen == "jupyter":
        alt.renderers.enable("jupyter", offline=True)
    elif chosen == "svg":
        alt.renderers.enable("svg")
    else:
        if RENDERER not in alt.renderers.names():
            alt.renderers.register(RENDERER, _html_renderer)
        alt.renderers.enable(RENDERER)
        if not _state["bundle_shown"]:
            from IPython.display import HTML, display

            display(HTML(_bundle_html()))
            _state["bundle_shown"] = True
    return chosen
