"""Data quality of a workspace: coverage, missing values, staleness, boundary changes,
names that did not map. Pure: reads the workspace, returns frames.
"""

from __future__ import annotations

import pandas as pd

from helpers.sources import boundaries, kwb
from helpers.sources import variables as varmap
from helpers.workspace import Workspace

__all__ = ["coverage", "status_shares", "stale", "boundary_changes", "unmapped", "provenance"]


def coverage(ws: Workspace) -> pd.DataFrame:
    """Per source and year: areas with data, variables and the share of usable cells."""
    raw = ws.variables_raw
    raw = raw[raw["variable"] != "ind_wbi"]
    grouped = raw.groupby(["source", "year"])
    table = pd.DataFrame({
        "gebieden": grouped["area_code"].nunique(),
        "variabelen": grouped["variable"].nunique(),
        "cellen": grouped.size(),
        "bruikbaar_pct": grouped["status"].apply(lambda s: 100 * s.isin(["ok", "provisional"]
                                                                         ).mean()),
    }).reset_index()
    return table.rename(columns={"source": "bron", "year": "jaar"})


def status_shares(ws: Workspace) -> pd.DataFrame:
    """Per year and level: the shares (%) of observations that are ok, secret (CBS
    ``.``), missing or suppressed by the kit's disclosure control."""
    obs = ws.observations
    shares = pd.crosstab([obs["year"], obs["level"]], obs["status"], normalize="index") * 100
    for column in ("ok", "secret", "missing", "suppressed", "provisional"):
        if column not in shares.columns:
            shares[column] = 0.0
    shares = shares[["ok", "secret", "missing", "suppressed"]].reset_index()
    return shares.rename(columns={"year": "jaar", "level": "niveau", "ok": "bruikbaar_pct",
                                  "secret": "geheim_pct", "missing": "ontbreekt_pct",
                                  "suppressed": "onderdrukt_pct"})


def stale(ws: Workspace, year: int) -> pd.DataFrame:
    """Indicators whose newest gemeente value is older than their ``max_age`` allows."""
    obs = ws.observations
    gemeente = obs[(obs["area_code"] == ws.config.gemeente.code)
                   & obs["status"].isin(["ok", "provisional"])]
    newest = gemeente.groupby("indicator")["year"].max()
    rows = []
    for indicator in ws.catalogue.values():
        if "gemeente" not in indicator.levels:
            continue
        last = newest.get(indicator.id)
        if last is None or year - last > indicator.max_age:
            rows.append({"indicator": indicator.label, "bron": indicator.source,
                         "nieuwste_jaar": int(last) if last is not None else None,
                         "verwacht_vanaf": year - indicator.max_age})
    return pd.DataFrame(rows, columns=["indicator", "bron", "nieuwste_jaar", "verwacht_vanaf"])


def boundary_changes(ws: Workspace) -> pd.DataFrame:
    """Areas whose boundary (ind_wbi 3) or code (ind_wbi 2) changed, per year."""
    raw = ws.variables_raw
    wbi = raw[(raw["variable"] == "ind_wbi") & raw["value"].isin([2, 3])]
    names = dict(zip(ws.areas["code"], ws.areas["name"], strict=False))
    unlinked = set(boundaries.unlinked_code_changes(raw, ws.code_changes))
    return pd.DataFrame({
        "gebied": wbi["area_code"].map(names).fillna(wbi["area_code"]),
        "code": wbi["area_code"], "jaar": wbi["year"].astype(int),
        "wijziging": wbi["value"].map({2: "code gewijzigd", 3: "grens gewijzigd"}),
        "gevolg": [("reeks begint opnieuw" if v == 3 else
                    "niet gekoppeld: reeks begint opnieuw" if f"{c} ({y})" in unlinked
                    else "gekoppeld aan oude code")
                   for c, y, v in zip(wbi["area_code"], wbi["year"], wbi["value"], strict=True)],
    }).sort_values(["jaar", "code"]).reset_index(drop=True)


def unmapped(ws: Workspace) -> pd.DataFrame:
    """Column names of the KWB sources that are not in the variable mapping."""
    mapping = varmap.load_mapping()
    for entry in ws.config.sources.kwb_files():  # parsed afresh: the cache records no names
        kwb.read_kwb(ws.path(entry.file), year=entry.year, mapping=mapping)
    rows = [{"schema": scheme, "naam": name}
            for scheme, names in sorted(mapping.unmapped.items())
            for name in sorted(names)]
    return pd.DataFrame(rows, columns=["schema", "naam"])


def provenance(ws: Workspace) -> pd.DataFrame:
    """The raw files with where they came from."""
    rows = [{"bestand": e.get("file"), "bron": e.get("source"), "opgehaald": e.get("retrieved"),
             "licentie": e.get("licence"), "sha256": str(e.get("sha256", ""))[:12]}
            for e in ws.provenance]
    return pd.DataFrame(rows, columns=["bestand", "bron", "opgehaald", "licentie", "sha256"])
