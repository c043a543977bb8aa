"""Worlds for check tests: the good repository, built once and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.check_repos import good_files, make_repo


@pytest.fixture(scope="session")
def good_repo_template(newest_version: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a committed repository that passes every rule (copy it with `good_repo`)."""
    return make_repo(tmp_path_factory.mktemp("check") / "good", dict(good_files(newest_version)))


@pytest.fixture
def good_repo(good_repo_template: Path, tmp_path: Path) -> Path:
    """Return a private copy of the good repository."""
    target = tmp_path / "repo"
    shutil.copytree(good_repo_template, target, symlinks=True)
    return target
