"""Data quality of a workspace: coverage, missing values, staleness, boundary changes.

Frames in, frames out: each function takes the tidy variables as read, the observations,
the code changes or the provenance entries, and returns a Dutch-labelled table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers import model
from helpers.indicators.catalogue import Catalogue
from helpers.sources import boundaries

__all__ = ["coverage", "status_shares", "stale", "boundary_changes", "unmapped", "provenance"]


def coverage(variables_raw: pd.DataFrame) -> pd.DataFrame:
    """Per source and year: areas with data, variables and the share of usable cells."""
    raw = variables_raw[variables_raw["variable"] != "ind_wbi"]
    grouped = raw.groupby(["source", "year"])
    table = pd.DataFrame({
        "gebieden": grouped["area_code"].nunique(),
        "variabelen": grouped["variable"].nunique(),
        "cellen": grouped.size(),
        "bruikbaar_pct": grouped["status"].apply(lambda s: 100 * s.isin(model.USABLE).mean()),
    }).reset_index()
    return table.rename(columns={"source": "bron", "year": "jaar"})


def status_shares(observations: pd.DataFrame) -> pd.DataFrame:
    """Per year and level: the shares (%) of observations that are ok, secret (CBS
    ``.``), missing or suppressed by the kit's disclosure control."""
    obs = observations
    shares = pd.crosstab([obs["year"], obs["level"]], obs["status"], normalize="index") * 100
    for column in model.STATUSES:
        if column not in shares.columns:
            shares[column] = 0.0
    shares = shares[[model.OK, model.SECRET, model.MISSING, model.SUPPRESSED]].reset_index()
    return shares.rename(columns={"year": "jaar", "level": "niveau", "ok": "bruikbaar_pct",
                                  "secret": "geheim_pct", "missing": "ontbreekt_pct",
                                  "suppressed": "onderdrukt_pct"})


def stale(observations: pd.DataFrame, catalogue: Catalogue, gemeente: str, year: int
          ) -> pd.DataFrame:
    """Indicators whose newest gemeente value is older than their ``max_age`` allows."""
    obs = observations
    own = obs[(obs["area_code"] == gemeente) & obs["status"].isin(model.USABLE)]
    newest = own.groupby("indicator")["year"].max()
    rows = []
    for indicator in catalogue.values():
        if "gemeente" not in indicator.levels:
            continue
        last = newest.get(indicator.id)
        if last is None or year - last > indicator.max_age:
            rows.append({"indicator": indicator.label, "bron": indicator.source,
                         "nieuwste_jaar": int(last) if last is not None else None,
                         "verwacht_vanaf": year - indicator.max_age})
    return pd.DataFrame(rows, columns=["indicator", "bron", "nieuwste_jaar", "verwacht_vanaf"])


def boundary_changes(variables_raw: pd.DataFrame, names: dict[str, str],
                     code_changes: pd.DataFrame) -> pd.DataFrame:
    """Areas whose boundary (ind_wbi 3) or code (ind_wbi 2) changed, per year."""
    raw = variables_raw
    wbi = raw[(raw["variable"] == "ind_wbi") & raw["value"].isin([2, 3])]
    unlinked = set(boundaries.unlinked_code_changes(raw, code_changes))
    return pd.DataFrame({
        "gebied": wbi["area_code"].map(names).fillna(wbi["area_code"]),
        "code": wbi["area_code"], "jaar": wbi["year"].astype(int),
        "wijziging": wbi["value"].map({2: "code gewijzigd", 3: "grens gewijzigd"}),
        "gevolg": [("reeks begint opnieuw" if v == 3 else
                    "niet gekoppeld: reeks begint opnieuw" if f"{c} ({y})" in unlinked
                    else "gekoppeld aan oude code")
                   for c, y, v in zip(wbi["area_code"], wbi["year"], wbi["value"], strict=True)],
    }).sort_values(["jaar", "code"]).reset_index(drop=True)


def unmapped(names: list[tuple[str, str]]) -> pd.DataFrame:
    """Column names that are not in the variable mapping (``scheme, name`` pairs, e.g. from
    ``helpers.workspace.check.unmapped_names``) as a table."""
    return pd.DataFrame([{"schema": scheme, "naam": name} for scheme, name in names],
                        columns=["schema", "naam"])


def provenance(entries: list[dict[str, Any]]) -> pd.DataFrame:
    """The raw files (``raw/provenance.yml`` entries) with where they came from."""
    rows = [{"bestand": e.get("file"), "bron": e.get("source"), "opgehaald": e.get("retrieved"),
             "licentie": e.get("licence"), "sha256": str(e.get("sha256", ""))[:12]}
            for e in entries]
    return pd.DataFrame(rows, columns=["bestand", "bron", "opgehaald", "licentie", "sha256"])
