"""A project upgraded from the oldest released version passes its own test suite."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from mlscaffold.bundle import list_versions
from mlscaffold.cli import app

from support.git_worlds import git, project_env
from support.team_work import generate, runner, work_like_a_team

pytestmark = pytest.mark.slow


def test_project_upgraded_from_the_oldest_version_passes_its_tests(
    template_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    oldest = list_versions(template_bundle)[0]
    project = generate(tmp_path, oldest)
    work_like_a_team(project)
    result = runner.invoke(app, ["upgrade", str(project), "--commit"])
    assert result.exit_code == 0, result.output
    assert git("status", "--porcelain", cwd=project) == ""
    env = project_env()
    for args in (["make", "setup"], ["make", "lint"], ["make", "test"]):
        proc = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"{' '.join(args)}\n{proc.stdout}\n{proc.stderr}"
    passed = re.search(r"(\d+) passed", proc.stdout)
    assert passed and int(passed.group(1)) > 20 and "failed" not in proc.stdout, proc.stdout
    # The team's own test ran too, next to the template's.
    listed = subprocess.run(
        [".venv/bin/python", "-m", "pytest", "--collect-only", "-q"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "tests/test_segments.py::test_vip_threshold" in listed
