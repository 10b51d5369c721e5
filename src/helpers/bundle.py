"""The chart JavaScript (vega, vega-lite, vega-embed) in published reports.

A report notebook executed for publishing shows only a placeholder — ``<script
id="stuurkit-vega-bundle" data-file="vega-bundle-….js"></script>`` naming the bundle
file in the kit's cache (``helpers.rendering`` writes it) — and ``fill`` puts the
bundle in when the HTML is published. The 1 MB of JavaScript then passes once through
the exporter instead of through the kernel, the notebook file and nbconvert's HTML
parsing. Imports nothing heavy (no altair), so publishing workers stay lean.
"""

from __future__ import annotations

import re
from functools import lru_cache

from helpers.errors import PublishError
from helpers.paths import cache_dir

__all__ = ["BUNDLE_ID", "placeholder", "fill", "wrap"]

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
