"""Where a run's time goes: named phases, timed with ``perf_counter`` and summed per process.

Each process of a run (the run itself, a worker, a Dask worker) adds up the seconds of
its phases; ``take()`` hands them over and starts again, so a job's result carries what
its process spent since the previous job (the first job also the worker's start: its
kernel, the preload, the workspace). Times are *exclusive*: a phase inside another is
not counted twice (``papermill`` is papermill's own bookkeeping, without the kernel reset
and the cells it runs). The manifest keeps them per job and for the run (``phases``).

Always on, for the kit's own steps (one ``perf_counter`` pair each): ``kernel_start``,
``kernel_preload``, ``workspace_open``, ``kernel_reset``, ``cells``, ``job_other`` (the
rest of a job: papermill and publishing), and in the run ``plan``, ``executor_close``,
``index``, ``final_audit``. With ``STUURKIT_PHASES=1`` the rest of a job is split as
well — ``papermill``, ``export`` (nbconvert), ``scan`` (the privacy scan of the page),
``workbook`` (its tables and the Excel file), ``publish_other`` — by timing those
functions where they are looked up (``instrument``): the benchmark's breakdown.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from time import perf_counter
from typing import Any

__all__ = ["ENVIRONMENT", "timed", "add", "take", "instrument"]

ENVIRONMENT = "STUURKIT_PHASES"

_lock = threading.Lock()
_totals: dict[str, float] = {}
_local = threading.local()  # the open phases of this thread: their children's seconds


def _stack() -> list[float]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def add(name: str, seconds: float) -> None:
    """Count ``seconds`` for ``name`` (and not for the phase it happened in)."""
    stack = _stack()
    if stack:
        stack[-1] += seconds
    _count(name, seconds)


def _count(name: str, seconds: float) -> None:
    with _lock:
        _totals[name] = _totals.get(name, 0.0) + seconds


@contextmanager
def timed(name: str) -> Iterator[None]:
    """Time the block as phase ``name``, less the phases timed inside it.

    >>> with timed("outer"):
    ...     with timed("inner"):
    ...         pass
    >>> sorted(take())
    ['inner', 'outer']
    """
    stack = _stack()
    stack.append(0.0)
    start = perf_counter()
    try:
        yield
    finally:
        elapsed = perf_counter() - start
        inner = stack.pop()
        _count(name, elapsed - inner)
        if stack:  # the phase around this one does not count it
            stack[-1] += elapsed


def take() -> dict[str, float]:
    """The seconds per phase since the last ``take`` (and start again)."""
    with _lock:
        out = dict(_totals)
        _totals.clear()
    return out


def _timing(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with timed(name):
            return function(*args, **kwargs)

    wrapper.__stuurkit_phase__ = name  # type: ignore[attr-defined]
    return wrapper


def _wrap(owner: Any, attribute: str, name: str) -> None:
    function = getattr(owner, attribute)
    if getattr(function, "__stuurkit_phase__", None) is None:
        setattr(owner, attribute, _timing(name, function))


def instrument() -> bool:
    """With ``STUURKIT_PHASES=1``: time papermill and the parts of publishing too (once
    per process; the functions keep their behaviour). Returns whether it is on."""
    if os.environ.get(ENVIRONMENT) != "1":
        return False
    import papermill

    from helpers.publish import html

    _wrap(papermill, "execute_notebook", "papermill")
    _wrap(html, "publish", "publish_other")
    _wrap(html.audit, "scan_html", "scan")
    _wrap(html, "report_tables", "workbook")
    _wrap(html, "write_workbook", "workbook")
    _wrap(html._html_exporter(), "from_notebook_node", "export")
    return True
