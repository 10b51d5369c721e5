"""The StatLine labels of kwb_variables.csv: every Kerncijfers label of an existing id, with
its unit; a StatLine export of Kerncijfers wijken en buurten gives the download's variables."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from helpers import model
from helpers.sources import kwb, statline, variables

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-data"
AMSTERDAM = REAL / "GM0363_Amsterdam"

def _unit(text: str) -> str:
    """A unit as compared: km² and km2, 1000 and 1 000 are written both ways."""
    return text.replace("²", "2").replace("³", "3").replace("1000", "1 000")


def _rows() -> list[dict[str, str]]:
    with variables.MAPPING_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _labels() -> list[tuple[str, str, str]]:
    """(id, label, unit of the id) for every StatLine label in the mapping."""
    return [(row["id"], label, row["unit"]) for row in _rows()
            for label in filter(None, row["statline"].split("|"))]


def test_each_statline_label_names_one_variable():
    seen: dict[str, str] = {}
    for id_, label, _ in _labels():
        assert seen.setdefault(label, id_) == id_, f"{label!r} maps to {seen[label]} and {id_}"
    assert len(seen) >= 120


@pytest.mark.parametrize("id_, label, unit", _labels(), ids=lambda v: str(v)[:40])
def test_a_label_maps_only_to_a_variable_of_its_own_unit(id_, label, unit):
    """A '(%)' column is a share, not the count: it never maps to an 'aantal' id."""
    written = re.search(r"\(([^()]*)\)$", label).group(1)
    assert _unit(written) == _unit(unit), (
        f"{id_}: {label!r} is in {written!r}, the variable in {unit!r}")
    assert label == statline.clean_label(label), "labels are written with single spaces"


def test_shares_have_their_own_ids():
    ids = variables.load_mapping().ids["statline"]
    assert ids["Bevolking/Leeftijdsgroepen/0 tot 15 jaar (aantal)"] == "a_00_14"
    assert ids["Bevolking/Leeftijdsgroepen/0 tot 15 jaar (%)"] == "p_00_14"
    assert ids["Bevolking/Particuliere huishoudens/Eenpersoonshuishoudens (%)"] == "p_1p_hh"


def test_the_catalogues_kwb_variables_have_statline_labels():
    """Every KWB variable an indicator reads can come from a StatLine export."""
    import yaml

    used = set()
    for path in (Path(variables.__file__).parents[1] / "indicators" / "catalogue").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in (data.get("indicators") or {}).values():
            if isinstance(entry, dict):
                for key in ("variable", "numerator", "denominator"):
                    value = entry.get(key)
                    used.update(value if isinstance(value, list) else [value])
    by_id = {row["id"]: row for row in _rows()}
    kwb_ids = {v for v in used if isinstance(v, str) and v in by_id and by_id[v]["kwb"]}
    assert len(kwb_ids) >= 30
    assert {v for v in kwb_ids if not by_id[v]["statline"]} == set()


def _real(name: str) -> Path:
    path = AMSTERDAM / name
    if not path.exists():
        pytest.skip(f"real data not available ({path})")
    return path


# the variables of the KWB download's themes that the 2019 export has for GM0363
EXPECTED_2019 = [
    # Bevolking
    "a_inw", "a_man", "a_vrouw", "a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo",
    "a_ongeh", "a_gehuwd", "a_gesch", "a_verwed", "a_w_all", "a_nw_all", "a_marok",
    "a_antaru", "a_suri", "a_tur", "a_ov_nw", "a_geb", "p_geb", "a_ste", "p_ste", "bev_dich",
    # Huishoudens
    "a_hh", "a_1p_hh", "a_hh_z_k", "a_hh_m_k", "g_hhgro",
    # Wonen
    "a_woning", "g_wozbag", "p_1gezw", "p_mgezw", "p_bewndw", "p_leegsw", "p_koopw",
    "p_huurw", "p_wcorpw", "p_ov_hw", "p_e_o_w", "p_bjj2k", "p_bjo2k",
    # Energie
    "g_ele", "g_ele_ap", "g_ele_tw", "g_ele_hw", "g_ele_2w", "g_ele_vw", "g_ele_hu",
    "g_ele_ko", "g_gas", "g_gas_ap", "p_stadsv",
    # Onderwijs, Arbeid
    "a_opl_lg", "a_opl_md", "a_opl_hg", "p_arb_pp", "p_arb_wn", "p_arb_zs",
    # Inkomen
    "a_inkont", "g_ink_po", "g_ink_pi", "p_ink_li", "p_ink_hi", "g_hh_sti", "p_hh_li",
    "p_hh_hi", "p_hh_lkk", "p_hh_osm", "p_hh_110", "p_hh_120", "m_hh_ver",
    # Sociale zekerheid, Zorg
    "a_soz_wb", "a_soz_ao", "a_soz_ww", "a_soz_ow", "a_jz_tn", "p_jz_tn", "a_wmo_t", "p_wmo_t",
    # Bedrijfsvestigingen, Motorvoertuigen
    "a_bedv", "a_bed_a", "a_bed_bf", "a_bed_gi", "a_bed_hj", "a_bed_kl", "a_bed_mn",
    "a_bed_ru", "a_pau", "a_bst_b", "a_bst_nb", "g_pau_hh", "g_pau_km", "a_m2w",
    # Nabijheid, Oppervlakte, Stedelijkheid
    "g_afs_hp", "g_afs_gs", "g_afs_kv", "g_afs_sc", "g_3km_sc", "a_opp_ha", "a_lan_ha",
    "a_wat_ha", "ste_mvs", "ste_oad",
]


def test_the_2019_kerncijfers_export_gives_the_downloads_variables():
    mapping = variables.load_mapping()
    tidy = kwb.read_kwb(_real("Kerncijfers_wijken_en_buurten_2019.csv"), gemeente="GM0363",
                        mapping=mapping)
    assert (tidy["year"] == 2019).all()
    town = tidy[(tidy["area_code"] == "GM0363") & tidy["status"].isin(model.USABLE)]
    found = set(town["variable"])
    assert len(EXPECTED_2019) >= 40
    assert sorted(set(EXPECTED_2019) - found) == []
    assert mapping.unmapped.get("statline", set()) == set(), "every 2019 label maps"
    value = town.set_index("variable")["value"]
    # the GM0363 row of the file: 862965,427787,435178,…,"1,8",5214,441490,375,12,88
    assert value["a_inw"] == 862965 and value["a_man"] == 427787
    assert value["a_hh"] == 470223 and value["g_hhgro"] == 1.8
    assert value["bev_dich"] == 5214 and value["a_woning"] == 441490
    assert value["g_wozbag"] == 375 and value["p_1gezw"] == 12
    assert value["g_ink_po"] == 38.4 and value["a_soz_wb"] == 40340
    wijk = tidy[tidy["area_code"] == "WK036300"].set_index("variable")
    assert wijk.loc["ind_wbi", "value"] == 1
    assert wijk.loc["a_inw", "value"] == 4295  # Burgwallen-Oude Zijde, not Stadsdeel Centrum
    assert wijk.loc["g_gas_hw", "status"] == model.MISSING  # R's NA
    assert wijk.loc["p_stadsv", "status"] == model.MISSING  # an empty cell
    assert set(tidy.loc[tidy["area_code"] == "WK036300", "name"]) == {"Burgwallen-Oude Zijde"}


def test_the_2017_export_maps_all_but_one_label():
    mapping = variables.load_mapping()
    tidy = kwb.read_kwb(_real("Kerncijfers_wijken_en_buurten_2017.csv"), gemeente="GM0363",
                        mapping=mapping)
    assert (tidy["year"] == 2017).all()
    town = tidy[tidy["area_code"] == "GM0363"].set_index("variable")["value"]
    assert town["a_inw"] == 844947 and town["g_hhgro"] == 1.8 and town["p_koopw"] == 30
    # Criminaliteit, 2017 only: the file's last three cells of GM0363 are 6, 6, 9
    assert (town["g_wodief"], town["g_vernoo"], town["g_gewsek"]) == (6, 6, 9)
    assert town["a_lftj6j"] + town["a_lfto6j"] == town["a_pau"]  # 2017: cars by age
    assert mapping.unmapped["statline"] == {  # no id in the download for it
        "Inkomen.Inkomen.van.personen.Actieven.15.75.jaar....",
    }


def test_r_names_are_matched_not_stored():
    """The mapping holds CBS's labels only; R's form is computed."""
    assert not any("." in label.split("/")[0] and ".." in label for _, label, _ in _labels())
    assert statline.r_name("Wonen/Woningen naar type/Percentage eengezinswoning (%)") == \
        statline.r_name("Wonen.Woningen.naar.type.Percentage.eengezinswoning....")
    assert statline.r_name("Bevolking/Bevolkingsdichtheid (aantal inwoners per km²)") == \
        statline.r_name("Bevolking.Bevolkingsdichtheid..aantal.inwoners.per.km..")
    assert statline.r_name("40% personen") == "X40.personen"  # make.names prefixes an X
