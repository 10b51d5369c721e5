"""Stage 8, running: the schedule of a workspace → jobs (``schedule``), executed on an
executor (``executors``: local worker processes with warm kernels, ``workers`` and
``warm``; or Dask distributed), each one published (``job``), with the portal and
``manifest.json`` (``manifest``); ``runner`` holds a run together."""

# first: helpers.run.workers keeps rfc3987_syntax out of this process (see there)
from helpers.run.workers import Workers, start_workers  # noqa: I001
from helpers.run.executors import EXECUTORS, RunOptions
from helpers.run.job import Result, run_job
from helpers.run.runner import RunInterrupted, run, run_lock
from helpers.run.schedule import Job, expand, report_path

__all__ = ["EXECUTORS", "RunOptions", "Result", "run_job", "RunInterrupted", "run", "run_lock",
           "Job", "expand", "report_path", "Workers", "start_workers"]
