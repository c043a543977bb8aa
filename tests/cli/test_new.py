"""`mlscaffold new` through the CLI: results, exit codes, messages, and nothing left behind."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from mlscaffold import cli, render
from mlscaffold.answers_file import read_project_answers
from mlscaffold.template import CANONICAL_URL

from support.git_worlds import git, make_git_template

runner = CliRunner()


def invoke(*args: str, input: str | None = None) -> Result:
    return runner.invoke(cli.app, list(args), input=input)


def assert_one_line_error(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    # Anything else on stderr is a progress line, never a stack or a copier dump.
    assert all(line.startswith("Rendering ") for line in lines if line not in errors), result.stderr
    return errors[0]


@pytest.fixture(autouse=True)
def _bundle(template_bundle: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)


def test_new_with_defaults_makes_a_committed_project(tmp_path: Path, newest_version: str) -> None:
    result = invoke("new", "my-project", "--defaults")
    assert result.exit_code == 0, result.output
    project = tmp_path / "my-project"
    recorded = read_project_answers(project)
    assert recorded is not None
    assert (recorded.src_path, recorded.commit) == (CANONICAL_URL, newest_version)
    assert recorded.answers["package_name"] == "my_project"
    assert git("rev-list", "--count", "HEAD", cwd=project) == "1"
    assert git("status", "--porcelain", cwd=project) == ""
    assert git("branch", "--show-current", cwd=project) == "main"
    assert f"Created {project} from the default template {newest_version}." in result.stdout
    assert "Next steps:\n  cd my-project\n" in result.stdout
    assert (
        "  fill in docs/scoping.md with your team before writing model code, then delete its MLS103 line"
        " from pyproject.toml so `mlscaffold check` holds it\n"
    ) in result.stdout
    assert "Rendering the default template" in result.stderr
    # The session's git identity (see conftest) authored the first commit.
    assert git("log", "-1", "--format=%an <%ae>", cwd=project) == "Test User <test@example.com>"


def test_new_prefills_author_from_git_identity(tmp_path: Path) -> None:
    assert invoke("new", "p", "--defaults").exit_code == 0
    answers = read_project_answers(tmp_path / "p")
    assert answers is not None
    assert (answers.answers["author_name"], answers.answers["author_email"]) == (
        "Test User",
        "test@example.com",
    )


def test_new_without_git_identity_commits_as_the_author_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    result = invoke(
        "new", "p", "--defaults", "--data", "author_name=Ada", "--data", "author_email=ada@example.org"
    )
    assert result.exit_code == 0, result.output
    assert git("log", "-1", "--format=%an <%ae>", cwd=tmp_path / "p") == "Ada <ada@example.org>"


def test_new_no_git(tmp_path: Path) -> None:
    result = invoke("new", "p", "--defaults", "--no-git")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "p" / ".git").exists()
    assert (tmp_path / "p" / ".copier-answers.yml").is_file()
    assert "first commit" not in result.stdout


def test_new_data_and_answers_file_combine(tmp_path: Path) -> None:
    (tmp_path / "answers.yml").write_text(
        "_commit: v0.0.1\nproject_name: Fraud Model\nproblem_type: regression\n", encoding="utf-8"
    )
    result = invoke(
        "new", "p", "--defaults", "--answers-file", "answers.yml", "--data", "problem_type=classification"
    )
    assert result.exit_code == 0, result.output
    answers = read_project_answers(tmp_path / "p")
    assert answers is not None
    assert answers.answers["package_name"] == "fraud_model"
    assert answers.answers["problem_type"] == "classification"


def test_new_into_nested_missing_parents(tmp_path: Path) -> None:
    assert invoke("new", "a/b/proj", "--defaults").exit_code == 0
    assert (tmp_path / "a" / "b" / "proj" / "README.md").is_file()


def test_new_into_empty_existing_directory(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert invoke("new", "empty", "--defaults").exit_code == 0
    assert (tmp_path / "empty" / ".git").is_dir()


def test_new_force_into_non_empty_directory_keeps_other_files(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n", encoding="utf-8")
    (target / "README.md").write_text("old\n", encoding="utf-8")
    result = invoke("new", "busy", "--defaults", "--force")
    assert result.exit_code == 0, result.output
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert (target / "README.md").read_text(encoding="utf-8") != "old\n"
    assert git("ls-files", "notes.txt", cwd=target) == ""


def test_new_force_into_existing_repository_does_not_reinit(tmp_path: Path) -> None:
    target = tmp_path / "repo"
    target.mkdir()
    git("init", "-q", cwd=target)
    result = invoke("new", "repo", "--defaults", "--force")
    assert result.exit_code == 0, result.output
    assert git("status", "--porcelain", "--", "README.md", cwd=target) == "?? README.md"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--data", "package_name=class"], 1, "is a Python keyword"),
        (["--data", "colour=blue"], 1, "no question named colour"),
        (["--template", "/nonexistent"], 1, "Template /nonexistent not found"),
        (["--template", "https://example.invalid/t.git"], 1, "Cannot fetch template"),
        (["--vcs-ref", "v99.0.0"], 1, "is not available offline"),
        (["--answers-file", "missing.yml"], 1, "Cannot read answers file"),
        (["--data", "novalue"], 2, "--data takes KEY=VALUE"),
        (["--data", "dvc_remote=s3"], 1, "an s3 remote needs a URL"),
    ],
)
def test_new_rejects_bad_input_and_leaves_nothing(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    result = invoke("new", "proj", "--defaults", *args)
    line = assert_one_line_error(result, code)
    assert message in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_new_corrupt_answers_file(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("a: [1\n", encoding="utf-8")
    line = assert_one_line_error(invoke("new", "proj", "--answers-file", "bad.yml", "--defaults"), 1)
    assert "not valid YAML" in line
    assert not (tmp_path / "proj").exists()


def test_new_refuses_non_empty_directory_and_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("x", encoding="utf-8")
    line = assert_one_line_error(invoke("new", "busy", "--defaults"), 1)
    assert "is not empty" in line and "--force" in line
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_new_refuses_a_file_as_target(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    assert "is not a directory" in assert_one_line_error(invoke("new", "f", "--defaults"), 1)


def test_new_without_terminal_or_defaults_fails_fast_naming_flags(tmp_path: Path) -> None:
    line = assert_one_line_error(invoke("new", "proj"), 1)
    assert "--defaults" in line and "--data KEY=VALUE" in line
    assert not (tmp_path / "proj").exists()


def test_new_asks_on_a_terminal_and_reasks_bad_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mlscaffold.cli._new.is_interactive", lambda: True)
    # project name, package name (bad then good), then Enter for every other default.
    answers = ["Churn Model", "class", "churn", *[""] * 15, "n", "n"]
    result = invoke("new", "proj", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "is a Python keyword" in result.stderr
    recorded = read_project_answers(tmp_path / "proj")
    assert recorded is not None
    assert recorded.answers["package_name"] == "churn"
    assert recorded.answers["kubernetes"] is False


def test_new_interrupted_mid_render_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_render = render.CopierRun.render

    def render_then_interrupt(*args: Any, **kwargs: Any) -> Any:
        real_render(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(render.CopierRun, "render", render_then_interrupt)
    result = invoke("new", "deep/proj", "--defaults")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_git_failure_leaves_existing_empty_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    line = assert_one_line_error(invoke("new", "empty", "--defaults"), 1)
    assert "git is not installed" in line
    assert list((tmp_path / "empty").iterdir()) == []


def test_new_with_foreign_git_template_and_ref(tmp_path: Path) -> None:
    repo = make_git_template(tmp_path / "tpl", {"v1.0.0": "one", "v2.0.0": "two"})
    result = invoke("new", "proj", "--template", str(repo), "--vcs-ref", "v1.0.0", "--defaults")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "proj" / "README.md").read_text(encoding="utf-8") == "one\n"
    assert f"from {repo} v1.0.0" in result.stdout


def test_new_with_foreign_template_unknown_ref(tmp_path: Path) -> None:
    repo = make_git_template(tmp_path / "tpl", {"v1.0.0": "one"})
    line = assert_one_line_error(
        invoke("new", "proj", "--template", str(repo), "--vcs-ref", "v3", "--defaults"), 1
    )
    assert "has no version or ref v3" in line
    assert not (tmp_path / "proj").exists()


def test_new_template_with_tasks_needs_trust(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "copier.yml").write_text("_tasks: ['touch made-by-task']\nname: x\n", encoding="utf-8")
    (tpl / "f.txt").write_text("hello\n", encoding="utf-8")
    line = assert_one_line_error(invoke("new", "proj", "--template", str(tpl), "--defaults"), 1)
    assert "--trust" in line
    assert not (tmp_path / "proj").exists()
    result = invoke("new", "proj", "--template", str(tpl), "--defaults", "--trust", "--no-git")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "proj" / "made-by-task").exists()


# copier's recursive scandir (copier/_tools.py) leaves its iterator open when a
# render fails mid-walk; the ResourceWarning is copier's, not ours.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_new_template_render_error_is_one_line(tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "copier.yml").write_text("name: x\n", encoding="utf-8")
    (tpl / "broken.txt.jinja").write_text("{{ name | no_such_filter }}\n", encoding="utf-8")
    line = assert_one_line_error(invoke("new", "proj", "--template", str(tpl), "--defaults"), 1)
    assert "failed to render" in line
    assert not (tmp_path / "proj").exists()


def test_version_and_help() -> None:
    from mlscaffold import __version__

    assert invoke("--version").stdout == f"mlscaffold {__version__}\n"
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("new", "versions"):
        assert command in result.stdout
    assert invoke().exit_code == 2
    assert invoke("new").exit_code == 2


def test_new_offline_lock_failure_warns_and_still_makes_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLSCAFFOLD_LOCK", "1")
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "empty-uv-cache"))
    result = invoke("new", "p", "--defaults")
    assert result.exit_code == 0, result.output
    assert "Locking dependencies with uv ..." in result.stderr
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning: no uv.lock")]
    # The reason, then the truth about what makes the lock.
    assert len(warning) == 1 and warning[0].startswith("warning: no uv.lock (")  # uv's reason varies
    assert warning[0].endswith(
        "; `make setup` writes it when it first installs the project from the package index"
        " (and installs uv itself if uv is missing): commit uv.lock then."
    )
    assert not (tmp_path / "p" / "uv.lock").exists()
    assert git("status", "--porcelain", cwd=tmp_path / "p") == ""


def test_new_no_lock_does_not_run_uv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSCAFFOLD_LOCK", "1")
    monkeypatch.setattr("mlscaffold.lock.find_uv", lambda: pytest.fail("--no-lock must not look for uv"))
    result = invoke("new", "p", "--defaults", "--no-lock")
    assert result.exit_code == 0, result.output
    assert "Locking" not in result.stderr and "warning" not in result.stderr
