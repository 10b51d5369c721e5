"""A user's mistake in a report (issue 16 item 13): a short Dutch message instead of a
traceback wall, in IPython and in papermill runs — where the cell still fails, so the
run marks the report failed with the message."""

from __future__ import annotations

import sys

import nbformat
import papermill as pm
import pytest

from helpers.errors import ConfigError, StuurkitError, UnknownAreaError
from helpers.reports import errors, programmamonitor
from tests.conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"


def test_the_message_says_in_dutch_what_to_check_above_the_errors_own():
    text = errors.message(UnknownAreaError("Area code 'WK1' is not in workspace 'demo'."))
    lead, own = text.splitlines()
    assert lead == ("Het rapport kan niet worden gemaakt: deze gebiedscode bestaat niet in de "
                    "werkruimte; kies voor de parameter area_code een van de codes hieronder.")
    assert own == "Area code 'WK1' is not in workspace 'demo'."
    assert errors.message(StuurkitError("x")).startswith(
        "Het rapport kan niet worden gemaakt: controleer de parameters in de eerste cel.")


def test_an_unknown_workspace_names_the_parameter_and_the_workspaces():
    with pytest.raises(ConfigError) as refused:
        errors.check_workspace("demoo")
    message = str(refused.value)
    assert message.startswith("De parameter workspace = 'demoo' is geen werkruimte: ")
    assert "Werkruimten in " in message and message.endswith(": demo.")
    errors.check_workspace("demo")  # a workspace: nothing to say


def test_an_unknown_programme_names_the_parameter_and_the_programmes(demo_ws, demo_facts):
    with pytest.raises(StuurkitError) as refused:
        programmamonitor.monitor(demo_ws, demo_facts, "P9", 2024)
    message = str(refused.value)
    assert message.startswith("De parameter programme = 'P9' is geen programma van ")
    assert "kies een van: P1 (Werk en inkomen), P2 (Zorg, jeugd en gezondheid)" in message


@pytest.fixture
def shell():
    """An IPython shell in this process, put back as it was afterwards."""
    from IPython.core.interactiveshell import InteractiveShell

    from tests.conftest import MAIN

    shell = InteractiveShell.instance()
    yield shell
    shell.set_custom_exc((), None)
    sys.modules["__main__"] = MAIN


def test_ipython_shows_a_mistake_briefly_and_a_bug_in_full(shell, capsys):
    errors.show_briefly()
    result = shell.run_cell("from helpers.errors import ConfigError\n"
                            "raise ConfigError('Werkruimte x bestaat niet.')")
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert isinstance(result.error_in_exec, ConfigError), "the cell still fails"
    assert "Het rapport kan niet worden gemaakt" in text and "Werkruimte x bestaat niet." in text
    assert "Traceback" not in text and "raise ConfigError" not in text
    result = shell.run_cell("1 / 0")
    text = "".join(capsys.readouterr())
    assert isinstance(result.error_in_exec, ZeroDivisionError)
    assert "ZeroDivisionError" in text and "Traceback" in text, "a bug keeps its traceback"


@pytest.mark.parametrize("notebook, parameters, ename, words", [
    ("10_wijkprofiel", {"area_code": "WK990199"}, "UnknownAreaError",
     ["kies voor de parameter area_code", "WK990101 (Binnenstad)"]),
    ("10_wijkprofiel", {"year": 2014}, "StuurkitError",
     ["De parameter year = 2014 is geen jaar met cijfers van Voorbeeldstad; kies een jaar "
      "van 2015 tot en met 2024."]),
    ("30_bestuursoverzicht", {"workspace": "demoo"}, "ConfigError",
     ["De parameter workspace = 'demoo' is geen werkruimte", ": demo."]),
], ids=["area_code", "year", "workspace"])
def test_papermill_fails_the_cell_with_the_short_dutch_message(tmp_path, notebook, parameters,
                                                               ename, words):
    out = tmp_path / "fout.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as failed:
        pm.execute_notebook(str(NOTEBOOKS / f"{notebook}.ipynb"), str(out),
                            parameters=parameters, progress_bar=False, cwd=str(tmp_path))
    assert failed.value.ename == ename
    for word in words:
        assert word in failed.value.evalue or word in "".join(failed.value.traceback), word
    error = next(o for c in nbformat.read(out, as_version=4).cells
                 for o in c.get("outputs", []) if o["output_type"] == "error")
    shown = "\n".join(error["traceback"])
    assert "Het rapport kan niet worden gemaakt" in shown
    assert "Traceback" not in shown and "File " not in shown and len(shown.splitlines()) <= 3
