"""Hostile YAML: alias bombs, huge files, deep nesting and endless files end in one line, fast.

Each case runs the real CLI in a process with a time limit and an address-space limit, so
a regression shows up as a failed test, not as a machine out of memory.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from hostile.conftest import assert_one_line_error
from support.git_worlds import git

TIMEOUT = 60
MEMORY = 1536 * 1024 * 1024

# "Billion laughs": nine levels of nine aliases, about 4e8 strings once expanded.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)
HUGE = "# padding\n" * 200_000 + "project_name: demo\n"
DEEP = "project_name: " + "[" * 10_000 + "\n"

HOSTILE_TEXTS = {"alias-bomb": ALIAS_BOMB, "over-1MB": HUGE, "10000-brackets": DEEP}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_bounded(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `mlscaffold ARGS` with bounded time and memory (a hang fails the test, not the machine)."""
    return subprocess.run(
        [sys.executable, "-m", "mlscaffold", *args],
        cwd=cwd,
        env=dict(os.environ),
        input="",
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        preexec_fn=_limit_memory,
    )


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=HOSTILE_TEXTS.keys())
def test_answers_file_hostile_yaml_is_one_line(tmp_path: Path, text: str) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text(text, encoding="utf-8")
    result = run_bounded("new", "out", "--defaults", "--answers-file", str(answers), cwd=tmp_path)
    line = assert_one_line_error(result, 1)
    assert "answers.yml" in line
    assert not (tmp_path / "out").exists()


def test_answers_file_dev_zero_is_one_line(tmp_path: Path) -> None:
    result = run_bounded("new", "out", "--defaults", "--answers-file", "/dev/zero", cwd=tmp_path)
    line = assert_one_line_error(result, 1)
    assert "not a regular file" in line


def test_answers_file_fifo_is_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "answers.fifo"
    os.mkfifo(fifo)
    result = run_bounded("new", "out", "--defaults", "--answers-file", str(fifo), cwd=tmp_path)
    line = assert_one_line_error(result, 1)
    assert "not a regular file" in line


def _foreign_template(root: Path, copier_yml: str) -> Path:
    (root / "template").mkdir(parents=True)
    (root / "copier.yml").write_text(copier_yml, encoding="utf-8")
    (root / "template" / "README.md").write_text("hello\n", encoding="utf-8")
    git("init", "-q", "-b", "main", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-qm", "v1", cwd=root)
    git("tag", "v1.0.0", cwd=root)
    return root


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=HOSTILE_TEXTS.keys())
def test_template_copier_yml_hostile_yaml_is_one_line(tmp_path: Path, text: str) -> None:
    # The bomb comes after `_subdirectory`: copier (PyYAML) would read it all if it were asked.
    template = _foreign_template(tmp_path / "tpl", "_subdirectory: template\n" + text)
    result = run_bounded("new", "out", "--defaults", "--template", str(template), cwd=tmp_path)
    line = assert_one_line_error(result, 1)
    assert "copier.yml" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=HOSTILE_TEXTS.keys())
def test_project_answers_hostile_yaml_upgrade_is_one_line(generated_project: Path, text: str) -> None:
    (generated_project / ".copier-answers.yml").write_text(text, encoding="utf-8")
    git("commit", "-qam", "hostile answers", cwd=generated_project)
    result = run_bounded("upgrade", cwd=generated_project)
    line = assert_one_line_error(result, 1)
    assert ".copier-answers.yml" in line


def test_check_workflow_alias_bomb_finishes(generated_project: Path) -> None:
    (generated_project / ".github" / "workflows" / "bomb.yml").write_text(
        "on: push\n" + ALIAS_BOMB + "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n",
        encoding="utf-8",
    )
    result = run_bounded("check", ".", cwd=generated_project)
    # A workflow that cannot be read is a failed rule (exit 3), as for any unparseable YAML.
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert "bomb.yml" in result.stdout


def test_template_included_yaml_bomb_is_one_line(tmp_path: Path) -> None:
    # copier follows `!include` with PyYAML and no limits: mlscaffold reads the file first.
    template = _foreign_template(
        tmp_path / "tpl", "_subdirectory: template\nproject_name:\n  default: !include bomb.yml\n"
    )
    (template / "bomb.yml").write_text(ALIAS_BOMB, encoding="utf-8")
    git("add", "-A", cwd=template)
    git("commit", "-qm", "bomb", cwd=template)
    git("tag", "v1.0.1", cwd=template)
    result = run_bounded("new", "out", "--defaults", "--template", str(template), cwd=tmp_path)
    line = assert_one_line_error(result, 1)
    assert "bomb.yml" in line
    assert not (tmp_path / "out").exists()
