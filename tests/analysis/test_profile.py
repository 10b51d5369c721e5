"""One area's profile (helpers.analysis.profile) on tiny in-memory facts."""

from __future__ import annotations

import json

import pytest

from helpers.analysis.profile import area_profile, differences_in_words, spine_data
from helpers.analysis.stats import TEST_TEXT
from helpers.errors import StuurkitError


def test_profile_of_a_wijk(tiny_facts):
    profile = area_profile(tiny_facts, tiny_facts.area("WK000102"), 2023)
    assert profile.title == "Wijkprofiel Zuid" and profile.parent_name == "Klein"
    figures = profile.key_figures().set_index("indicator")
    assert figures.loc["bijstand_per_1000", "value"] == 120.0
    assert figures.loc["bijstand_per_1000", "gemeente_value"] == pytest.approx(640 / 12)
    trends = profile.trends()
    assert set(trends["gebied"]) == {"Zuid", "Klein"}
    assert "inwoners" not in set(trends.loc[trends["gebied"] == "Klein", "indicator"])


def test_spine_and_words_name_the_significant_difference(tiny_facts):
    profile = area_profile(tiny_facts, tiny_facts.area("WK000102"), 2023)
    spine = spine_data(profile).set_index("indicator")
    assert spine.loc["bijstand_per_1000", "vergelijking_998"] == "slechter"
    assert spine.loc["bijstand_per_1000", "punt"] < 0  # left is worse
    text = str(differences_in_words(profile, spine_data(profile)))
    label = tiny_facts.catalogue["bijstand_per_1000"].label
    assert f"{label}: 120,0" in text and "ongunstiger dan Klein (53,3" in text


def test_the_spine_names_how_the_area_was_compared(tiny_facts):
    """Zuid (480 per 4.000) is tested against the rest of Klein (Noord: 160 per 8.000) by
    the conditional Poisson test; its only buurt is the whole wijk, so the buurt falls back
    to its interval against the wijk's value."""
    wijk = spine_data(area_profile(tiny_facts, tiny_facts.area("WK000102"), 2023))
    assert wijk.set_index("indicator").loc["bijstand_per_1000", "methode"] == \
        TEST_TEXT["poisson_ratio"]
    buurt = spine_data(area_profile(tiny_facts, tiny_facts.area("BU00010201"), 2023))
    row = buurt.set_index("indicator").loc["bijstand_per_1000"]
    assert row["methode"] == TEST_TEXT["overlap"] and row["vergelijking"] == "gelijk"
    from helpers.presentation import charts

    spec = charts.spine(wijk, "Zuid", "Klein").to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    assert '"title": "Toets"' in text  # a tooltip of the spine's points
    assert TEST_TEXT["poisson_ratio"] in json.dumps(spec, ensure_ascii=False)


def test_the_gemeente_and_a_year_without_data_are_refused(tiny_facts):
    with pytest.raises(StuurkitError, match="area_code = 'GM0001' is de gemeente zelf"):
        area_profile(tiny_facts, tiny_facts.area("GM0001"), 2023)
    with pytest.raises(StuurkitError) as refused:
        area_profile(tiny_facts, tiny_facts.area("WK000101"), 2030)
    assert str(refused.value) == ("De parameter year = 2030 is geen jaar met cijfers van "
                                  "Klein; kies een jaar van 2019 tot en met 2023.")


def test_the_spine_is_made_once_per_profile_and_handed_out_as_copies(tiny_facts):
    profile = area_profile(tiny_facts, tiny_facts.area("WK000102"), 2023)
    first, second = spine_data(profile), spine_data(profile)
    assert first.equals(second) and first is not second
    first.iloc[:, 0] = None
    assert spine_data(profile).equals(second)


def test_an_area_without_a_figure_shows_the_gemeentes_with_its_year(tiny_facts):
    """The gemeente's figure beside an area that has none is of the report's year, and
    the row says so (a figure without its year cannot be traced)."""
    import dataclasses

    obs = tiny_facts.observations
    lacking = obs[~((obs["area_code"] == "WK000102") & (obs["indicator"] == "bijstand_per_1000"))]
    facts = dataclasses.replace(tiny_facts, observations=lacking.reset_index(drop=True))
    figures = area_profile(facts, facts.area("WK000102"), 2022).key_figures().set_index(
        "indicator").loc["bijstand_per_1000"]
    assert figures.isna()["value"] and figures["year"] == 2022
    assert figures["gemeente_value"] > 0
