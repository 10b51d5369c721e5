"""Duiding with front matter: what was learned and decided (helpers.workspace.begroting)."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers.workspace.begroting import front_matter, unreadable_duiding


def test_front_matter_holds_decision_follow_up_and_date():
    meta, body, problem = front_matter("---\nbesluit: Meer inzet\nvervolgactie: Evalueren\n"
                                       "datum: 2024-11-12\n---\nDe tekst.\n", "d.md")
    assert meta == {"besluit": "Meer inzet", "vervolgactie": "Evalueren",
                    "datum": dt.date(2024, 11, 12)}
    assert body == "De tekst.\n" and problem is None


def test_text_without_front_matter_is_all_body():
    assert front_matter("Alleen tekst.\n", "d.md") == ({}, "Alleen tekst.\n", None)


@pytest.mark.parametrize(("text", "message"), [
    ("---\nbesluit: x\nDe tekst.\n", "does not end with ---"),
    ("---\nbeslist: x\n---\nTekst\n", "may hold besluit, vervolgactie, datum only (found beslist)"),
    ("---\nbesluit: [x\n---\nTekst\n", "not valid YAML"),
])
def test_a_wrong_front_matter_is_named_and_the_text_kept(text, message):
    meta, body, problem = front_matter(text, "duiding/2024/P1.1.md")
    assert meta == {} and body == text
    assert problem.startswith("duiding/2024/P1.1.md: ") and message in problem


def test_check_reports_a_wrong_front_matter(ws_copy):
    (ws_copy / "duiding" / "2024" / "P1.1.md").write_text("---\nwie: x\n---\nTekst\n",
                                                          encoding="utf-8")
    problems = unreadable_duiding(ws_copy, "duiding")
    assert problems == ["duiding/2024/P1.1.md: front matter may hold besluit, vervolgactie, "
                        "datum only (found wie)"]
