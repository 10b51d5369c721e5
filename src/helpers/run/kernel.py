"""The side of a warm kernel that runs *inside* the kernel (``helpers.run.warm`` drives it).

``preload()`` imports the heavy libraries and the report modules, then snapshots every
piece of process state a notebook can change; ``reset(cwd, env)`` puts it all back
before the next report: the user namespace and execution count
(``reset(new_session=True)``), the working directory, environment variables,
``sys.path``, warnings filters, pandas options, numpy print/error state, logging levels,
altair's renderer/theme/data transformer, the kit's rendering state, modules a notebook
imported from outside the environment, and IPython's ``%precision``.
``open_workspace(name)`` loads a workspace and its facts ahead of the first report.

The warm side sends each call as one line of code (``import helpers.run.kernel as k;
k.reset(...)``); everything else lives here, as an ordinary module.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import warnings
from typing import Any

__all__ = ["preload", "reset", "open_workspace"]

_snapshot: dict[str, Any] = {}


def preload() -> None:
    """Import the kit and its libraries; take the snapshot that ``reset`` restores."""
    import importlib

    import altair as alt
    import geopandas  # noqa: F401
    import numpy as np
    import pandas  # noqa: F401
    import scipy.stats  # noqa: F401

    import helpers.presentation.render  # noqa: F401
    import helpers.reports

    for name in helpers.reports.__all__:  # every report module
        importlib.import_module(f"helpers.reports.{name}")

    alt.renderers.enable("default")
    alt.theme.enable("default")
    _snapshot.update(
        path=list(sys.path), env=dict(os.environ), filters=list(warnings.filters),
        np_err=np.geterr(), np_print=np.get_printoptions(),
        log_levels={name: logging.getLogger(name).level
                    for name in [None, *logging.root.manager.loggerDict]},
        modules=set(sys.modules),
    )


def _own_modules() -> list[str]:
    """Modules a notebook imported from outside the environment (the user's own files)."""
    prefixes = (sys.prefix, sys.base_prefix)
    return [name for name, module in list(sys.modules.items())
            if name not in _snapshot["modules"]
            and not name.startswith(("helpers", "encodings"))
            and getattr(module, "__file__", None)
            and not str(module.__file__).startswith(prefixes)]


def reset(cwd: str, env: dict[str, str]) -> None:
    """Put the kernel back as ``preload`` left it, in ``cwd`` with ``env`` added."""
    import altair as alt
    import numpy as np
    import pandas as pd
    from IPython import get_ipython

    shell = get_ipython()
    shell.reset(new_session=True)
    gc.freeze()  # survivors (libraries, the loaded workspace) are not scanned by later resets
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(_snapshot["env"])
    os.environ.update(env)
    sys.path[:] = _snapshot["path"]
    warnings.filters[:] = _snapshot["filters"]
    warnings._filters_mutated()
    np.seterr(**_snapshot["np_err"])
    np.set_printoptions(**_snapshot["np_print"])
    for name, level in _snapshot["log_levels"].items():
        logging.getLogger(name).setLevel(level)
    with warnings.catch_warnings():  # some of these options are deprecated in pandas 3
        warnings.simplefilter("ignore")
        for pattern in ("display", "mode", "compute", "styler", "future"):
            pd.reset_option(pattern)
    alt.renderers.enable("default")
    alt.theme.enable("default")
    alt.data_transformers.enable("default")
    from helpers.presentation import render

    render.reset()
    for name in _own_modules():
        del sys.modules[name]
    shell.run_line_magic("precision", "")


def open_workspace(workspace: str) -> None:
    """Open a workspace and make its facts: ``open_workspace`` keeps both for the reports
    that follow, as long as the workspace's files do not change."""
    from helpers.indicators import facts
    from helpers.workspace import open_workspace as open_

    ws = open_(workspace)
    facts.of(ws)
