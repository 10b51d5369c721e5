"""The house by stage (docs/architecture.md), kept true by reading the source.

* every module of ``src/helpers`` imports only from its own stage or the stages before
  it (the base modules from none): the import graph is read with ``ast`` — module-level,
  function-level and ``TYPE_CHECKING`` imports alike — and an offending import is named
  with its file and line;
* the vocabulary is defined once (``helpers.model``): no other module restates the usable
  statuses, the target or action statuses, the CBS code pattern, the code-prefix → level
  map, the gemeente-membership slice ``[2:6]`` or the frame column lists;
* at most 8 modules at the package's top level, none over 500 lines; the dead code the
  architecture issue named stays gone.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "helpers"

# stage of each part of the package, in data-flow order (base: shared by every stage)
STAGES = ["base", "sources", "workspace", "indicators", "analysis", "presentation",
          "reports", "publish", "run", "cli"]
BASE = {"helpers", "helpers.errors", "helpers.paths", "helpers.files", "helpers.model",
        "helpers.numbers", "helpers.memo"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def stage_of(module: str) -> int:
    """The stage index of a ``helpers`` module (see ``STAGES``)."""
    if module in BASE:
        return 0
    part = module.split(".")[1]
    if part not in STAGES:
        raise AssertionError(f"{module}: not in a stage; put it in one of "
                             f"{', '.join(STAGES[1:])} or in the base ({', '.join(BASE)})")
    return STAGES.index(part)


def _imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every import of a ``helpers`` module in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("helpers")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.startswith("helpers"):
            for alias in node.names:  # `from helpers.x import y`: y may be a module
                candidate = f"{node.module}.{alias.name}"
                found.append((node.lineno, candidate if candidate in _modules() else node.module))
    return found


def test_every_module_belongs_to_a_stage():
    for module in _modules():
        stage_of(module)


def test_each_stage_imports_only_from_the_stages_before_it():
    offending = []
    for module, path in _modules().items():
        own = stage_of(module)
        for line, imported in _imports(path):
            other = stage_of(imported)
            if other > own or (own == 0 and other != 0):
                offending.append(
                    f"{path.relative_to(SRC.parent)}:{line}: {module} ({STAGES[own]}) imports "
                    f"{imported} ({STAGES[other]}), a later stage")
    assert not offending, "stage order broken:\n" + "\n".join(offending)


def test_the_stage_test_names_an_offending_import(tmp_path, monkeypatch):
    """The check itself: an import of a later stage is found and named."""
    fake = tmp_path / "helpers" / "sources"
    fake.mkdir(parents=True)
    (tmp_path / "helpers" / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "bad.py").write_text("def f():\n    from helpers.reports import wijkprofiel\n")
    monkeypatch.setattr(f"{__name__}.SRC", tmp_path)
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path / "helpers")
    with pytest.raises(AssertionError, match=r"bad\.py:2: helpers\.sources\.bad \(sources\) "
                                             r"imports helpers\.reports \(reports\)"):
        test_each_stage_imports_only_from_the_stages_before_it()


# ------------------------------------------------------------------ one vocabulary


def _literals(tree: ast.AST):
    """``(node, kind, constants)`` of every list, tuple, set (``sequence``) and dict
    (``mapping``: its constant keys and values) in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            yield node, "sequence", [e.value for e in node.elts if isinstance(e, ast.Constant)]
        elif isinstance(node, ast.Dict):
            items = [*node.keys, *node.values]
            yield node, "mapping", [e.value for e in items if isinstance(e, ast.Constant)]


def _has(*words: str):
    return lambda values: set(words) <= {v for v in values if isinstance(v, str)}


VOCABULARY = {  # what must not be restated outside helpers/model.py: (kinds, test)
    "the usable statuses": ({"sequence"}, _has("ok", "provisional")),
    "the target statuses": ({"sequence"}, _has("op koers", "risico", "uit koers")),
    "the action statuses": ({"sequence"}, _has("niet gestart", "lopend", "afgerond")),
    "the code prefixes": ({"sequence", "mapping"}, _has("GM", "WK", "BU")),
    "the tidy columns": ({"sequence"}, _has("area_code", "variable", "value", "status")),
    "the observation columns": ({"sequence"}, _has("area_code", "indicator", "numerator")),
    "the area columns": ({"sequence"}, _has("code", "name", "level", "parent", "vintage")),
    "the levels": ({"sequence"}, _has("gemeente", "wijk", "buurt")),
}


def _restated(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    found = []
    for node, kind, values in _literals(tree):
        for what, (kinds, matches) in VOCABULARY.items():
            if kind in kinds and matches(values):
                found.append(f"{path.name}:{node.lineno}: {what}")
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef) and n.body
                  and isinstance(n.body[0], ast.Expr)
                  and isinstance(n.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings:
            if re.search(r"WK\\d\{4\}|BU\\d\{4\}", node.value):
                found.append(f"{path.name}:{node.lineno}: the CBS code pattern")
            if re.search(r"'op koers'\s*,\s*'risico'", node.value):
                found.append(f"{path.name}:{node.lineno}: the target statuses (in a string)")
        if isinstance(node, ast.Slice) and all(
                isinstance(b, ast.Constant) for b in (node.lower, node.upper)) \
                and (node.lower.value, node.upper.value) == (2, 6):
            found.append(f"{path.name}:{node.lineno}: the gemeente membership slice [2:6]")
    return found


def test_the_vocabulary_is_defined_once():
    found = [hit for module, path in _modules().items() if module != "helpers.model"
             for hit in _restated(path)]
    assert not found, ("restated instead of imported from helpers.model:\n"
                       + "\n".join(found))
    from helpers import model

    assert model.USABLE == ("ok", "provisional")
    assert model.TARGET_STATUSES == ("op koers", "risico", "uit koers", "gehaald", "niet gehaald",
                                     "onbekend")
    assert model.level_of("BU03440101") == "buurt" and model.CODE.match("WK03440A")
    assert model.in_gemeente("WK034401", "GM0344") and not model.in_gemeente("WK036301",
                                                                              "GM0344")


# ------------------------------------------------------------------ size and dead code


def test_a_small_top_level_and_small_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, f"top level of src/helpers: {top}"
    long = {str(p.relative_to(SRC)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert not long, f"modules over 500 lines: {long}"


@pytest.mark.parametrize("name", ["RunLocked", "ACTION_STATUS", "is_odata_folder",
                                  "start_wijkprofiel", "PRELOAD", "RESET"])
def test_dead_code_stays_gone(name):
    """No module defines the names the architecture issue found dead (or kept code in)."""
    defined = []
    for module, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.name] if isinstance(node, ast.FunctionDef | ast.ClassDef) else
                     [t.id for t in node.targets if isinstance(t, ast.Name)]
                     if isinstance(node, ast.Assign) else [])
            if name in names:
                defined.append(f"{module}:{node.lineno}")
    assert not defined, f"{name} is back: {defined}"


def test_the_command_and_a_worker_start_without_pandas():
    """`stuurkit --help` and a worker process (whose kernel should start at once) import
    neither pandas nor geopandas."""
    import subprocess
    import sys

    code = ("import sys, helpers.cli, helpers.run.workers, helpers.workspace.locks; "
            "print(sorted(m for m in ('pandas', 'geopandas', 'altair', 'nbformat') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]", f"imported at start: {out}"


# markup written by Python code rather than an autoescaping template: only these fixed
# script elements of the embedding contract (no data in them) may be
_MARKUP_ALLOWED = {("presentation/embed.py", "placeholder"), ("presentation/embed.py", "wrap"),
                   ("presentation/embed.py", "<module>"),
                   ("presentation/embed.py", "loader_script"),
                   ("presentation/embed.py", "_verified_inline"),
                   ("presentation/embed.py", "fill"), ("presentation/embed.py", "_packed"),
                   ("presentation/embed.py", "_packed_spec")}
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!]")


def _builds_markup(node: ast.AST) -> bool:
    """An f-string, ``+``/``%`` or ``format()`` with a tag in its literal text."""
    def tagged(value) -> bool:
        return isinstance(value, ast.Constant) and isinstance(value.value, str) and bool(
            _TAG.search(value.value))

    if isinstance(node, ast.JoinedStr):
        return any(tagged(v) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return tagged(node.left) or tagged(node.right)
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format" and tagged(node.func.value))


def _markup_in_code(path: Path, relative: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in [tree, *(n for n in ast.walk(tree)
                             if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]:
        name = getattr(function, "name", "<module>")
        if (relative, name) in _MARKUP_ALLOWED:
            continue
        body = function.body if name != "<module>" else [
            n for n in function.body if not isinstance(n, ast.FunctionDef | ast.ClassDef)]
        for node in (n for stmt in body for n in ast.walk(stmt)):
            if _builds_markup(node):
                found.append(f"{relative}:{node.lineno} ({name})")
    return found


def test_no_code_builds_markup_from_data():
    """HTML comes from autoescaping templates (helpers.presentation.markup): no f-string,
    concatenation or format() call puts text next to a tag."""
    # the privacy scan (audit, page) reads markup: its f-strings are messages about tags
    found = [hit for path in _modules().values() if path.name not in ("audit.py", "page.py")
             for hit in _markup_in_code(path, str(path.relative_to(PACKAGE)))]
    assert found == [], "markup built in code (use a template): " + ", ".join(found)


def test_the_markup_test_finds_an_f_string_tag(tmp_path):
    path = tmp_path / "x.py"
    path.write_text('def f(name):\n    return f"<b>{name}</b>"\n'
                    'def g(name):\n    return "<i>" + name\n')
    assert len(_markup_in_code(path, "x.py")) == 2
