"""Identifiers validated at load (``helpers.model.ID_PATTERNS``) and the strict YAML
loader's limits: alias bombs, self-referring aliases and deep nesting are refused with
the line — also by ``stuurkit check`` and ``stuurkit run``, without a traceback."""

from __future__ import annotations

import time

import pytest
import yaml

from helpers import model
from helpers.cli import main
from helpers.errors import ConfigError
from helpers.indicators import catalogue
from helpers.workspace import open_workspace, yamlfile
from helpers.workspace.begroting import load_programme, read_begroting
from helpers.workspace.config import validate_config

SCRIPT = '<script id="stuurkit-vega-bundle">location.href="https://evil.example/"</script>'
REFRESH = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
LETTERS = "abcdefghi"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{LETTERS[i + 1]}: &{LETTERS[i + 1]} [" + ", ".join([f"*{LETTERS[i]}"] * 9) + "]\n"
    for i in range(8))  # 9**9 = 387 million strings when walked


# ------------------------------------------------------------------ the id vocabulary


@pytest.mark.parametrize("kind, good, bad", [
    ("programme", ["P1", "3", "SD-02", "W"], [SCRIPT, "../../P1", "P 1", "", "P1/2", "P1\n"]),
    ("goal", ["P1.1", "2.3a", "W.1"], [REFRESH, "P1..1", ".P1", "x" * 41, "P1.1\u00a0"]),
    ("indicator", ["bijstand_per_1000", "aandeel_65plus"], ["<b>", "a-b", "a.b", "é"]),
    ("variable", ["a_inw", "0_15", "AANT_INW"], ["a inw", "a\"><img>", ""]),
    ("area", ["GM0344", "WK034401", "BU03440101"], ["BU0344010１", "wijk 1", "WK0344"]),
    ("schedule", ["wijkprofielen", "bestuur-2024"], ["<svg onload=x>", "../x", "a b"]),
    ("parameter", ["year", "area_code"], ["<x>", "1year", "a-b"]),
    ("colour", ["#1f77b4", "#abc", "teal"], ["red;}</style>", "url(x)", "#12345"]),
])
def test_each_kind_of_id_has_one_pattern(kind, good, bad):
    for value in good:
        assert model.id_problem(kind, value) is None, value
    for value in bad:
        problem = model.id_problem(kind, value)
        assert problem and f"is not a valid {kind} id" in problem
        assert model.ID_PATTERNS[kind] in problem  # the message gives the allowed pattern
        with pytest.raises(ConfigError, match=r"^begroting\.yml: x: .* is not a valid"):
            model.check_id(kind, value, "begroting.yml: x")


def test_the_demos_ids_pass(demo_ws):
    programme = load_programme(demo_ws, catalogue.load())
    for p in programme.begroting.programmas:
        assert model.check_id("programme", p.id, "demo") == p.id
        for goal in p.doelen:
            model.check_id("goal", goal.id, "demo")
    for key, indicator in catalogue.load().items():
        model.check_id("indicator", key, "catalogue")
        for name in indicator.inputs:
            model.check_id("variable", name, key)
    for entry in demo_ws.config.schedule:
        model.check_id("schedule", entry.name, "stuurkit.yml")
    model.check_id("workspace", demo_ws.name, "demo")


@pytest.mark.parametrize("where, payload", [
    (("programmas", 0, "doelen", 0, "id"), SCRIPT),
    (("programmas", 1, "doelen", 0, "id"), REFRESH),
    (("programmas", 0, "id"), SCRIPT),
    (("programmas", 0, "doelen", 0, "indicatoren", 0, "indicator"), SCRIPT),
    (("programmas", 0, "doelen", 0, "indicatoren", 0, "gebied"), REFRESH),
])
def test_markup_as_an_id_in_the_budget_is_refused_at_load(ws_copy, where, payload):
    path = ws_copy / "begroting.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    node = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = payload
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    key = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in where).lstrip(".")
    with pytest.raises(ConfigError) as err:
        load_programme(open_workspace(ws_copy), catalogue.load())
    message = str(err.value)
    assert str(path) in message and f"{key}: " in message and "is not a valid" in message
    assert "(pattern " in message
    with pytest.raises(ConfigError, match="is not a valid"):
        read_begroting(path)  # what `stuurkit check` uses


def test_markup_as_an_id_in_the_catalogue_and_the_config_is_refused(tmp_path, demo_ws):
    path = tmp_path / "eigen.yml"
    path.write_text("defaults: {theme: T, source: S, levels: [wijk]}\nindicators:\n"
                    f"  '{SCRIPT}':\n    label: X\n    description: d\n    unit: '%'\n"
                    "    kind: mean\n    variable: a_inw\n  goed:\n    label: X\n"
                    "    description: d\n    unit: '%'\n    kind: count\n"
                    "    numerator: '<img src=x>'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        catalogue.load(path)
    assert "indicators: '<script id=" in str(err.value)
    assert "indicator 'goed': numerator: Value error, '<img src=x>' is not a valid variable id" in (
        str(err.value))
    doc = yaml.safe_load((demo_ws.root / "stuurkit.yml").read_text(encoding="utf-8"))
    doc["schedule"][0]["name"] = REFRESH
    doc["schedule"][1]["parameters"]["<b>"] = 1
    doc["style"] = {"colours": ["red;}</style><script>x</script>"]}
    with pytest.raises(ConfigError) as err:
        validate_config(tmp_path / "stuurkit.yml", doc)
    for key in ("schedule.0.name", "schedule.1.parameters.<b>.[key]", "style.colours.0"):
        assert f"{key}: Value error, " in str(err.value)


# ------------------------------------------------------------------ YAML limits


def test_an_alias_bomb_is_refused_quickly_with_its_line():
    started = time.perf_counter()
    with pytest.raises(yaml.YAMLError, match=r"repeat more than 10,000 values.*billion laughs"
                       ) as err:
        yamlfile.load(BOMB)
    assert time.perf_counter() - started < 2
    assert err.value.problem_mark.line + 1 <= 9


@pytest.mark.parametrize("text", ["a: &a [*a]", "a: &a {b: [1, *a]}"])
def test_an_alias_inside_its_own_value_is_refused(text):
    with pytest.raises(yaml.YAMLError, match="an alias refers to the value that contains it"):
        yamlfile.load(text)


@pytest.mark.parametrize("depth", [yamlfile.MAX_DEPTH + 1, 2_000, 100_000])
def test_deep_nesting_is_refused_with_its_line_not_a_recursion_error(depth):
    with pytest.raises(yaml.YAMLError, match=r"nesting deeper than 50 levels") as err:
        yamlfile.load("a: " + "[" * depth + "]" * depth)
    assert err.value.problem_mark.line == 0


def test_ordinary_aliases_merge_keys_and_nesting_still_load():
    text = ("base: &base {theme: Bevolking, levels: [wijk, buurt]}\n"
            "x: {<<: *base, label: X}\ny: *base\nz: " + "[" * 40 + "1" + "]" * 40 + "\n")
    doc = yamlfile.load(text)
    assert doc["x"] == {"theme": "Bevolking", "levels": ["wijk", "buurt"], "label": "X"}
    assert doc["y"]["levels"] == ["wijk", "buurt"]
    many = "v: &v [" + ", ".join(["1"] * 100) + "]\nw: [" + ", ".join(["*v"] * 90) + "]\n"
    assert len(yamlfile.load(many)["w"]) == 90  # 9,090 values repeated: below the limit


def _schedule_bomb(ws):
    path = ws / "stuurkit.yml"
    text = path.read_text(encoding="utf-8")
    anchor = "  parameters:\n    year: 2024\n- name: programmamonitors"
    assert anchor in text
    bomb = "".join(f"    {line}\n" for line in BOMB.splitlines())
    path.write_text(text.replace(anchor, "  parameters:\n    year: 2024\n" + bomb
                                 + "- name: programmamonitors"), encoding="utf-8")


@pytest.mark.parametrize("command", ["check", "run"])
def test_check_and_run_refuse_an_alias_bomb_in_a_schedule_parameter(ws_copy, command, capsys,
                                                                    monkeypatch, tmp_path):
    monkeypatch.setenv("STUURKIT_REPORTS", str(tmp_path / "reports"))
    _schedule_bomb(ws_copy)
    code = main([command, str(ws_copy)] + (["--jobs", "1"] if command == "run" else []))
    out, err = capsys.readouterr()
    assert code == (1 if command == "check" else 2)
    assert "Traceback" not in out + err
    assert "repeat more than 10,000 values" in out + err and "stuurkit.yml" in out + err


@pytest.mark.parametrize("file", ["stuurkit.yml", "begroting.yml"])
def test_check_refuses_deep_nesting_in_the_config_and_the_budget(ws_copy, file, capsys):
    path = ws_copy / file
    path.write_text(path.read_text(encoding="utf-8") + "diep: " + "[" * 100_000
                    + "]" * 100_000 + "\n", encoding="utf-8")
    assert main(["check", str(ws_copy)]) == 1
    out, err = capsys.readouterr()
    assert "nesting deeper than 50 levels" in out and "Traceback" not in out + err
    assert file in out
