"""How a chart is embedded in a report, written and read in this one module.

The contract between the renderer (``helpers.presentation.render``) and the privacy scan
of published pages (``helpers.publish.audit``):

* **a chart** is a ``<figure>`` holding a ``<div id="stuurkit-chart-N-<hash>">`` and one
  script that calls ``window.vegaEmbed(el, <spec>, <options>)`` (``chart_html`` writes
  it, ``chart_spec`` reads the spec back; ``<`` inside the spec is escaped, so text from
  data can neither end the script nor open a comment);
* **the chart library** (vega, vega-lite, vega-embed) is on a page once: a report
  notebook executed for publishing shows only a placeholder — ``<script
  id="stuurkit-vega-bundle" data-file="vega-bundle-….js"></script>`` naming the bundle
  file in the kit's cache — and ``fill`` puts the bundle in when the HTML is published.
  The 1 MB of JavaScript then passes once through the exporter instead of through the
  kernel, the notebook file and nbconvert's HTML parsing;
* **output metadata** under ``METADATA_KEY`` carries what publishing needs besides the
  HTML: a report's title, gemeente and sources (the footer), and each table's data (the
  Excel workbook).

Imports nothing heavy (no altair), so publishing workers stay lean.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache

from helpers.errors import PublishError
from helpers.paths import cache_dir

__all__ = ["BUNDLE_ID", "METADATA_KEY", "CHART_CALL", "placeholder", "fill", "wrap",
           "chart_id", "chart_html", "chart_spec"]

METADATA_KEY = "stuurkit"
CHART_CALL = "window.vegaEmbed(el,"
_CHART_ID = "stuurkit-chart"
_CHART_SCRIPT = re.compile(r'^\(function\(\)\{var el=document\.getElementById\("'
                           + _CHART_ID + r'-[0-9]+-[0-9a-f]{8}"\);')
BUNDLE_ID = "stuurkit-vega-bundle"
_FILE = re.compile(r"^vega-bundle-[A-Za-z0-9_.+-]+\.js$")
# attribute order may change on the way through nbconvert
_PLACEHOLDER = re.compile(rf'<script(?=[^>]*\bid="{BUNDLE_ID}")[^>]*\bdata-file="([^"]*)"[^>]*>'
                          r'\s*</script>')


def placeholder(file_name: str) -> str:
    """The script element that ``fill`` replaces by the bundle in ``file_name``."""
    if not _FILE.match(file_name):
        raise ValueError(f"not a bundle file name: {file_name!r}")
    return f'<script id="{BUNDLE_ID}" data-file="{file_name}"></script>'


def wrap(bundle: str) -> str:
    """The bundle as one inline script element."""
    return f'<script id="{BUNDLE_ID}">(function(){{\n{bundle}\n}})();</script>'


@lru_cache(maxsize=4)
def _read(file_name: str) -> str:
    path = cache_dir() / file_name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PublishError(f"The chart bundle {path} is missing ({exc.strerror}); run the "
                           "report again to recreate it.") from exc


def fill(document: str) -> str:
    """Replace the placeholder (at most one is kept) by the bundle it names."""
    match = _PLACEHOLDER.search(document)
    if match is None:
        return document
    name = match.group(1)
    if not _FILE.match(name):
        raise PublishError(f"The report names an invalid chart bundle {name!r}.")
    filled = wrap(_read(name))
    return document[:match.start()] + filled + _PLACEHOLDER.sub("", document[match.end():])


def chart_id(number: int, spec: dict) -> str:
    """The id of a page's ``number``-th chart: ``stuurkit-chart-<number>-<hash of spec>``
    (what ``chart_spec`` recognises)."""
    digest = hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:8]
    return f"{_CHART_ID}-{number}-{digest}"


def chart_html(div: str, spec: dict, options: dict, label: str, text_alternative: str) -> str:
    """A chart as a figure: the drawing area (``role="img"``, ``label`` its accessible
    name, already escaped), the script that draws ``spec`` into it, a caption for screen
    readers and ``text_alternative`` (the chart's data as a table)."""
    # no '<' inside the script at all: text from data cannot end it or open a comment
    payload = json.dumps(spec, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    embed_options = json.dumps(options, separators=(",", ":"))
    return (
        f'<figure class="stuurkit-figure"><div id="{div}" class="stuurkit-chart" role="img" '
        f'aria-label="{label}"></div>\n'
        "<script>(function(){var el=document.getElementById(" + json.dumps(div) + ");"
        "if(!window.vegaEmbed){el.textContent='Grafiek kan niet worden getoond: "
        "de grafiekbibliotheek ontbreekt.';return;}"
        f"{CHART_CALL}{payload},{embed_options}).catch(function(e){{console.error(e);"
        "el.textContent='Grafiek kan niet worden getoond.';});})();</script>"
        f"<figcaption class='sr-only'>{label}</figcaption>{text_alternative}</figure>"
    )


def chart_spec(script: str) -> dict | None:
    """The spec of a chart script written by ``chart_html``; ``None`` when the script is
    not one."""
    if not _CHART_SCRIPT.match(script):
        return None
    start = script.find(CHART_CALL)
    if start == -1:
        return None
    try:
        spec, _ = json.JSONDecoder().raw_decode(script, start + len(CHART_CALL))
    except ValueError:
        return None
    return spec if isinstance(spec, dict) else None
