"""Reliability and privacy audit: ``make audit`` (or ``.venv/bin/python tools/audit.py``).

Runs the scenarios of tests/reliability.py and the loader fuzzing of
tests/fuzz_loaders.py in a temporary folder and prints one table: per group the
figures that must hold (bad input refused clearly without a traceback and without
changing the workspace; batch faults keep previous reports, a true manifest and no
temporary files, and a killed run leaves no process; the same fault scenarios five
times in a row while a CPU burner keeps every core busy; the published demo reports
pass the privacy scan; concurrent runs and imports refuse cleanly; text from data is
never executed and paths never leave ``reports/``; every tampered page and foreign
notebook output of tests/scenarios/attacks.py is refused), then the rows passed and
failed per group. Exits with 1 when any row fails.

    python tools/audit.py [--examples 200] [--only bad-input faults privacy ...]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.scenarios import reliability  # noqa: E402  (the project root is on the path now)

GROUPS = ("bad-input", "fuzzing", "faults", "faults-loaded", "privacy", "concurrency",
          "injection", "safety")
ROUNDS = 5  # the fault scenarios under load, in a row: all must pass


def _faults_loaded(work: Path) -> list[reliability.Row]:
    """The fault scenarios ROUNDS times in a row while every core is kept busy: one row,
    passed only when every round passed."""
    from tests.scenarios.loaded import cpu_load

    failed, seconds = [], []
    for round_ in range(1, ROUNDS + 1):
        started = time.perf_counter()
        with cpu_load():
            rows = reliability.batch_faults(work / f"round-{round_}")
        seconds.append(round(time.perf_counter() - started))
        failed += [f"round {round_}: {r.case} ({r.numbers})" for r in rows if not r.ok]
        print(f"... faults-loaded: round {round_} of {ROUNDS}, {seconds[-1]} s, "
              f"{sum(not r.ok for r in rows)} failed", file=sys.stderr)
    rounds_ok = ROUNDS - len({f.split(":")[0] for f in failed})
    return [reliability.Row(
        "faults loaded", f"fault scenarios under CPU load, {ROUNDS} rounds in a row",
        not failed, "; ".join(failed)[:300],
        {"rounds passed": rounds_ok, "rounds": ROUNDS, "cases per round": len(rows),
         "seconds per round": "/".join(map(str, seconds))})]


def _safety(work: Path) -> list[reliability.Row]:
    """Tampered pages and foreign notebook output refused (tests/scenarios/attacks.py)."""
    from tests.scenarios import attacks

    return attacks.page_attacks(work)


def _bad_input(work: Path) -> list[reliability.Row]:
    rows = reliability.bad_input(work)
    kinds = sorted({r.numbers["kind"] for r in rows})
    total = reliability.Row(
        "bad input", f"total ({len(rows)} inputs: {', '.join(kinds)})",
        all(r.ok for r in rows), "", {
            "inputs tried": len(rows), "clear messages": sum(r.numbers["clear"] for r in rows),
            "tracebacks": sum(r.numbers["traceback"] for r in rows),
            "workspaces changed": sum(r.numbers["changed"] for r in rows)})
    return [r for r in rows if not r.ok] + [total]


def _fuzzing(examples: int) -> list[reliability.Row]:
    from tests.scenarios import fuzz_loaders

    rows = []
    for result in fuzz_loaders.run_all(examples=examples):
        ok = (result["tracebacks"] == 0 and result["silently_wrong"] == 0
              and result.get("unclear_messages", 0) == 0)
        numbers = {k: v for k, v in result.items() if isinstance(v, int | float)}
        rows.append(reliability.Row("fuzzing", result["loader"], ok, "", numbers))
    return rows


def _privacy(work: Path) -> list[reliability.Row]:
    row, _ = reliability.privacy(work)
    return [row]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200,
                        help="hypothesis examples per loader (default 200)")
    parser.add_argument("--only", nargs="+", choices=GROUPS, default=list(GROUPS))
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rows: list[reliability.Row] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="stuurkit-audit-") as tmp:
        work = Path(tmp)
        steps = {"bad-input": lambda: _bad_input(work / "bad"),
                 "fuzzing": lambda: _fuzzing(args.examples),
                 "faults": lambda: reliability.batch_faults(work / "faults"),
                 "faults-loaded": lambda: _faults_loaded(work / "faults-loaded"),
                 "privacy": lambda: _privacy(work / "privacy"),
                 "concurrency": lambda: reliability.concurrency(work / "concurrency"),
                 "injection": lambda: reliability.injection(work / "injection"),
                 "safety": lambda: _safety(work / "safety")}
        for group in args.only:
            (work / group).mkdir(exist_ok=True)
            step = time.perf_counter()
            try:
                found = steps[group]()
            except Exception as exc:  # a scenario that cannot even run is a failed row
                found = [reliability.Row(group, "scenario", False, f"{type(exc).__name__}: "
                                                                   f"{exc}"[:200])]
            rows.extend(found)
            print(f"... {group}: {len(found)} row(s), {time.perf_counter() - step:.0f} s",
                  file=sys.stderr)
    width = max(len(r.case) for r in rows)
    print(f"{'group':<14} {'case':<{width}}  result  measured")
    print("-" * (width + 60))
    for row in rows:
        measured = ", ".join(f"{k} {v}" for k, v in row.numbers.items() if k != "kind")
        print(f"{row.group:<14} {row.case:<{width}}  {'ok' if row.ok else 'FAIL':<6}  "
              f"{measured}")
        if not row.ok and row.detail:
            print(f"{'':<14} {'':<{width}}          {row.detail}")
    failed = [r for r in rows if not r.ok]
    print(f"\n{'group':<14} {'passed':>6} {'failed':>6}")
    for group in dict.fromkeys(r.group for r in rows):
        of = [r for r in rows if r.group == group]
        print(f"{group:<14} {sum(r.ok for r in of):>6} {sum(not r.ok for r in of):>6}")
    print(f"\n{len(rows) - len(failed)} of {len(rows)} row(s) pass "
          f"({time.perf_counter() - started:.0f} s).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
