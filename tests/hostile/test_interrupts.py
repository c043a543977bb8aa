"""Stopping `new` at any moment: exit 130 and one true line, no temporary directory left.

SIGINT (sent to the process group, as a terminal's Ctrl-C is), SIGTERM and SIGHUP
(sent to the process, as `kill` and a closed terminal do) arrive at a spread of
delays over a real run of `python -m mlscaffold new`, whose TMPDIR is a directory
the test owns. After each: exit 130 (or 0 when the run had finished first), that
directory empty, nothing beside the target, and the target absent (or complete), or,
with `--force`, byte for byte as it was.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from hostile.conftest import assert_one_line_error
from hostile.user_trees import snapshot, users_project
from support.interrupted_runs import start, stop, timed_run

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to time signals")

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# Fractions of a full run's duration at which a signal arrives, from the first
# instant mlscaffold handles signals to just past the end.
SPREAD = (0.0, 0.03, 0.08, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 1.05)


def start_new(cwd: Path, tmpdir: Path, *args: str) -> subprocess.Popen[str]:
    """Start `mlscaffold new ARGS` in its own process group; return once it handles signals."""
    return start(["new", *args, "--defaults", "--no-lock"], tmpdir, cwd=cwd)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory, template_bundle: Path) -> float:
    """Return how long an uninterrupted `new` takes here, in seconds."""
    where = tmp_path_factory.mktemp("full-run")
    (where / "tmp").mkdir()
    _, total, result = timed_run(
        ["new", "project", "--defaults", "--no-lock"], where / "tmp", cwd=where, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return total


def _cases(count: int) -> list[tuple[float, signal.Signals]]:
    return [(fraction, SIGNALS[i % len(SIGNALS)]) for i, fraction in enumerate(SPREAD[:count])]


def assert_complete(project: Path) -> None:
    assert (project / ".copier-answers.yml").is_file()
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


def test_new_interrupted_at_any_moment_leaves_nothing(tmp_path: Path, full_run: float) -> None:
    for i, (fraction, number) in enumerate(_cases(len(SPREAD))):
        where, tmpdir = tmp_path / f"run{i}", tmp_path / f"tmp{i}"
        where.mkdir()
        tmpdir.mkdir()
        result = stop(start_new(where, tmpdir, "deep/project"), number, fraction * full_run)
        case = (fraction, number.name, result.returncode, result.stderr)
        assert list(tmpdir.iterdir()) == [], case
        if result.returncode == 0:
            assert_complete(where / "deep" / "project")
            continue
        line = assert_one_line_error(result, 130)
        assert "interrupted" in line, case
        if "the project is complete" in line:  # the signal came as it was being put in place
            assert_complete(where / "deep" / "project")
        else:
            assert "nothing was changed" in line, case
            assert list(where.iterdir()) == [], case  # not even the parent it made


def test_new_force_interrupted_at_any_moment_restores_the_target(tmp_path: Path, full_run: float) -> None:
    for i, (fraction, number) in enumerate(_cases(len(SPREAD))[2::2]):
        where, tmpdir = tmp_path / f"run{i}", tmp_path / f"tmp{i}"
        where.mkdir()
        tmpdir.mkdir()
        users_project(where / "project")
        before = snapshot(where / "project")
        result = stop(start_new(where, tmpdir, "project", "--force"), number, fraction * full_run)
        case = (fraction, number.name, result.returncode, result.stderr)
        assert list(tmpdir.iterdir()) == [], case
        assert [p.name for p in where.iterdir()] == ["project"], case
        if result.returncode == 0:
            assert (where / "project" / ".copier-answers.yml").is_file()
            continue
        line = assert_one_line_error(result, 130)
        if "the project is complete" in line:
            assert (where / "project" / ".copier-answers.yml").is_file()
        else:
            assert "nothing was changed" in line, case
            assert snapshot(where / "project") == before, case
