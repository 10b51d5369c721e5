"""Stage 5, the presentation: the house style (``theme``), how charts reach the reader
(``render``; the embedding contract with the publisher in ``embed``, what a chart shows
in ``declare``), and the charts, maps and tables themselves."""

__all__ = ["charts", "declare", "embed", "maps", "render", "tables", "theme"]
