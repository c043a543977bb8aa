"""`mlscaffold upgrade` on repositories that are not pristine: ignored files, stale locks,
a git operation in progress, hooks, conflicts a merge tool must see, pinned refs.

Each test runs the CLI on a real project generated from the small template and checks
that nothing of the user's is overwritten and that what is printed is true.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from hostile.conftest import run_cli
from support.cli_calls import commit_all, one_error_line, read, upgrade
from support.git_worlds import git
from support.upgrade_template import ProjectAt, snapshot


def state(project: Path) -> dict[str, str]:
    """Return the repository's state an upgrade may change: every file but git's object store."""
    return {k: v for k, v in snapshot(project).items() if not k.startswith(".git/objects/")}


def test_upgrade_ignored_file_at_added_path_is_kept(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    with (project / ".gitignore").open("a", encoding="utf-8") as handle:
        handle.write("CONTRIBUTING.md\n")
    commit_all(project)
    (project / "CONTRIBUTING.md").write_text("our private draft\n", encoding="utf-8")
    result = upgrade(project, "--to", "v1.1.0")
    assert result.exit_code == 3, result.output
    assert read(project, "CONTRIBUTING.md") == "our private draft\n"
    assert read(project, "CONTRIBUTING.md.mlscaffold-new") == "Keep coverage above 80%.\n"
    assert "CONTRIBUTING.md: " in result.stdout
    assert "CONTRIBUTING.md.mlscaffold-new" in result.stdout


def test_upgrade_conflict_is_unmerged_in_the_index(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    readme = read(project, "README.md").replace("Run the thing.", "Run the thing our way.")
    (project / "README.md").write_text(readme, encoding="utf-8")
    commit_all(project)
    result = upgrade(project, "--to", "v1.1.0")
    assert result.exit_code == 3, result.output
    assert "UU README.md" in git("status", "--porcelain", cwd=project).splitlines()
    stages = sorted(line.split()[2] for line in git("ls-files", "-u", "README.md", cwd=project).splitlines())
    assert stages == ["1", "2", "3"]
    assert "<<<<<<< yours" in read(project, "README.md")
    assert "git mergetool" in result.stdout
    # The rest of the upgrade is staged as usual.
    assert "params.yaml" in git("diff", "--cached", "--name-only", cwd=project)


def test_upgrade_stale_index_lock_refused_before_writing(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    (project / ".git/index.lock").write_bytes(b"")
    before = snapshot(project)
    result = upgrade(project)
    assert result.exit_code == 1
    assert str(project / ".git" / "index.lock") in one_error_line(result)
    assert snapshot(project) == before


def test_upgrade_report_in_missing_directory_refused_before_writing(
    project_at: ProjectAt, tmp_path: Path
) -> None:
    project = project_at("v1.0.0")
    before = snapshot(project)
    result = upgrade(project, "--report", str(tmp_path / "missing" / "report.json"))
    assert result.exit_code == 1
    assert "missing" in one_error_line(result)
    assert snapshot(project) == before


def test_upgrade_dirty_message_names_whole_paths(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    (project / "README.md").write_text("wip\n", encoding="utf-8")
    result = upgrade(project)
    assert result.exit_code == 1
    assert "(README.md)" in one_error_line(result)


def _merge_in_progress(project: Path) -> None:
    git("checkout", "-qb", "side", cwd=project)
    git("commit", "-q", "--allow-empty", "-m", "side", cwd=project)
    git("checkout", "-q", "-", cwd=project)
    git("commit", "-q", "--allow-empty", "-m", "main", cwd=project)
    git("merge", "--no-ff", "--no-commit", "side", cwd=project)


def _rebase_in_progress(project: Path) -> None:
    git("commit", "-q", "--allow-empty", "-m", "one", cwd=project)
    subprocess.run(
        ["git", "rebase", "-q", "-i", "--keep-empty", "HEAD~1"],
        cwd=project,
        env={**os.environ, "GIT_SEQUENCE_EDITOR": "sed -i s/^pick/edit/"},
        check=True,
        capture_output=True,
    )


def _bisect_in_progress(project: Path) -> None:
    git("bisect", "start", cwd=project)


@pytest.mark.parametrize(
    ("setup", "operation"),
    [(_merge_in_progress, "merge"), (_rebase_in_progress, "rebase"), (_bisect_in_progress, "bisect")],
)
def test_upgrade_commit_refused_during_git_operation(
    project_at: ProjectAt, setup: Callable[[Path], None], operation: str
) -> None:
    project = project_at("v1.0.0")
    setup(project)
    before = state(project)
    result = upgrade(project, "--commit")
    assert result.exit_code == 1, result.output
    assert f"a {operation} is in progress" in one_error_line(result)
    assert state(project) == before


def _hook(project: Path, body: str) -> None:
    hook = project / ".git/hooks/pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    hook.chmod(0o755)


def test_upgrade_commit_runs_hooks(project_at: ProjectAt) -> None:
    project = project_at("v1.1.0")
    _hook(project, f"touch '{project.parent / 'hook-ran'}'\n")
    result = upgrade(project, "--commit")
    assert result.exit_code == 0, result.output
    assert (project.parent / "hook-ran").exists()
    assert git("status", "--porcelain", cwd=project) == ""


def test_upgrade_commit_no_verify_skips_hooks(project_at: ProjectAt) -> None:
    project = project_at("v1.1.0")
    _hook(project, "exit 1\n")
    result = upgrade(project, "--commit", "--no-verify")
    assert result.exit_code == 0, result.output
    assert git("log", "-1", "--format=%s", cwd=project).startswith("Upgrade the mlscaffold template")


def test_upgrade_commit_failing_hook_leaves_repository_as_before(project_at: ProjectAt) -> None:
    project = project_at("v1.1.0")
    _hook(project, "echo 'lint failed' >&2\nexit 1\n")
    before = state(project)
    result = upgrade(project, "--commit")
    assert result.exit_code == 1, result.output
    line = one_error_line(result)
    assert "lint failed" in line
    assert "nothing was changed" in line
    assert state(project) == before
    fsck = subprocess.run(["git", "fsck", "--full"], cwd=project, capture_output=True, check=False)
    assert fsck.returncode == 0, fsck.stderr


def test_upgrade_commit_without_identity_uses_fallback(
    project_at: ProjectAt, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_at("v1.1.0")
    bare_home = tmp_path / "home"
    bare_home.mkdir()
    monkeypatch.setenv("HOME", str(bare_home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(bare_home / ".gitconfig"))
    result = upgrade(project, "--commit")
    assert result.exit_code == 0, result.output
    author = subprocess.run(
        ["git", "log", "-1", "--format=%an <%ae>"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert author == "mlscaffold <mlscaffold@users.noreply.github.com>"


def test_upgrade_commit_signing_failure_leaves_repository_as_before(project_at: ProjectAt) -> None:
    project = project_at("v1.1.0")
    git("config", "commit.gpgsign", "true", cwd=project)
    git("config", "gpg.program", "false", cwd=project)
    before = state(project)
    result = upgrade(project, "--commit")
    assert result.exit_code == 1, result.output
    line = one_error_line(result)
    assert "git commit failed" in line and "nothing was changed" in line
    assert state(project) == before


def test_upgrade_rename_onto_existing_file_is_a_conflict(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    old = read(project, "src/demo_app/old_name.py")
    (project / "src/demo_app/new_name.py").write_text("USER = 1\n", encoding="utf-8")
    commit_all(project)
    result = upgrade(project, "--to", "v1.1.0")
    assert result.exit_code == 3, result.output
    assert read(project, "src/demo_app/new_name.py") == "USER = 1\n"
    assert read(project, "src/demo_app/old_name.py") == old
    assert (
        "src/demo_app/new_name.py: the template renames src/demo_app/old_name.py to this path, "
        "which you already have" in result.stdout
    )


def test_upgrade_rename_of_file_the_user_moved_is_a_conflict(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    git("mv", "src/demo_app/old_name.py", "src/demo_app/helpers.py", cwd=project)
    commit_all(project)
    result = upgrade(project, "--to", "v1.1.0")
    assert result.exit_code == 3, result.output
    assert (project / "src/demo_app/helpers.py").is_file()
    assert not (project / "src/demo_app/new_name.py").exists()
    assert "you moved or deleted src/demo_app/old_name.py" in result.stdout
    assert "refs/mlscaffold/template:src/demo_app/new_name.py" in result.stdout


def test_upgrade_moves_only_refs_at_the_old_version(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    sha = "0123456789abcdef0123456789abcdef01234567"
    workflow = (
        "on: push\n"
        "permissions: {}\n"
        "jobs:\n"
        "  a:\n"
        "    uses: mlscaffold/mlscaffold/.github/workflows/ci.yml@v1.0.0\n"
        "  b:\n"
        f"    uses: mlscaffold/mlscaffold/.github/workflows/ci.yml@{sha} # v1.0.0\n"
        "  c:\n"
        "    uses: mlscaffold/mlscaffold/.github/workflows/ci.yml@main\n"
        "  d:\n"
        "    uses: mlscaffold/mlscaffold/.github/workflows/ci.yml@v0.9.0\n"
    )
    (project / ".github/workflows/ours.yml").write_text(workflow, encoding="utf-8")
    commit_all(project)
    result = upgrade(project, "--to", "v1.1.0")
    assert result.exit_code == 0, result.output
    expected = workflow.replace("ci.yml@v1.0.0\n", "ci.yml@v1.1.0\n")
    assert read(project, ".github/workflows/ours.yml") == expected
    assert "Left as you pinned them" in result.stdout
    for ref in (sha, "main", "v0.9.0"):
        assert (
            f".github/workflows/ours.yml: mlscaffold/mlscaffold/.github/workflows/ci.yml@{ref}" in result.stdout
        )


def test_upgrade_recorded_invalid_answer_fixed_with_data(project_at: ProjectAt) -> None:
    project = project_at("v1.1.0")
    answers = project / ".copier-answers.yml"
    answers.write_text(
        read(project, ".copier-answers.yml").replace("coverage: 80", "coverage: 150"), encoding="utf-8"
    )
    commit_all(project)
    refused = upgrade(project)
    assert refused.exit_code == 1
    assert "--data coverage=VALUE" in one_error_line(refused)
    result = upgrade(project, "--data", "coverage=90")
    assert result.exit_code == 0, result.output
    assert "coverage: 90" in read(project, ".copier-answers.yml")


@pytest.mark.parametrize("outcome", ["conflict", "failed-commit"])
def test_upgrade_leaves_no_temporary_directory(project_at: ProjectAt, tmp_path: Path, outcome: str) -> None:
    project = project_at("v1.1.0")
    if outcome == "conflict":
        (project / "README.md").write_text("# totally ours\n", encoding="utf-8")
        commit_all(project)
    else:
        _hook(project, "exit 1\n")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    result = run_cli("upgrade", str(project), "--commit", cwd=tmp_path, env={"TMPDIR": str(tmpdir)})
    assert result.returncode == (3 if outcome == "conflict" else 1), result.stderr
    assert list(tmpdir.iterdir()) == []
    assert not list((project / ".git").glob("mlscaffold-*"))
    assert not (project / ".git" / "index.lock").exists()
