"""The code that runs inside a warm kernel (helpers.run.kernel): what a report changes is
put back before the next one."""

from __future__ import annotations

import logging
import os
import sys
import warnings

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def shell(tmp_path):
    from IPython.core.interactiveshell import InteractiveShell

    from helpers.run import kernel
    from tests.conftest import MAIN

    shell = InteractiveShell.instance()
    kernel.preload()
    cwd, env, path = os.getcwd(), dict(os.environ), list(sys.path)
    filters, err, printing = list(warnings.filters), np.geterr(), np.get_printoptions()
    yield shell
    # IPython's shell is __main__ now, its namespace emptied by the reset: processes
    # spawned by later tests need the real one back
    sys.modules["__main__"] = MAIN
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.path[:] = path
    warnings.filters[:] = filters
    np.seterr(**err)
    np.set_printoptions(**printing)


def test_reset_puts_back_what_a_report_changed(shell, tmp_path):
    import altair as alt

    from helpers.presentation import render
    from helpers.run import kernel

    # what a report might do
    shell.user_ns["leftover"] = 1
    os.chdir(tmp_path)
    os.environ["REPORT_SETTING"] = "x"
    sys.path.append(str(tmp_path / "own"))
    warnings.simplefilter("error")
    np.seterr(all="raise")
    np.set_printoptions(precision=2)
    pd.set_option("display.max_rows", 3)
    root_level = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    alt.theme.enable("dark")
    render._state.update(counter=7, bundle_shown=True)
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "mine.py").write_text("X = 1\n")
    sys.path.insert(0, str(tmp_path / "own"))
    import mine  # noqa: F401

    work = tmp_path / "next"
    work.mkdir()
    kernel.reset(str(work), {"STUURKIT_RENDER": "html"})

    assert "leftover" not in shell.user_ns
    assert os.getcwd() == str(work)
    assert "REPORT_SETTING" not in os.environ and os.environ["STUURKIT_RENDER"] == "html"
    assert str(tmp_path / "own") not in sys.path and "mine" not in sys.modules
    assert warnings.filters == kernel._snapshot["filters"]
    assert logging.getLogger().level == kernel._snapshot["log_levels"][None] == root_level
    assert np.geterr()["divide"] != "raise" and np.get_printoptions()["precision"] == 8
    assert pd.get_option("display.max_rows") == 60
    assert alt.theme.active == "default"
    assert render._state == {"counter": 0, "bundle_shown": False}
