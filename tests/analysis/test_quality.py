"""Data quality tables (helpers.analysis.quality) on tiny in-memory frames."""

from __future__ import annotations

import pandas as pd

from helpers.analysis import quality


def test_stale_lists_indicators_older_than_they_allow(tiny_facts):
    stale = quality.stale(tiny_facts.observations, tiny_facts.catalogue, "GM0001", 2023)
    labels = set(stale["indicator"])
    bijstand = tiny_facts.catalogue["bijstand_per_1000"].label
    assert bijstand not in labels  # 2023: current
    later = quality.stale(tiny_facts.observations, tiny_facts.catalogue, "GM0001", 2030)
    row = later.set_index("indicator").loc[bijstand]
    assert row["nieuwste_jaar"] == 2023


def test_status_shares_and_coverage():
    obs = pd.DataFrame({"year": 2023, "level": "buurt",
                        "status": ["ok", "ok", "secret", "suppressed"]})
    shares = quality.status_shares(obs).iloc[0]
    assert shares["bruikbaar_pct"] == 50 and shares["geheim_pct"] == 25
    assert shares["onderdrukt_pct"] == 25 and shares["ontbreekt_pct"] == 0
    raw = pd.DataFrame({"source": "s", "year": 2023, "area_code": ["BU1", "BU2", "BU1"],
                        "variable": ["a", "a", "ind_wbi"], "status": ["ok", "missing", "ok"]})
    row = quality.coverage(raw).iloc[0]
    assert row["gebieden"] == 2 and row["cellen"] == 2 and row["bruikbaar_pct"] == 50


def test_boundary_changes_say_what_follows():
    raw = pd.DataFrame({"area_code": ["WK000101", "WK000102"], "year": 2021,
                        "variable": "ind_wbi", "value": [3.0, 2.0]})
    changes = pd.DataFrame(columns=["year", "old", "new"])
    table = quality.boundary_changes(raw, {"WK000101": "Noord"}, changes)
    assert table["gebied"].tolist() == ["Noord", "WK000102"]
    assert table["gevolg"].tolist() == ["reeks begint opnieuw",
                                        "niet gekoppeld: reeks begint opnieuw"]
