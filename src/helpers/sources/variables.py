"""The KWB variable mapping: every publication's names → one stable variable id.

CBS names the same variable differently per channel and sometimes per year: short
names in the ``kwb-YYYY`` download (``a_inw``; the 2024 legend says ``a_gebl_eu`` where
the data has ``a_gbl_eu``), ``Key`` values in OData ``DataProperties``
(``AantalInwoners``; the ``_N`` suffix shifts every year and is never used), label
paths in StatLine exports (``Bevolking/Aantal inwoners (aantal)``) and attribute names
of the wijk- en buurtkaart (``AANT_INW`` ≤2021, ``aantalInwoners`` 2022+). The mapping is a
data file, ``kwb_variables.csv`` beside this module, applied in one place: ``rename``.
Names that do not map keep their own (normalised) name and are reported; mapping
entries that no file used are reported by ``unused``.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["MAPPING_FILE", "Mapping", "load_mapping", "rename", "normalise", "unused"]

log = logging.getLogger(__name__)

MAPPING_FILE = Path(__file__).with_name("kwb_variables.csv")
SCHEMES = ("kwb", "odata", "statline", "kaart")
_CASELESS = {"kwb", "kaart"}


@dataclass
class Mapping:
    """Lookup tables per naming scheme, plus a record of what was used."""

    ids: dict[str, dict[str, str]]  # scheme -> source name -> id
    labels: dict[str, str]  # id -> Dutch label
    units: dict[str, str]
    used: set[str] = field(default_factory=set)
    unmapped: dict[str, set[str]] = field(default_factory=dict)  # scheme -> names


@lru_cache(maxsize=4)
def _read(path: Path) -> tuple[tuple[str, ...], ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return tuple(tuple(row.get(c, "") or "" for c in ("id", *SCHEMES, "label", "unit"))
                     for row in reader)


def load_mapping(path: str | Path | None = None) -> Mapping:
    """Read the mapping file (default: the kit's own ``kwb_variables.csv``)."""
    rows = _read(Path(path) if path else MAPPING_FILE)
    ids: dict[str, dict[str, str]] = {s: {} for s in SCHEMES}
    labels, units = {}, {}
    for id_, kwb, odata, statline, kaart, label, unit in rows:
        for scheme, names in zip(SCHEMES, (kwb, odata, statline, kaart), strict=True):
            for name in filter(None, (n.strip() for n in names.split("|"))):
                key = name.lower() if scheme in _CASELESS else name
                ids[scheme][key] = id_
        labels[id_], units[id_] = label, unit
    return Mapping(ids=ids, labels=labels, units=units)


def normalise(name: str) -> str:
    """A safe variable id for a name that is not in the mapping."""
    text = re.sub(r"\s*\(([^)]*)\)\s*$", "", name.strip())  # drop a trailing unit
    text = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    return text or "onbekend"


def rename(names: list[str], scheme: str, mapping: Mapping) -> dict[str, str]:
    """Map source names to variable ids; record used entries and unmapped names.

    OData names are given without their ``_N`` position suffix (see ``kwb_odata``).
    """
    table = mapping.ids[scheme]
    result = {}
    for name in names:
        key = name.strip().lower() if scheme in _CASELESS else name.strip()
        if key in table:
            result[name] = table[key]
            mapping.used.add(table[key])
        else:
            fallback = key if scheme in _CASELESS else normalise(key)
            result[name] = fallback
            mapping.unmapped.setdefault(scheme, set()).add(name.strip())
    return result


def unused(mapping: Mapping) -> list[str]:
    """Variable ids in the mapping that no file used."""
    return sorted(set(mapping.labels) - mapping.used)
