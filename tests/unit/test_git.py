"""The git module: errors, identity fallback and work-tree predicates."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlscaffold import git
from mlscaffold.errors import GitError, GitNotFoundError


def test_missing_git_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GitNotFoundError, match="install git, or pass --no-git"):
        git.run_git(["--version"])


def test_failed_command_reports_git_last_line(tmp_path: Path) -> None:
    with pytest.raises(GitError, match=r"git rev-parse failed in .*: fatal: not a git repository"):
        git.run_git(["rev-parse", "HEAD"], tmp_path)


def test_predicates_on_a_fresh_repository(tmp_path: Path) -> None:
    assert not git.is_work_tree(tmp_path / "missing")
    assert not git.is_work_tree(tmp_path)
    git.init_repository(tmp_path)
    assert git.is_work_tree(tmp_path)
    assert git.top_level(tmp_path) == tmp_path.resolve()
    assert not git.has_commits(tmp_path)
    (tmp_path / "f.txt").write_text("x\n", encoding="utf-8")
    commit = git.commit_all(tmp_path, "first")
    assert len(commit) == 40
    assert git.has_commits(tmp_path)
    assert git.git_text(["status", "--porcelain"], tmp_path) == ""


def test_identity_env_fills_only_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git.init_repository(tmp_path)
    assert git.identity_env(tmp_path, "Ada", "ada@example.org") == {}
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    env = git.identity_env(tmp_path, None, None)
    assert env["GIT_AUTHOR_NAME"] == git.FALLBACK_IDENTITY[0]
    assert env["GIT_COMMITTER_EMAIL"] == git.FALLBACK_IDENTITY[1]
    assert git.config_value("user.name", tmp_path) is None


def test_identity_env_reads_each_key_as_git_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the missing key is filled; a local empty value overrides a global one, as in git."""
    git.init_repository(tmp_path)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    git.run_git(["config", "user.name", "Grace Hopper"], tmp_path)
    assert git.identity_env(tmp_path, "Ada", "ada@example.org") == {
        "GIT_AUTHOR_EMAIL": "ada@example.org",
        "GIT_COMMITTER_EMAIL": "ada@example.org",
    }
    git.run_git(["config", "user.email", "grace@example.org"], tmp_path)
    assert git.identity_env(tmp_path, "Ada", "ada@example.org") == {}
    git.run_git(["config", "--add", "user.email", ""], tmp_path)
    assert git.identity_env(tmp_path, None, "ada@example.org")["GIT_AUTHOR_EMAIL"] == "ada@example.org"
