"""Stage 8, running: the schedule of a workspace → jobs (``schedule``), executed on an
executor (``executors``: local worker processes with warm kernels, ``workers`` and
``warm``; or Dask distributed), each one published (``job``), with the portal and
``manifest.json`` (``manifest``); ``runner`` holds a run together.

The names below are loaded on first use: a worker process that imports only
``helpers.run.workers`` stays lean while its kernel starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpers.run.executors import EXECUTORS, RunOptions
    from helpers.run.incremental import to_make
    from helpers.run.job import Result, run_job
    from helpers.run.runner import RunInterrupted, run, run_lock
    from helpers.run.schedule import Job, expand, report_path
    from helpers.run.workers import Workers, start_workers

_WHERE = {"EXECUTORS": "executors", "RunOptions": "executors", "Result": "job",
          "run_job": "job", "RunInterrupted": "runner", "run": "runner", "run_lock": "runner",
          "Job": "schedule", "expand": "schedule", "report_path": "schedule",
          "Workers": "workers", "start_workers": "workers", "to_make": "incremental"}

__all__ = ["EXECUTORS", "RunOptions", "Result", "run_job", "RunInterrupted", "run", "run_lock",
           "Job", "expand", "report_path", "Workers", "start_workers", "to_make"]


def __getattr__(name: str):
    if name in _WHERE:
        # the workers module first: it keeps rfc3987_syntax out of this process
        importlib.import_module("helpers.run.workers")
        return getattr(importlib.import_module(f"helpers.run.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'helpers.run' has no attribute {name!r}")
