"""Stuurkit helpers: the importable package behind the notebooks.

The public API is small on purpose; notebooks call the modules directly, e.g.
``from helpers import workspace, report``.
"""

from helpers.errors import StuurkitError

__version__ = "0.1.0"

__all__ = ["StuurkitError", "__version__"]
