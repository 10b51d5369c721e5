"""What a Vega-Lite spec does with its data: the fields each dataset has drawn.

``data_use(spec)`` walks the spec as Vega-Lite resolves data — a layer or concat inherits
its parent's ``data`` unless it names its own — and collects, per dataset, the fields
that encodings, transforms, lookups and expressions (``datum.x``, ``datum['x']``) refer
to; also inline ``data.values`` and any ``data.url``. ``helpers.publish.audit`` compares this with
the columns a chart embeds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DataUse", "data_use"]


@dataclass
class DataUse:
    """Fields used per dataset name (``""``: no data named), fields other datasets lend
    through lookups (``None``: all of them), data URLs and inline datasets."""

    used: dict[str, set[str]] = field(default_factory=dict)
    lookups: dict[str, set[str] | None] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)
    inline: dict[str, list] = field(default_factory=dict)


def data_use(spec: dict) -> DataUse:
    """See the module docstring."""
    use = DataUse()
    _walk(spec, None, use.used, use.lookups, use.urls, use.inline)
    return use


_CHILDREN = ("layer", "hconcat", "vconcat", "concat")
_SKIP = {"data", "datasets", "usermeta", "spec", *_CHILDREN}
_FIELD_LISTS = {"groupby", "fields", "fold", "flatten"}
_DATUM = re.compile(r"datum\.([A-Za-z_$][\w$]*)|datum\[\s*['\"]([^'\"]+)['\"]\s*\]")


def _refs(node: Any, found: set[str], lookups: dict[str, set[str] | None]) -> None:
    """Field names a spec fragment refers to (encodings, transforms, expressions)."""
    if isinstance(node, str):
        found.update(a or b for a, b in _DATUM.findall(node))
    elif isinstance(node, list):
        for item in node:
            _refs(item, found, lookups)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in _SKIP:
                continue
            if key == "field" and isinstance(value, str):
                found.add(value.split(".")[0].split("[")[0])
            elif key in _FIELD_LISTS and isinstance(value, list):
                found.update(v for v in value if isinstance(v, str))
            elif key in ("pivot", "impute", "density", "regression", "loess", "quantile",
                         "lookup") and isinstance(value, str):
                found.add(value)
                if key == "pivot" and isinstance(node.get("value"), str):
                    found.add(node["value"])
                if key == "impute" and isinstance(node.get("key"), str):
                    found.add(node["key"])
                if key in ("regression", "loess") and isinstance(node.get("on"), str):
                    found.add(node["on"])
            if key == "from" and isinstance(value, dict):  # lookup: fields of another dataset
                name = (value.get("data") or {}).get("name")
                if name:
                    wanted = value.get("fields")
                    known = lookups.setdefault(name, set())
                    if wanted is None or known is None:
                        lookups[name] = None  # every field of it is used
                    else:
                        known.update([value.get("key", ""), *wanted])
                continue
            _refs(value, found, lookups)


def _walk(node: dict, data: str | None, used: dict[str, set[str]],
          lookups: dict[str, set[str] | None], urls: list[str], inline: dict[str, list]) -> None:
    spec_data = node.get("data")
    if isinstance(spec_data, dict):
        if "name" in spec_data:
            data = spec_data["name"]
        elif "values" in spec_data:
            data = f"(inline {len(inline) + 1})"
            inline[data] = spec_data["values"] if isinstance(spec_data["values"], list) else []
        elif "url" in spec_data:
            urls.append(str(spec_data["url"]))
    found: set[str] = set()
    _refs(node, found, lookups)
    used.setdefault(data or "", set()).update(found)
    for key in _CHILDREN:
        for child in node.get(key, []) or []:
            if isinstance(child, dict):
                _walk(child, data, used, lookups, urls, inline)
    if isinstance(node.get("spec"), dict):
        _walk(node["spec"], data, used, lookups, urls, inline)
