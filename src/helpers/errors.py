"""Error classes. Every message says what is wrong and what to do about it."""

from __future__ import annotations

__all__ = [
    "StuurkitError",
    "ConfigError",
    "DataError",
    "UnknownAreaError",
    "PublishError",
    "StatisticsError",
]


class StuurkitError(Exception):
    """Root of every error the kit raises on purpose (user or data mistakes)."""


class ConfigError(StuurkitError):
    """A workspace configuration file is missing or invalid."""


class DataError(StuurkitError):
    """A data file is missing, unreadable or does not have the expected shape."""


class UnknownAreaError(StuurkitError):
    """An area code is not part of the workspace."""


class PublishError(StuurkitError):
    """A report could not be turned into published HTML."""


class StatisticsError(StuurkitError, ValueError):
    """Invalid input to a statistical function (negative count, bad confidence, …)."""
