"""Downloading a gemeente's sources from CBS and PDOK into a workspace's ``raw/``.

* KWB statistics: one OData v3 table per year (ids in ``KWB_TABLES``) through
  ``cbsodata.download_data``, filtered server-side to the gemeente's codes and — with
  ``national`` (the default) — the gemeente rows of every gemeente, as a national KWB
  file holds them (what comparisons with Nederland and peers use:
  ``helpers.workspace.national``), saved as a folder ``raw/cbs-<table id>/`` of JSON
  files (read back by ``kwb_odata``).
* With ``national``, CBS's *Gebieden in Nederland* of each year (which gemeente lies in
  which provincie; its table id found in CBS's catalogue by its title), saved as
  ``raw/cbs-gebieden-<year>/`` (read back by ``helpers.sources.gebieden``). A year CBS
  has no such table for yet is reported as ``not found`` and skipped.
* The wijk- en buurtkaart: PDOK's WFS, GeoJSON in EPSG:28992, paged, filtered to the
  gemeente, saved as ``raw/<layer>_<year>.geojson``.

Every download goes to a temporary name first and is renamed when complete, then its
provenance (source, url, table id, retrieved, sha256, licence) and its place in
``stuurkit.yml`` are recorded — so an interrupted fetch resumes where it stopped and
never leaves half a file. Network errors are retried with back-off.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from helpers import model
from helpers.errors import DataError
from helpers.sources import READERS
from helpers.sources.registry import CBS_LICENCE
from helpers.workspace import provenance
from helpers.workspace.cache import sha256
from helpers.workspace.config import add_source, edit_config, write_config
from helpers.workspace.core import open_workspace

__all__ = ["KWB_TABLES", "Download", "plan", "fetch", "PDOK_URL", "CBS_CATALOG",
           "kwb_filter", "gebieden_table"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# StatLine table per KWB year (../shared/docs/cbs-formats.md §1; 2022 has a conflicting
# second id 84987NED in one third-party source — 85318NED is the one most sources give).
KWB_TABLES = {2017: "83765NED", 2018: "84286NED", 2019: "84583NED", 2020: "84799NED",
              2021: "85039NED", 2022: "85318NED", 2023: "85618NED", 2024: "85984NED",
              2025: "86165NED"}
CBS_CATALOG = "opendata.cbs.nl"
PDOK_URL = "https://service.pdok.nl/cbs/wijkenbuurten/{year}/wfs/v1_0"
PAGE = 1000


@dataclass(frozen=True)
class Download:
    """One thing to download: a KWB table or a kaart layer."""

    kind: str  # "kwb" | "gebieden" | "kaart"
    year: int
    target: str  # relative to the workspace root
    table_id: str | None = None
    level: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "kwb":
            return f"KWB {self.year} ({self.table_id})"
        if self.kind == "gebieden":
            return f"Gebieden in Nederland {self.year}"
        return f"kaart {self.year} {self.level}"


def _layer(level: str, year: int) -> tuple[str, str]:
    """WFS type name and the property holding the gemeente code, per era.

    2022+ per the PDOK service (cbs-formats.md §2d); the ≤2021 names follow the older
    PDOK services and are not verified against a live server here.
    """
    plural = {"buurt": "buurten", "wijk": "wijken", "gemeente": "gemeenten"}[level]
    if year >= 2022:
        return f"wijkenbuurten:{plural}", "gemeentecode"
    name = f"gemeenten{year}" if level == "gemeente" else f"cbs_{plural}_{year}"
    return f"wijkenbuurten:{name}", "gemeentecode"


def plan(years: list[int], kaart_years: list[int], national: bool = True) -> list[Download]:
    """The downloads for these statistics and kaart years (with ``national``, CBS's
    *Gebieden in Nederland* of each statistics year too)."""
    items = []
    for year in years:
        if year not in KWB_TABLES:
            known = f"{min(KWB_TABLES)}-{max(KWB_TABLES)}"
            raise DataError(f"no KWB table known for {year}; fetch one of {known} or add the "
                            "table id to helpers/workspace/fetch.py KWB_TABLES.")
        table = KWB_TABLES[year]
        items.append(Download("kwb", year, f"raw/cbs-{table}", table_id=table))
    if national:
        items += [Download("gebieden", year, f"raw/cbs-gebieden-{year}") for year in years]
    for year in kaart_years:
        for level, plural in (("gemeente", "gemeenten"), ("wijk", "wijken"),
                              ("buurt", "buurten")):
            items.append(Download("kaart", year, f"raw/{plural}_{year}.geojson", level=level))
    return items


def _retry(what: str, func: Callable[[], T], retries: int, backoff: float) -> T:
    import requests

    for attempt in range(1, retries + 1):
        try:
            return func()
        except requests.RequestException as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            permanent = status is not None and 400 <= status < 500 and status != 429
            if permanent or attempt == retries:
                raise DataError(
                    f"downloading {what} failed after {attempt} attempt(s): {exc}. Check the "
                    "network or proxy (HTTPS_PROXY) and run `stuurkit fetch` again; finished "
                    "downloads are kept."
                ) from exc
            wait = backoff * 2 ** (attempt - 1)
            log.warning("%s: %s; retrying in %.1f s", what, exc, wait)
            time.sleep(wait)
    raise AssertionError("unreachable")


def _url(item: Download, catalog: str, https: bool, pdok_url: str) -> str:
    """Where a download comes from (for provenance)."""
    if item.kind in ("kwb", "gebieden"):
        return f"{'https' if https else 'http'}://{catalog}/ODataFeed/odata/{item.table_id}"
    type_name, _ = _layer(item.level, item.year)
    return f"{pdok_url.format(year=item.year)}?{urlencode({'typeNames': type_name})}"


def kwb_filter(gemeente: str, national: bool) -> str:
    """The OData filter of a KWB download: the gemeente's codes, and with ``national``
    every gemeente's own row (``GMdddd``; a code is padded to 10 characters).

    >>> kwb_filter("GM0344", True)
    "substringof('0344',WijkenEnBuurten) or startswith(WijkenEnBuurten,'GM')"
    """
    own = f"substringof('{model.gemeente_digits(gemeente)}',WijkenEnBuurten)"
    return f"{own} or startswith(WijkenEnBuurten,'GM')" if national else own


def _download(item: Download, partial: Path, catalog: str, https: bool, retries: int,
              backoff: float, filters: str | None) -> None:
    import cbsodata

    previous = cbsodata.options.use_https
    cbsodata.options.use_https = https
    try:
        _retry(item.label, lambda: cbsodata.download_data(
            item.table_id, dir=str(partial), catalog_url=catalog, filters=filters),
            retries, backoff)
    finally:
        cbsodata.options.use_https = previous


def gebieden_table(year: int, catalog: str, https: bool, retries: int, backoff: float
                   ) -> str | None:
    """The id of CBS's *Gebieden in Nederland <year>* from the OData catalogue (its title
    exactly), ``None`` when CBS has none for that year."""
    import requests

    from helpers.sources.gebieden import TITLE

    url = f"{'https' if https else 'http'}://{catalog}/ODataCatalog/Tables"
    params = {"$format": "json", "$select": "Identifier,Title",
              "$filter": f"substringof('{TITLE}',Title)"}

    def get() -> list[dict[str, Any]]:
        response = requests.get(url, params=params, timeout=60)
        response.raise_for_status()
        return response.json().get("value", [])

    wanted = f"{TITLE} {year}".casefold()
    for table in _retry(f"the CBS catalogue ({TITLE})", get, retries, backoff):
        if " ".join(str(table.get("Title", "")).split()).casefold() == wanted:
            return str(table["Identifier"])
    return None


_FES = "http://www.opengis.net/fes/2.0"


def _equal_filter(prop: str, value: str) -> str:
    """An OGC filter ``prop = value`` (XML written by ElementTree: the value is escaped).

    >>> _equal_filter("gemeentecode", "GM0344")[:60]
    '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:'
    """
    from xml.etree import ElementTree

    ElementTree.register_namespace("fes", _FES)
    root = ElementTree.Element(f"{{{_FES}}}Filter")
    equal = ElementTree.SubElement(root, f"{{{_FES}}}PropertyIsEqualTo")
    ElementTree.SubElement(equal, f"{{{_FES}}}ValueReference").text = prop
    ElementTree.SubElement(equal, f"{{{_FES}}}Literal").text = value
    return ElementTree.tostring(root, encoding="unicode")


def _fetch_kaart(item: Download, gemeente: str, partial: Path, pdok_url: str, retries: int,
                 backoff: float) -> None:
    import requests

    type_name, prop = _layer(item.level, item.year)
    base = pdok_url.format(year=item.year)
    fes = _equal_filter(prop, gemeente)
    features: list[dict[str, Any]] = []
    start = 0
    while True:
        params = {"service": "WFS", "version": "2.0.0", "request": "GetFeature",
                  "typeNames": type_name, "outputFormat": "application/json",
                  "srsName": "EPSG:28992", "count": PAGE, "startIndex": start, "filter": fes}

        def get(params=params) -> dict[str, Any]:
            response = requests.get(base, params=params, timeout=120)
            response.raise_for_status()
            return response.json()

        page = _retry(f"{item.label} (from {start})", get, retries, backoff)
        batch = page.get("features", [])
        features.extend(batch)
        if len(batch) < PAGE:
            break
        start += PAGE
    if not features:
        raise DataError(f"PDOK returned no {item.level} areas of {gemeente} for {item.year} "
                        f"({base}, {type_name}). Check the gemeente code and the year.")
    document = {"type": "FeatureCollection", "name": type_name.split(":")[-1],
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
                "features": features}
    partial.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def _table_id(folder: Path) -> str | None:
    """The table id a downloaded OData folder names in its ``TableInfos``."""
    try:
        infos = json.loads((folder / "TableInfos.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    infos = infos.get("value", infos) if isinstance(infos, dict) else infos
    return next((str(i["Identifier"]) for i in infos if i.get("Identifier")), None)


def _record(root: Path, item: Download, url: str, retrieved: datetime | None = None) -> None:
    """Provenance and stuurkit.yml for one finished download (both written atomically;
    the user's comments in stuurkit.yml kept). ``retrieved``: when the download finished
    (default: now, just after it did)."""
    target = root / item.target
    retrieved = retrieved or datetime.now()
    checksum = sha256(target)
    reader = READERS[{"kwb": "odata", "gebieden": "gebieden"}.get(item.kind, "kaart")]
    source = {"kwb": f"CBS Kerncijfers wijken en buurten {item.year}",
              "gebieden": f"CBS Gebieden in Nederland {item.year}"}.get(
        item.kind, f"CBS wijk- en buurtkaart {item.year} ({item.level}, via PDOK)")
    provenance.add(root, [{
        "file": target.name, "kind": reader.kind, "source": source,
        "url": url, "table_id": item.table_id,
        "retrieved": retrieved.astimezone().isoformat(timespec="seconds"),
        "licence": CBS_LICENCE, "sha256": checksum,
    }])
    doc = edit_config(root)
    detail = {"year": item.year, "level": item.level, "vintage": item.year}
    add_source(doc, reader.section, reader.entry(item.target, detail))
    write_config(root, doc)


def fetch(workspace: str | Path, years: list[int], kaart_years: list[int] | None = None,
          catalog: str = CBS_CATALOG, https: bool = True, pdok_url: str = PDOK_URL,
          retries: int = 4, backoff: float = 2.0, progress: bool | None = None,
          national: bool = True) -> list[tuple[Download, str]]:
    """Download what is missing; return ``(download, "downloaded" | "present" |
    "not found")`` pairs (``not found``: CBS has no *Gebieden in Nederland* of that year).

    Holds the workspace's exclusive lock: refused while a run reads the workspace.
    """
    from helpers.workspace.locks import workspace_lock

    ws = open_workspace(workspace, check=False)
    with workspace_lock(ws.root, exclusive=True, action="fetch into"):
        return _fetch(ws, years, kaart_years, catalog, https, pdok_url, retries, backoff,
                      progress, national)


def _fetch(ws, years: list[int], kaart_years: list[int] | None, catalog: str, https: bool,
           pdok_url: str, retries: int, backoff: float, progress: bool | None,
           national: bool) -> list[tuple[Download, str]]:
    from tqdm.auto import tqdm

    root = ws.root
    gemeente = ws.config.gemeente.code
    items = plan(years, kaart_years if kaart_years is not None else [max(years)], national)
    (root / "raw").mkdir(exist_ok=True)
    done: list[tuple[Download, str]] = []
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(items, desc="stuurkit fetch", unit="bestand", disable=not show)
    for item in bar:
        bar.set_postfix_str(item.label)
        target = root / item.target
        if target.exists():
            if target.name not in {e.get("file") for e in ws.provenance}:
                # a crash after the rename: the file was complete when it was last written
                finished = datetime.fromtimestamp(target.stat().st_mtime)
                if item.kind == "gebieden":
                    item = replace(item, table_id=_table_id(target))
                _record(root, item, _url(item, catalog, https, pdok_url), finished)
            done.append((item, "present"))
            log.info("present     %s (%s)", item.label, item.target)
            continue
        partial = target.with_name(f".partial-{target.name}")
        if partial.is_dir():
            shutil.rmtree(partial)
        partial.unlink(missing_ok=True)
        if item.kind == "gebieden":
            table = gebieden_table(item.year, catalog, https, retries, backoff)
            if table is None:
                done.append((item, "not found"))
                log.warning("not found   %s: CBS has no such table (yet)", item.label)
                continue
            item = replace(item, table_id=table)
        try:
            if item.kind == "kwb":
                _download(item, partial, catalog, https, retries, backoff,
                          kwb_filter(gemeente, national))
            elif item.kind == "gebieden":
                _download(item, partial, catalog, https, retries, backoff, None)
            else:
                _fetch_kaart(item, gemeente, partial, pdok_url, retries, backoff)
            partial.rename(target)
        except BaseException:
            if partial.is_dir():
                shutil.rmtree(partial, ignore_errors=True)
            else:
                partial.unlink(missing_ok=True)
            raise
        _record(root, item, _url(item, catalog, https, pdok_url))
        done.append((item, "downloaded"))
        log.info("downloaded  %s → %s", item.label, item.target)
    return done
