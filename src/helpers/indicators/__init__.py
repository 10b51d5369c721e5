"""Stage 3, the indicators: the catalogue of definitions (``catalogue``, YAML), tidy
variables summed up the area hierarchy (``aggregation``), every indicator computed
(``computation``), small counts suppressed (``disclosure``), and all of it for one
workspace as ``facts.Facts`` (``facts.of(ws)``)."""

__all__ = ["aggregation", "catalogue", "computation", "disclosure", "facts"]
