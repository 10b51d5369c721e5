"""The registry of source readers: one ``Reader`` per kind of file the kit can read.

A reader says all the rest of the kit needs to know about one kind of file: how to
recognise it (``detect``, given a ``Probe``), under which key of ``sources:`` in
``stuurkit.yml`` its files are listed (``section``), how to read one (``read``: tidy
rows, or areas for the ``kaart`` section), what an import reports and writes into
``stuurkit.yml`` (``describe``, ``entry``), and the label and licence its provenance
records. The importer, the workspace and ``stuurkit check`` loop over the registry
(``helpers.sources.READERS``); none of them names a kind.

Every frame a reader returns is checked against its schema (``helpers.model.validate``)
and reduced to the workspace's gemeente in one place (``Reader.load``): a national file
keeps that gemeente's rows and is refused without any; a file of the gemeente's own
data (``national=False``) is refused when it holds another gemeente's area.

Adding a reader is one module that defines ``READER = Reader(...)`` plus one line in
``helpers/sources/__init__.py`` (docs/architecture.md shows an example).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import model
from helpers.errors import DataError

__all__ = ["Request", "Probe", "Reader", "Registry", "CBS_LICENCE", "year_in_name",
           "describe_statistics", "year_entry"]

CBS_LICENCE = "CC BY 4.0 (bron: CBS)"
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")


def year_in_name(path: Path) -> int | None:
    """The first year (19xx, 20xx) in a file's name, ``None`` when there is none."""
    match = _YEAR.search(path.name)
    return int(match.group(1)) if match else None


COUNTRY = "country"  # the attrs key of a frame's rows of Nederland (Request.country)


def country_apart(long: pd.DataFrame) -> pd.DataFrame:
    """A reader's tidy rows without those of ``model.COUNTRY_LEVEL``, which go to the
    result's ``attrs[COUNTRY]``."""
    land = long["level"].eq(model.COUNTRY_LEVEL)
    out = long[~land].reset_index(drop=True)
    out.attrs[COUNTRY] = long[land].reset_index(drop=True)
    return out


def describe_statistics(own: pd.DataFrame, probe: Probe) -> dict[str, Any]:
    """What an import reports of a table of statistics: its year and number of areas."""
    return {"year": int(own["year"].iloc[0]), "areas": own["area_code"].nunique()}


def year_entry(relative: str, detail: dict[str, Any]) -> dict[str, Any]:
    """A ``sources.kwb`` entry that names the year."""
    return {"file": relative, "year": detail["year"]}


@dataclass(frozen=True)
class Request:
    """What is known about one file when it is read (from ``stuurkit.yml`` or the
    ``import`` command): all but the path may be unknown.

    ``gemeente`` asks for that gemeente's rows only (a reader may skip the others while
    it reads); ``mapping`` is the variable mapping that records the names it met.
    ``areas(year)`` gives the gemeente's areas of a year as ``(code, level, name)``
    (level ``gemeente``/``wijk``/``buurt``: the kaart layers the workspace shows that year
    on): a StatLine export that names its regions without codes is matched to them by
    name (``statline.codes_from_names``) and is refused without them. ``country`` asks
    a reader of CBS's tables to keep the row of Nederland (``model.COUNTRY_CODE``) where
    the file has one: tidy rows of level ``model.COUNTRY_LEVEL`` in the frame's
    ``attrs[COUNTRY]`` (never among its rows: ``country_apart``)."""

    path: Path
    gemeente: str | None = None
    year: int | None = None
    level: str | None = None
    vintage: int | None = None
    layer: str | None = None
    mapping: Any = None  # helpers.sources.variables.Mapping
    areas: Callable[[int], tuple[tuple[str, str, str], ...]] | None = None
    country: bool = False

    def but(self, **changes: Any) -> Request:
        """A copy with some fields changed."""
        return replace(self, **changes)


class Probe:
    """A file being recognised: its path and suffix, and — for the readers that look at
    columns — its table, read once (``tabular.read_table``: of a workbook the sheet with
    ``gwb_code_10``, else the first) and shared with the reader that reads it."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.path = request.path
        self.suffix = request.path.suffix.lower()

    @cached_property
    def table(self) -> pd.DataFrame:
        from helpers.sources.tabular import read_table

        return read_table(self.path, self.request.gemeente, any_sheet=True)

    @cached_property
    def columns(self) -> set[str]:
        """The table's column names, stripped and lower case."""
        return {str(c).strip().lower() for c in self.table.columns}


@dataclass(frozen=True)
class Reader:
    """One kind of source file (see the module docstring).

    ``read(probe)`` returns tidy rows (``model.TIDY_COLUMNS``) or, for the ``kaart``
    section, areas (``model.AREA_COLUMNS``); ``describe(own, probe)`` what an import
    reports of the gemeente's part (``year``, ``areas``, …); ``entry(relative, detail)``
    the item written under ``sources.<section>``; ``label(probe, detail)`` the source
    named in provenance. ``suffixes`` are the file types the reader takes (an empty set:
    folders); ``tabular`` readers look at the table's columns to recognise a file.
    """

    kind: str
    section: str
    what: str  # in "unknown file type": "CBS KWB tables (.xlsx/.csv)"
    looks_like: str  # in "cannot tell what this table is": "a CBS KWB download (…)"
    suffixes: frozenset[str]
    detect: Callable[[Probe], bool]
    read: Callable[[Probe], pd.DataFrame]
    describe: Callable[[pd.DataFrame, Probe], dict[str, Any]]
    entry: Callable[[str, dict[str, Any]], str | dict[str, Any]]
    label: Callable[[Probe, dict[str, Any]], str]
    licence: str | None = None
    national: bool = True  # the file may hold every gemeente; only ours is kept
    tabular: bool = False
    resolve: Callable[[Request], Request] = field(default=lambda request: request)
    # everything one file holds, as (section, request): a kaart GeoPackage holds several
    # levels, a kaart layer its statistics too; default: the file itself, resolved
    expand: Callable[[Request], list[tuple[str, Request]]] | None = None

    def requests(self, request: Request) -> list[tuple[str, Request]]:
        """What importing one file adds: ``(section, request)``, this reader's first."""
        if self.expand is not None:
            return self.expand(request)
        return [(self.section, self.resolve(request))]

    @property
    def areas(self) -> bool:
        """True for a reader of areas (geometry) rather than tidy rows."""
        return self.section == "kaart"

    def load(self, probe: Probe) -> pd.DataFrame:
        """Read the file, check the frame's schema and keep the gemeente's part (the
        request's ``gemeente``; the whole frame when it is ``None``)."""
        frame = self.read(probe)
        where = str(probe.path)
        model.validate(frame, "areas" if self.areas else "tidy", where)
        gemeente = probe.request.gemeente
        if gemeente is None:
            return frame
        column = "code" if self.areas else "area_code"
        own = model.in_gemeente(frame[column], gemeente)
        if self.national:
            if not own.any():
                what = (f"no {probe.request.level} areas of {gemeente} in this layer"
                        if self.areas else f"no rows for {gemeente}")
                raise DataError(f"{where}: {what}; is this the right file for this "
                                "gemeente?")
            return frame[own]
        if not own.all():
            raise DataError(f"{where}: area code {frame.loc[~own, column].iloc[0]} is not in "
                            f"{gemeente}. A file of the gemeente's own data holds its areas "
                            "only; correct the area codes.")
        return frame


class Registry:
    """The readers in detection order (the first that recognises a file reads it)."""

    def __init__(self, readers: Iterable[Reader]) -> None:
        self.readers = list(readers)
        kinds = [r.kind for r in self.readers]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"reader kinds must be unique: {kinds}")

    def __iter__(self) -> Iterator[Reader]:
        return iter(self.readers)

    def __getitem__(self, kind: str) -> Reader:
        for reader in self.readers:
            if reader.kind == kind:
                return reader
        raise KeyError(kind)

    @property
    def sections(self) -> list[str]:
        """The ``sources:`` keys that readers list their files under, in order."""
        return list(dict.fromkeys(r.section for r in self.readers))

    @property
    def tidy_sections(self) -> list[str]:
        """The sections whose files hold statistics (tidy rows), in order."""
        return [s for s in self.sections if not self.areas(s)]

    def may_hold_areas(self, path: Path) -> bool:
        """True when a reader of areas takes files of this type (a kaart layer): the
        importer reads those first, so that tables of the same import can use them."""
        return any(r.areas and path.suffix.lower() in r.suffixes for r in self.readers)

    def areas(self, section: str) -> bool:
        """True for the section whose files hold areas (the kaart)."""
        return any(r.areas for r in self.readers if r.section == section)

    def detect(self, probe: Probe, section: str | None = None) -> Reader:
        """The reader of a file (optionally among one section's); ``DataError`` naming what
        the kit can read when none recognises it."""
        readers = [r for r in self.readers if section in (None, r.section)]
        folder = probe.path.is_dir()
        typed = [r for r in readers if (not r.suffixes) == folder
                 and (folder or probe.suffix in r.suffixes)]
        if not typed:
            shown = probe.suffix or ("(a folder)" if folder else "(none)")
            kinds = [r.what for r in readers if bool(r.suffixes) != folder] or [
                r.what for r in readers]
            raise DataError(f"{probe.path}: unknown file type {shown}. Import "
                            + _listing(kinds) + ".")
        for reader in typed:
            if reader.detect(probe):
                return reader
        if not any(r.tabular for r in typed):
            what = "folder" if folder else "file"
            raise DataError(f"{probe.path}: cannot tell what this {what} is. Expected "
                            + _listing(r.looks_like for r in typed) + ".")
        sheets = probe.table.attrs.get("sheets")
        shown = (f"sheets: {', '.join(sheets)}; " if sheets else "") + "columns: " + ", ".join(
            list(map(str, probe.table.columns))[:6])
        raise DataError(
            f"{probe.path}: cannot tell what this table is ({shown}…). Expected "
            + _listing(r.looks_like for r in typed if r.tabular) + ".")


def _listing(items: Iterable[str]) -> str:
    items = list(items) or ["a file the kit can read"]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
