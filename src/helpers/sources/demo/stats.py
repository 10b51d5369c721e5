"""Statistics of the demo gemeente in the CBS "Kerncijfers wijken en buurten" layout.

One latent profile per buurt (urbanity, affluence, age structure, the wijk's trend)
drives every variable, so the variables relate to each other the way they do in real
cities (low income goes with rented homes, benefits and few cars; the centre is young
and dense; villages at the edge have large households and gas-heated family homes).
Wijk and gemeente rows are aggregated from the *unrounded* buurt values, as CBS does;
counts below gemeente level are then randomly rounded to multiples of 5 and small
buurten get ``.`` (secret/unknown) for sensitive variables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Variable", "VARIABLES", "Profile", "make_profile", "buurt_year", "aggregate"]


@dataclass(frozen=True)
class Variable:
    """One KWB column: how it aggregates, its decimals and when it is published."""

    name: str
    agg: str  # "sum" | "mean:<weight column>" | "none" (not aggregated: code/class)
    decimals: int = 0
    group: str = "bevolking"  # publication group, decides availability and secrecy
    years: tuple[int, int] = (2017, 2024)


def _v(name: str, agg: str = "sum", decimals: int = 0, group: str = "bevolking",
       years: tuple[int, int] = (2017, 2024)) -> Variable:
    return Variable(name, agg, decimals, group, years)


_OLD_HERKOMST = (2017, 2022)
_NEW_HERKOMST = (2023, 2024)

# In CBS column order (subset of the 2017-2024 files).
VARIABLES: list[Variable] = [
    _v("a_inw"), _v("a_man"), _v("a_vrouw"),
    _v("a_00_14"), _v("a_15_24"), _v("a_25_44"), _v("a_45_64"), _v("a_65_oo"),
    _v("a_ongeh"), _v("a_gehuwd"), _v("a_gesch"), _v("a_verwed"),
    _v("a_w_all", years=_OLD_HERKOMST), _v("a_nw_all", years=_OLD_HERKOMST),
    _v("a_marok", years=_OLD_HERKOMST), _v("a_antaru", years=_OLD_HERKOMST),
    _v("a_suri", years=_OLD_HERKOMST), _v("a_tur", years=_OLD_HERKOMST),
    _v("a_ov_nw", years=_OLD_HERKOMST),
    _v("a_nl_all", years=_NEW_HERKOMST), _v("a_eur_al", years=_NEW_HERKOMST),
    _v("a_neu_al", years=_NEW_HERKOMST), _v("a_geb_nl", years=_NEW_HERKOMST),
    _v("a_geb_eu", years=_NEW_HERKOMST), _v("a_geb_ne", years=_NEW_HERKOMST),
    _v("a_gbl_eu", years=_NEW_HERKOMST), _v("a_gbl_ne", years=_NEW_HERKOMST),
    _v("a_geb", group="vitaal"), _v("p_geb", "mean:a_inw", group="vitaal"),
    _v("a_ste", group="vitaal"), _v("p_ste", "mean:a_inw", group="vitaal"),
    _v("a_hh"), _v("a_1p_hh"), _v("a_hh_z_k"), _v("a_hh_m_k"),
    _v("g_hhgro", "mean:a_hh", 1), _v("bev_dich", "none"),
    _v("a_woning", group="wonen"), _v("g_wozbag", "mean:a_woning", group="woz"),
    _v("p_1gezw", "mean:a_woning", group="woningtype"),
    _v("p_mgezw", "mean:a_woning", group="woningtype"),
    _v("p_bewndw", "mean:a_woning", group="woningtype"),
    _v("p_leegsw", "mean:a_woning", group="woningtype"),
    _v("p_koopw", "mean:a_woning", group="woningtype"),
    _v("p_huurw", "mean:a_woning", group="woningtype"),
    _v("p_wcorpw", "mean:a_woning", group="woningtype"),
    _v("p_ov_hw", "mean:a_woning", group="woningtype"),
    _v("p_e_o_w", "mean:a_woning", group="woningtype"),
    _v("p_bjj2k", "mean:a_woning", group="woningtype"),
    _v("p_bjo2k", "mean:a_woning", group="woningtype"),
    _v("g_ele", "mean:a_woning", group="energie"), _v("g_gas", "mean:a_woning", group="energie"),
    _v("p_stadsv", "mean:a_woning", group="energie"),
    _v("a_opl_lg", group="inkomen"), _v("a_opl_md", group="inkomen"),
    _v("a_opl_hg", group="inkomen"),
    _v("p_arb_pp", "mean:a_inw", group="inkomen"),
    _v("a_inkont", group="inkomen"), _v("g_ink_po", "mean:a_inkont", 1, group="inkomen"),
    _v("g_ink_pi", "mean:a_inw", 1, group="inkomen"),
    _v("p_ink_li", "mean:a_inw", group="inkomen"), _v("p_ink_hi", "mean:a_inw", group="inkomen"),
    _v("g_hh_sti", "mean:a_hh", 1, group="inkomen"),
    _v("p_hh_li", "mean:a_hh", group="inkomen"), _v("p_hh_hi", "mean:a_hh", group="inkomen"),
    _v("p_hh_110", "mean:a_hh", group="inkomen"), _v("p_hh_120", "mean:a_hh", group="inkomen"),
    _v("m_hh_ver", "mean:a_hh", group="inkomen"),
    _v("a_soz_wb", group="zekerheid"), _v("a_soz_ao", group="zekerheid"),
    _v("a_soz_ww", group="zekerheid"), _v("a_soz_ow", group="zekerheid"),
    _v("a_jz_tn", group="zekerheid"), _v("p_jz_tn", "mean:_jeugd", 1, group="zekerheid"),
    _v("a_wmo_t", group="zekerheid"), _v("p_wmo_t", "mean:a_inw", group="zekerheid"),
    _v("a_bedv"),
    _v("a_pau"), _v("a_bst_b"), _v("a_bst_nb"),
    _v("g_pau_hh", "mean:a_hh", 1), _v("g_pau_km", "none"),
    _v("g_afs_hp", "mean:a_inw", 1, group="nabijheid"),
    _v("g_afs_gs", "mean:a_inw", 1, group="nabijheid"),
    _v("g_afs_kv", "mean:a_inw", 1, group="nabijheid"),
    _v("g_afs_sc", "mean:a_inw", 1, group="nabijheid"),
    _v("g_3km_sc", "mean:a_inw", 1, group="nabijheid"),
    _v("a_opp_ha", group="gebied"), _v("a_lan_ha", group="gebied"),
    _v("a_wat_ha", group="gebied"),
    _v("pst_mvp", "none", group="gebied"), _v("pst_dekp", "none", group="gebied"),
    _v("ste_mvs", "none", group="gebied"), _v("ste_oad", "none", group="gebied"),
]

# Publication groups not yet published in the newest year (CBS fills a year in stages).
UNPUBLISHED_LAST_YEAR = {"vitaal", "energie", "inkomen", "zekerheid", "nabijheid"}
# Groups CBS keeps secret for small buurten: minimum inhabitants (or homes) to publish.
MIN_INHABITANTS = {"inkomen": 200, "zekerheid": 100, "vitaal": 50, "nabijheid": 50,
                   "energie": 50}
MIN_HOMES = {"woz": 20, "woningtype": 20, "energie": 25}
_PRICE_INDEX = {2017: 1.00, 2018: 1.08, 2019: 1.16, 2020: 1.24, 2021: 1.35, 2022: 1.55,
                2023: 1.56, 2024: 1.64}


@dataclass(frozen=True)
class Profile:
    """Latent, year-independent characteristics per buurt (arrays of length n)."""

    urban: np.ndarray
    affluence: np.ndarray
    trend: np.ndarray  # per buurt: the wijk's yearly change in affluence
    age_noise: np.ndarray  # (n, 5)
    density: np.ndarray  # inhabitants per ha of land in 2017
    new_build: np.ndarray  # share of homes built from 2000
    district_heating: np.ndarray
    man_share: np.ndarray
    kind: list[str]


def make_profile(
    rng: np.random.Generator, radius: np.ndarray, wijk: np.ndarray, kind: list[str],
    wijk_trend: np.ndarray,
) -> Profile:
    """Draw the latent profile. ``radius`` is the distance to the centre / city radius."""
    n = len(radius)
    wijk_affluence = rng.normal(0.0, 0.55, wijk.max() + 1)
    wijk_affluence[np.argsort(wijk_trend)[:2]] -= 0.6  # deteriorating wijken start low
    affluence = wijk_affluence[wijk] + rng.normal(0.0, 0.3, n)
    kinds = np.array(kind)
    affluence += np.where(kinds == "dorp", 0.35, 0.0) + np.where(kinds == "centrum", 0.2, 0.0)
    urban = np.clip(1.1 - 1.05 * radius, 0.05, 1.0)
    density = np.select(
        [kinds == "centrum", kinds == "stad", kinds == "dorp", kinds == "nieuwbouw"],
        [rng.uniform(50, 80, n), 14 + 42 * urban + rng.normal(0, 5, n),
         rng.uniform(3, 8, n), np.full(n, 0.4)],
        default=rng.uniform(0.05, 0.25, n),
    )
    new_build = np.select(
        [kinds == "nieuwbouw", kinds == "centrum", kinds == "dorp"],
        [np.full(n, 0.93), rng.uniform(0.03, 0.15, n), rng.uniform(0.1, 0.4, n)],
        default=rng.uniform(0.02, 0.45, n),
    )
    heating = np.where(kinds == "nieuwbouw", 0.75, np.where(rng.random(n) < 0.2,
                                                            rng.uniform(0.1, 0.6, n), 0.0))
    return Profile(
        urban=urban,
        affluence=affluence,
        trend=wijk_trend[wijk],
        age_noise=rng.normal(0.0, 0.15, (n, 5)),
        density=np.maximum(density, 0.05),
        new_build=new_build,
        district_heating=heating,
        man_share=0.495 + rng.normal(0.0, 0.01, n),
        kind=list(kind),
    )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def buurt_year(
    rng: np.random.Generator,
    p: Profile,
    year: int,
    land_ha: np.ndarray,
    water_ha: np.ndarray,
    distances: dict[str, np.ndarray],
    schools_3km: np.ndarray,
    postcode: list[str],
) -> pd.DataFrame:
    """Unrounded values of every variable for every buurt in one year."""
    t = year - 2017
    kinds = np.array(p.kind)
    aff = p.affluence + p.trend * t
    u = p.urban

    growth = (1.007 + 0.004 * np.sign(p.trend)) ** t
    inw = p.density * land_ha * growth
    if "nieuwbouw" in p.kind:
        i = p.kind.index("nieuwbouw")
        inw[i] = {2022: 650.0, 2023: 1_450.0, 2024: 2_150.0}.get(year, 25.0 + 2 * t)

    logits = (
        np.array([0.0, -0.2, 0.5, 0.3, 0.0])
        + u[:, None] * np.array([-0.6, 0.9, 0.6, -0.3, -0.5])
        + (kinds == "dorp")[:, None] * np.array([0.2, 0.0, -0.3, 0.3, 0.35])
        + (kinds == "nieuwbouw")[:, None] * np.array([0.7, -0.4, 0.7, 0.0, -1.2])
        + aff[:, None] * np.array([0.05, -0.1, 0.0, 0.1, 0.1])
        + p.age_noise
        + t * np.array([-0.012, 0.0, -0.01, 0.0, 0.03])
    )
    shares = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    age = shares * inw[:, None]
    young = shares[:, 0] + shares[:, 1]

    d: dict[str, np.ndarray] = {"a_inw": inw}
    d["a_man"] = inw * p.man_share
    d["a_vrouw"] = inw - d["a_man"]
    for k, name in enumerate(["a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo"]):
        d[name] = age[:, k]
    ongeh = np.clip(0.25 + 0.65 * young + 0.12 * u, 0.3, 0.8)
    verwed = 0.22 * shares[:, 4]
    gesch = np.clip(0.065 - 0.015 * aff, 0.03, 0.12)
    d["a_ongeh"] = inw * ongeh
    d["a_verwed"] = inw * verwed
    d["a_gesch"] = inw * gesch
    d["a_gehuwd"] = inw * np.clip(1 - ongeh - verwed - gesch, 0.05, None)

    nw = np.clip(0.09 - 0.11 * aff + 0.06 * u - 0.004 * t * np.sign(p.trend), 0.02, 0.7)
    west = 0.085 + 0.04 * u
    d["a_w_all"] = inw * west
    d["a_nw_all"] = inw * nw
    for name, part in (("a_marok", 0.34), ("a_antaru", 0.06), ("a_suri", 0.14), ("a_tur", 0.24)):
        d[name] = inw * nw * part
    d["a_ov_nw"] = inw * nw * 0.22
    eur = west + 0.02
    neu = nw + 0.015
    d["a_eur_al"] = inw * eur
    d["a_neu_al"] = inw * neu
    d["a_nl_all"] = inw * (1 - eur - neu)
    d["a_geb_nl"] = d["a_nl_all"]
    d["a_gbl_eu"] = d["a_eur_al"] * 0.6
    d["a_geb_eu"] = d["a_eur_al"] - d["a_gbl_eu"]
    d["a_gbl_ne"] = d["a_neu_al"] * 0.5
    d["a_geb_ne"] = d["a_neu_al"] - d["a_gbl_ne"]

    d["a_geb"] = rng.poisson(inw * (0.004 + 0.022 * shares[:, 2])).astype(float)
    d["a_ste"] = rng.poisson(inw * (0.0015 + 0.045 * shares[:, 4])).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d["p_geb"] = np.where(inw > 0, d["a_geb"] / inw * 1000, np.nan)
        d["p_ste"] = np.where(inw > 0, d["a_ste"] / inw * 1000, np.nan)

    hh_size = np.clip(1.3 + 3.2 * shares[:, 0] + 0.35 * (1 - u) - 0.4 * shares[:, 1], 1.3, 3.1)
    a_hh = inw / hh_size
    one = np.clip(0.2 + 0.55 * u - 0.9 * shares[:, 0] + 0.15 * shares[:, 1], 0.12, 0.78)
    with_kids = np.clip(1.7 * shares[:, 0] + 0.04, 0.04, 0.6)
    with_kids = np.minimum(with_kids, 1 - one - 0.05)
    d["a_hh"] = a_hh
    d["a_1p_hh"] = a_hh * one
    d["a_hh_m_k"] = a_hh * with_kids
    d["a_hh_z_k"] = a_hh * (1 - one - with_kids)
    with np.errstate(divide="ignore", invalid="ignore"):
        d["g_hhgro"] = np.where(a_hh > 0, inw / a_hh, np.nan)
        d["bev_dich"] = np.where(land_ha > 0, inw / (land_ha / 100), np.nan)

    homes = a_hh * (1.035 + 0.01 * u)
    homes = np.where(kinds == "bedrijven", np.maximum(homes, 4.0), homes)
    d["a_woning"] = homes
    own = _sigmoid(0.9 * aff + 1.6 * (1 - u) - 0.7 + 0.02 * t * np.sign(p.trend))
    unknown = np.where(u > 0.7, 0.01, 0.0)
    social = _sigmoid(-1.3 * aff + 0.3)
    rent = 1 - own - unknown
    family = _sigmoid(2.4 * (1 - u) - 0.8 + 0.6 * (kinds == "dorp") + 0.8 * (kinds == "nieuwbouw"))
    vacant = np.clip(0.035 + 0.01 * u, 0.02, 0.08)
    d["p_1gezw"] = 100 * family
    d["p_mgezw"] = 100 * (1 - family)
    d["p_bewndw"] = 100 * (1 - vacant)
    d["p_leegsw"] = 100 * vacant
    d["p_koopw"] = 100 * own
    d["p_huurw"] = 100 * rent
    d["p_wcorpw"] = 100 * rent * social
    d["p_ov_hw"] = 100 * rent * (1 - social)
    d["p_e_o_w"] = 100 * unknown
    d["p_bjo2k"] = 100 * p.new_build
    d["p_bjj2k"] = 100 * (1 - p.new_build)
    d["g_wozbag"] = (
        (205 + 75 * aff + 55 * u + 70 * family) * _PRICE_INDEX[year] * (1 + 0.15 * p.trend * t)
    )

    crisis = 0.88 if year >= 2022 else 1.0
    d["g_ele"] = (2_250 + 950 * family + 250 * (hh_size - 2)) * (0.99**t)
    d["g_gas"] = ((750 + 850 * family + 450 * (1 - p.new_build)) * (1 - 0.03 * t) * crisis
                  * (1 - p.district_heating))
    d["p_stadsv"] = 100 * p.district_heating

    adults = inw * (shares[:, 1] * 0.6 + shares[:, 2] + shares[:, 3] + shares[:, 4] * 0.4)
    high = _sigmoid(0.9 * aff + 0.9 * u - 0.4)
    low = _sigmoid(-1.0 * aff - 0.9)
    d["a_opl_hg"] = adults * high * (1 - low)
    d["a_opl_lg"] = adults * low
    d["a_opl_md"] = adults - d["a_opl_hg"] - d["a_opl_lg"]
    covid = -1.2 if year == 2020 else 0.0
    d["p_arb_pp"] = np.clip(66 + 6 * aff - 12 * shares[:, 4] + covid, 40, 82)
    receivers = inw * np.clip(0.84 - shares[:, 0], 0.5, 0.85)
    d["a_inkont"] = receivers
    per_receiver = (33 + 9.5 * aff + 2.5 * u) * (1.022**t)
    d["g_ink_po"] = per_receiver
    with np.errstate(divide="ignore", invalid="ignore"):
        d["g_ink_pi"] = np.where(inw > 0, per_receiver * receivers / inw, np.nan)
    d["p_ink_li"] = np.clip(40 - 15 * aff + 6 * u, 8, 85)
    d["p_ink_hi"] = np.clip(20 + 11 * aff, 2, 60)
    d["g_hh_sti"] = (29 + 8.5 * aff) * (1.02**t)
    d["p_hh_li"] = np.clip(40 - 16 * aff + 9 * u, 8, 85)
    d["p_hh_hi"] = np.clip(20 + 11 * aff, 2, 60)
    d["p_hh_110"] = np.clip(6.5 - 5 * aff + 3 * u, 0.8, 35)
    d["p_hh_120"] = d["p_hh_110"] * 1.45
    d["m_hh_ver"] = np.clip(45 + 95 * aff - 30 * u, 0, None) * (1.04**t)

    welfare_rate = np.clip(0.022 - 0.02 * aff + 0.01 * u, 0.002, 0.14)
    d["a_soz_wb"] = inw * welfare_rate
    d["a_soz_ao"] = inw * 0.045 * np.clip(1 - 0.3 * aff, 0.4, 1.8)
    d["a_soz_ww"] = inw * 0.014 * (1.35 if year in (2020, 2021) else 1.0)
    d["a_soz_ow"] = age[:, 4] * 0.985
    youth = age[:, 0] + 0.35 * age[:, 1]
    youth_rate = np.clip(0.095 - 0.03 * aff, 0.03, 0.2)
    d["a_jz_tn"] = youth * youth_rate
    d["_jeugd"] = youth
    d["p_jz_tn"] = 100 * youth_rate
    wmo_rate = np.clip(0.035 + 0.2 * shares[:, 4] - 0.012 * aff, 0.01, 0.2)
    d["a_wmo_t"] = inw * wmo_rate
    d["p_wmo_t"] = 1000 * wmo_rate

    firms = inw * 0.045 * (1 + 1.5 * u)
    firms = np.where(kinds == "bedrijven", 180 + 6 * land_ha, firms)
    d["a_bedv"] = firms * (1.02**t)

    cars_per_hh = np.clip(0.45 + 0.65 * (1 - u) + 0.15 * aff, 0.2, 1.7)
    d["a_pau"] = a_hh * cars_per_hh
    other_fuel = np.clip(0.22 + 0.022 * t + 0.02 * aff, 0.1, 0.6)
    d["a_bst_nb"] = d["a_pau"] * other_fuel
    d["a_bst_b"] = d["a_pau"] - d["a_bst_nb"]
    d["g_pau_hh"] = np.full(len(inw), np.nan)  # derived after rounding
    d["g_pau_km"] = np.full(len(inw), np.nan)

    for name, values in distances.items():
        d[name] = values
    d["g_3km_sc"] = schools_3km
    d["a_opp_ha"] = land_ha + water_ha
    d["a_lan_ha"] = land_ha
    d["a_wat_ha"] = water_ha
    d["pst_mvp"] = np.array(postcode, dtype=object)
    d["pst_dekp"] = np.where(kinds == "bedrijven", 3, np.where(u > 0.5, 1, 2)).astype(float)
    oad = np.clip(180 + 3_800 * u**1.6, 60, None)
    d["ste_oad"] = oad
    d["ste_mvs"] = np.digitize(oad, [500, 1_000, 1_500, 2_500])[::1].astype(float)
    d["ste_mvs"] = 5 - d["ste_mvs"]
    return pd.DataFrame(d)


def aggregate(frame: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Aggregate unrounded buurt values to ``groups`` (sum counts, weight means)."""
    out: dict[str, pd.Series] = {}
    for var in VARIABLES:
        if var.agg == "sum":
            out[var.name] = frame[var.name].groupby(groups).sum()
        elif var.agg.startswith("mean:"):
            weight = frame[var.agg.split(":", 1)[1]]
            valid = frame[var.name].notna() & (weight > 0)
            num = (frame[var.name].where(valid, 0) * weight.where(valid, 0)).groupby(groups).sum()
            den = weight.where(valid, 0).groupby(groups).sum()
            out[var.name] = num / den.replace(0, np.nan)
    out["_jeugd"] = frame["_jeugd"].groupby(groups).sum()
    return pd.DataFrame(out)
