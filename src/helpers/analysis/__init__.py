"""Stage 4, the analysis: frames in, frames out, no files. Confidence intervals and
comparisons (``stats``), trend tests and forecasts (``trends``), how the goals of the
budget are doing (``goals``), early warnings (``signals``), one area's profile
(``profile``) and data quality (``quality``)."""

__all__ = ["goals", "profile", "quality", "signals", "stats", "trends"]
