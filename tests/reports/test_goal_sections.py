"""The sections of the bestuursoverzicht and the programmamonitor on the demo (issue 16
items 4, 5, 8 and 12): targets written unrounded, the change since last year with both
values, signals of every kind shown, and a budget that stops its realisatie at the
report year."""

from __future__ import annotations

import warnings

import pytest

from helpers.reports import bestuursoverzicht, common, programmamonitor


@pytest.fixture
def shown(monkeypatch):
    """What the sections ``display`` besides what they return (headers go nowhere)."""
    out = []
    monkeypatch.setattr(common, "display", lambda *args, **kwargs: None)
    for module in (bestuursoverzicht, programmamonitor):
        monkeypatch.setattr(module, "display", lambda obj, *args, **kwargs: out.append(obj))
    warnings.simplefilter("ignore", UserWarning)
    return out


def test_the_goals_table_writes_targets_with_the_decimals_they_need(shown):
    monitor = programmamonitor.start("demo", "P1", 2024)
    frame = programmamonitor.goals_table(monitor).frame.set_index("Indicator")
    target = frame.loc[frame.index.str.contains("sociaal minimum"), "Streefwaarde"]
    assert target.tolist() == ["6,3 (2026)"]  # the indicator has no decimals: was "6"


def test_the_budget_shows_realisatie_up_to_the_report_year_only(shown):
    monitor = programmamonitor.start("demo", "P1", 2024)
    data = monitor.budget()
    realised = data[data["soort"] == "realisatie"]
    assert realised["jaar"].max() == 2024  # the demo budget has a 2025 realisatie too
    assert set(data.loc[data["soort"] == "begroot", "jaar"]) == {2022, 2023, 2024, 2025, 2026}
    note = programmamonitor.budget(monitor)
    assert note.data == ("<p><em>Voor 2025–2026, na verslagjaar 2024, staat alleen het begrote "
                         "bedrag (begroting); de realisatie van die jaren hoort niet bij dit "
                         "verslag.</em></p>")
    assert len(shown) == 1  # the chart, above the note
    later = programmamonitor.start("demo", "P1", 2026)
    assert later.budget()["jaar"].max() == 2026
    assert programmamonitor.budget(later).to_dict()["mark"]["type"] == "bar"  # no note


def test_the_change_since_last_year_gives_both_values_and_statuses(shown):
    view = bestuursoverzicht.start("demo", 2024)
    table = bestuursoverzicht.changes(view)
    frame = table.frame.set_index("Doel")
    assert list(frame.columns) == ["Indicator", "Waarde 2023", "Waarde 2024", "Verandering",
                                   "Status 2023", "Status 2024"]
    row = frame.loc["P3.2 Een schone en hele openbare ruimte"]
    assert row[["Waarde 2023", "Waarde 2024", "Verandering"]].tolist() == [
        "71,9 (2023)", "72,8 (2024)", "+0,9"]
    assert not any(d.startswith("P3.1 ") for d in frame.index)  # 25 in both years


def test_nothing_changed_is_said(shown):
    view = bestuursoverzicht.start("demo", 2024)
    view.__dict__["previous"] = view.goals  # the same evaluation a year earlier
    assert bestuursoverzicht.changes(view).data == (
        "<p>Geen veranderingen ten opzichte van 2023: elk doel heeft dezelfde status en "
        "dezelfde waarde als een jaar eerder.</p>")


def test_top_signals_show_the_worst_of_each_kind_and_say_where_the_rest_is(shown):
    view = bestuursoverzicht.start("demo", 2024)
    note = bestuursoverzicht.top_signals(view, limit=5)
    table = shown[-1].frame
    assert len(table) == 5 and table["Signaal"].is_unique  # five kinds, one each
    worst = view.signals.drop_duplicates("soort")["soort"].head(5).tolist()
    assert table["Signaal"].tolist() == worst  # the most severe kinds first
    hidden = len(view.signals) - len(table)
    assert note.data.startswith(f"<p>Niet getoond: nog {hidden} signalen — ")
    assert " in het rapport Datakwaliteit" in note.data  # stale data: said, not hidden
    assert " in de programmamonitors" in note.data and " in de wijkprofielen" in note.data
    assert "Gebaseerd op" not in table  # a short overview: the basis is in those reports
    everything = bestuursoverzicht.top_signals(view, limit=100)
    assert len(everything.frame) == len(view.signals)  # nothing left out: the table only
