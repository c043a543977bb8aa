"""`mlscaffold check` on a hostile repository: it never reads outside the repository, never hangs.

A symlink that leaves the repository (its own target, or a parent directory's) is reported by
the rule that wanted the file and never followed, so nothing of the outside file reaches the
output. FIFOs and huge files are reported, not read. Every case runs `mlscaffold check` as a
real process with a time limit.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hostile.conftest import run_cli
from support.check_repos import commit_all, good_files, make_repo

# Content of the files outside the repository: it must never appear in what check prints.
SECRET = "OUTSIDE-SECRET-4b1e9c"
_UNIQUE_WORKFLOW = f"""\
name: CI
on: push
permissions: {{}}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: {SECRET}/action@main
"""


def _absolute_file(repo: Path, outside: Path) -> str:
    """`dvc.yaml` is a symlink to an absolute path outside the repository."""
    (outside / "dvc.yaml").write_text(f"stages:\n  {SECRET}: {{}}\n", encoding="utf-8")
    (repo / "dvc.yaml").unlink()
    (repo / "dvc.yaml").symlink_to(outside / "dvc.yaml")
    return "MLS202"


def _relative_escape(repo: Path, outside: Path) -> str:
    """`.dvc/config` climbs out with `../..`."""
    (outside / "config").write_text(f"[core]\n    remote = {SECRET}\n", encoding="utf-8")
    (repo / ".dvc" / "config").unlink()
    (repo / ".dvc" / "config").symlink_to(Path("..", "..", outside.name, "config"))
    return "MLS201"  # MLS205, which reads the remote, waits for it


def _directory_link(repo: Path, outside: Path) -> str:
    """`.github` is a symlink to a directory elsewhere."""
    (outside / "github" / "workflows").mkdir(parents=True)
    (outside / "github" / "workflows" / "ci.yml").write_text(_UNIQUE_WORKFLOW, encoding="utf-8")
    shutil.rmtree(repo / ".github")
    (repo / ".github").symlink_to(outside / "github", target_is_directory=True)
    return "MLS501"  # MLS502 and MLS503 wait for it


def _workflow_file(repo: Path, outside: Path) -> str:
    """`.github/workflows/ci.yml` is a symlink to a workflow elsewhere."""
    (outside / "ci.yml").write_text(_UNIQUE_WORKFLOW, encoding="utf-8")
    (repo / ".github" / "workflows" / "ci.yml").unlink()
    (repo / ".github" / "workflows" / "ci.yml").symlink_to(outside / "ci.yml")
    return "MLS501"


def _parent_directory_link(repo: Path, outside: Path) -> str:
    """`docs` is `..`: `docs/scoping.md` is the file next to the repository."""
    (repo.parent / "scoping.md").write_text(f"## Problem {SECRET}\n\nTODO\n", encoding="utf-8")
    shutil.rmtree(repo / "docs")
    (repo / "docs").symlink_to("..", target_is_directory=True)
    return "MLS101"  # MLS102 and MLS103 wait for it


def _answers_file(repo: Path, outside: Path) -> str:
    """`.copier-answers.yml` (read for the template version) points outside."""
    (outside / "answers.yml").write_text(f"_src_path: {SECRET}\n_commit: v0.1.0\n", encoding="utf-8")
    (repo / ".copier-answers.yml").unlink()
    (repo / ".copier-answers.yml").symlink_to(outside / "answers.yml")
    return "MLS701"


ESCAPES: dict[str, Callable[[Path, Path], str]] = {
    "absolute-file": _absolute_file,
    "relative-escape": _relative_escape,
    "workflow-file": _workflow_file,  # before directory-link, which replaces `.github`
    "directory-link": _directory_link,
    "parent-directory-link": _parent_directory_link,
    "answers-file": _answers_file,
}


@pytest.fixture
def hostile_repo(tmp_path: Path, newest_version: str) -> Path:
    """A repository that passes every rule, next to a folder `outside` it must not read."""
    (tmp_path / "outside").mkdir()
    return make_repo(tmp_path / "repo", dict(good_files(newest_version)))


def _check(repo: Path, *, timeout: float = 60) -> tuple[dict[str, dict[str, str]], str]:
    result = run_cli("check", str(repo), "--format", "json", cwd=repo, timeout=timeout)
    output = result.stdout + result.stderr
    assert result.returncode in (0, 3), output  # 0: only a warning (MLS701) was found
    assert "Traceback" not in output
    data = json.loads(result.stdout)
    rules = {rule["id"]: rule for rule in data["results"]}
    return rules, output


@pytest.mark.parametrize("escape", list(ESCAPES), ids=list(ESCAPES))
def test_check_symlink_outside_is_reported_not_followed(hostile_repo: Path, escape: str) -> None:
    rule = ESCAPES[escape](hostile_repo, hostile_repo.parent / "outside")
    commit_all(hostile_repo)
    rules, output = _check(hostile_repo)
    assert SECRET not in output
    assert rules[rule]["status"] in ("failed", "warning"), rules[rule]
    assert "leads outside the repository" in rules[rule]["message"], rules[rule]["message"]
    assert "not followed" in rules[rule]["message"]


def test_check_symlink_outside_in_every_format(hostile_repo: Path) -> None:
    outside = hostile_repo.parent / "outside"
    for escape in ESCAPES.values():
        escape(hostile_repo, outside)
    commit_all(hostile_repo)
    for fmt in ("text", "github", "markdown"):
        result = run_cli("check", str(hostile_repo), "--format", fmt, cwd=hostile_repo, timeout=60)
        assert result.returncode == 3, result.stderr
        assert SECRET not in result.stdout + result.stderr


def test_check_symlink_inside_is_followed(hostile_repo: Path) -> None:
    (hostile_repo / "docker").mkdir()
    (hostile_repo / "Dockerfile").rename(hostile_repo / "docker" / "Dockerfile.serve")
    (hostile_repo / "Dockerfile").symlink_to(Path("docker", "Dockerfile.serve"))
    (hostile_repo / "LICENSE").unlink()  # one failure, so the run exits 3
    commit_all(hostile_repo)
    rules, _ = _check(hostile_repo)
    assert [rules[r]["status"] for r in ("MLS401", "MLS402", "MLS403")] == ["passed"] * 3


def test_check_symlink_loops_are_reported(hostile_repo: Path) -> None:
    (hostile_repo / "Dockerfile").unlink()
    (hostile_repo / "Dockerfile").symlink_to("Dockerfile")
    shutil.rmtree(hostile_repo / ".github" / "workflows")
    (hostile_repo / ".github" / "workflows").symlink_to("../.github/workflows", target_is_directory=True)
    commit_all(hostile_repo)
    rules, _ = _check(hostile_repo)
    assert rules["MLS401"]["message"].startswith("`Dockerfile` is a broken symlink")
    assert rules["MLS501"]["status"] == "failed"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_check_fifo_dockerfile_does_not_hang(hostile_repo: Path) -> None:
    (hostile_repo / "Dockerfile").unlink()
    os.mkfifo(hostile_repo / "Dockerfile")  # a naive read blocks until someone writes
    start = time.monotonic()
    rules, _ = _check(hostile_repo)
    assert time.monotonic() - start < 60
    assert rules["MLS401"]["message"].startswith("`Dockerfile` is not a regular file")


def test_check_huge_file_is_reported_not_read(hostile_repo: Path) -> None:
    with (hostile_repo / "dvc.yaml").open("r+b") as handle:
        handle.truncate(5_000_000_000)  # sparse: 5 GB to a reader, nothing on disk
    rules, _ = _check(hostile_repo)
    assert rules["MLS202"]["message"].startswith("`dvc.yaml` is too large to be a text file")


def test_check_repository_git_config_runs_nothing(hostile_repo: Path, tmp_path: Path) -> None:
    proof = tmp_path / "fsmonitor-ran"
    # git runs core.fsmonitor when it reads the index: a repository handed over as an archive
    # (or a work tree on a shared disk) carries its own .git/config.
    with (hostile_repo / ".git" / "config").open("a", encoding="utf-8") as config:
        config.write(f"[core]\n\tfsmonitor = touch '{proof}'; echo\n")
    rules, _ = _check(hostile_repo)
    assert not proof.exists()
    assert rules["MLS204"]["status"] == "passed"  # the index was still read
