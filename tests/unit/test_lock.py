"""Locking a new project with uv: outcomes are reported, never raised."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mlscaffold import lock

PYPROJECT = (
    '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = ["{dep}"]\n'
)


def project(tmp_path: Path, dep: str = "not-a-real-package-mlscaffold-test") -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(dep=dep), encoding="utf-8")
    return tmp_path


@pytest.fixture
def offline_uv(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path_factory.mktemp("empty-uv-cache")))


def test_lock_project_without_pyproject_is_skipped(tmp_path: Path) -> None:
    outcome = lock.lock_project(tmp_path)
    assert (outcome.status, outcome.locked) == ("skipped", False)


@pytest.mark.usefixtures("offline_uv")
def test_lock_project_offline_fails_with_uvs_reason(tmp_path: Path) -> None:
    outcome = lock.lock_project(project(tmp_path))
    assert outcome.status == "failed"
    assert outcome.detail.startswith("No solution found when resolving dependencies: ")
    assert "not-a-real-package-mlscaffold-test was not found in the cache" in outcome.detail
    assert not (tmp_path / "uv.lock").exists()


@pytest.mark.usefixtures("offline_uv")
def test_lock_project_with_no_dependencies_locks_offline(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = []\n',
        encoding="utf-8",
    )
    assert lock.lock_project(tmp_path).locked
    assert 'name = "demo"' in (tmp_path / "uv.lock").read_text(encoding="utf-8")


def test_lock_project_reports_a_timeout(tmp_path: Path) -> None:
    outcome = lock.lock_project(project(tmp_path), timeout=0.001)
    assert outcome.status == "failed" and "longer than" in outcome.detail


def test_lock_project_without_uv_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock, "find_uv", lambda: None)
    assert lock.lock_project(project(tmp_path)) == lock.LockOutcome("failed", "uv is not installed")


def test_find_uv_falls_back_to_the_one_beside_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    beside = Path(sys.executable).with_name("uv")
    assert lock.find_uv() == (str(beside) if beside.is_file() else None)
