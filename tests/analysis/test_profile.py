"""One area's profile (helpers.analysis.profile) on tiny in-memory facts."""

from __future__ import annotations

import pytest

from helpers.analysis.profile import area_profile, differences_in_words, spine_data
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


def test_the_gemeente_and_a_year_without_data_are_refused(tiny_facts):
    with pytest.raises(StuurkitError, match="is the gemeente itself"):
        area_profile(tiny_facts, tiny_facts.area("GM0001"), 2023)
    with pytest.raises(StuurkitError, match="year 2030 has no data"):
        area_profile(tiny_facts, tiny_facts.area("WK000101"), 2030)
