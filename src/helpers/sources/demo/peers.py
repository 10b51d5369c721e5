"""Fictional peer gemeenten of the demo, as the gemeente rows of a national KWB file.

A CBS KWB download holds every gemeente; the demo's KWB files hold, after Voorbeeldstad's
own rows, the gemeente rows of ``len(PEER_NAMES)`` fictional gemeenten (GM9902, …) so that
the comparison with Nederland and with similar gemeenten works offline. Each peer is
Voorbeeldstad's published gemeente row of the same year, changed by a profile drawn once
per peer (its own random stream: the rest of the demo is unchanged):

* its size (inwoners, households, homes and every other count scale together) and its
  density (omgevingsadressendichtheid, bevolkingsdichtheid; its area follows from both);
* the shares within each breakdown that adds up to a total (age groups, sexes, marital
  status, origin, households) drawn around Voorbeeldstad's (Dirichlet), so the parts
  still add up to the total;
* every other figure (means, percentages) by a small factor, a share of a pair (koop/huur,
  eengezins/meergezins, …) with its complement to 100; a slow drift per peer over the
  years. The mate van stedelijkheid follows from the density by CBS's class limits.

Figures Voorbeeldstad does not publish in a year (``.``) are not published for the peers
either. No real gemeente uses these codes (GM99xx is unassigned).
"""

from __future__ import annotations

import numpy as np

from helpers import model

__all__ = ["PEER_NAMES", "peer_codes", "peer_lines", "gebieden_csv", "DEMO_PROVINCE"]

PEER_NAMES = (
    "Amstelmond", "Bergerveen", "Dijkhuizen", "Eemsdorp", "Graafstad", "Hoogezand-Vliet",
    "IJsselhoven", "Kempenaar", "Lindewoude", "Maasbroek", "Nieuwlanden", "Oosterwolde-Zuid",
    "Peelrijk", "Rijnhaven", "Schelderade", "Twentheveld", "Utterwaard", "Veenendorp",
    "Waalstede", "Zeeburgh", "Achterhoekstad", "Brabantsche Mark", "Dinkelland-West",
    "Eilandstad", "Friesmeer", "Geulvallei", "Heuvelrug-Oost", "Kroonstad", "Lekkerveld",
    "Marsdiep", "Noordkaap", "Ommenveld",
)

DEMO_PROVINCE = "PV25"  # Voorbeeldstad's (fictional) provincie: Gelderland
# each peer's provincie, as CBS's "Gebieden in Nederland" would list it (fictional)
_PROVINCES = ("PV27", "PV25", "PV22", "PV20", "PV28", "PV20", "PV25", "PV30", "PV26", "PV31",
              "PV24", "PV21", "PV30", "PV28", "PV29", "PV23", "PV25", "PV25", "PV25", "PV27",
              "PV25", "PV30", "PV23", "PV29", "PV21", "PV31", "PV26", "PV28", "PV25", "PV27",
              "PV22", "PV23")

# breakdowns that add up to a total in the KWB (cf. helpers.indicators.lp_audit's
# LINKED_TABLES): their parts keep adding up
_GROUPS = (
    ("a_inw", ("a_man", "a_vrouw")),
    ("a_inw", ("a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo")),
    ("a_inw", ("a_ongeh", "a_gehuwd", "a_gesch", "a_verwed")),
    ("a_inw", ("a_nl_all", "a_eur_al", "a_neu_al")),
    ("a_nw_all", ("a_marok", "a_antaru", "a_suri", "a_tur", "a_ov_nw")),
    ("a_hh", ("a_1p_hh", "a_hh_z_k", "a_hh_m_k")),
    ("a_pau", ("a_bst_b", "a_bst_nb")),
)
# (share, complement): the complement is 100 minus the share
_PAIRS = (("p_1gezw", "p_mgezw"), ("p_koopw", "p_huurw"), ("p_bewndw", "p_leegsw"),
          ("p_bjj2k", "p_bjo2k"))
_DENSITY = ("bev_dich", "ste_oad", "g_pau_km")
_AREA = ("a_opp_ha", "a_lan_ha", "a_wat_ha")
_URBANITY = ((2500, 1), (1500, 2), (1000, 3), (500, 4), (0, 5))  # CBS's class limits
_SEED = (20_261_126, 99)


def peer_codes() -> list[str]:
    return [f"GM{9902 + k}" for k in range(len(PEER_NAMES))]


def _profiles() -> list[dict]:
    rng = np.random.default_rng(_SEED)
    out = []
    for _ in PEER_NAMES:
        out.append({"size": float(np.exp(rng.normal(-0.4, 0.7))),
                    "density": float(np.exp(rng.normal(-0.3, 0.5))),
                    "tilt": rng.normal(0.0, 1.0, 64), "drift": rng.normal(0.0, 0.012, 64),
                    "concentration": float(rng.uniform(25, 80)),
                    "stream": int(rng.integers(1 << 30))})
    return out


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _text(value: float, like: str) -> str:
    """``value`` with as many decimals as Voorbeeldstad's cell ``like``."""
    decimals = len(like.split(".")[1]) if "." in like else 0
    return f"{value:.{decimals}f}"


def peer_lines(header: list[str], own: list[str], year: int) -> list[list[str]]:
    """The rows of every peer for one year's KWB file, from Voorbeeldstad's gemeente row
    ``own`` (cells as written, under ``header``)."""
    first_value = header.index("ind_wbi") + 1
    lines = []
    for code, name, profile in zip(peer_codes(), PEER_NAMES, _profiles(), strict=True):
        rng = np.random.default_rng([*_SEED, profile["stream"], year])
        values = {h: _number(c) for h, c in zip(header[first_value:], own[first_value:],
                                                strict=True)}
        out = dict(values)
        size = profile["size"] * np.exp(profile["drift"][0] * (year - 2017))
        for column, value in values.items():
            if value is None:
                continue
            j = sum(map(ord, column)) % 64  # the column's own tilt and drift
            drift = np.exp(profile["drift"][j] * (year - 2017))
            if column in _DENSITY:
                out[column] = value * profile["density"] * drift
            elif column in _AREA:
                out[column] = value * size / profile["density"]
            elif column.startswith("a_"):
                out[column] = value * size * np.exp(0.15 * profile["tilt"][j]) * drift
            elif column.startswith(("p_", "g_", "m_")):
                factor = np.exp(0.12 * profile["tilt"][j]) * drift
                out[column] = min(value * factor, 100.0) if column.startswith("p_") else (
                    value * factor)
        out["a_inw"] = values["a_inw"] * size if values.get("a_inw") is not None else None
        if values.get("a_hh") is not None:
            out["a_hh"] = values["a_hh"] * size * np.exp(0.05 * profile["tilt"][0])
        for total, parts in _GROUPS:
            present = [p for p in parts if values.get(p) is not None]
            if out.get(total) is None or len(present) < 2:
                continue
            shares = np.array([values[p] for p in present], dtype=float)
            if len(present) < len(parts) or shares.sum() <= 0:
                continue
            drawn = rng.dirichlet(shares / shares.sum() * profile["concentration"] + 0.5)
            counts = np.floor(drawn * round(out[total]))
            counts[np.argmax(counts)] += round(out[total]) - counts.sum()
            out.update(dict(zip(present, counts, strict=True)))
        for share, complement in _PAIRS:
            if out.get(share) is not None and out.get(complement) is not None:
                out[share] = float(np.clip(out[share], 1, 99))
                out[complement] = 100 - round(out[share])
        if out.get("ste_oad") is not None:
            out["ste_mvs"] = next(k for low, k in _URBANITY if out["ste_oad"] >= low)
        row = [code, code[2:], name, name, "Gemeente", code, "1"]
        for column, cell in zip(header[first_value:], own[first_value:], strict=True):
            value = out.get(column)
            if value is None or values.get(column) is None:
                row.append(cell)  # not published, as for Voorbeeldstad
            elif column.startswith("a_") or column in ("ste_mvs",):
                row.append(str(int(round(value))))
            else:
                row.append(_text(float(value), cell))
        lines.append(row)
    return lines


def gebieden_csv(own_code: str, own_name: str) -> str:
    """The demo's "Gebieden in Nederland" table as a CSV export: every demo
    gemeente's code and its (fictional) provincie, with CBS's topic paths as headers."""
    lines = ["Codes en namen van gemeenten|Naam;Codes en namen van gemeenten|Code;"
             "Lokaliseringen van gemeenten|Provincies|Code;"
             "Lokaliseringen van gemeenten|Provincies|Naam"]
    rows = [(own_name, own_code, DEMO_PROVINCE),
            *zip(PEER_NAMES, peer_codes(), _PROVINCES, strict=True)]
    for name, code, province in sorted(rows):
        lines.append(f"{name};{code};{province};{model.PROVINCIES[province]}")
    return "\n".join(lines) + "\n"
