"""A budget line as a report of one verslagjaar shows it (issue 16 item 12): the
realisatie of a later year is not known yet in that report."""

from __future__ import annotations

from helpers.workspace.begroting import Programme


def test_a_later_year_keeps_its_begroot_amount_only():
    programme = Programme.model_validate({"id": "P1", "naam": "Werk", "budget": [
        {"jaar": 2025, "begroot": 66.1, "realisatie": 64.6},
        {"jaar": 2024, "begroot": 64.8, "realisatie": 66.6},
        {"jaar": 2026, "begroot": 67.5}]})
    lines = programme.budget_as_of(2024)
    assert [(line.jaar, line.begroot, line.realisatie) for line in lines] == [
        (2024, 64.8, 66.6), (2025, 66.1, None), (2026, 67.5, None)]
    assert programme.budget[0].realisatie == 64.6, "the budget itself is unchanged"
    assert [line.realisatie for line in programme.budget_as_of(2025)] == [66.6, 64.6, None]
