"""The kit's YAML files (``stuurkit.yml``, ``begroting.yml``, the catalogue) read strictly.

``load`` is ``yaml.safe_load`` that refuses what safe_load lets through silently or
raises as a non-YAML error: a key given twice in one mapping (safe_load keeps the last
value), a date that does not exist (``2024-13-45``), a bad explicit tag (``!!float x``;
both a ``ValueError`` in safe_load) and bytes that are not UTF-8 (``UnicodeDecodeError``
when read as text). It also refuses what would exhaust the machine later: nesting
deeper than ``MAX_DEPTH`` levels (a ``RecursionError`` in safe_load), an alias that
refers to itself, and aliases that repeat more than ``MAX_ALIASED`` values in all (a
"billion laughs": safe_load shares the repeated values, but whoever walks or copies the
document — pydantic, JSON for a notebook's parameters — builds them all). Every refusal
is a ``yaml.YAMLError`` with the line, so the loaders' handling of YAML errors names
file, line and column.

``edit_load`` and ``edit_dump`` are for a file the kit writes back (``stuurkit.yml``):
a round-trip document (ruamel.yaml) that keeps the user's comments, key order, quoting,
flow style and indentation, and is written with only the edited values changed. It is
only for editing: what the kit uses is always read by ``load``, and a caller checks the
written text with ``load`` too. ``edit_item`` replaces or adds a list entry keeping the
comments on its line and above it.

``Number``, ``Whole`` and ``Day`` are the schema types for numbers and dates: YAML reads
``yes``/``no``/``on``/``off`` as booleans and pydantic would turn them into 1 and 0, and
it would read a number as a date (seconds since 1970); both are refused instead.

Examples
--------
>>> load(b"jaar: 2026")
{'jaar': 2026}
>>> load("a: 1\\na: 2")  # doctest: +ELLIPSIS
Traceback (most recent call last):
yaml.constructor.ConstructorError: while constructing a mapping...
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BeforeValidator

from helpers import model

__all__ = ["load", "edit_load", "edit_dump", "edit_item", "edit_value", "Number", "Whole",
           "Day", "Id", "MAX_DEPTH", "MAX_ALIASED"]

MAX_DEPTH = 50  # levels of nesting; the kit's files need fewer than 10
MAX_ALIASED = 10_000  # values that aliases (*name) may repeat in one document


class _Limits(yaml.composer.Composer):
    """The composer of ``_StrictLoader``: counts nesting and remembers every alias."""

    def compose_node(self, parent, index):
        depth = getattr(self, "_depth", 0)
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            self.__dict__.setdefault("_aliases", []).append((event, node))
            return node
        if depth >= MAX_DEPTH and self.check_event(yaml.events.SequenceStartEvent,
                                                      yaml.events.MappingStartEvent):
            raise yaml.composer.ComposerError(
                None, None, f"nesting deeper than {MAX_DEPTH} levels (the kit's files need "
                "fewer than 10); is this the right file? Flatten the structure",
                self.peek_event().start_mark)
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth


class _StrictLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _Limits,
                    yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """SafeLoader without silent last-key-wins, without ValueError for bad dates, and with
    limits on nesting and aliases."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _Limits.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


def _check_aliases(loader: _StrictLoader, root: yaml.Node) -> None:
    """Refuse an alias that contains itself, and aliases that repeat more than
    ``MAX_ALIASED`` values in all (counted without building them)."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: yaml.Node) -> int:  # values under node, as a walk of the document sees them
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_:
            raise yaml.composer.ComposerError(
                None, None, "an alias refers to the value that contains it (a document "
                "without end); write the value out", node.start_mark)
        open_.add(key)
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        total = 1
        for child in children:
            total = min(total + size(child), 10 * MAX_ALIASED * MAX_ALIASED)  # bounded
        open_.discard(key)
        sizes[key] = total
        return total

    aliases = loader.__dict__.get("_aliases", [])
    if not aliases:
        return
    size(root)
    repeated = 0
    for event, node in aliases:
        repeated += sizes.get(id(node), 1)
        if repeated > MAX_ALIASED:
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*{event.anchor} and others) repeat more than "
                f"{MAX_ALIASED:,} values; a file that grows this much through aliases is "
                "refused (a 'billion laughs'). Write the values out", event.start_mark)


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    first: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # '<<: *defaults' may be overridden, as YAML intends
        key = loader.construct_object(key_node, deep=True)
        try:
            seen = first.setdefault(key, key_node)
        except TypeError:
            continue  # unhashable: construct_mapping reports it
        if seen is not key_node:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                f"key {key!r} is given twice (first at line {seen.start_mark.line + 1}); keep "
                "one of them", key_node.start_mark)
    return loader.construct_mapping(node, deep=deep)


def _guarded(construct):
    """A scalar constructor whose ValueError & co. (``!!float x``, ``2024-13-45``) become
    YAML errors with the line."""

    def run(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            kind = node.tag.rsplit(":", 1)[-1].replace("timestamp", "date")
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid {kind}"
                + (f" ({exc})" if type(exc) is ValueError else ""), node.start_mark) from exc

    return run


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _mapping)
for _tag in ("int", "float", "bool", "timestamp"):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}",
                                  _guarded(getattr(yaml.SafeLoader, f"construct_yaml_{_tag}")))


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n")
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
        raise yaml.MarkedYAMLError(
            problem=f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8",
            problem_mark=yaml.Mark("<file>", exc.start, line, column, None, None)) from exc


def load(data: bytes | str) -> Any:
    """Parse one YAML document strictly (see the module docstring); raises YAMLError.

    Give the file's bytes: bytes that are not UTF-8 raise a ``YAMLError`` with the line.
    """
    text = _text(data)
    try:
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_aliases(loader, node)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:  # a control character: give its line
        at = exc.position
        line, column = text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1)
        raise yaml.MarkedYAMLError(
            problem=f"character U+{exc.character:04X} is not allowed in YAML; delete it",
            problem_mark=yaml.Mark("<file>", at, line, column, None, None)) from exc


_KEY_LINE = re.compile(r"^( *)(?![-#\s])[^:#]*:(\s|$)")
_ITEM_LINE = re.compile(r"^( *)- +(?=\S)")


def _indentation(text: str) -> tuple[int, int, int]:
    """How ``text`` indents (ruamel's ``mapping, sequence, offset``): the first nested key
    gives the mapping indent, the first list under a key the dash's offset and where the
    item's content starts; what the file does not show is PyYAML's default (2, 2, 0)."""
    mapping, sequence, offset = None, None, None
    parent = None  # indent of the last key line
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = _ITEM_LINE.match(line)
        if item and parent is not None and sequence is None:
            offset = len(item.group(1)) - parent
            sequence = item.end() - parent
        key = _KEY_LINE.match(line)
        if key and not item:
            indent = len(key.group(1))
            if mapping is None and parent is not None and indent > parent:
                mapping = indent - parent
            parent = indent
    mapping = mapping if mapping and mapping <= 8 else 2
    if sequence is None or offset is None or offset < 0 or sequence < offset + 2 or sequence > 10:
        sequence, offset = 2, 0
    return mapping, sequence, offset


def _roundtrip(text: str):
    from ruamel.yaml import YAML

    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.width = 4096  # never fold a long line the user wrote
    mapping, sequence, offset = _indentation(text)
    handler.indent(mapping=mapping, sequence=sequence, offset=offset)
    return handler


def edit_load(text: str) -> Any:
    """The round-trip document of ``text`` (a ruamel ``CommentedMap`` for a mapping), to be
    edited and written by ``edit_dump``. Check ``text`` with ``load`` first: this parser
    is not the strict one."""
    return _roundtrip(text).load(text)


def _spaced(line: str) -> tuple[str, str]:
    """A line without its spaces (its indentation apart): ``[ ]`` and ``[]``, ``x   # c``
    and ``x # c`` are one line spaced otherwise."""
    body = line.lstrip(" ")
    return line[:len(line) - len(body)], re.sub(r"\s+", "", body)


def edit_dump(doc: Any, original: str = "") -> str:
    """``doc`` (from ``edit_load(original)``) as text: what was not edited is written as in
    ``original`` — its comments, quoting, flow style and indentation — and a line that
    ruamel spaced otherwise (``[ ]`` as ``[]``, one space before a comment) is written as
    it was, when that does not change what the file says."""
    out = io.StringIO()
    _roundtrip(original).dump(doc, out)
    text = out.getvalue()
    before = {_spaced(line): line for line in original.splitlines()}
    restored = "".join(before.get(_spaced(line), line) + "\n" for line in text.splitlines())
    try:  # the restored spaces must not change what the file says
        if load(restored) == load(text):
            return restored
    except yaml.YAMLError:
        pass
    return text


def edit_value(value: Any) -> Any:
    """A new value for a round-trip document, as it should be written: a string that YAML
    1.1 (``load``) would read as something else (``yes``, ``1:20``, ``~``) quoted; mappings
    and lists converted."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    if isinstance(value, dict):
        return CommentedMap((k, edit_value(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(edit_value(v) for v in value)
    if isinstance(value, str) and yaml.resolver.Resolver().resolve(
            yaml.ScalarNode, value, (True, False)) != "tag:yaml.org,2002:str":
        return SingleQuotedScalarString(value)
    return value


def _comments(seq: Any, i: int) -> list:
    """Take the comment tokens of entry ``i`` of ``seq`` (the one on its line, and those
    on the lines after it, above the next entry) out of the document."""
    entry = seq[i]
    tokens = []
    if i in seq.ca.items:
        tokens.append(seq.ca.items.pop(i)[0])
    if hasattr(entry, "ca"):  # a mapping: comments behind its values
        for key in list(entry):
            if key in entry.ca.items:
                tokens.append(entry.ca.items.pop(key)[2])
    return [t for t in tokens if t is not None]


def _attach(seq: Any, i: int, tokens: list) -> None:
    """Put the comments taken by ``_comments`` on the new entry ``i``: the first line's
    comment on its first line, the lines after it after its last line."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    if not tokens:
        return
    eol = " ".join(t.value.split("\n", 1)[0] for t in tokens if t.value.startswith("#"))
    after = "".join(t.value.split("\n", 1)[1] if "\n" in t.value else "" for t in tokens)
    mark = CommentMark(tokens[0].column)
    entry = seq[i]
    if not hasattr(entry, "ca") or not entry:  # a scalar: one token behind it
        seq.ca.items[i] = [CommentToken((eol or "") + "\n" + after, mark),
                           None, None, None]
        return
    keys = list(entry)
    if eol:
        entry.ca.items[keys[0]] = [None, None, CommentToken(eol + "\n", mark), None]
    if after:
        last = entry.ca.items.get(keys[-1])
        text = (last[2].value if last else "\n") + after
        entry.ca.items[keys[-1]] = [None, None, CommentToken(text, mark), None]


def edit_item(seq: Any, i: int | None, value: Any) -> None:
    """Replace entry ``i`` of the round-trip list ``seq`` by ``value`` (``None``: append
    it). A mapping replacing a mapping is updated in place, so the comments behind the
    values it keeps stay; any other replacement moves the entry's comments onto the new
    one. New strings are quoted where YAML 1.1 would read them as something else."""
    value = edit_value(value)
    if i is None:
        seq.append(value)
        return
    old = seq[i]
    if hasattr(old, "ca") and isinstance(old, dict) and isinstance(value, dict):
        gone = [k for k in old if k not in value]
        tokens = _comments(seq, i) if any(k in old.ca.items for k in gone) else []
        for key in gone:  # its comment is kept, on the entry's first or last line
            del old[key]
        for key, new in value.items():
            if key not in old or old[key] != new:  # an unchanged value keeps its spelling
                old[key] = new
        _attach(seq, i, tokens)
        return
    tokens = _comments(seq, i)
    seq[i] = value
    _attach(seq, i, tokens)


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false (YAML reads yes, no, on and off "
                         "as true/false)")
    return value


def _not_number(value: Any) -> Any:
    if isinstance(value, int | float):
        raise ValueError("expected a date like 2026-06-30, not a number")
    return value


def _checked_id(kind: str):
    def check(value: str) -> str:
        problem = model.id_problem(kind, value)
        if problem is not None:
            raise ValueError(problem)
        return value

    return check


def Id(kind: str):  # noqa: N802 — a type, spelled like one
    """The schema type of an identifier of ``kind`` (a key of ``model.ID_PATTERNS``): text
    that matches its pattern; the error names the value and the pattern."""
    return Annotated[str, AfterValidator(_checked_id(kind))]


Number = Annotated[float, BeforeValidator(_not_bool)]
Whole = Annotated[int, BeforeValidator(_not_bool)]
Day = Annotated[dt.date, BeforeValidator(_not_number)]
