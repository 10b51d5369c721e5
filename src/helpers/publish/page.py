"""A published page parsed the way a reader's browser parses it, and what may be on it.

Lexbor (through selectolax) builds the tree by the WHATWG HTML algorithm, as browsers
do, so comments (also ``--!>``), misnested tags, raw-text elements and foreign content
(SVG, MathML) end where Chromium ends them; a 1.4 MB report parses in ~25 ms. ``Page``
walks that tree once and collects the chart data blocks, the Stuurkit scripts, the
Content-Security-Policy, the table cells with indicator values, and a ``Finding`` for
everything that may not be on a report: elements outside the set reports are made of,
event handlers, ``javascript:`` URLs, refreshes, any URL that would load, ping or
navigate elsewhere (also in CSS, after its escapes are decoded), and scripts that are
not Stuurkit's. ``helpers.publish.audit`` turns it into the privacy scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from helpers.presentation import embed
from helpers.presentation.declare import CELL_INDICATOR
from helpers.presentation.embed import BUNDLE_ID, LOADER_ID, chart_spec

__all__ = ["Finding", "Page", "parse", "css_references", "text_of"]


@dataclass(frozen=True)
class Finding:
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


# ------------------------------------------------------------------ what a page may hold

_HTML_ELEMENTS = {
    "html", "head", "body", "title", "meta", "style", "script", "main", "footer", "header",
    "nav", "section", "article", "aside", "div", "span", "p", "br", "hr", "h1", "h2", "h3",
    "h4", "h5", "h6", "a", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup",
    "small", "mark", "code", "pre", "kbd", "samp", "var", "abbr", "q", "cite", "blockquote",
    "ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "thead", "tbody", "tfoot", "tr",
    "th", "td", "col", "colgroup", "figure", "figcaption", "details", "summary", "img",
    "label", "time", "data", "wbr",
}
_SVG_ELEMENTS = {  # static charts (``STUURKIT_RENDER=svg``) are inline SVG drawings
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "defs", "clippath", "lineargradient", "radialgradient", "stop", "title", "desc",
    "style", "a", "mask", "pattern", "symbol", "marker",
}
_URL_ATTRS = {"href", "src", "base", "srcset", "imagesrcset", "ping", "action", "formaction",
              "data",
              "poster", "background", "cite", "manifest", "longdesc", "usemap", "codebase",
              "archive", "lowsrc", "dynsrc", "icon", "profile", "srcdoc", "content-location",
              "xml:base", "itemtype", "attributionsrc"}
_FRAGMENT = re.compile(r"^#[^\s\"'<>\\/]*$")  # a place on the same page
_SIBLING = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\.(?:html|xlsx|pdf)(?:#[A-Za-z0-9_.:-]*)?$")
_DATA_IMAGE = re.compile(r"^data:image/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*$")
_SCRIPTING = re.compile(r"^[\x00-\x20]*(?:j[\s]*a[\s]*v[\s]*a|v[\s]*b)[\s]*s[\s]*c[\s]*r[\s]*i"
                        r"[\s]*p[\s]*t[\s]*:", re.IGNORECASE)
_TEXT_ATTRS = {"id", "class", "role", "title", "lang", "alt"}  # text, never CSS
_SVG_PREFIXED = {"xlink:href", "xml:lang", "xml:space"}
_META_NAMES = {"viewport", "generator", "description", "color-scheme"}


# ------------------------------------------------------------------ CSS

_CSS_LOADING = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade",
                "-webkit-cross-fade", "element", "-moz-element"}
_CSS_BAD_IDENTS = {"-moz-binding", "behavior"}


_CSS_WORDS = re.compile(r"url|src|image|element|import|namespace|expression|binding|behavior|"
                        r"\\", re.IGNORECASE)


def css_references(css: str) -> list[str]:
    """Every place where CSS text would load something: a ``url()`` / ``src()`` or a
    string inside ``image-set()`` (at any depth) that is not ``data:``, ``@import``,
    ``expression()``, ``-moz-binding``. CSS is tokenised by the CSS Syntax spec
    (tinycss2): comments and escapes are read as a browser reads them. (Text without
    any of those words and without a backslash escape cannot hold one.)"""
    if not _CSS_WORDS.search(css):
        return []
    return list(_css_references(css))


@lru_cache(maxsize=32)  # a report's stylesheets are the same on every page
def _css_references(css: str) -> tuple[str, ...]:
    import tinycss2

    found: list[str] = []

    def check(url: str, how: str) -> None:
        if not url.strip().lower().startswith("data:"):
            found.append(f"{how}({url[:60]})")

    def walk(nodes, loading: str | None) -> None:
        for node in nodes:
            kind = node.type
            if kind == "url":
                check(node.value, "url")
            elif kind == "function":
                name = node.lower_name
                if name == "expression":
                    found.append("expression()")
                walk(node.arguments, name if name in _CSS_LOADING else loading)
            elif kind == "string" and loading is not None:
                check(node.value, loading)
            elif kind == "at-keyword" and node.lower_value in ("import", "namespace"):
                found.append(f"@{node.lower_value}")
            elif kind == "ident" and node.lower_value in _CSS_BAD_IDENTS:
                found.append(node.lower_value)
            elif kind in ("() block", "[] block", "{} block"):
                walk(node.content, loading)

    walk(tinycss2.parse_component_value_list(css), None)
    return tuple(found)


# ------------------------------------------------------------------ parsing

class Page:
    """A page parsed as a browser parses it, walked once: scripts, the policy, table
    cells with indicator values, and everything that may not be there."""

    def __init__(self, document: str) -> None:
        self.root = parse(document)
        self.specs: list[dict | None] = []
        self.own_scripts: list[str] = []  # CSP hashes of the Stuurkit scripts present
        self.bundled = False
        self.csp: list[tuple[bool, str]] = []  # (first element of <head>, policy)
        self.cells: list[tuple[dict[str, str], str]] = []
        self.tables = 0
        self.scripts = 0  # script elements of any kind (a static page has none)
        self.findings: list[Finding] = []
        head = self.root.head
        first = next((e for e in head.iter(include_text=False)), None) if head else None
        self._first_in_head = first.mem_id if first is not None else None
        self._walk(self.root.root, svg=False)

    def _find(self, kind: str, detail: str) -> None:
        self.findings.append(Finding(kind, detail))

    def _walk(self, element, svg: bool) -> None:
        for child in element.iter(include_text=False):
            tag = str(child.tag).lower()
            if tag.startswith("-"):  # a comment or doctype: inert, as in the browser
                continue
            inside_svg = svg or tag == "svg"
            allowed = _SVG_ELEMENTS if inside_svg and tag != "svg" else _HTML_ELEMENTS | {"svg"}
            if tag not in allowed:
                self._find("element", f"<{tag}> has no place in a report")
            attrs = {str(k).lower(): v or "" for k, v in child.attributes.items()}
            self._attributes(tag, attrs, inside_svg)
            if attrs.get("id") in (BUNDLE_ID, LOADER_ID) and (tag != "script" or inside_svg):
                # the loader runs what the element before it holds when it bears the
                # library's id: only the script elements checked below may bear it
                self._find("script", f"<{tag} id={attrs['id']!r}>: the id of Stuurkit's own "
                                     "scripts on an element Stuurkit did not write")
            if tag in ("script", "style") and next(child.iter(include_text=False), None):
                # in SVG these are foreign elements that can hold elements: none may
                self._find("element", f"elements inside <{tag}>")
                self._walk(child, inside_svg)
            if tag == "meta":
                self._meta(child, attrs)
            elif tag == "script":
                self.scripts += 1
                self._script(attrs, _text(child))
                continue
            elif tag == "style":
                for ref in css_references(_text(child)):
                    self._find("external", f"<style> … {ref}")
                continue
            elif tag == "table":
                self.tables += 1
            elif CELL_INDICATOR in attrs:
                self.cells.append((attrs, _text(child)))
            self._walk(child, inside_svg)

    def _attributes(self, tag: str, attrs: dict[str, str], svg: bool) -> None:
        for name, value in attrs.items():
            if ":" in name and not (name.startswith("xmlns") or (
                    svg and name in _SVG_PREFIXED)):
                # x:src, x:http-equiv … are attributes of their own to a browser; a scan
                # that folded them onto src or http-equiv could be fooled
                self._find("handler", f"<{tag} {name}=…>: a prefixed attribute")
            elif name.startswith("on"):
                self._find("handler", f"<{tag} {name}=…> (would run script)")
            elif _SCRIPTING.match(value or ""):
                self._find("handler", f"<{tag} {name}={value[:40]!r}> (would run script)")
            elif name in _URL_ATTRS or name.endswith("src") or name == "xlink:href":
                if not self._url_allowed(tag, name, value):
                    self._find("external", f"<{tag} {name}={value[:60]!r}>")
            elif name == "http-equiv" and value.strip().lower() not in (
                    "content-security-policy", "content-type"):
                self._find("handler", f"<meta http-equiv={value!r}> (refresh or other "
                                      "behaviour)")
            elif "(" in value and (name == "style" or (svg and name not in _TEXT_ATTRS
                                                         and not name.startswith("aria-"))):
                # CSS: a style, or an SVG presentation attribute (filter="url(…)")
                for ref in css_references(value):
                    self._find("external", f"<{tag} {name}=…{ref}…>")

    @staticmethod
    def _url_allowed(tag: str, name: str, value: str) -> bool:
        if name == "href" and tag == "a":
            return bool(_FRAGMENT.match(value) or _SIBLING.match(value))
        if name == "src" and tag == "img":
            return bool(_DATA_IMAGE.match(value))
        return False

    def _meta(self, element, attrs: dict[str, str]) -> None:
        if attrs.get("http-equiv", "").strip().lower() == "content-security-policy":
            self.csp.append((element.mem_id == self._first_in_head, attrs.get("content", "")))
        elif not ({"charset"} >= set(attrs) or (set(attrs) <= {"name", "content"} and
                                                 attrs.get("name", "").lower() in _META_NAMES)
                  or "http-equiv" in attrs):
            self._find("element", f"<meta {' '.join(sorted(attrs))}> has no place in a report")

    def _script(self, attrs: dict[str, str], text: str) -> None:
        kind = attrs.get("type", "").strip().lower()
        if kind in ("application/json", embed.SPEC_PACKED_TYPE):
            spec = chart_spec(attrs, text)
            if spec is None or not embed.CHART_ID.match(attrs.get("data-chart", "")):
                self._find("script", f"a data block Stuurkit did not write: {text.strip()[:60]!r}")
            else:
                self.specs.append(spec)
            return
        if (attrs.get("id") == BUNDLE_ID and set(attrs) == {"id", "type"}
                and kind == embed.PACKED_TYPE and embed.is_known_packed(text)):
            # inert until the loader unpacks it: no hash of its own in the policy
            if self.bundled:
                self._find("script", "a second chart library on the page")
            self.bundled = True
            return
        if attrs.get("id") == BUNDLE_ID and set(attrs) == {"id"} and embed.is_known_bundle(text):
            self.own_scripts.append(embed.csp_hash(text))
            self.bundled = True
            return
        if attrs.get("id") == LOADER_ID and set(attrs) == {"id"} and embed.is_loader(text):
            self.own_scripts.append(embed.csp_hash(text))
            return
        self._find("script", f"a script Stuurkit did not write: {text.strip()[:60]!r}")


def text_of(node) -> str:
    """All the text in a node, as it is."""
    return node.text(deep=True, separator="", strip=False)


_text = text_of


def parse(document: str):
    """``document`` parsed as a browser parses it (a selectolax ``LexborHTMLParser``)."""
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(document)
