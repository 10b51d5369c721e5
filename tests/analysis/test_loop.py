"""The steering loop (helpers.analysis.loop): agreements kept, deviations explained."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from helpers.analysis import loop
from helpers.workspace.begroting import Begroting


def _budget(actions: list[dict], goal_id: str = "P1.1") -> Begroting:
    return Begroting.model_validate({
        "gemeente": "GM0001", "begrotingsjaar": 2024, "programmas": [{
            "id": "P1", "naam": "Werk", "doelen": [{
                "id": goal_id, "titel": "Meer werk", "eigenaar": "Team Werk",
                "indicatoren": [{"indicator": "bijstand_per_1000",
                                 "nulmeting": {"jaar": 2019, "waarde": 40},
                                 "streefwaarde": {"jaar": 2026, "waarde": 30}}],
                "acties": actions}]}]})


def _status(*statuses: str, goal: str = "P1.1") -> pd.DataFrame:
    return pd.DataFrame({"doel": [goal] * len(statuses), "status": list(statuses)})


def _kinds(rows: list[dict]) -> list[str]:
    return sorted(r["soort"] for r in rows)


ACTION = {"wat": "Begeleiding", "wie": "Team Inkomen", "gereed": "2024-06-30",
          "status": "lopend"}


def test_an_action_past_its_date_is_an_agreement_overdue():
    rows = loop.loop_signals(_budget([ACTION]), _status("op koers"), _status("op koers"),
                             {}, 2024, today=dt.date(2026, 1, 1))
    assert _kinds(rows) == ["afspraak verlopen"]
    assert rows[0]["uitleg"] == ("P1.1 Meer werk: 'Begeleiding' (Team Inkomen) zou op "
                                 "30-06-2024 klaar zijn; op 31-12-2024 184 dagen over tijd, "
                                 "status lopend.")
    assert "peildatum 31-12-2024" in rows[0]["basis"]


@pytest.mark.parametrize("status", ["afgerond", "vervallen"])
def test_a_closed_action_is_not_overdue(status):
    rows = loop.loop_signals(_budget([{**ACTION, "status": status}]), _status("op koers"),
                             _status("op koers"), {}, 2024, today=dt.date(2026, 1, 1))
    assert rows == []


def test_the_reference_date_is_today_within_the_report_year():
    assert loop.as_of(2024, dt.date(2024, 5, 1)) == dt.date(2024, 5, 1)
    rows = loop.loop_signals(_budget([ACTION]), _status("op koers"), _status("op koers"),
                             {}, 2024, today=dt.date(2024, 5, 1))
    assert rows == []  # due 30 June: not late on 1 May


def test_a_goal_off_course_without_an_open_action_or_duiding():
    rows = loop.loop_signals(_budget([{**ACTION, "status": "vervallen"}]),
                             _status("uit koers"), _status("uit koers"), {}, 2024)
    assert _kinds(rows) == ["geen duiding", "geen verbeteractie"]
    explained = loop.loop_signals(_budget([ACTION | {"gereed": "2026-01-01"}]),
                                  _status("risico"), _status("risico"),
                                  {("P1.1", 2024): "Uitleg."}, 2024)
    assert explained == []  # an open action and duiding: the loop is closed


def test_the_worst_indicator_decides_the_goals_status():
    rows = loop.loop_signals(_budget([]), _status("op koers", "niet gehaald"),
                             _status("op koers", "op koers"), {}, 2024)
    assert _kinds(rows) == ["geen duiding", "geen verbeteractie",
                            "status verslechterd zonder duiding"]
    worse = next(r for r in rows if r["soort"] == "status verslechterd zonder duiding")
    assert worse["uitleg"] == ("P1.1 Meer werk: van op koers in 2023 naar niet gehaald in "
                               "2024, zonder duiding.")


def test_a_worse_status_with_duiding_is_explained():
    rows = loop.loop_signals(_budget([ACTION | {"gereed": "2026-01-01"}]), _status("risico"),
                             _status("op koers"), {("P1.1", 2024): "Waarom."}, 2024)
    assert rows == []


def test_an_action_done_while_the_goal_stays_off_course_is_a_question():
    rows = loop.loop_signals(_budget([{**ACTION, "status": "afgerond"},
                                      ACTION | {"gereed": "2026-01-01"}]),
                             _status("uit koers"), _status("uit koers"),
                             {("P1.1", 2024): "Duiding."}, 2024)
    assert _kinds(rows) == ["actie afgerond, doel uit koers"]
    assert rows[0]["uitleg"].endswith("Werkte de actie, of is er meer nodig?")


def test_the_demo_shows_every_loop_signal(demo_facts, demo_budget):
    from helpers.analysis.signals import SEVERITY, signals

    table = signals(demo_facts, demo_budget.begroting, 2024, demo_budget.duiding)
    assert set(loop.KINDS) <= set(table["soort"])
    assert set(loop.KINDS) <= set(SEVERITY)
    # without the duiding (as before): no loop signals
    assert not set(loop.KINDS) & set(signals(demo_facts, demo_budget.begroting, 2024)["soort"])


def test_agreements_stand_at_the_reference_date_and_are_counted_in_budget_order():
    budget = _budget([ACTION, {**ACTION, "wat": "Later", "gereed": "2026-01-01"},
                      {**ACTION, "wat": "Klaar", "status": "afgerond"},
                      {**ACTION, "wat": "Weg", "status": "vervallen", "wie": "Team Werk"}])
    table = loop.agreements(budget, 2024, today=dt.date(2026, 1, 1))
    assert table["stand"].tolist() == ["over tijd", "op tijd", "afgerond", "vervallen"]
    assert table["dagen_over"].tolist() == [184, 0, 0, 0]
    counts = loop.agreement_counts(table, "wie").set_index("wie")
    assert counts.index.tolist() == ["Team Inkomen", "Team Werk"]
    assert counts.loc["Team Inkomen"].tolist() == [1, 1, 1, 0]
    assert counts.loc["Team Werk"].tolist() == [0, 0, 0, 1]


def test_the_monitor_lists_each_action_with_whether_it_is_on_time():
    from helpers.reports import programmamonitor

    monitor = programmamonitor.start("demo", "P6", 2024)
    actions = monitor.actions()
    late = actions[actions["Actie"] == "Spelregels voor inhuur externen"].iloc[0]
    assert late["Op 31-12-2024"] == "over tijd (92 dagen)"
    assert late["Gereed"] == dt.date(2024, 9, 30)


def test_the_learning_log_shows_decisions_newest_first():
    import re

    from helpers.reports import programmamonitor

    monitor = programmamonitor.start("demo", "P1", 2024)
    text = re.sub(r"<[^>]+>", " ", programmamonitor.lessons(monitor)._repr_html_())
    assert text.index("Extra inzet van twee klantmanagers") < text.index(
        "Een wijkgerichte aanpak bijstand")
    assert "12-11-2024" in text
    # a report of 2023 does not know 2024's decision
    earlier = programmamonitor.start("demo", "P1", 2023)
    assert "klantmanagers" not in programmamonitor.lessons(earlier)._repr_html_()
