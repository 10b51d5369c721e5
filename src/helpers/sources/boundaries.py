"""Boundary and code changes: continue a series only where areas are comparable.

CBS marks every area per year with ``ind_wbi``: 1 unchanged, 2 code changed (same
boundary), 3 boundary changed (not comparable with earlier years). Two things follow:

* ``breaks(variables)``: per area, the newest year with ``ind_wbi`` = 3. Values from
  before that year are not comparable with later ones; trends start anew there.
* ``read_code_changes`` / ``apply_code_changes``: a code change (``ind_wbi`` = 2) only
  continues a series when the old code is known. A workspace may list them in a CSV
  (``jaar, oude_code, nieuwe_code`` — e.g. from CBS's grenswijzigingen overview); the
  old code's earlier rows are then carried under the new code. Areas with
  ``ind_wbi`` = 2 that have no entry are reported by ``unlinked_code_changes``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers import model
from helpers.errors import DataError
from helpers.sources import csvtable

__all__ = ["breaks", "read_code_changes", "apply_code_changes", "unlinked_code_changes"]

COLUMNS = ["jaar", "oude_code", "nieuwe_code"]


def breaks(variables: pd.DataFrame) -> pd.Series:
    """Newest year with a boundary change (``ind_wbi`` = 3) per area code."""
    wbi = variables[(variables["variable"] == "ind_wbi") & (variables["value"] == 3)]
    return wbi.groupby("area_code")["year"].max().astype(int)


def read_code_changes(path: str | Path) -> pd.DataFrame:
    """Read and validate a code-change table (``jaar, oude_code, nieuwe_code``)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found. Check 'sources.code_changes' in stuurkit.yml.")
    table = csvtable.read_csv(path)  # strict: no shifted or half-read rows
    table.columns = [c.strip().lower() for c in table.columns]
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}; a code-change table "
                        f"has the columns {', '.join(COLUMNS)}.")
    problems = []
    for idx, row in table.iterrows():
        if not row["jaar"].strip().isdigit():
            problems.append(f"row {idx + 2}, column jaar: {row['jaar']!r} is not a year")
        for column in ("oude_code", "nieuwe_code"):
            if not model.is_code(row[column].strip()):
                problems.append(f"row {idx + 2}, column {column}: {row[column]!r} is not a "
                                "CBS area code")
    if problems:
        raise DataError(f"{path}: " + "; ".join(problems[:10]) + ". Correct these rows.")
    out = pd.DataFrame({"year": table["jaar"].astype(int),
                        "old": table["oude_code"].str.strip(),
                        "new": table["nieuwe_code"].str.strip(),
                        "file": str(path), "row": table.index + 2})
    _check_mapping(path, out)
    return out


def _check_mapping(path: Path, changes: pd.DataFrame) -> None:
    """A code change maps one old code onto one new code, once: refuse a code mapped onto
    itself, an old or a new code named twice (two codes swapped, merged or split), and a
    code that is both old and new (a chain or a cycle: which rows end where would depend
    on the order of the rows)."""
    problems = []
    for r in changes[changes["old"] == changes["new"]].itertuples():
        problems.append(f"row {r.row}: {r.old} is mapped onto itself")
    for column, what in (("old", "old code"), ("new", "new code")):
        twice = changes[changes.duplicated(column, keep=False)]
        for code, rows in twice.groupby(column, sort=False)["row"]:
            problems.append(f"rows {', '.join(map(str, rows))}: {what} {code} occurs more than "
                            "once (a code change maps one code onto one other)")
    both = changes[changes["old"].isin(changes["new"]) & (changes["old"] != changes["new"])]
    for r in both.itertuples():
        into = changes[changes["new"] == r.old].iloc[0]
        kind = "swapped with" if into["old"] == r.new else "chained after"
        problems.append(f"row {r.row}: {r.old} -> {r.new} is {kind} row {into['row']} "
                        f"({into['old']} -> {into['new']}); {r.old} cannot be both an old and "
                        "a new code")
    if problems:
        raise DataError(f"{path}: " + "; ".join(problems[:10]) + ". A swap, chain or cycle "
                        "would move rows onto codes that have their own series; list each "
                        "code change once, from the oldest code straight to the newest.")


def apply_code_changes(variables: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Carry rows of an old code before its change year under the new code; ``DataError``
    when the new code already has rows of its own in those years (the change would put
    two series on one code)."""
    if changes.empty:
        return variables
    out = variables.copy()
    for change in changes.itertuples(index=False):
        rows = (out["area_code"] == change.old) & (out["year"] < change.year)
        taken = (out["area_code"] == change.new) & (out["year"] < change.year)
        clash = set(zip(out.loc[rows, "year"], out.loc[rows, "variable"], strict=True)) & set(
            zip(out.loc[taken, "year"], out.loc[taken, "variable"], strict=True))
        if clash:
            year, variable = min(clash)
            where = f"{getattr(change, 'file', 'code changes')}, row {getattr(change, 'row', '?')}"
            raise DataError(
                f"{where}: {change.old} -> {change.new} from {change.year}, but {change.new} "
                f"already has its own rows before {change.year} (e.g. {variable} in {year}); "
                "the change would put two series on one code. Check the codes and the year "
                "(a code change is for a code that did not exist before).")
        out.loc[rows, "area_code"] = change.new
    return out


def unlinked_code_changes(variables: pd.DataFrame, changes: pd.DataFrame) -> list[str]:
    """Areas whose code changed (``ind_wbi`` = 2) without an entry naming the old code."""
    wbi = variables[(variables["variable"] == "ind_wbi") & (variables["value"] == 2)]
    linked = set(zip(changes["new"], changes["year"], strict=True)) if len(changes) else set()
    return sorted(f"{r.area_code} ({r.year})" for r in wbi.itertuples(index=False)
                  if (r.area_code, r.year) not in linked)
