"""`mlscaffold upgrade` through the CLI: each case of the merge, flags, refusals and exit codes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlscaffold import git as git_module
from mlscaffold import gitapply, merge
from mlscaffold.answers_file import read_project_answers
from mlscaffold.errors import MlscaffoldError

from support.cli_calls import commit_all, one_error_line, read, upgrade
from support.git_worlds import git
from support.upgrade_template import LOGO, ProjectAt, snapshot


def test_clean_upgrade_applies_every_template_change(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    result = upgrade(project)
    assert result.exit_code == 0, result.output
    assert "Run the thing with care." in read(project, "README.md")
    assert "learning_rate: 0.1" in read(project, "params.yaml")
    assert "def three()" in read(project, "src/demo_app/core.py")
    assert not (project / "src/demo_app/old_name.py").exists()
    assert read(project, "src/demo_app/new_name.py").startswith("# helpers, renamed")
    assert not (project / "docs/obsolete.md").exists()
    assert (project / "assets/logo.bin").read_bytes() == LOGO["v1.1.0"]
    assert read(project, "CONTRIBUTING.md") == "Keep coverage above 80%.\n"
    assert read(project, "local.toml") == "threads = 1\n"  # _skip_if_exists: the user owns it
    assert "@v1.2.0" in read(project, ".github/workflows/ci.yml")
    recorded = read_project_answers(project)
    assert recorded is not None
    assert recorded.commit == "v1.2.0"
    assert recorded.answers["coverage"] == 80
    assert "legacy_flag" not in recorded.answers
    assert "Answers no longer asked, dropped: legacy_flag" in result.stdout
    assert "New questions answered: coverage=80" in result.stdout
    # Staged and ready to review; nothing left unstaged, nothing committed.
    assert git("diff", "--name-only", cwd=project) == ""
    assert git("rev-list", "--count", "HEAD", cwd=project) == "1"
    assert upgrade(project, "--check").exit_code == 0


def test_user_edits_survive_clean_merges(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    readme = read(project, "README.md").replace("Nothing yet.", "Our own notes.\nMore notes.")
    (project / "README.md").write_text(readme, encoding="utf-8")
    params = read(project, "params.yaml").replace("max_depth: 5", "max_depth: 9  # tuned by us")
    (project / "params.yaml").write_text(params, encoding="utf-8")
    old = read(project, "src/demo_app/old_name.py") + "\n\ndef ours():\n    return 'ours'\n"
    (project / "src/demo_app/old_name.py").write_text(old, encoding="utf-8")
    (project / "src/demo_app/mine.py").write_text("MINE = 1\n", encoding="utf-8")
    (project / "docs/obsolete.md").unlink()
    (project / "assets/logo.bin").write_bytes(b"\x00user logo")
    commit_all(project)

    result = upgrade(project, "--to", "v1.1.0")
    assert result.exit_code == 3, result.output  # the binary logo changed on both sides
    readme = read(project, "README.md")
    assert "Our own notes.\nMore notes." in readme and "Run the thing with care." in readme
    params = read(project, "params.yaml")
    assert "max_depth: 9  # tuned by us" in params and "n_estimators: 200" in params
    renamed = read(project, "src/demo_app/new_name.py")
    assert "def ours():" in renamed and renamed.startswith("# helpers, renamed")
    assert read(project, "src/demo_app/mine.py") == "MINE = 1\n"
    assert (project / "assets/logo.bin").read_bytes() == b"\x00user logo"
    assert "assets/logo.bin: both changed this binary file: yours is kept" in result.stdout
    assert "refs/mlscaffold/template:assets/logo.bin" in result.stdout
    template_logo = subprocess.run(
        ["git", "cat-file", "blob", "refs/mlscaffold/template:assets/logo.bin"],
        cwd=project,
        capture_output=True,
        check=True,
    ).stdout
    assert template_logo == LOGO["v1.1.0"]


def test_text_conflict_is_listed_and_keeps_both_sides(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    readme = read(project, "README.md").replace("Run the thing.", "Run the thing our way.")
    (project / "README.md").write_text(readme, encoding="utf-8")
    commit_all(project)
    result = upgrade(project, "--to", "v1.1.0", "--report", str(project.parent / "report.json"))
    assert result.exit_code == 3
    text = read(project, "README.md")
    assert (
        "<<<<<<< yours\nRun the thing our way.\n=======\nRun the thing with care.\n>>>>>>> template-v1.1.0"
        in text
    )
    report = json.loads((project.parent / "report.json").read_text(encoding="utf-8"))
    assert report["conflicts"] == ["README.md"]
    assert report["conflict_details"][0]["kind"] == "content"
    assert "README.md" in git("diff", "--name-only", cwd=project)  # left unstaged for the user
    assert "Resolve the conflicts" in result.stdout


def test_user_deleted_file_stays_deleted_even_when_template_changed_it(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    (project / "params.yaml").unlink()
    (project / "README.md").unlink()
    commit_all(project)
    result = upgrade(project, "--to", "v1.1.0")
    assert result.exit_code == 0, result.output
    assert not (project / "params.yaml").exists()
    assert not (project / "README.md").exists()
    assert "Kept as you have them:\n  README.md\n  local.toml\n  params.yaml" in result.stdout


def test_edit_to_file_the_template_deleted_is_a_conflict(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    (project / "docs/obsolete.md").write_text("# Obsolete\n\nBut we still need it.\n", encoding="utf-8")
    commit_all(project)
    result = upgrade(project, "--to", "v1.1.0")
    assert result.exit_code == 3
    assert read(project, "docs/obsolete.md") == "# Obsolete\n\nBut we still need it.\n"
    assert "docs/obsolete.md: the template deleted it and you changed it" in result.stdout


def test_same_new_file_added_by_both_is_a_conflict(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    (project / "CONTRIBUTING.md").write_text("Our contributing guide.\n", encoding="utf-8")
    commit_all(project)
    result = upgrade(project, "--to", "v1.1.0")
    assert result.exit_code == 3
    assert "Our contributing guide." in read(project, "CONTRIBUTING.md")
    assert "CONTRIBUTING.md: you and the template both added it" in result.stdout


def test_user_workflow_refs_move_and_nothing_else_changes(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    custom = (
        "# Our own pipeline: keep this comment.\n"
        "name:   nightly   # odd spacing\n"
        "on:\n  schedule:\n    - cron: '0 3 * * *'\n"
        "permissions: {}\n"
        "jobs:\n"
        "    nightly:\n"
        "        uses: 'mlscaffold/mlscaffold/.github/workflows/train.yml@v1.0.0'   # pinned\n"
        "        with: {epochs: 3}\n"
        "    other:\n"
        "        uses: someone/else/.github/workflows/x.yml@v1.0.0\n"
    )
    (project / ".github/workflows/nightly.yml").write_text(custom, encoding="utf-8")
    commit_all(project)
    assert upgrade(project, "--to", "v1.1.0").exit_code == 0
    expected = custom.replace("train.yml@v1.0.0", "train.yml@v1.1.0")
    assert read(project, ".github/workflows/nightly.yml") == expected


def test_new_question_takes_data_and_is_validated(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    result = upgrade(project, "--data", "coverage=95")
    assert result.exit_code == 0, result.output
    assert read(project, "CONTRIBUTING.md") == "Keep coverage above 95%.\n"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--data", "coverage=150"], 1, "coverage is a percentage"),
        (["--data", "colour=red"], 1, "asks no question named colour"),
        (["--data", "novalue"], 2, "--data takes KEY=VALUE"),
        (["--to", "v9.0.0"], 1, "v9.0.0 is not available"),
        (["--to", "v1"], 1, "v1 is not available"),
    ],
)
def test_bad_options_change_nothing(project_at: ProjectAt, args: list[str], code: int, message: str) -> None:
    project = project_at("v1.0.0")
    before = snapshot(project)
    result = upgrade(project, *args)
    assert result.exit_code == code
    assert message in one_error_line(result)
    assert snapshot(project) == before


def test_downgrade_refused(project_at: ProjectAt) -> None:
    project = project_at("v1.2.0")
    before = snapshot(project)
    result = upgrade(project, "--to", "v1.0.0")
    assert result.exit_code == 1
    assert "upgrade never goes back" in one_error_line(result)
    assert snapshot(project) == before


def test_current_project_is_left_alone(project_at: ProjectAt) -> None:
    project = project_at("v1.2.0")
    before = snapshot(project)
    result = upgrade(project)
    assert result.exit_code == 0
    assert "already on the newest template version, v1.2.0" in result.stdout
    assert snapshot(project) == before
    assert upgrade(project, "--check").exit_code == 0


def test_check_reports_available_upgrade_without_rendering(
    project_at: ProjectAt, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_at("v1.0.0")
    monkeypatch.setattr("mlscaffold.upgrade.render_template", None)  # --check must not render
    result = upgrade(project, "--check")
    assert result.exit_code == 3
    assert "is on template v1.0.0; v1.2.0 is available" in result.stdout


@pytest.mark.parametrize("change", ["modified", "untracked", "staged"])
def test_dirty_tree_refused_and_unchanged(project_at: ProjectAt, change: str) -> None:
    project = project_at("v1.0.0")
    if change == "modified":
        (project / "README.md").write_text("wip\n", encoding="utf-8")
    elif change == "untracked":
        (project / "scratch.txt").write_text("wip\n", encoding="utf-8")
    else:
        (project / "scratch.txt").write_text("wip\n", encoding="utf-8")
        git("add", "scratch.txt", cwd=project)
    before = snapshot(project)
    result = upgrade(project)
    assert result.exit_code == 1
    assert "has uncommitted changes" in one_error_line(result)
    assert snapshot(project) == before


def test_dry_run_changes_nothing_and_equals_real_run(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    readme = read(project, "README.md").replace("Run the thing.", "Run the thing our way.")
    (project / "README.md").write_text(readme, encoding="utf-8")
    (project / "notes.txt").write_text("ours\n", encoding="utf-8")
    commit_all(project)
    before = snapshot(project)
    dry = upgrade(project, "--dry-run")
    assert dry.exit_code == 3  # the same exit as the real run: a conflict would remain
    assert snapshot(project) == before
    assert "Would upgrade" in dry.stderr
    assert dry.stdout.startswith("diff --git ")
    real = upgrade(project)
    assert real.exit_code == 3
    assert git("diff", "-M", "HEAD", cwd=project) + "\n" == dry.stdout


def test_commit_flag_commits_clean_upgrade(project_at: ProjectAt) -> None:
    project = project_at("v1.1.0")
    result = upgrade(project, "--commit")
    assert result.exit_code == 0, result.output
    assert (
        git("log", "-1", "--format=%s", cwd=project) == "Upgrade the mlscaffold template from v1.1.0 to v1.2.0"
    )
    assert git("status", "--porcelain", cwd=project) == ""


def test_commit_flag_with_conflicts_does_not_commit(project_at: ProjectAt) -> None:
    project = project_at("v1.1.0")
    (project / "README.md").write_text("# totally ours\n", encoding="utf-8")
    commit_all(project)
    result = upgrade(project, "--commit")
    assert result.exit_code == 3
    assert git("rev-list", "--count", "HEAD", cwd=project) == "2"


def test_interrupt_mid_merge_leaves_everything_unchanged(
    project_at: ProjectAt, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_at("v1.0.0")
    before = snapshot(project)
    real = merge.merge_template_change

    def merge_then_interrupt(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr("mlscaffold.upgrade.merge_template_change", merge_then_interrupt)
    result = upgrade(project)
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert snapshot(project) == before


def test_real_sigint_mid_render_leaves_everything_unchanged(project_at: ProjectAt) -> None:
    project = project_at("v1.0.0")
    before = snapshot(project)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlscaffold", "upgrade", str(project)],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("Rendering template v1.2.0"):
            proc.send_signal(signal.SIGINT)
            break
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 130, rest
    assert "interrupted: nothing was changed" in rest
    assert snapshot(project) == before


def test_failure_while_writing_back_leaves_everything_unchanged(
    project_at: ProjectAt, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_at("v1.0.0")
    before = snapshot(project)
    real = git_module.run_git

    def failing_ref_update(args: list[str], *rest: Any, **kwargs: Any) -> Any:
        # The work tree has been written by then: the failure must undo it.
        if args[0] == "update-ref" and args[1] == "refs/mlscaffold/template" and len(args) == 4:
            raise MlscaffoldError("disk full: free some space and run the upgrade again.")
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(gitapply, "run_git", failing_ref_update)
    result = upgrade(project)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert "disk full" in line and "the upgrade was undone: nothing was changed" in line
    # Objects may have arrived (unreferenced, as any failed git command leaves); nothing else changed.
    assert {k: v for k, v in snapshot(project).items() if not k.startswith(".git/objects/")} == {
        k: v for k, v in before.items() if not k.startswith(".git/objects/")
    }
    fsck = subprocess.run(["git", "fsck", "--full"], cwd=project, capture_output=True, check=False)
    assert fsck.returncode == 0, fsck.stderr


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no-git", "is not a git repository"),
        ("no-answers", "was not made by mlscaffold"),
        ("foreign", "Template /nonexistent/template, recorded in .copier-answers.yml, does not exist"),
        ("unreachable", "Cannot reach template git+http://127.0.0.1:9/template.git ("),
        ("corrupt", "is corrupt"),
        ("no-commit", "records no template version"),
        ("subdir", "run upgrade at the repository's top"),
        ("unshipped", "which this mlscaffold does not ship"),
    ],
)
def test_not_an_upgradable_project(project_at: ProjectAt, tmp_path: Path, setup: str, message: str) -> None:
    project = project_at("v1.0.0")
    answers = project / ".copier-answers.yml"
    target = project
    if setup == "no-git":
        target = tmp_path / "plain"
        target.mkdir()
    elif setup == "no-answers":
        answers.unlink()
    elif setup == "foreign":
        answers.write_text("_src_path: /nonexistent/template\n_commit: v1.0.0\n", encoding="utf-8")
    elif setup == "unreachable":
        # A loopback port nothing listens on: refused at once, never the internet.
        unreachable = "_src_path: git+http://127.0.0.1:9/template.git\n_commit: v1.0.0\n"
        answers.write_text(unreachable, encoding="utf-8")
    elif setup == "corrupt":
        answers.write_text("[not, a, mapping]\n", encoding="utf-8")
    elif setup == "no-commit":
        answers.write_text(
            read(project, ".copier-answers.yml").replace("_commit: v1.0.0\n", ""), encoding="utf-8"
        )
    elif setup == "subdir":
        target = project / "src"
    elif setup == "unshipped":
        answers.write_text(read(project, ".copier-answers.yml").replace("v1.0.0", "v0.0.9"), encoding="utf-8")
    result = upgrade(target)
    assert result.exit_code == 1
    assert message in one_error_line(result)
