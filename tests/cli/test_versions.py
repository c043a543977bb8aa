"""`mlscaffold versions`, and the fast path of `--version`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlscaffold import cli
from mlscaffold.bundle import list_versions

runner = CliRunner()


def test_versions_lists_bundle_and_marks_project(
    generated_project: Path, template_bundle: Path, newest_version: str
) -> None:
    result = runner.invoke(cli.app, ["versions", str(generated_project)])
    assert result.exit_code == 0, result.output
    for tag in list_versions(template_bundle):
        assert f"  {tag}" in result.stdout
    assert f"{newest_version}  (newest, {generated_project} is on it)" in result.stdout


def test_versions_outside_a_project(tmp_path: Path, newest_version: str) -> None:
    result = runner.invoke(cli.app, ["versions", str(tmp_path)])
    assert result.exit_code == 0
    assert f"{newest_version}  (newest)" in result.stdout


def test_versions_of_a_project_behind(generated_project: Path, newest_version: str) -> None:
    answers = generated_project / ".copier-answers.yml"
    answers.write_text(answers.read_text(encoding="utf-8").replace(newest_version, "v0.0.1"), encoding="utf-8")
    result = runner.invoke(cli.app, ["versions", str(generated_project)])
    assert "is on v0.0.1, which this mlscaffold does not ship" in result.stdout


def test_versions_of_a_foreign_project_whose_template_is_gone(tmp_path: Path, template_bundle: Path) -> None:
    (tmp_path / ".copier-answers.yml").write_text("_src_path: /nonexistent/template\n", encoding="utf-8")
    result = runner.invoke(cli.app, ["versions", str(tmp_path)])
    assert result.exit_code == 1
    assert "Template /nonexistent/template, recorded in .copier-answers.yml, does not exist" in result.stderr


def test_versions_corrupt_answers(tmp_path: Path, template_bundle: Path) -> None:
    (tmp_path / ".copier-answers.yml").write_text("- not a mapping\n", encoding="utf-8")
    result = runner.invoke(cli.app, ["versions", str(tmp_path)])
    assert result.exit_code == 1
    assert "is corrupt" in result.stderr


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["new", "--help"]])
def test_fast_paths_import_no_heavy_library(args: list[str]) -> None:
    probe = (
        "import sys\n"
        "from mlscaffold.cli import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'copier', 'jinja2', 'requests', 'ruamel', 'plumbum'}\n"
        "print('HEAVY', sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out
