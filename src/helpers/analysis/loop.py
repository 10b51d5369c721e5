"""The steering loop around the measurement: agreements kept, deviations explained.

Management holds people to the agreements they made together, and a goal that is
missed asks what we learn and what we do next — not who is to blame. ``loop_signals``
checks the loop in the budget (``begroting.yml``: actions with owner, date and status;
duiding per goal and year) against how each goal is doing (``goals.evaluate``), at a
reference date (``as_of``: the end of the report year, or today when that is earlier):

``afspraak verlopen``
    an action past its date that is not ``afgerond`` or ``vervallen`` (owner, days over);
``geen verbeteractie``
    a goal ``uit koers``, ``niet gehaald`` or ``risico`` without an open action;
``geen duiding``
    such a goal without duiding for the report year;
``status verslechterd zonder duiding``
    a goal whose status worsened since the year before, without duiding for the year;
``actie afgerond, doel uit koers``
    an action marked ``afgerond`` while its goal stays ``uit koers`` or ``niet gehaald``:
    a question for the analyst, not a verdict.

A goal's status is the worst of its indicators' (``STATUS_RANK``).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from helpers import model
from helpers.workspace import reads
from helpers.workspace.begroting import Begroting

__all__ = ["loop_signals", "as_of", "KINDS", "STATUS_RANK", "OPEN_ACTIONS", "agreements",
           "agreement_counts", "AGREEMENT_STATES"]

OVERDUE = "afspraak verlopen"
NO_ACTION = "geen verbeteractie"
NO_DUIDING = "geen duiding"
WORSE_UNEXPLAINED = "status verslechterd zonder duiding"
DONE_BUT_OFF = "actie afgerond, doel uit koers"
KINDS = {NO_ACTION: 1, OVERDUE: 2, WORSE_UNEXPLAINED: 2, NO_DUIDING: 3, DONE_BUT_OFF: 3}
"""Each kind of loop signal and its severity (1 high … 3 low)."""

# how bad a goal's status is; ``onbekend`` has no rank (nothing to compare)
STATUS_RANK = {model.ON_TRACK: 0, model.MET: 0, model.AT_RISK: 1, model.OFF_TRACK: 2,
               model.NOT_MET: 2}
OPEN_ACTIONS = ("niet gestart", "lopend", "vertraagd")  # not afgerond, not vervallen
_OFF = (model.OFF_TRACK, model.NOT_MET)


def as_of(year: int, today: dt.date | None = None) -> dt.date:
    """The reference date of a report year: its last day, or ``today`` when earlier."""
    end = dt.date(year, 12, 31)
    if today is None:
        today = dt.date.today()
        if today < end:  # the report changes with the day it is made
            reads.record_today(today.isoformat())
    return min(end, today)


def _worst(goals: pd.DataFrame) -> dict[str, str]:
    """Goal id → the worst status among its indicators (``onbekend`` only when all are)."""
    out = {}
    for goal, part in goals.groupby("doel"):
        ranked = [s for s in part["status"] if s in STATUS_RANK]
        out[str(goal)] = max(ranked, key=STATUS_RANK.get) if ranked else model.UNKNOWN
    return out


def loop_signals(begroting: Begroting, goals: pd.DataFrame, previous: pd.DataFrame,
                 duiding: dict[tuple[str, int], str], year: int,
                 today: dt.date | None = None) -> list[dict]:
    """The loop signals of report year ``year`` (rows as ``signals`` makes them, without
    ``ernst``); ``goals`` and ``previous`` are ``goals.evaluate`` of the year and the
    year before."""
    day = as_of(year, today)
    now = _worst(goals) if len(goals) else {}
    before = _worst(previous) if len(previous) else {}
    rows = []
    for programme, goal in begroting.goals():
        status = now.get(goal.id, model.UNKNOWN)
        explained = (goal.id, year) in duiding
        area = goal.indicatoren[0].gebied or begroting.gemeente
        base = {"programma": programme.id, "doel": goal.id, "indicator": "",
                "gebied": area, "jaar": year}
        title = f"{goal.id} {goal.titel}"
        where = f"duiding/{year}/{goal.id}.md of duiding: in begroting.yml"
        for action in goal.acties:
            if action.status in OPEN_ACTIONS and action.gereed < day:
                late = (day - action.gereed).days
                rows.append({**base, "soort": OVERDUE,
                             "uitleg": f"{title}: '{action.wat}' ({action.wie}) zou op "
                                       f"{action.gereed:%d-%m-%Y} klaar zijn; op "
                                       f"{day:%d-%m-%Y} {late} dagen over tijd, status "
                                       f"{action.status}.",
                             "basis": f"Acties in de begroting: gereed {action.gereed:%d-%m-%Y},"
                                      f" status {action.status}; peildatum {day:%d-%m-%Y}"})
            if action.status == "afgerond" and status in _OFF:
                rows.append({**base, "soort": DONE_BUT_OFF,
                             "uitleg": f"{title}: '{action.wat}' is afgerond, maar het doel "
                                       f"is {status}. Werkte de actie, of is er meer nodig?",
                             "basis": "Status van het doel (voorspelling of gemeten "
                                      "streefjaar); acties in de begroting"})
        if STATUS_RANK.get(status, 0) >= 1:
            if not any(a.status in OPEN_ACTIONS for a in goal.acties):
                rows.append({**base, "soort": NO_ACTION,
                             "uitleg": f"{title} ({goal.eigenaar}) is {status}, en er staat "
                                       "geen lopende actie bij. Wat doen we om het doel "
                                       "alsnog te halen?",
                             "basis": "Status van het doel; acties in de begroting (geen "
                                      "met status " + ", ".join(OPEN_ACTIONS) + ")"})
            if not explained:
                rows.append({**base, "soort": NO_DUIDING,
                             "uitleg": f"{title} is {status}, maar er is geen duiding voor "
                                       f"{year}: wat verklaart het, wat leren we?",
                             "basis": f"Geen duiding gevonden ({where})"})
        old = before.get(goal.id)
        if (old in STATUS_RANK and status in STATUS_RANK
                and STATUS_RANK[status] > STATUS_RANK[old] and not explained):
            rows.append({**base, "soort": WORSE_UNEXPLAINED,
                         "uitleg": f"{title}: van {old} in {year - 1} naar {status} in {year},"
                                   " zonder duiding.",
                         "basis": f"Status in {year - 1} en {year}; geen duiding ({where})"})
    return rows


AGREEMENT_STATES = ("afgerond", "op tijd", "over tijd", "vervallen")
"""How an agreed action stands at the reference date: done, open and on time, open past
its date, or dropped."""


def agreements(begroting: Begroting, year: int, today: dt.date | None = None
               ) -> pd.DataFrame:
    """Every agreed action: ``programma, programma_naam, doel, actie, wie, gereed,
    status, stand, dagen_over`` (``stand`` one of ``AGREEMENT_STATES`` at ``as_of``)."""
    day = as_of(year, today)
    rows = []
    for programme, goal in begroting.goals():
        for action in goal.acties:
            late = action.status in OPEN_ACTIONS and action.gereed < day
            stand = ("over tijd" if late else "op tijd") if action.status in OPEN_ACTIONS \
                else action.status
            rows.append({"programma": programme.id, "programma_naam": programme.naam,
                         "doel": goal.id, "actie": action.wat, "wie": action.wie,
                         "gereed": action.gereed, "status": action.status, "stand": stand,
                         "dagen_over": (day - action.gereed).days if late else 0})
    return pd.DataFrame(rows, columns=["programma", "programma_naam", "doel", "actie", "wie",
                                       "gereed", "status", "stand", "dagen_over"])


def agreement_counts(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """``agreements`` counted per ``by`` (``programma_naam`` or ``wie``, in the budget's
    order) and stand."""
    counts = pd.crosstab(table[by], table["stand"]).reindex(
        index=list(dict.fromkeys(table[by])), columns=list(AGREEMENT_STATES), fill_value=0)
    return counts.rename_axis(index=by).reset_index().rename_axis(columns=None)
