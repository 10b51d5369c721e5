"""The wijkprofiel in the demo's first years (issue 16 item 6): 2015 and 2016 hold only a
few figures of the gemeente and none of its wijken, so the comparison with the parent
is an empty frame. Every section still shows something (``spine_data`` keeps its columns
when empty); a year outside the data stops with a short Dutch message."""

from __future__ import annotations

import warnings

import pytest

from helpers.errors import StuurkitError
from helpers.reports import common, wijkprofiel


@pytest.fixture
def quiet(monkeypatch):
    """Sections' ``display`` calls (header, notices) go nowhere."""
    for module in (common, wijkprofiel):
        monkeypatch.setattr(module, "display", lambda *args, **kwargs: None)
    warnings.simplefilter("ignore", UserWarning)


@pytest.mark.parametrize("year", [2015, 2016])
@pytest.mark.parametrize("code", ["WK990101", "BU99010301"])
def test_every_section_of_the_wijkprofiel_runs_in_the_first_years(quiet, year, code):
    report = wijkprofiel.start("demo", code, year)
    sections = [name for name in wijkprofiel.__all__ if name not in ("Wijkprofiel", "start")]
    shown = {name: getattr(wijkprofiel, name)(report) for name in sections}
    assert all(value is not None for value in shown.values())
    name = report.profile.name
    assert f"Geen kaart: {name} heeft tot en met {year}" in shown["difference_map"].data
    assert "Er zijn geen signalen." in shown["signals"].data


@pytest.mark.parametrize("year", [2014, 2025])
def test_a_year_outside_the_data_is_refused_in_dutch(quiet, year):
    with pytest.raises(StuurkitError) as refused:
        wijkprofiel.start("demo", "WK990101", year)
    assert str(refused.value) == (f"De parameter year = {year} is geen jaar met cijfers van "
                                  "Voorbeeldstad; kies een jaar van 2015 tot en met 2024.")
