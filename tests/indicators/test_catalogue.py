"""The indicator catalogue (helpers.indicators.catalogue): complete, validated, unique ids."""

from __future__ import annotations

import pytest

from helpers.errors import ConfigError
from helpers.indicators import catalogue


def test_catalogue_has_40_kwb_indicators_and_every_bbv_indicator():
    cat = catalogue.load()
    kwb = [i for i in cat.values() if cat.file_of[i.id].name == "kwb.yml"]
    assert len(kwb) >= 40
    themes = {i.theme for i in kwb}
    assert {"Bevolking", "Huishoudens", "Herkomst", "Werk en inkomen", "Wonen", "Energie",
            "Mobiliteit", "Voorzieningen"} <= themes
    assert sum(1 for i in cat.values() if i.bbv) == 34
    for indicator in cat.values():
        assert indicator.label and indicator.description and indicator.unit


def test_a_duplicate_id_across_files_is_refused(tmp_path):
    entry = ("defaults: {levels: [gemeente], theme: T, source: S}\nindicators:\n  x:\n"
             "    label: X\n    description: d\n    unit: u\n    kind: mean\n    variable: v\n")
    (tmp_path / "a.yml").write_text(entry)
    (tmp_path / "b.yml").write_text(entry)
    with pytest.raises(ConfigError, match=r"b\.yml: indicator 'x' is also defined in .*a\.yml"):
        catalogue.load(tmp_path)
