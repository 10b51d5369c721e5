"""Stuurkit helpers: the importable package behind the notebooks.

The package is built by stage, in the order the data flows (``docs/architecture.md``):
``sources`` → ``workspace`` → ``indicators`` → ``analysis`` → ``presentation`` →
``reports`` → ``publish`` → ``run``, on a base of ``model`` (the vocabulary), ``errors``,
``paths``, ``files`` and ``numbers``. A notebook imports its report module, e.g.
``from helpers.reports import wijkprofiel as rapport``.
"""

from helpers.errors import StuurkitError

__version__ = "0.1.0"

__all__ = ["StuurkitError", "__version__"]
