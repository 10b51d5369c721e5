"""Early warnings (helpers.analysis.signals)."""

from __future__ import annotations

from helpers.analysis.loop import KINDS as LOOP_KINDS
from helpers.analysis.signals import AREA_KIND, SEVERITY, signals


def test_demo_yields_signals_of_every_kind(demo_facts, demo_budget):
    table = signals(demo_facts, demo_budget.begroting, 2024)
    kinds = set(table["soort"])
    # every kind but a missed target year (the demo's target years lie ahead) and the
    # steering loop's (they need the duiding: tests/analysis/test_loop.py); of the areas
    # that deviate, the levels the demo has such an area of
    assert kinds <= set(SEVERITY)
    assert kinds - set(AREA_KIND.values()) == set(SEVERITY) - set(AREA_KIND.values()) - {
        "doel niet gehaald"} - set(LOOP_KINDS)
    assert AREA_KIND["wijk"] in kinds
    assert table["ernst"].is_monotonic_increasing
    assert table["basis"].str.len().min() > 10 and table["uitleg"].str.len().min() > 10
    area = table[table["soort"] == "wijk wijkt af en verslechtert"]
    assert "WK990103" in set(area["gebied"]), "Rivierkwartier's rising benefits"


def test_a_wijk_worse_than_the_gemeente_and_worsening_is_signalled(tiny_facts):
    from helpers.workspace.begroting import Begroting

    empty = Begroting.model_validate({"gemeente": "GM0001", "begrotingsjaar": 2024})
    table = signals(tiny_facts, empty, 2023)
    area = table[table["soort"] == "wijk wijkt af en verslechtert"]
    assert area["gebied"].tolist() == ["WK000102"]
    row = area.iloc[0]
    assert row["gebied_naam"] == "Zuid" and "tegen" in row["uitleg"] and "Klein" in row["uitleg"]
    assert row["basis"].startswith("Verhouding tot de rest van het omliggende gebied, exacte")
    assert "(99,8%), Klein" in row["basis"] and "2019–2023" in row["basis"]
    assert "WK000101" not in set(table["gebied"])  # flat and better than the gemeente


def test_a_measured_target_year_that_missed_is_signalled(tiny_facts):
    from helpers.workspace.begroting import Begroting

    budget = Begroting.model_validate({"gemeente": "GM0001", "begrotingsjaar": 2024,
                                       "programmas": [{"id": "P1", "naam": "Werk", "doelen": [
        {"id": "P1.1", "titel": "Minder bijstand in Zuid", "eigenaar": "Team Zuid",
         "indicatoren": [{"indicator": "bijstand_per_1000", "gebied": "WK000102",
                          "nulmeting": {"jaar": 2019, "waarde": 40.0},
                          "streefwaarde": {"jaar": 2022, "waarde": 30.0}}]}]}]})
    table = signals(tiny_facts, budget, 2023)
    missed = table[table["soort"] == "doel niet gehaald"]
    assert missed["doel"].tolist() == ["P1.1"] and missed["ernst"].tolist() == [1]
    assert "streefjaar 2022" in missed.iloc[0]["basis"]
    assert "doel uit koers" not in set(table["soort"])  # measured, not forecast


def test_the_table_is_kept_per_facts_budget_and_year_and_handed_out_as_copies(
        demo_facts, demo_budget):
    """Every wijkprofiel of a run shows the gemeente's signals: made once, but a changed
    budget or another year is computed anew, and a caller's edit does not stick."""
    budget = demo_budget.begroting
    first, again = signals(demo_facts, budget, 2024), signals(demo_facts, budget, 2024)
    assert first.equals(again) and first is not again
    first.loc[:, "uitleg"] = "gewijzigd"
    assert signals(demo_facts, budget, 2024).equals(again)
    smaller = budget.model_copy(update={"programmas": budget.programmas[:1]})
    fewer = signals(demo_facts, smaller, 2024)
    assert set(fewer["programma"].dropna()) < set(again["programma"].dropna())
    assert not signals(demo_facts, budget, 2023).equals(again)
