"""The kit's YAML files (``stuurkit.yml``, ``begroting.yml``, the catalogue) read strictly.

``load`` is ``yaml.safe_load`` that refuses what safe_load lets through silently or
raises as a non-YAML error: a key given twice in one mapping (safe_load keeps the last
value), a date that does not exist (``2024-13-45``), a bad explicit tag (``!!float x``;
both a ``ValueError`` in safe_load) and bytes that are not UTF-8 (``UnicodeDecodeError``
when read as text). Every refusal is a ``yaml.YAMLError`` with the line, so the
loaders' handling of YAML errors names file, line and column.

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
from typing import Annotated, Any

import yaml
from pydantic import BeforeValidator

__all__ = ["load", "Number", "Whole", "Day"]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without silent last-key-wins and without ValueError for bad dates."""


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
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:  # a control character: give its line
        at = exc.position
        line, column = text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1)
        raise yaml.MarkedYAMLError(
            problem=f"character U+{exc.character:04X} is not allowed in YAML; delete it",
            problem_mark=yaml.Mark("<file>", at, line, column, None, None)) from exc


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false (YAML reads yes, no, on and off "
                         "as true/false)")
    return value


def _not_number(value: Any) -> Any:
    if isinstance(value, int | float):
        raise ValueError("expected a date like 2026-06-30, not a number")
    return value


Number = Annotated[float, BeforeValidator(_not_bool)]
Whole = Annotated[int, BeforeValidator(_not_bool)]
Day = Annotated[dt.date, BeforeValidator(_not_number)]
