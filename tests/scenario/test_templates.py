"""``servsim new TEMPLATE``: starters from the bundled scenarios (simulator.scenario.templates)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator import load_scenario
from simulator.cli.new import new
from simulator.scenario.templates import TEMPLATES_DIR, list_templates, starter_text
from tests.helpers import SCENARIOS

REPO_SCENARIOS = SCENARIOS


def test_templates_are_the_bundled_scenarios() -> None:
    assert TEMPLATES_DIR == REPO_SCENARIOS
    names = list_templates()
    assert {"classroom_bank", "government_hall"} <= set(names)
    assert names == sorted(p.stem for p in REPO_SCENARIOS.glob("*.yaml"))
    assert "scenario.schema" not in names  # the JSON Schema is not a template


def test_list_templates_missing_folder(tmp_path: Path) -> None:
    assert list_templates(tmp_path / "nowhere") == []


@pytest.mark.parametrize("name", list_templates())
def test_starter_keeps_template_and_comments(name: str) -> None:
    template = (REPO_SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8")
    text = starter_text(name)
    assert f"servsim new {name}" in text
    # the template's text is kept unchanged after the header (and its first-line modeline)
    modeline, _, body = template.partition("\n")
    if not modeline.startswith("# yaml-language-server:"):
        body = template
    assert text.endswith(body)
    if template.startswith("# yaml-language-server:"):
        assert text.splitlines()[0] == template.splitlines()[0]  # editors need it first


def test_new_writes_a_valid_file(tmp_path: Path) -> None:
    target = tmp_path / "my_bank.yaml"
    result = CliRunner().invoke(new, ["classroom_bank", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"wrote {target}" in result.output
    loaded = load_scenario(target)
    original = load_scenario(REPO_SCENARIOS / "classroom_bank.yaml")
    assert loaded.scenario == original.scenario
    text = target.read_text(encoding="utf-8")
    assert "line: per_counter" in text  # the lesson's comment survives
    assert text.count("\n#") > 10


def test_new_to_stdout_and_into_a_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(new, ["government_hall"])
    assert result.exit_code == 0, result.output
    assert result.output == starter_text("government_hall")
    result = CliRunner().invoke(new, ["government_hall", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert load_scenario(tmp_path / "government_hall.yaml").scenario.name


def test_new_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "bank.yaml"
    target.write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(new, ["classroom_bank", "-o", str(target)])
    assert result.exit_code == 1
    assert "exists" in result.output and "--force" in result.output
    assert target.read_text(encoding="utf-8") == "mine\n"
    result = CliRunner().invoke(new, ["classroom_bank", "-o", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert load_scenario(target).scenario.domain == "bank"


def test_unknown_template_lists_the_available_ones(tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    result = CliRunner().invoke(new, ["clasroom_bank", "-o", str(target)])
    assert result.exit_code == 2
    assert "unknown template 'clasroom_bank'" in result.output
    assert "did you mean 'classroom_bank'?" in result.output
    for name in list_templates():
        assert name in result.output
    assert not target.exists()


def test_unknown_template_without_a_close_match() -> None:
    result = CliRunner().invoke(new, ["zzzz"])
    assert result.exit_code == 2
    assert "did you mean" not in result.output
    assert "available: " in result.output


def test_list_option() -> None:
    result = CliRunner().invoke(new, ["--list"])
    assert result.exit_code == 0
    assert "classroom_bank" in result.output
    assert "Classroom bank, one line vs separate lines" in result.output
