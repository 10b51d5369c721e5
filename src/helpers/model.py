"""The kit's vocabulary, defined once: levels, statuses, CBS code patterns, frame columns.

Every stage imports these names instead of restating them as literals:

* **levels** of an area (``gemeente``, ``wijk``, ``buurt``), the code prefix of each
  (``GM``, ``WK``, ``BU``) and the level above or below it; ``level_of(code)``;
* **observation statuses** (``ok``, ``provisional``, ``secret``, ``missing``,
  ``suppressed``), the ones whose value may be shown (``USABLE``), their Dutch words and
  the rank that decides the status of a sum or ratio;
* **target statuses** of a goal (``op koers`` … ``onbekend``) and **action statuses**
  of an agreement (``niet gestart`` … ``vervallen``);
* the **CBS code patterns** (``GM0344``, ``WK034401``, ``BU03440101``; special buurten
  ending in 9997–9999; national codes) and ``in_gemeente(codes, gemeente)``;
* the columns of the frames that cross a stage boundary — **tidy** source variables,
  **observations** and **areas** — and their schemas (``validate``; pandera, loaded on
  first use so that a process that never validates does not pay for the import).

Examples
--------
>>> level_of("WK034401")
'wijk'
>>> in_gemeente(pd.Series(["GM0344", "WK036301", "BU03440101"]), "GM0344").tolist()
[True, False, True]
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from helpers.errors import DataError

if TYPE_CHECKING:  # pandas is imported where it is used: the command starts without it
    import pandas as pd

__all__ = [
    "LEVELS", "Level", "PREFIX", "LEVEL_OF_PREFIX", "PARENT_LEVEL", "CHILD_LEVEL", "BOTTOM_UP",
    "SUB_LEVELS",
    "level_of", "OK", "PROVISIONAL", "SECRET", "MISSING", "SUPPRESSED", "STATUSES",
    "USABLE", "STATUS_RANK", "STATUS_TEXT", "ON_TRACK", "AT_RISK", "OFF_TRACK", "UNKNOWN",
    "MET", "NOT_MET",
    "TARGET_STATUSES", "ACTION_STATUSES", "CODE_PATTERN", "CODE", "GEMEENTE_CODE",
    "SPECIAL_BUURT", "NATIONAL_CODE", "COUNTRY_CODE", "COUNTRY_LEVEL", "PROVINCIE_CODE",
    "PROVINCIES", "PROVINCIE_VARIABLE",
    "provincie_code", "is_code", "gemeente_digits", "in_gemeente",
    "of_other_gemeente",
    "TIDY_COLUMNS",
    "AREA_NAME",
    "OBSERVATION_COLUMNS", "AREA_COLUMNS", "parent_code", "validate",
    "ID_PATTERNS", "ID_RULES", "id_problem", "check_id",
]

# ------------------------------------------------------------------ levels

LEVELS = ("gemeente", "wijk", "buurt")
Level = Literal["gemeente", "wijk", "buurt"]
PREFIX = {"gemeente": "GM", "wijk": "WK", "buurt": "BU"}
LEVEL_OF_PREFIX = {prefix: level for level, prefix in PREFIX.items()}
PARENT_LEVEL: dict[str, str | None] = {"buurt": "wijk", "wijk": "gemeente", "gemeente": None}
CHILD_LEVEL = {"gemeente": "wijk", "wijk": "buurt"}
BOTTOM_UP = tuple(reversed(LEVELS))  # buurt, wijk, gemeente
SUB_LEVELS = LEVELS[1:]  # the areas inside a gemeente: wijk, buurt


def _series(value) -> bool:
    return hasattr(value, "str")  # a pandas Series of text (pandas is not imported here)


def level_of(code):
    """The level of a CBS code (``None`` when the prefix is not GM, WK or BU); a Series
    of codes gives a Series of levels."""
    if _series(code):
        return code.str[:2].map(LEVEL_OF_PREFIX)
    return LEVEL_OF_PREFIX.get(str(code)[:2])


# ------------------------------------------------------------------ statuses

OK, PROVISIONAL, SECRET, MISSING, SUPPRESSED = (
    "ok", "provisional", "secret", "missing", "suppressed")
STATUSES = (OK, PROVISIONAL, SECRET, MISSING, SUPPRESSED)
USABLE = (OK, PROVISIONAL)  # a value with one of these statuses may be shown
# the status of a sum or ratio is the worst of its parts' (unknown ones rank as missing)
STATUS_RANK = {OK: 0, PROVISIONAL: 1, MISSING: 2, SECRET: 3}
# how a value that is not shown is written in Dutch
STATUS_TEXT = {SECRET: "geheim", SUPPRESSED: "onderdrukt", MISSING: "–"}

ON_TRACK, AT_RISK, OFF_TRACK, UNKNOWN = "op koers", "risico", "uit koers", "onbekend"
MET, NOT_MET = "gehaald", "niet gehaald"  # the target year has been measured
TARGET_STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK, MET, NOT_MET, UNKNOWN)
ACTION_STATUSES = ("niet gestart", "lopend", "vertraagd", "afgerond", "vervallen")

# ------------------------------------------------------------------ codes

# ASCII digits only ([0-9]: \d also takes other scripts' digits). The patterns are also
# used by pandas and pydantic; for one code use ``is_code`` (``$`` in Python's re would
# accept a newline before the end).
CODE_PATTERN = r"GM[0-9]{4}|WK[0-9]{4}[0-9A-Z]{2}|BU[0-9]{4}[0-9A-Z]{4}"
CODE = re.compile(rf"^(?:{CODE_PATTERN})$")
GEMEENTE_CODE = re.compile(r"^GM[0-9]{4}$")
SPECIAL_BUURT = re.compile(r"^BU[0-9]{4}99(?:97|98|99)$")  # CBS's buurten 9997, 9998, 9999
NATIONAL_CODE = re.compile(r"^(?:NL|PV|LD|CR)[0-9]{2}$")  # the land, provinces, …
PROVINCIE_CODE = re.compile(r"^PV[0-9]{2}$")
COUNTRY_CODE = "NL00"  # Nederland in CBS's tables (a KWB download's first row, StatLine's)
COUNTRY_LEVEL = "land"
"""The level of ``COUNTRY_CODE``'s rows where a reader keeps them (``Request.country``):
beside ``LEVELS``, never one of them — no tidy frame of areas holds it."""
PROVINCIES = {"PV20": "Groningen", "PV21": "Fryslân", "PV22": "Drenthe", "PV23": "Overijssel",
              "PV24": "Flevoland", "PV25": "Gelderland", "PV26": "Utrecht",
              "PV27": "Noord-Holland", "PV28": "Zuid-Holland", "PV29": "Zeeland",
              "PV30": "Noord-Brabant", "PV31": "Limburg"}
"""CBS's twelve provincies (unchanged since Flevoland, 1986). A gemeente's provincie is
the tidy variable ``PROVINCIE_VARIABLE`` whose value is the code's number (PV26 → 26),
as the mate van stedelijkheid is its class number."""
PROVINCIE_VARIABLE = "pv_code"


def provincie_code(number: float) -> str:
    """``26`` → ``PV26`` (the code of a ``PROVINCIE_VARIABLE`` value)."""
    return f"PV{int(number):02d}"


def is_code(text: str) -> bool:
    """True for one CBS area code, exactly (``GM0344``, ``WK034401``, ``BU03440101``)."""
    return CODE.fullmatch(text) is not None


def gemeente_digits(gemeente: str) -> str:
    """The four digits of a gemeente code that every code inside it carries (``code[2:6]``)."""
    return gemeente[2:6]


def in_gemeente(codes, gemeente: str):
    """Which codes lie in ``gemeente`` (their digits ``code[2:6]`` are its own); a Series
    gives a boolean Series, one code a bool. Codes are compared as given (not stripped)."""
    if _series(codes):
        return codes.str[2:6] == gemeente_digits(gemeente)
    return str(codes)[2:6] == gemeente_digits(gemeente)


def of_other_gemeente(codes, gemeente: str):
    """Which codes are valid CBS codes of another gemeente (what a national table may be
    cut to): a code that is no CBS code at all is *not* one — a reader keeps it, so that
    it is refused with its line rather than dropped unseen. Series or one code."""
    if _series(codes):
        return codes.str.match(CODE.pattern) & ~in_gemeente(codes, gemeente)
    return is_code(str(codes)) and not in_gemeente(codes, gemeente)


# ------------------------------------------------------------------ identifiers

# Identifiers from files (ids, names, references) become file names, element ids, keys in
# frames and parts of published pages: each kind has one pattern, checked where the file
# is loaded. Free text (titles, names of areas, descriptions, duiding) is not restricted:
# it is escaped where it is shown. ``[0-9]`` and ``[A-Za-z]`` are ASCII on purpose.
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.))"  # no '..': a name may become a file name
ID_PATTERNS: dict[str, str] = {
    "programme": _NAME + "{0,39}",  # begroting.yml programmas[].id: P1, 3, W, SD-02
    "goal": _NAME + "{0,39}",  # begroting.yml doelen[].id: P1.1, 2.3a (duiding/<jaar>/<id>.md)
    "indicator": r"[A-Za-z0-9][A-Za-z0-9_]{0,79}",  # catalogue key: bijstand_per_1000
    # a catalogue's numerator, denominator, variable: a_inw, or a name kept from a file (0_15)
    "variable": r"[A-Za-z0-9_]{1,80}",
    "area": CODE_PATTERN,  # begroting.yml indicatoren[].gebied: a CBS code
    "schedule": _NAME + "{0,99}",  # stuurkit.yml schedule[].name: part of report file names
    "workspace": _NAME + "{0,99}",  # a workspace's folder name: reports/<name>/
    "parameter": r"[A-Za-z_][A-Za-z0-9_]{0,79}",  # a notebook parameter: year, area_code
    "colour": r"#[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{3}|[a-z]{3,20}",  # style.colours: #1f77b4, teal
}
ID_RULES: dict[str, str] = {
    "programme": "letters, digits, '_', '-' and '.' (no '..'), starting with a letter or "
                 "digit, at most 40 characters (e.g. P1, 3, SD-02)",
    "goal": "letters, digits, '_', '-' and '.' (no '..'), starting with a letter or digit, at "
            "most 40 characters (e.g. P1.1, 2.3a)",
    "indicator": "a letter or digit, then letters, digits and '_', at most 80 characters "
                 "(e.g. bijstand_per_1000)",
    "variable": "letters, digits and '_', at most 80 characters (e.g. a_inw)",
    "area": "a CBS area code (GM0344, WK034401, BU03440101)",
    "schedule": "letters, digits, '_', '-' and '.' (no '..'), starting with a letter or "
                "digit, at most 100 characters (e.g. wijkprofielen)",
    "workspace": "letters, digits, '_', '-' and '.' (no '..'), starting with a letter or "
                 "digit, at most 100 characters (e.g. utrecht)",
    "parameter": "a letter or '_', then letters, digits and '_' (e.g. year)",
    "colour": "a colour as #rrggbb, #rgb or a CSS colour name in lower case (e.g. #1f77b4)",
}
_IDS = {kind: re.compile(pattern) for kind, pattern in ID_PATTERNS.items()}


def id_problem(kind: str, value: object) -> str | None:
    """Why ``value`` is not a valid identifier of ``kind`` (``None`` when it is one).

    >>> id_problem("goal", "P1.1") is None
    True
    >>> id_problem("goal", "<b>")  # doctest: +ELLIPSIS
    "'<b>' is not a valid goal id: use letters, digits, ..."
    """
    if isinstance(value, str) and _IDS[kind].fullmatch(value):
        return None
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "…"
    return (f"{shown} is not a valid {kind} id: use {ID_RULES[kind]} "
            f"(pattern {ID_PATTERNS[kind]})")


def check_id(kind: str, value: object, where: str) -> str:
    """``value`` when it is a valid identifier of ``kind`` (a key of ``ID_PATTERNS``);
    else ``ConfigError`` naming ``where`` (file and key), the value and the pattern.

    >>> check_id("programme", "P1", "begroting.yml: programmas[0].id")
    'P1'
    """
    problem = id_problem(kind, value)
    if problem is not None:
        from helpers.errors import ConfigError

        raise ConfigError(f"{where}: {problem}. Identifiers become file names and parts of "
                          "published pages; rename it.")
    return value  # type: ignore[return-value]


# ------------------------------------------------------------------ frames

TIDY_COLUMNS = ["area_code", "level", "year", "variable", "value", "status", "source"]
# optional in a tidy frame: the area's name as the source writes it (KWB ``regio``, a
# StatLine region, a kaart attribute table's ``WK_NAAM``), so that the workspace can tell
# when one code names different areas in two files (``workspace.indeling``)
AREA_NAME = "name"
OBSERVATION_COLUMNS = ["area_code", "level", "year", "indicator", "value", "numerator",
                       "denominator", "status", "source"]
AREA_COLUMNS = ["code", "name", "level", "parent", "vintage", "geometry"]


def parent_code(code):
    """The code of the area that contains ``code`` by CBS's numbering: a buurt lies in the
    wijk of its first six digits, a wijk in the gemeente of its first four (a gemeente in
    none). A Series of codes gives a Series.

    >>> parent_code("BU03440101"), parent_code("WK034401"), parent_code("GM0344")
    ('WK034401', 'GM0344', None)
    """
    if _series(code):
        level = level_of(code)
        wijk, gemeente = "WK" + code.str[2:8], "GM" + code.str[2:6]
        return wijk.where(level == "buurt", gemeente.where(level == "wijk"))
    level = level_of(code)
    if level == "buurt":
        return "WK" + code[2:8]
    return "GM" + code[2:6] if level == "wijk" else None


@lru_cache(maxsize=1)
def _schemas() -> dict[str, Any]:
    """The pandera schemas of the frames that cross a stage boundary (made on first use).

    Every check is vectorised (no check per row in Python), so that validating a
    gemeente's observations costs a fraction of computing them."""
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa

    def column(checks=None, nullable: bool = False):
        return pa.Column(checks=checks, nullable=nullable)

    def frame_check(name: str, test):
        return pa.Check(test, name=name)

    numeric = pa.Check(lambda s: pd.api.types.is_numeric_dtype(s) and not
                       pd.api.types.is_bool_dtype(s), element_wise=False,
                       name="is a number column")
    finite = pa.Check(lambda s: s.isna() | np.isfinite(s.astype(float)), name="finite")
    whole = pa.Check(lambda s: pd.api.types.is_integer_dtype(s), element_wise=False,
                     name="is a whole-number column")
    year = [whole, pa.Check.in_range(1900, 2100)]
    text = pa.Check(lambda s: s.astype(str).str.len() > 0, name="not empty")
    code = pa.Check.str_matches(CODE.pattern)
    level = pa.Check.isin(LEVELS)
    status = pa.Check.isin(STATUSES)

    def level_matches(code_column: str):
        return frame_check(f"level agrees with the prefix of {code_column}",
                           lambda frame: level_of(frame[code_column]) == frame["level"])

    def hidden_values(columns: tuple[str, ...], statuses: tuple[str, ...], name: str):
        def check(frame: pd.DataFrame) -> pd.Series:
            hidden = frame["status"].isin(statuses)
            return ~hidden | frame[list(columns)].isna().all(axis=1)
        return frame_check(name, check)

    shown_values = frame_check("a value where the status is ok or provisional", lambda f: (
        ~f["status"].isin(USABLE) | f["value"].notna()))

    def unique(columns: list[str]):
        return frame_check(f"one row per {', '.join(columns)}",
                           lambda f: ~f.duplicated(columns, keep=False))

    def parent_matches(frame: pd.DataFrame) -> pd.Series:
        return frame["parent"].isna().where(frame["level"] == "gemeente",
                                            frame["parent"] == parent_code(frame["code"]))

    tidy = pa.DataFrameSchema({
        "area_code": column(code), "level": column(level), "year": column(year),
        "variable": column(text), "value": column([numeric, finite], nullable=True),
        "status": column(status), "source": column(text),
        AREA_NAME: pa.Column(nullable=True, required=False),
    }, checks=[level_matches("area_code"), shown_values,
               hidden_values(("value",), (SECRET, MISSING), "no value when secret or missing"),
               unique(["area_code", "year", "variable"])])
    # the observations are computed from validated tidy rows and areas: their codes and
    # levels need no second look; what matters before a report draws them is below
    observations = pa.DataFrameSchema({
        "area_code": column(), "level": column(level), "year": column(year),
        "indicator": column(text), "value": column([numeric, finite], nullable=True),
        "numerator": column([numeric, finite], nullable=True),
        "denominator": column([numeric, finite], nullable=True), "status": column(status),
        "source": column(nullable=True),
    }, checks=[hidden_values(("value", "numerator", "denominator"), (SUPPRESSED,),
                             "no numbers behind a suppressed value"),
               hidden_values(("value",), (SECRET, MISSING), "no value when secret or missing"),
               shown_values])
    areas = pa.DataFrameSchema({
        "code": column(code), "name": column(text), "level": column(level),
        "parent": column(nullable=True), "vintage": column(year), "geometry": column(),
    }, checks=[level_matches("code"),
               frame_check("parent agrees with the code", parent_matches),
               unique(["code", "vintage"])])
    return {"tidy": tidy, "observations": observations, "areas": areas}


def validate(frame: pd.DataFrame, kind: str, where: str) -> pd.DataFrame:
    """Check a frame against its schema (``tidy``, ``observations`` or ``areas``) and
    return it; ``DataError`` names ``where`` and the problems found (all checks run:
    pandera's ``lazy=True``), with the rows.

    The readers check their files with messages of their own; a frame that still breaks
    its schema is refused before any report could show what it holds.
    """
    import pandera.errors

    schema = _schemas()[kind]
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        problems = []
        for check, cases in exc.failure_cases.groupby("check", sort=False):
            rows = sorted({int(i) for i in cases["index"].dropna()})
            frame_check = (cases["schema_context"] == "DataFrameSchema").all()
            example = "" if frame_check else f", e.g. {cases['failure_case'].iloc[0]!r}"
            place = "" if frame_check else f"column {cases['column'].iloc[0]!r}: "
            shown = ", ".join(map(str, rows[:3])) + (" …" if len(rows) > 3 else "")
            problems.append(f"{place}{check} fails in {len(rows) or len(cases)} row(s)"
                            + (f" ({shown}{example})" if rows else example))
        raise DataError(f"{where}: {kind} rows that break the kit's rules (helpers.model): "
                        + "; ".join(problems) + ". Correct the file; if it is right, this is "
                        "a bug in Stuurkit — please report it with the file.") from None
    return frame
