"""Where a gemeente stands among Nederland and gemeenten like it.

Peer groups, each with its method in one Dutch sentence:

* ``by_size``: CBS's gemeentegrootteklasse of the year (``SIZE_CLASSES``: by inwoners);
* ``by_urbanity``: CBS's mate van stedelijkheid (``ste_mvs``; else derived from the
  omgevingsadressendichtheid by CBS's class limits, ``URBANITY``);
* ``by_province``: the provincie (CBS's *Gebieden in Nederland* of the year, else of the
  nearest year the files hold, named in the method);
* ``nearest``: the ``k`` gemeenten most like it on a few structural variables
  (``NEIGHBOUR_VARIABLES``: size and density on a log scale, age structure, household
  composition, rented homes and income where the files hold them), each standardised
  over all gemeenten of the year (z-scores), by Euclidean distance — the approach of
  CIPFA's statistical neighbours and of waarstaatjegemeente.nl's comparator;
* ``chosen``: a list of codes the workspace fixes by hand (``peers:`` in ``stuurkit.yml``).

``nederland`` (``helpers.analysis.country``) gives the country's value of each indicator;
``compare`` sets a
gemeente's value beside Nederland and a peer group: median, range, rank by polarity and
one Dutch sentence. All inputs are observations after disclosure control
(``helpers.indicators``): peer figures are protected like the gemeente's own.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import memo, model
from helpers.analysis.country import (
    COUNTRY_MIN_GEMEENTEN,
    COUNTRY_NAME,
    PUBLISHED,
    country_label,
    listed,
    nederland,
)
from helpers.errors import DataError
from helpers.indicators.catalogue import Catalogue
from helpers.numbers import format_number

__all__ = ["PeerGroup", "SIZE_CLASSES", "URBANITY", "NEIGHBOUR_VARIABLES", "by_size", "groups",
           "why_not", "newest_year", "table", "country", "size_class",
           "by_urbanity", "by_province", "nearest", "chosen", "nederland", "compare",
           "country_label", "COUNTRY_MIN_GEMEENTEN", "COUNTRY_NAME", "PUBLISHED", "listed"]

SIZE_CLASSES: tuple[tuple[float, float, str], ...] = (
    (0, 5_000, "minder dan 5.000 inwoners"),
    (5_000, 10_000, "5.000 tot 10.000 inwoners"),
    (10_000, 20_000, "10.000 tot 20.000 inwoners"),
    (20_000, 50_000, "20.000 tot 50.000 inwoners"),
    (50_000, 100_000, "50.000 tot 100.000 inwoners"),
    (100_000, 150_000, "100.000 tot 150.000 inwoners"),
    (150_000, 250_000, "150.000 tot 250.000 inwoners"),
    (250_000, np.inf, "250.000 inwoners of meer"),
)
"""CBS's gemeentegrootteklassen: (from, to, label), from inclusive."""

URBANITY: dict[int, tuple[float, str]] = {
    1: (2_500, "zeer sterk stedelijk"), 2: (1_500, "sterk stedelijk"),
    3: (1_000, "matig stedelijk"), 4: (500, "weinig stedelijk"), 5: (0, "niet stedelijk"),
}
"""CBS's mate van stedelijkheid: class → (lowest omgevingsadressendichtheid, label)."""

# a share the kaart publishes as a percentage and a KWB file as counts: (count, total)
_SHARE_FROM_COUNTS = {"p_00_14": ("a_00_14", "a_inw"), "p_65_oo": ("a_65_oo", "a_inw"),
                      "p_1p_hh": ("a_1p_hh", "a_hh"), "p_hh_m_k": ("a_hh_m_k", "a_hh")}

NEIGHBOUR_VARIABLES: tuple[tuple[str, str, bool], ...] = (
    ("a_inw", "aantal inwoners", True),
    ("ste_oad", "omgevingsadressendichtheid", True),
    ("p_00_14", "aandeel 0–14 jaar", False),
    ("p_65_oo", "aandeel 65 jaar en ouder", False),
    ("p_1p_hh", "aandeel eenpersoonshuishoudens", False),
    ("p_hh_m_k", "aandeel huishoudens met kinderen", False),
    ("p_huurw", "aandeel huurwoningen", False),
    ("g_ink_pi", "gemiddeld inkomen per inwoner", False),
)
"""(variable, Dutch name, on a log scale) of the nearest-neighbour comparison; a variable
the files lack for the gemeente or for most gemeenten that year is left out (and said)."""


@dataclass(frozen=True)
class PeerGroup:
    """A gemeente's peers in one year: who, and how they were chosen."""

    gemeente: str
    year: int
    kind: str  # grootteklasse, stedelijkheid, provincie, buren, eigen keuze
    label: str  # "Gemeenten met 250.000 inwoners of meer (2024)"
    method: str  # one Dutch sentence
    members: tuple[str, ...]  # the peers' codes, without the gemeente itself

    def __len__(self) -> int:
        return len(self.members)


def _values(tidy: pd.DataFrame, variable: str, year: int) -> pd.Series:
    """Per gemeente the usable value of ``variable`` in ``year``; a share missing
    there, from its count and total (``_SHARE_FROM_COUNTS``)."""
    rows = tidy[(tidy["variable"] == variable) & (tidy["year"] == year)
                & tidy["status"].isin(model.USABLE) & tidy["value"].notna()]
    values = rows.set_index("area_code")["value"].astype(float)
    if variable in _SHARE_FROM_COUNTS:
        count, total = (_values(tidy, v, year) for v in _SHARE_FROM_COUNTS[variable])
        share = (100 * count / total.where(total > 0)).dropna()
        values = values.combine_first(share)
    return values


def _own(values: pd.Series, gemeente: str, what: str, year: int) -> float:
    if gemeente not in values.index:
        raise DataError(f"de landelijke bestanden hebben geen {what} van {gemeente} in "
                        f"{year}; importeer een landelijk bestand van dat jaar (`stuurkit "
                        "import`) of haal het op (`stuurkit fetch`).")
    return float(values[gemeente])


def size_class(inwoners: float) -> str:
    """The label of CBS's gemeentegrootteklasse of a number of inwoners (``ValueError``
    for a negative number)."""
    for low, high, label in SIZE_CLASSES:
        if low <= inwoners < high:
            return label
    raise ValueError(f"no size class for {inwoners!r} inwoners")


def by_size(tidy: pd.DataFrame, gemeente: str, year: int) -> PeerGroup:
    """The gemeenten of the same grootteklasse in ``year``."""
    inwoners = _values(tidy, "a_inw", year)
    wrong = inwoners[inwoners < 0]
    if len(wrong):
        raise DataError(f"{wrong.index[0]} heeft {format_number(wrong.iloc[0], 0)} inwoners in "
                        f"{year} in de landelijke bestanden; een negatief aantal kan niet. "
                        "Controleer het bestand.")
    label = size_class(_own(inwoners, gemeente, "inwoners", year))
    members = sorted(code for code, n in inwoners.items()
                     if code != gemeente and size_class(n) == label)
    return PeerGroup(gemeente, year, "grootteklasse", f"Gemeenten met {label} ({year})",
                     f"CBS-gemeentegrootteklasse naar het aantal inwoners in {year}: "
                     f"{label}.", tuple(members))


def _urbanity_classes(tidy: pd.DataFrame, year: int) -> pd.Series:
    given = _values(tidy, "ste_mvs", year)
    wrong = given[~given.isin(list(URBANITY))]
    if len(wrong):
        raise DataError(f"{wrong.index[0]} heeft mate van stedelijkheid "
                        f"{format_number(wrong.iloc[0], 1)} in {year}; CBS kent de klassen "
                        "1 tot en met 5. Controleer het bestand.")
    density = _values(tidy, "ste_oad", year)
    density = density[density >= 0]
    derived = density.map(lambda d: min(k for k, (low, _) in URBANITY.items() if d >= low))
    return given.round().astype(int).combine_first(derived.astype(int))


def by_urbanity(tidy: pd.DataFrame, gemeente: str, year: int) -> PeerGroup:
    """The gemeenten of the same mate van stedelijkheid in ``year``."""
    classes = _urbanity_classes(tidy, year)
    own = int(_own(classes, gemeente, "stedelijkheid", year))
    label = URBANITY[own][1]
    members = sorted(code for code, k in classes.items() if code != gemeente and k == own)
    return PeerGroup(gemeente, year, "stedelijkheid", f"{label.capitalize()}e gemeenten "
                     f"({year})", f"CBS-mate van stedelijkheid in {year} (klasse {own}, "
                     f"{label}: naar de omgevingsadressendichtheid).", tuple(members))


def by_province(tidy: pd.DataFrame, gemeente: str, year: int) -> PeerGroup:
    """The gemeenten of the same provincie in ``year``: by CBS's *Gebieden in Nederland*
    of that year, else of the nearest earlier (else later) year the files hold — the
    gemeenten of ``year`` only."""
    held = tidy.loc[tidy["variable"] == model.PROVINCIE_VARIABLE, "year"].unique()
    if not len(held):
        raise DataError("de bestanden noemen van geen gemeente de provincie (CBS' "
                        "Gebieden in Nederland); haal die tabel op met `stuurkit fetch` of "
                        "importeer haar.")
    earlier = [int(y) for y in held if y <= year]
    used = max(earlier) if earlier else min(int(y) for y in held)
    provinces = _values(tidy, model.PROVINCIE_VARIABLE, used)
    own = model.provincie_code(_own(provinces, gemeente, "provincie", used))
    present = set(tidy.loc[tidy["year"] == year, "area_code"])
    members = sorted(code for code, number in provinces.items() if code != gemeente
                     and code in present and model.provincie_code(number) == own)
    name = model.PROVINCIES[own]
    method = (f"Gemeenten in de provincie {name} ({own}) volgens CBS' Gebieden in "
              f"Nederland {used}.")
    unplaced = present - set(provinces.index)
    if unplaced:  # a partial table, or gemeenten that are newer than it
        method += (f" {len(unplaced)} van de {len(present)} gemeenten van {year} staan niet "
                   f"in die tabel en zijn niet ingedeeld (bijvoorbeeld {min(unplaced)}).")
    return PeerGroup(gemeente, year, "provincie",
                     f"Gemeenten in de provincie {name} ({year})", method, tuple(members))


def nearest(tidy: pd.DataFrame, gemeente: str, year: int, k: int = 10,
            variables: tuple[tuple[str, str, bool], ...] = NEIGHBOUR_VARIABLES
            ) -> tuple[PeerGroup, pd.DataFrame]:
    """The ``k`` gemeenten nearest to ``gemeente`` in ``year`` on ``variables`` (see the
    module docstring), and the table behind it: per gemeente its distance and its
    standardised values (the gemeente itself first, at distance 0)."""
    columns, names = {}, []
    for variable, name, log_scale in variables:
        values = _values(tidy, variable, year)
        if gemeente not in values.index or len(values) < 0.8 * _count(tidy, year):
            continue  # the files lack it here: left out, and the method says so
        if log_scale:
            values = np.log(values.where(values > 0))
        columns[variable] = values
        names.append(name + (" (log)" if log_scale else ""))
    if len(columns) < 2:
        raise DataError(f"te weinig structuurkenmerken van {gemeente} in {year} voor de meest "
                        f"vergelijkbare gemeenten (gevonden: {', '.join(columns) or 'geen'}); "
                        "importeer een landelijk KWB- of kaartbestand van dat jaar.")
    table = pd.DataFrame(columns).dropna()
    if gemeente not in table.index:  # e.g. a density of 0: no logarithm
        lacking = [v for v in columns if pd.isna(columns[v].get(gemeente))]
        raise DataError(f"{gemeente} heeft in {year} geen bruikbare waarde van "
                        f"{', '.join(lacking)} (een logaritme van 0 of minder bestaat niet); "
                        "de meest vergelijkbare gemeenten zijn niet te bepalen.")
    z = (table - table.mean()) / table.std(ddof=0)
    distance = np.sqrt(((z - z.loc[gemeente]) ** 2).sum(axis=1)).rename("afstand")
    ranked = pd.concat([distance, z], axis=1).sort_values(["afstand"]).rename_axis("code")
    ranked = pd.concat([ranked.loc[[gemeente]], ranked.drop(index=gemeente)])
    members = tuple(ranked.index[1:k + 1])
    k = len(members)  # fewer when the files hold fewer gemeenten
    if not k:
        raise DataError(f"geen andere gemeente heeft in {year} de structuurkenmerken "
                        f"({', '.join(names)}) in de bestanden; importeer een landelijk KWB- "
                        "of kaartbestand van dat jaar.")
    left_out = [name for variable, name, _ in variables if variable not in columns]
    method = (f"De {k} gemeenten met de kleinste euclidische afstand tot {gemeente} over "
              f"gestandaardiseerde waarden (z-scores over alle {len(table)} gemeenten) van: "
              f"{', '.join(names)}; {year}.")
    if left_out:
        method += f" Niet beschikbaar en weggelaten: {', '.join(left_out)}."
    return (PeerGroup(gemeente, year, "buren", f"De {k} meest vergelijkbare gemeenten "
                      f"({year})", method, members), ranked.reset_index())


def _count_text(n: int) -> str:
    return "1 gemeente" if n == 1 else f"{n} gemeenten"


def _count(tidy: pd.DataFrame, year: int) -> int:
    return int(tidy.loc[tidy["year"] == year, "area_code"].nunique())


def chosen(tidy: pd.DataFrame, gemeente: str, year: int, codes: list[str],
           where: str = "peers") -> PeerGroup:
    """A peer group fixed by hand; ``DataError`` naming codes the files do not hold in
    ``year``."""
    known = set(tidy.loc[tidy["year"] == year, "area_code"])
    unknown = [c for c in codes if c not in known]
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" en {len(unknown) - 10} meer"
                                           if len(unknown) > 10 else "")
        raise DataError(f"{where}: {shown} niet onder de gemeenten van {year} in de "
                        "landelijke bestanden. Controleer de codes (een heringedeelde gemeente "
                        "heeft een nieuwe code) of importeer een landelijk bestand van dat jaar.")
    members = tuple(sorted(c for c in dict.fromkeys(codes) if c != gemeente))
    if not members:
        raise DataError(f"{where}: de lijst noemt geen andere gemeente dan {gemeente} zelf; "
                        "noem de gemeenten waarmee u wilt vergelijken.")
    return PeerGroup(gemeente, year, "eigen keuze", f"Eigen vergelijkingsgroep ({year})",
                     f"Door de gemeente zelf gekozen: {_count_text(len(members))} ({where}).",
                     members)


def compare(observations: pd.DataFrame, country: pd.DataFrame, group: PeerGroup,
            catalogue: Catalogue, indicator: str, year: int | None = None) -> dict:
    """The gemeente's value of ``indicator`` in the group's year against Nederland and
    the peers: ``value, nederland, country`` (what the total is called: see
    ``country_label``), ``median, low, high, rank, n, sentence`` (rank 1 is the
    best by the indicator's polarity; for a neutral indicator, the highest)."""
    spec = catalogue[indicator]
    year = group.year if year is None else year
    part = observations[(observations["indicator"] == indicator)
                        & (observations["year"] == year)
                        & observations["status"].isin(model.USABLE)].set_index("area_code")
    own = part["value"].get(group.gemeente, np.nan)
    peers = part["value"].reindex(list(group.members)).dropna()
    here = country[(country["indicator"] == indicator) & (country["year"] == year)]
    nl = float(here["value"].iloc[0]) if len(here) else np.nan
    gemeenten = observations.loc[observations["year"] == year, "area_code"].nunique()
    country_name = here["label"].iloc[0] if len(here) else country_label(gemeenten)
    out = {"indicator": indicator, "year": year, "value": own, "nederland": nl,
           "country": country_name,
           "median": peers.median() if len(peers) else np.nan,
           "low": peers.min() if len(peers) else np.nan,
           "high": peers.max() if len(peers) else np.nan, "n": len(peers),
           "missing": len(group.members) - len(peers), "rank": np.nan}
    if pd.isna(own) or not len(peers):
        out["sentence"] = (f"{spec.label}: geen vergelijking voor {year} — "
                           + ("geen eigen cijfer." if pd.isna(own) else
                              "geen cijfers van de vergelijkingsgemeenten."))
        return out
    lower_better = spec.polarity == "lower_is_better"
    everyone = pd.concat([peers, pd.Series({group.gemeente: own})])
    out["rank"] = int((everyone < own).sum() + 1 if lower_better else (everyone > own).sum() + 1)
    decimals = spec.decimals

    def shown(v: float) -> str:
        return f"{format_number(v, decimals)} {spec.unit}".strip()

    # judged on the figures as shown, so that the words never contradict them
    own_shown, median_shown = round(own, decimals), round(out["median"], decimals)
    if own_shown == median_shown:
        where = "gelijk aan"
    elif spec.polarity == "neutral":
        where = "hoger dan" if own_shown > median_shown else "lager dan"
    else:
        where = "beter dan" if (own_shown < median_shown) == lower_better else "slechter dan"
    sentence = (f"{spec.label} ({year}): {shown(own)}, {where} de mediaan van "
                f"{_phrase(group)} "
                f"({shown(out['median'])}; van {format_number(out['low'], decimals)} tot "
                f"{shown(out['high'])}), plaats {out['rank']} van {len(everyone)}"
                + (" (van hoog naar laag)" if spec.polarity == "neutral" else ""))
    if not pd.isna(nl):
        sentence += f"; {country_name} {shown(nl)}"
    out["sentence"] = sentence + "."
    return out


def _phrase(group: PeerGroup) -> str:
    """The group's label inside a sentence: "de eigen vergelijkingsgroep (2024)", "gemeenten
    in de provincie Noord-Holland (2024)" (only the first letter lowered)."""
    label = group.label[0].lower() + group.label[1:]
    return f"de {label}" if group.kind == "eigen keuze" else label


def groups(national, year: int, codes: list[str] | None = None, k: int = 10
           ) -> list[PeerGroup]:
    """The peer groups of the workspace's gemeente in ``year`` (``national``:
    ``helpers.indicators.national.National``): the hand-chosen group first when
    ``codes`` are given, then size class, urbanity, provincie and the ``k`` nearest
    neighbours —
    each that the files allow (a group that cannot be made is left out; ``why_not``
    says why)."""
    made = []
    if codes:
        made.append(chosen(national.variables, national.gemeente, year, codes,
                           "stuurkit.yml peers.codes"))
    for make in (by_size, by_urbanity, by_province):
        try:
            made.append(make(national.variables, national.gemeente, year))
        except DataError:
            continue
    with contextlib.suppress(DataError):  # why_not says why
        made.append(nearest(national.variables, national.gemeente, year, k)[0])
    return made


def why_not(national, year: int) -> list[str]:
    """Dutch sentences: the comparisons that cannot be made in ``year``, and why."""
    if national.empty:
        how = ("Importeer bijvoorbeeld de gemeentelaag van de CBS-wijk- en buurtkaart met "
               "`stuurkit import`.")
        if not national.country.empty:  # a file's row of Nederland, no other gemeente
            return ["Geen vergelijking met andere gemeenten: de werkmap bevat geen landelijk "
                    "bestand (alle gemeenten), alleen de cijfers die CBS voor Nederland "
                    "publiceert (de rij Nederland van een bestand; het wijkprofiel toont "
                    f"ze). {how}"]
        return ["Geen vergelijking met Nederland en andere gemeenten: de werkmap bevat geen "
                f"landelijk bestand (alle gemeenten). {how}"]
    out = []
    for make, what in ((by_size, "grootteklasse"), (by_urbanity, "stedelijkheid"),
                       (by_province, "provincie")):
        try:
            make(national.variables, national.gemeente, year)
        except DataError as exc:
            out.append(f"Geen groep naar {what} in {year}: {exc}")
    try:
        nearest(national.variables, national.gemeente, year)
    except DataError as exc:
        out.append(f"Geen meest vergelijkbare gemeenten in {year}: {exc}")
    return out


def newest_year(national, until: int) -> int | None:
    """The newest year of the national figures up to ``until`` (``None``: none)."""
    years = [y for y in national.years if y <= until]
    return max(years) if years else None


def country(national) -> pd.DataFrame:
    """``nederland`` of a workspace's national figures (``helpers.indicators.national``):
    computed once per ``National`` (``helpers.memo``), a copy handed out."""
    return memo.kept(national, "nederland", lambda: nederland(
        national.observations, national.catalogue, listed(national.variables),
        national.country)).copy()


def table(national, peer_groups: list[PeerGroup], indicators: list[str]) -> pd.DataFrame:
    """One row per indicator and peer group: ``compare``'s figures and sentence (in the
    newest year up to the group's that has the gemeente's own figure; the group stays the
    one chosen in its year), and Nederland's method."""
    totals = country(national)
    obs = national.observations
    rows = []
    for indicator in indicators:
        if indicator not in national.catalogue:
            continue
        for group in peer_groups:
            # the newest year up to the group's with the gemeente's own figure (the KWB's
            # newest year often lacks income and work): compared in that year
            own = obs[(obs["indicator"] == indicator) & (obs["area_code"] == group.gemeente)
                      & obs["status"].isin(model.USABLE) & obs["value"].notna()
                      & (obs["year"] <= group.year)]
            year = int(own["year"].max()) if len(own) else group.year
            row = compare(obs, totals, group, national.catalogue, indicator, year)
            method = totals.loc[(totals["indicator"] == indicator)
                                & (totals["year"] == year), "method"]
            rows.append({**row, "group": group.label, "kind": group.kind,
                         "nederland_method": method.iloc[0] if len(method) else ""})
    return pd.DataFrame(rows)
