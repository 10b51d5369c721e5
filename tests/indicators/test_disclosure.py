"""Disclosure control (helpers.indicators.disclosure): small counts suppressed, none
recoverable from its siblings and parent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.errors import DataError
from helpers.indicators import catalogue
from helpers.indicators import disclosure as privacy


def test_complementary_suppression_leaves_no_recoverable_cell():
    cat = catalogue.load()
    hierarchy = pd.DataFrame({
        "year": 2023, "code": ["BU1", "BU2", "BU3", "WK1"],
        "parent": ["WK1", "WK1", "WK1", "GM1"], "level": ["buurt"] * 3 + ["wijk"]})
    obs = pd.DataFrame({
        "area_code": ["BU1", "BU2", "BU3", "WK1", "GM1"],
        "level": ["buurt"] * 3 + ["wijk", "gemeente"], "year": 2023,
        "indicator": "bijstand_per_1000",
        "numerator": [4.0, 60.0, 40.0, 104.0, 104.0],
        "denominator": [900.0, 3000.0, 2000.0, 5900.0, 5900.0], "status": "ok",
        "source": "test"})
    obs["value"] = obs["numerator"] / obs["denominator"] * 1000
    out = privacy.suppress(obs, cat, hierarchy).set_index("area_code")
    assert out.loc["BU1", "status"] == "suppressed"  # 4 < min_count
    assert out.loc["BU3", "status"] == "suppressed"  # the smallest sibling, complementary
    assert out.loc["BU2", "status"] == "ok" and out.loc["WK1", "status"] == "ok"
    assert privacy.lone_suppressions(out.reset_index(), hierarchy).empty


def test_a_lone_child_takes_its_parent_along():
    cat = catalogue.load()
    hierarchy = pd.DataFrame({"year": 2023, "code": ["BU1"], "parent": ["WK1"],
                              "level": ["buurt"]})
    obs = pd.DataFrame({"area_code": ["BU1", "WK1"], "level": ["buurt", "wijk"],
                        "year": 2023, "indicator": "bijstand_per_1000",
                        "numerator": [4.0, 4.0], "denominator": [900.0, 900.0],
                        "value": [4.4, 4.4], "status": "ok", "source": "t"})
    out = privacy.suppress(obs, cat, hierarchy)
    assert (out["status"] == "suppressed").all()


def test_demo_observations_have_no_lone_suppressed_cell(demo_facts):
    obs = demo_facts.observations
    computed = obs["indicator"].map(lambda i: demo_facts.catalogue[i].computed)
    assert (obs["status"] == "suppressed").any()
    assert privacy.lone_suppressions(obs[computed], demo_facts.hierarchy).empty


def test_small_counts_are_suppressed_without_a_trace():
    cat = catalogue.load()
    obs = pd.DataFrame({
        "area_code": ["BU1", "BU2", "BU3"], "level": "buurt", "year": 2023,
        "indicator": "bijstand_per_1000", "value": [3 / 40 * 1000, 25 / 1000 * 1000, 0.0],
        "numerator": [3.0, 25.0, 0.0], "denominator": [40.0, 1000.0, 5.0],
        "status": "ok", "source": "test",
    })
    out = privacy.suppress(obs, cat).set_index("area_code")
    assert out.loc["BU1", "status"] == "suppressed"
    assert np.isnan(out.loc["BU1", ["value", "numerator", "denominator"]].astype(float)).all()
    assert out.loc["BU2", "status"] == "ok" and out.loc["BU2", "value"] == 25
    assert out.loc["BU3", "status"] == "suppressed"  # a denominator of 5 reveals people


def _wijk(numerators: list[float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    codes = [f"BU{i}" for i in range(1, len(numerators) + 1)]
    hierarchy = pd.DataFrame({"year": 2023, "code": codes, "parent": "WK1", "level": "buurt"})
    total = sum(numerators)
    obs = pd.DataFrame({
        "area_code": [*codes, "WK1"], "level": ["buurt"] * len(codes) + ["wijk"],
        "year": 2023, "indicator": "bijstand_per_1000",
        "numerator": [*numerators, total], "denominator": 1000.0 * (len(codes) + 1),
        "status": "ok", "source": "test"})
    obs["value"] = obs["numerator"] / obs["denominator"] * 1000
    return obs, hierarchy


def test_a_complement_of_zero_does_not_hide_a_small_count():
    # wijk total 114 minus the shown buurten must not give BU1's 4: hiding BU2 (0) with
    # it would leave 4 + 0 = 4 to be read off; the complement must close the gap to 10
    cat = catalogue.load()
    obs, hierarchy = _wijk([4.0, 0.0, 50.0, 60.0])
    out = privacy.suppress(obs, cat, hierarchy).set_index("area_code")
    assert out.loc["BU1", "status"] == "suppressed" and out.loc["BU2", "status"] == "ok"
    assert out.loc["BU3", "status"] == "suppressed"  # the smallest that closes the gap
    hidden = obs.set_index("area_code").loc[out["status"] == "suppressed", "numerator"]
    assert hidden.sum() >= cat["bijstand_per_1000"].min_count
    assert privacy.unprotected_groups(obs, out["status"].reset_index(drop=True), cat,
                                      hierarchy).empty


def test_two_small_suppressed_counts_together_are_still_protected():
    # 3 + 2 = 5 < 10: two suppressed buurten whose sum the wijk total reveals
    cat = catalogue.load()
    obs, hierarchy = _wijk([3.0, 2.0, 40.0, 70.0])
    out = privacy.suppress(obs, cat, hierarchy)
    hidden = obs.loc[out["status"] == "suppressed", "numerator"]
    assert len(hidden) == 3 and hidden.sum() >= 10
    assert privacy.unprotected_groups(obs, out["status"], cat, hierarchy).empty
    # the check itself sees the weak group when only the two small ones are hidden
    weak = out["status"].where(~obs["area_code"].isin(["BU3", "BU4"]), "ok")
    assert len(privacy.unprotected_groups(obs, weak, cat, hierarchy)) == 1


def test_the_demo_publishes_no_unprotected_group(demo_ws, demo_facts):
    # the published statuses against the true numbers: no group where the parent minus
    # the shown siblings gives a small count (the demo had 33 before complements had to
    # close the gap)
    from helpers.indicators.aggregation import aggregate_up
    from helpers.indicators.computation import compute

    truth = compute(aggregate_up(demo_ws.variables_raw, demo_facts.hierarchy),
                    demo_facts.catalogue)
    published = demo_facts.observations
    assert len(truth) == len(published)
    assert (truth["area_code"].to_numpy() == published["area_code"].to_numpy()).all()
    assert privacy.unprotected_groups(truth, published["status"], demo_facts.catalogue,
                                      demo_facts.hierarchy).empty
    before = privacy.unprotected_groups(
        truth, truth["status"].where(~privacy._primary(
            truth, privacy._Coded(truth).per_row(demo_facts.catalogue, "min_count", 0)
            .astype(float)), "suppressed"), demo_facts.catalogue, demo_facts.hierarchy)
    assert len(before) > 0  # primary suppression alone leaves groups to protect


def _tree(tree: dict[str, dict[str, float]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An own registration (exact counts) of wijken → buurten in GM0001, 2023."""
    rows, links = [], []
    for wijk, buurten in tree.items():
        links.append((2023, wijk, "GM0001", "wijk"))
        for buurt, count in buurten.items():
            links.append((2023, buurt, wijk, "buurt"))
            rows.append((buurt, "buurt", count, 1001.0))
        rows.append((wijk, "wijk", sum(buurten.values()), 1001.0 * len(buurten)))
    rows.append(("GM0001", "gemeente", sum(r[2] for r in rows if r[1] == "wijk"),
                 sum(r[3] for r in rows if r[1] == "wijk")))
    obs = pd.DataFrame(rows, columns=["area_code", "level", "numerator", "denominator"])
    obs = obs.assign(year=2023, indicator="meldingen_openbare_ruimte_per_1000",
                     value=obs["numerator"] / obs["denominator"] * 1000, status="ok",
                     source="test")
    return obs, pd.DataFrame(links, columns=["year", "code", "parent", "level"])


def test_a_complement_is_not_itself_the_sum_of_shown_parts():
    # WK000101 (4) is hidden with its buurt; the complement WK000102 (23) would be the
    # sum of its shown buurten 11 + 12 and give the 4 away (118 − 91 − 23): one of
    # them (the smallest of at least min_count, 11) is hidden with it
    from helpers.indicators import lp_audit

    cat = catalogue.load()
    obs, hierarchy = _tree({"WK000101": {"BU00010101": 4.0, "BU00010102": 0.0},
                            "WK000102": {"BU00010201": 11.0, "BU00010202": 12.0},
                            "WK000103": {"BU00010301": 40.0, "BU00010302": 51.0}})
    out = privacy.suppress(obs, cat, hierarchy)
    hidden = set(out.loc[out["status"] == "suppressed", "area_code"])
    assert hidden == {"BU00010101", "WK000101", "WK000102", "BU00010201"}
    found = lp_audit.audit(obs, out, cat, hierarchy).set_index("area_code")
    # 118 − 91 = WK1 + WK2 = 27, WK2 = BU21 + 12, BU11 = WK1: BU11 + BU21 = 15
    assert found.loc["BU00010101", ["low", "high"]].tolist() == pytest.approx([0.0, 15.0])
    assert not found["pinned"].any()


def test_a_linked_table_takes_a_second_breakdown_along():
    # the five age groups add up to the inwoners: 4 65-plussers hidden alone would be
    # 101 − 21 − 17 − 31 − 28; the smallest group of at least 10 − 4 (17) goes with it
    from helpers.indicators import lp_audit

    cat = catalogue.load()
    counts = {"aandeel_0_14": 21.0, "aandeel_15_24": 17.0, "aandeel_25_44": 31.0,
              "aandeel_45_64": 28.0, "aandeel_65plus": 4.0}
    obs = pd.DataFrame({"area_code": "BU00010101", "level": "buurt", "year": 2023,
                        "indicator": ["inwoners", *counts],
                        "numerator": [101.0, *counts.values()],
                        "denominator": [np.nan] + [101.0] * 5, "status": "ok",
                        "source": "test"})
    obs["value"] = obs["numerator"].where(obs["denominator"].isna(),
                                          obs["numerator"] / obs["denominator"] * 100)
    hierarchy = pd.DataFrame({"year": [2023], "code": ["BU00010101"],
                              "parent": ["WK000101"], "level": ["buurt"]})
    out = privacy.suppress(obs, cat, hierarchy)
    hidden = set(out.loc[out["status"] == "suppressed", "indicator"])
    assert hidden == {"aandeel_65plus", "aandeel_15_24"}
    found = lp_audit.audit(obs, out, cat, hierarchy).set_index("variable")
    assert found.loc["a_65_oo", ["low", "high"]].tolist() == pytest.approx([0.0, 21.0])
    assert not found["pinned"].any()


def test_suppression_that_cannot_close_a_group_says_so(monkeypatch):
    cat = catalogue.load()
    obs, hierarchy = _wijk([4.0, 61.0, 43.0])
    monkeypatch.setattr(privacy._Coded, "complement",
                        lambda self, lone, shown, numerator: np.array([], dtype=int))
    with pytest.raises(DataError, match=r"cannot protect 1 group.*bijstand_per_1000 2023 "
                                        r"under WK1"):
        privacy.suppress(obs, cat, hierarchy)


def _registration(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A random own registration of 2–4 wijken of 1–3 buurten, counts 0, small or not."""
    rng = np.random.default_rng(seed)
    tree = {}
    for w in range(rng.integers(2, 5)):
        tree[f"WK0001{w:02d}"] = {
            f"BU0001{w:02d}{b:02d}": float(rng.choice([0, 0, rng.integers(1, 10),
                                                       rng.integers(10, 30)]))
            for b in range(rng.integers(1, 4))}
    return _tree(tree)


def test_registrations_with_small_counts_have_no_pinned_cell():
    # the LP audit as the adversary (rounded_to=0: the counts are exact, and it knows
    # it): no small count can be read off
    # within min_count anywhere; primary suppression alone leaves many that can
    from helpers.indicators import lp_audit

    cat = catalogue.load()
    pinned = primary_pinned = 0
    for seed in range(40):
        obs, hierarchy = _registration(seed)
        out = privacy.suppress(obs, cat, hierarchy)
        pinned += int(lp_audit.audit(obs, out, cat, hierarchy, rounded_to=0)["pinned"].sum())
        primary_only = privacy.suppress(obs, cat)
        primary_pinned += int(lp_audit.audit(obs, primary_only, cat, hierarchy,
                                             rounded_to=0)["pinned"].sum())
    assert pinned == 0
    assert primary_pinned > 20


_AGE_GROUPS = ["aandeel_0_14", "aandeel_15_24", "aandeel_25_44", "aandeel_45_64",
               "aandeel_65plus"]


def _age_tree(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exact age groups (and inwoners) of 2–3 wijken of 1–3 buurten in GM0001: a linked
    table at every level of the hierarchy."""
    rng = np.random.default_rng(seed)
    links, counts = [], {"GM0001": np.zeros(5)}
    for w in range(rng.integers(2, 4)):
        wijk = f"WK0001{w:02d}"
        links.append((2023, wijk, "GM0001", "wijk"))
        counts[wijk] = np.zeros(5)
        for b in range(rng.integers(1, 4)):
            buurt = f"BU0001{w:02d}{b:02d}"
            links.append((2023, buurt, wijk, "buurt"))
            c = rng.choice([0, 1, 3, 6, 12, 25, 40], size=5).astype(float) + rng.integers(0, 2, 5)
            counts[buurt] = c
            counts[wijk] += c
            counts["GM0001"] += c
    rows = []
    for area, c in counts.items():
        rows.append((area, "inwoners", c.sum(), np.nan, c.sum()))
        rows += [(area, i, n, c.sum(), n / c.sum() * 100) for i, n in zip(_AGE_GROUPS, c,
                                                                            strict=True)]
    obs = pd.DataFrame(rows, columns=["area_code", "indicator", "numerator", "denominator",
                                      "value"])
    obs = obs.assign(level=obs["area_code"].str[:2].map({"GM": "gemeente", "WK": "wijk",
                                                         "BU": "buurt"}),
                     year=2023, status="ok", source="test")
    return obs, pd.DataFrame(links, columns=["year", "code", "parent", "level"])


def _pinned(seed: int, hierarchical: bool = True) -> int:
    from helpers.indicators import lp_audit

    cat = catalogue.load()
    obs, hierarchy = _age_tree(seed)
    out = privacy.suppress(obs, cat, hierarchy if hierarchical else None)
    return int(lp_audit.audit(obs, out, cat, hierarchy, rounded_to=0)["pinned"].sum())


def test_age_tables_over_the_hierarchy_have_no_pinned_cell():
    # linked tables and all levels together, exact counts: 20 registrations in which
    # primary suppression alone leaves small counts to be read off, and suppress none
    assert sum(_pinned(seed, hierarchical=False) for seed in range(20)) > 50
    assert sum(_pinned(seed) for seed in range(20)) == 0


def _heuristic_pinned(seed: int) -> int:
    """Pinned cells when the groups are closed one by one, without the LP's rounds."""
    from helpers.indicators import lp_audit

    cat = catalogue.load()
    obs, hierarchy = _age_tree(seed)
    coded = privacy._Coded(obs, hierarchy)
    hide = privacy._primary(obs, coded.per_row(cat, "min_count", 0).astype(float))
    privacy._Rounds(obs, cat, coded, hide).close()
    published = privacy._masked(obs, hide)
    return int(lp_audit.audit(obs, published, cat, hierarchy, rounded_to=0)["pinned"].sum())


def test_crossed_age_tables_leave_no_pinned_cell():
    # where a linked table crosses the levels, closing each group on its own left 16
    # cells in these 4 of 60 registrations pinned (a_65_oo of BU00010100 in seed 33: 3,
    # within [0, 4]); suppress now lets the LP audit drive further suppression
    seeds = (31, 32, 33, 53)
    assert sum(_heuristic_pinned(seed) for seed in seeds) >= 10
    assert [_pinned(seed) for seed in seeds] == [0, 0, 0, 0]


def _same_intervals(incremental: pd.DataFrame, full: pd.DataFrame) -> None:
    key = ["variable", "area_code", "year"]
    assert incremental[key].astype(str).values.tolist() == full[key].astype(str).values.tolist()
    for column in ("low", "high"):
        assert incremental[column].to_numpy() == pytest.approx(full[column].to_numpy(),
                                                               abs=1e-6), column
    assert (incremental["pinned"].to_numpy() == full["pinned"].to_numpy()).all()


@pytest.mark.parametrize("seed", [31, 32, 33, 53])
def test_the_audit_of_a_second_round_solves_only_what_changed_and_agrees(seed):
    # suppress keeps one LP problem between its rounds and re-solves only the pieces
    # that changed: every interval must be the one a fresh, full audit gives — for
    # every suppressed cell, not only the small counts
    from helpers.indicators import lp_audit

    cat = catalogue.load()
    obs, hierarchy = _age_tree(seed)
    coded = privacy._Coded(obs, hierarchy)
    hide = privacy._primary(obs, coded.per_row(cat, "min_count", 0).astype(float))
    rounds = privacy._Rounds(obs, cat, coded, hide)
    rounds.close()
    auditor = lp_audit.Auditor(obs, cat, hierarchy)
    kept = []
    for _ in range(5):
        published = privacy._masked(obs, hide)
        found = auditor.audit(published)
        _same_intervals(found, lp_audit.audit(obs, published, cat, hierarchy))
        kept.append(found)
        pinned = found[found["pinned"]]
        if pinned.empty:
            break
        rounds.add(rounds.around(pinned))
        rounds.close()
    assert len(kept) >= 2 and kept[0]["pinned"].any()  # a second round was needed
    assert not kept[-1]["pinned"].any()
