"""Meta-tests that keep the project's conventions true."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_layout_of_the_product_card():
    for path in ["notebooks", "src/helpers", "data", "reports", "environment.yml", "tests",
                 "README.md", "pyproject.toml", "Makefile", ".ci/run", ".gitignore",
                 "benchmarks"]:
        assert (ROOT / path).exists(), f"{path} is missing"


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pip_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip = {_name(r): r for r in project["dependencies"]}
    pip.update({_name(r): r for r in project["optional-dependencies"]["test"]})
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d): d for d in env["dependencies"] if isinstance(d, str)}
    conda.pop("python"), conda.pop("pip")
    assert sorted(pip) == sorted(conda), (
        f"only in pyproject: {sorted(set(pip) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(pip))}")
    for name, requirement in pip.items():
        bound = requirement[len(name):].replace(" ", "")
        assert conda[name].replace(" ", "").endswith(bound), (
            f"{name}: pyproject says {requirement!r}, environment.yml says {conda[name]!r}")


def test_make_help_lists_the_targets():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    for target in ("demo", "test", "lab", "help", "install", "screenshots", "bench"):
        assert re.search(rf"^\s+{target}\s", out, re.M), f"make help does not list {target}"


def test_readme_gives_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme and "make lab" in readme
    assert "papermill notebooks/10_wijkprofiel.ipynb" in readme


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebooks_are_thin_and_clean(path: Path):
    nb = json.loads(path.read_text())
    cells = nb["cells"]
    params = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged 'parameters'"
    for line in "".join(params[0]["source"]).splitlines():
        assert re.match(r"^\w+: (str|int|float|bool) = .+  # .+$", line), (
            f"parameter line is not 'name: type = literal  # comment': {line!r}")
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        assert not cell.get("outputs"), "notebooks are stored without outputs"
        assert cell.get("execution_count") is None
        source = "".join(cell["source"])
        assert not re.search(r"^(def|class) ", source, re.M), "no functions in notebooks"
        if cell not in params:
            assert len(source.splitlines()) <= 3, f"code cell too long: {source!r}"
    assert "widgets" not in nb.get("metadata", {}), "saved widget state must be stripped"


def test_every_cli_command_has_help():
    from helpers.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, sub_parser in sub.choices.items():
        text = sub_parser.format_help()
        assert sub_parser.description, f"stuurkit {name} has no description"
        assert "usage:" in text


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "helpers.cli", "--version"],
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith("stuurkit ")


def test_every_module_has_all_and_a_docstring():
    import importlib
    import pkgutil

    import helpers

    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        module = importlib.import_module(info.name)
        assert module.__doc__, f"{info.name} has no docstring"
        if info.name.endswith(("__main__",)):
            continue
        assert hasattr(module, "__all__"), f"{info.name} has no __all__"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_papermill_documents_every_parameter(path: Path):
    import papermill as pm

    found = pm.inspect_notebook(str(path))
    assert found, "papermill finds the parameters"
    for name, info in found.items():
        assert info["inferred_type_name"] in ("str", "int", "float", "bool"), name
        assert info["help"], f"parameter {name} has no comment"


def test_catalogue_indicators_are_documented():
    from helpers.indicators import catalogue

    for indicator in catalogue.load().values():
        assert len(indicator.label) > 2 and len(indicator.description) > 20, indicator.id


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_a_notebook_imports_its_report_module_and_nothing_else(path: Path):
    nb = json.loads(path.read_text())
    imports = [line for cell in nb["cells"] if cell["cell_type"] == "code"
               for line in "".join(cell["source"]).splitlines()
               if re.match(r"^\s*(import|from)\s", line)]
    assert len(imports) == 1, f"one import: the report module, not {imports}"
    match = re.fullmatch(r"from helpers\.reports import (\w+) as rapport", imports[0])
    assert match, f"import the report module as 'rapport', not {imports[0]!r}"
    module = match.group(1)
    import importlib

    report = importlib.import_module(f"helpers.reports.{module}")
    calls = re.findall(r"rapport\.(\w+)\(", json.dumps(nb))
    assert calls and calls[0] == "start", "the notebook starts its report first"
    for name in calls:
        assert name in report.__all__, f"rapport.{name} is not a section of {module}"


def test_the_executor_choices_are_the_registry():
    from helpers.cli import build_parser
    from helpers.run import EXECUTORS

    run = next(a for a in build_parser()._actions if a.dest == "command").choices["run"]
    executor = next(a for a in run._actions if a.dest == "executor")
    assert sorted(executor.choices) == sorted(EXECUTORS)
