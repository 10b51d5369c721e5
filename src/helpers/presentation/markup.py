"""Markup from data, built only through autoescaping templates.

Every piece of HTML a report shows is rendered by a Jinja2 template with autoescape on
(``Templates.render``): a text value from a file — an area's name, a goal's title, a
duiding, a column header — is escaped wherever it lands, in an element or an
attribute. Only ``Markup`` values (the output of another template, or of the
``markdown`` filter below) pass unescaped, so there is no way to put raw text into a
page by accident. Python code never builds markup with f-strings;
``tests/test_architecture.py`` checks that.

Templates of this stage live in ``presentation/templates/``; a later stage makes its own
``Templates(folder)`` for its own files (``helpers.publish`` does).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from helpers.numbers import format_number

__all__ = ["Templates", "Markup", "escape", "render", "markdown", "json_script"]

TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def _markdown():
    import mistune

    class _Text(mistune.HTMLRenderer):
        """Markdown for duiding and lessons: raw HTML escaped (``escape=True``); a link
        becomes its text with the address in words (a printed or offline report cannot
        follow it, and a page never loads or navigates anywhere); an image becomes its
        description."""

        def link(self, text: str, url: str, title: str | None = None) -> str:
            return f"{text} ({escape(url)})" if url and url != text else text

        def image(self, text: str, url: str, title: str | None = None) -> str:
            return f"[afbeelding: {text}]"

    return mistune.create_markdown(escape=True, renderer=_Text(escape=True),
                                   plugins=["strikethrough", "table"])


def markdown(text: str) -> Markup:
    """Markdown text (from a duiding file, say) as safe HTML: every HTML tag in it is
    shown as text; links and images become words.

    >>> str(markdown("**Goed** <script>x()</script> [bron](https://example.org)"))
    '<p><strong>Goed</strong> &lt;script&gt;x()&lt;/script&gt; bron (https://example.org)</p>\\n'
    """
    return Markup(_markdown()(str(text)))


def json_script(value: Any) -> Markup:
    """``value`` as JSON text safe inside a ``<script type="application/json">`` element:
    ``<``, ``>`` and ``&`` are written as ``\\u`` escapes, so no text from data can end
    the element or open a comment in it (JSON parsers read the escapes back).

    >>> str(json_script({"naam": "</script><b>"}))
    '{"naam":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e")
                  .replace("&", "\\u0026").replace("\u2028", "\\u2028")
                  .replace("\u2029", "\\u2029"))


def _number(value: Any, decimals: int = 1, status: str = "ok") -> str:
    return format_number(value, decimals, status)


class Templates:
    """The autoescaping templates of one folder (``*.html.j2``)."""

    def __init__(self, folder: Path):
        from jinja2 import Environment, FileSystemLoader, StrictUndefined

        self.environment = Environment(
            loader=FileSystemLoader(str(folder)), autoescape=True, undefined=StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
        self.environment.filters.update(nl=_number, markdown=markdown, json_script=json_script)

    def render(self, name: str, /, **context: Any) -> Markup:
        """Template ``name`` rendered with ``context`` (text escaped, ``Markup`` kept)."""
        return Markup(self.environment.get_template(name).render(**context).strip())


@lru_cache(maxsize=1)
def _own() -> Templates:
    return Templates(TEMPLATES)


def render(name: str, /, **context: Any) -> Markup:
    """A template of ``presentation/templates`` rendered (see ``Templates.render``)."""
    return _own().render(name, **context)
