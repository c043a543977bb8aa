"""Worlds for adopt tests: real repositories no template made.

`uv_package` is what `uv init --package` makes; `ccds_project` what the real
cookiecutter-data-science (`ccds`, its v2.3.0 template vendored in tests/data)
renders; `conflicting_repo` a team's repository with its own README.md,
Makefile, pyproject.toml, .gitignore and Dockerfile. Each is committed, with an
`origin` remote on GitHub, and is private to the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support import real_repos
from support.adopt_repos import CONFLICTING_FILES, LOGO, commit_all
from support.git_worlds import git


@pytest.fixture
def uv_package(tmp_path: Path) -> Path:
    """Return a committed package made by the real `uv init --package`, with a GitHub remote."""
    repo = real_repos.uv_package(tmp_path)
    git("remote", "add", "origin", "git@github.com:acme-ml/plainpkg.git", cwd=repo)
    commit_all(repo)
    return repo


@pytest.fixture
def ccds_project(tmp_path: Path) -> Path:
    """Return a committed cookiecutter-data-science project rendered by the real `ccds`."""
    repo = real_repos.ccds_project(tmp_path)
    git("remote", "add", "origin", "https://github.com/churn-team/churn.git", cwd=repo)
    commit_all(repo)
    return repo


@pytest.fixture
def conflicting_repo(tmp_path: Path) -> Path:
    """Return a team's committed repository whose files the template has too."""
    repo = tmp_path / "fraud-score"
    for relpath, text in CONFLICTING_FILES.items():
        path = repo / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (repo / "assets").mkdir()
    (repo / "assets" / "logo.png").write_bytes(LOGO)
    (repo / "run.sh").write_text("#!/bin/sh\nmake\n", encoding="utf-8")
    (repo / "run.sh").chmod(0o755)
    (repo / "latest").symlink_to("README.md")
    git("init", "-q", "-b", "main", cwd=repo)
    git("remote", "add", "origin", "https://github.com/risk-org/fraud-score.git", cwd=repo)
    commit_all(repo)
    # Ignored files: a local secret and a virtual environment stay as they are.
    (repo / "secrets").mkdir()
    (repo / "secrets" / "key.txt").write_text("s3cret\n", encoding="utf-8")
    return repo
