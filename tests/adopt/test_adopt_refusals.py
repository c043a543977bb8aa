"""`mlscaffold adopt` refusing what it must, and hostile repositories.

Each refusal is one line on stderr and exit 1, and leaves the repository
byte-identical, `.git` included. A symlink where the template wants to write
never lets a file land outside the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from mlscaffold import cli
from mlscaffold.answers_file import read_project_answers

from hostile.user_trees import snapshot
from support.adopt_repos import commit_all, user_files
from support.cli_calls import one_error_line
from support.git_worlds import git

runner = CliRunner()


def adopt(repo: Path, *args: str) -> Result:
    return runner.invoke(cli.app, ["adopt", str(repo), *args])


def make_repo(root: Path, files: dict[str, str], name: str = "team-repo") -> Path:
    repo = root / name
    for relpath, text in files.items():
        path = repo / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git("init", "-q", "-b", "main", cwd=repo)
    commit_all(repo)
    return repo


def refused(repo: Path, *args: str, expect: str) -> str:
    """Run adopt, check it is refused with one line holding EXPECT and changed nothing; return the line."""
    before = snapshot(repo) if repo.exists() else None
    result = adopt(repo, *args)
    assert result.exit_code == 1, result.output
    line = one_error_line(result)
    assert expect in line, line
    if before is not None:
        assert snapshot(repo) == before
    return line


def test_adopt_refuses_outside_a_git_repository(tmp_path: Path, template_bundle: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "README.md").write_text("ours\n", encoding="utf-8")
    refused(plain, "--defaults", expect="is not a git repository: run `git init`")
    refused(tmp_path / "missing", "--defaults", expect="is not a directory")


def test_adopt_refuses_a_subdirectory(tmp_path: Path, template_bundle: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": "A = 1\n"})
    refused(repo / "pkg", "--defaults", expect="run adopt at the top of the repository")


@pytest.mark.parametrize("change", ["modified", "untracked", "staged"])
def test_adopt_refuses_a_dirty_tree(tmp_path: Path, template_bundle: Path, change: str) -> None:
    repo = make_repo(tmp_path, {"README.md": "ours\n"})
    if change == "modified":
        (repo / "README.md").write_text("ours, edited\n", encoding="utf-8")
    elif change == "untracked":
        (repo / "draft.md").write_text("draft\n", encoding="utf-8")
    else:
        (repo / "draft.md").write_text("draft\n", encoding="utf-8")
        git("add", "draft.md", cwd=repo)
    line = refused(repo, "--defaults", expect="has uncommitted changes")
    assert "commit or stash them before `mlscaffold adopt`" in line


def test_adopt_refuses_a_repository_without_commits(tmp_path: Path, template_bundle: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    refused(repo, "--defaults", expect="has no commit yet")


def test_adopt_refuses_a_repository_under_a_template_already(
    generated_project: Path, template_bundle: Path
) -> None:
    line = refused(generated_project, "--defaults", expect="has .copier-answers.yml already")
    assert "run `mlscaffold upgrade`" in line


def test_adopt_without_terminal_or_defaults_never_asks(tmp_path: Path, template_bundle: Path) -> None:
    repo = make_repo(tmp_path, {"README.md": "ours\n"})
    line = refused(repo, expect="no terminal to ask on")
    assert "--defaults" in line


def test_adopt_data_wins_over_what_is_read(tmp_path: Path, template_bundle: Path) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": '[project]\nname = "read-name"\n'})
    result = adopt(repo, "--defaults", "--data", "project_name=Given Name", "--data", "package_name=given")
    assert result.exit_code in (0, 3), result.output
    recorded = read_project_answers(repo)
    assert recorded is not None
    assert (recorded.answers["project_name"], recorded.answers["package_name"]) == ("Given Name", "given")
    assert (repo / "src" / "given" / "train.py").is_file()


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--data", "no_such_question=1"], "asks no question named no_such_question"),
        (["--vcs-ref", "v9.9.9"], "v9.9.9 is not available"),
        (["--data", "python_version=2.7"], "Invalid answer for python_version"),
        (["--template", "/nonexistent/template"], "not found"),
    ],
)
def test_adopt_refuses_bad_options(tmp_path: Path, template_bundle: Path, args: list[str], expect: str) -> None:
    repo = make_repo(tmp_path, {"README.md": "ours\n"})
    refused(repo, "--defaults", *args, expect=expect)


def test_adopt_refuses_a_malformed_pyproject(tmp_path: Path, template_bundle: Path) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": '[project\nname = "x"\n'})
    line = refused(repo, "--defaults", expect="pyproject.toml is not valid TOML")
    assert "fix it, then run adopt again" in line


@pytest.mark.parametrize(
    ("name", "expect"),
    [
        ('"../../x"', "'../../x', which is not a valid Python project name"),
        ("'a\"b'", "which is not a valid Python project name"),
        ('"a\\nb"', "not one line of plain text"),
        ('"x; rm -rf ~"', "which is not a valid Python project name"),
        ("42", "gives the project name as int, not text"),
    ],
)
def test_adopt_refuses_a_hostile_project_name(
    tmp_path: Path, template_bundle: Path, name: str, expect: str
) -> None:
    repo = make_repo(tmp_path, {"pyproject.toml": f"[project]\nname = {name}\n"})
    line = refused(repo, "--defaults", expect=expect)
    assert "--data project_name=" in line


def test_adopt_names_where_a_refused_answer_was_read(tmp_path: Path, template_bundle: Path) -> None:
    # A valid PEP 508 name the template refuses (it must start with a letter).
    repo = make_repo(tmp_path, {"pyproject.toml": '[project]\nname = "3d-vision"\n'})
    line = refused(repo, "--defaults", expect="Invalid answer for project_name (read from pyproject.toml)")
    assert "--data project_name=VALUE" in line
    result = adopt(repo, "--defaults", "--data", "project_name=vision-3d")
    assert result.exit_code in (0, 3), result.output


def test_adopt_never_writes_through_a_symlink_out_of_the_repository(
    tmp_path: Path, template_bundle: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("outside\n", encoding="utf-8")
    big = tmp_path / "bigdisk"
    big.mkdir()
    repo = tmp_path / "linked"
    repo.mkdir()
    (repo / ".gitignore").write_text("/data\n", encoding="utf-8")
    (repo / "docs").symlink_to(outside)  # tracked symlink where the template writes docs/*.md
    (repo / "data").symlink_to(big)  # ignored symlink where the template writes data/raw/.gitignore
    (repo / "Makefile").mkdir()  # a directory where the template has a file
    (repo / "Makefile" / "rules.mk").write_text("all:\n", encoding="utf-8")
    (repo / "README.md").write_text("ours\n", encoding="utf-8")
    (repo / "README.md.mlscaffold-new").write_text("a file of ours with that name\n", encoding="utf-8")
    git("init", "-q", "-b", "main", cwd=repo)
    commit_all(repo)
    before, outside_before, big_before = user_files(repo), snapshot(outside), snapshot(big)

    result = adopt(repo, "--defaults")
    assert result.exit_code == 3, result.output
    assert snapshot(outside) == outside_before
    assert snapshot(big) == big_before
    after = user_files(repo)
    assert all(after[k] == v for k, v in before.items())
    out = result.stdout
    assert "docs/scoping.md: not added: docs is a symlink" in out
    assert "data/raw/.gitignore: not added: data is a symlink" in out
    assert "Makefile: not added: Makefile is a directory" in out
    assert "README.md: not added: README.md.mlscaffold-new exists already" in out
    assert "git show refs/mlscaffold/template:docs/scoping.md" in out
    # What was listed is there to see, and the next upgrade knows it.
    assert git("show", "refs/mlscaffold/template:docs/scoping.md", cwd=repo)
    assert runner.invoke(cli.app, ["upgrade", str(repo), "--check"]).exit_code == 0


def test_adopt_on_a_terminal_offers_what_it_read_as_each_default(
    tmp_path: Path, template_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlscaffold.cli import _adopt

    repo = make_repo(tmp_path, {"pyproject.toml": '[project]\nname = "read-name"\n'})
    monkeypatch.setattr(_adopt, "is_interactive", lambda: True)
    # Enter for the project name (the one read), then a package name typed over the default.
    result = runner.invoke(cli.app, ["adopt", str(repo)], input="\ntyped_pkg\n" + "\n" * 40)
    assert result.exit_code in (0, 3), result.output
    assert "[read-name]" in result.output
    recorded = read_project_answers(repo)
    assert recorded is not None
    assert (recorded.answers["project_name"], recorded.answers["package_name"]) == ("read-name", "typed_pkg")


def test_adopt_failure_while_writing_leaves_everything_unchanged(
    tmp_path: Path, template_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    from mlscaffold import git as git_module
    from mlscaffold import gitapply
    from mlscaffold.errors import MlscaffoldError

    repo = make_repo(tmp_path, {"README.md": "ours\n", "Makefile": "all:\n"})
    before = snapshot(repo)
    real = git_module.run_git

    def failing_ref_update(args: list[str], *rest: Any, **kwargs: Any) -> Any:
        # The work tree has been written by then (files added, the template's beside yours): all undone.
        if args[0] == "update-ref" and args[1] == "refs/mlscaffold/template" and len(args) == 4:
            raise MlscaffoldError("disk full: free some space")
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(gitapply, "run_git", failing_ref_update)
    result = adopt(repo, "--defaults")
    assert result.exit_code == 1, result.output
    line = one_error_line(result)
    assert "disk full" in line and "the adoption was undone: nothing was changed" in line
    assert {k: v for k, v in snapshot(repo).items() if not k.startswith(".git/objects/")} == {
        k: v for k, v in before.items() if not k.startswith(".git/objects/")
    }
    fsck = subprocess.run(["git", "fsck", "--full"], cwd=repo, capture_output=True, check=False)
    assert fsck.returncode == 0, fsck.stderr


def foreign_template(root: Path, with_answers_file: bool) -> Path:
    """Return a copier template in its own git repository, tagged v1.0.0 and v1.1.0."""
    root.mkdir()
    (root / "copier.yml").write_text(
        "_subdirectory: template\nproject_name:\n  type: str\n  default: demo\n", encoding="utf-8"
    )
    (root / "template").mkdir()
    if with_answers_file:
        (root / "template" / "{{ _copier_conf.answers_file }}.jinja").write_text(
            "{{ _copier_answers | to_nice_yaml }}", encoding="utf-8"
        )
    git("init", "-q", "-b", "main", cwd=root)
    for tag in ("v1.0.0", "v1.1.0"):
        (root / "template" / "README.md.jinja").write_text(
            f"# {{{{ project_name }}}} {tag}\n", encoding="utf-8"
        )
        (root / "template" / "TEAM.md").write_text(f"team {tag}\n", encoding="utf-8")
        commit_all(root, tag)
        git("tag", tag, cwd=root)
    return root


def test_adopt_records_a_foreign_template_as_new_does(tmp_path: Path, template_bundle: Path) -> None:
    template = foreign_template(tmp_path / "team-template", with_answers_file=True)
    repo = make_repo(tmp_path, {"README.md": "ours\n"}, name="svc")
    result = adopt(repo, "--template", str(template), "--vcs-ref", "v1.0.0", "--defaults")
    assert result.exit_code == 3, result.output
    assert f"into {template} v1.0.0" in result.stdout
    assert (repo / "TEAM.md").read_text(encoding="utf-8") == "team v1.0.0\n"
    assert (repo / "README.md.mlscaffold-new").read_text(encoding="utf-8") == "# demo v1.0.0\n"
    made = tmp_path / "made" / "svc"
    new = runner.invoke(
        cli.app, ["new", str(made), "--template", str(template), "--vcs-ref", "v1.0.0", "--defaults"]
    )
    assert new.exit_code == 0, new.output
    adopted, generated = read_project_answers(repo), read_project_answers(made)
    assert adopted is not None and generated is not None
    assert (adopted.src_path, adopted.commit, dict(adopted.answers)) == (
        generated.src_path,
        generated.commit,
        dict(generated.answers),
    )


def test_adopt_refuses_a_template_that_records_no_answers(tmp_path: Path, template_bundle: Path) -> None:
    template = foreign_template(tmp_path / "team-template", with_answers_file=False)
    repo = make_repo(tmp_path, {"README.md": "ours\n"}, name="svc")
    line = refused(repo, "--template", str(template), "--defaults", expect="writes no .copier-answers.yml")
    assert "could never be upgraded" in line


@pytest.mark.parametrize(
    ("marker", "expect"),
    [
        ("index.lock", "index.lock exists: another git command is running"),
        ("MERGE_HEAD", "a merge is in progress"),
    ],
)
def test_adopt_refuses_while_git_is_busy(
    tmp_path: Path, template_bundle: Path, marker: str, expect: str
) -> None:
    repo = make_repo(tmp_path, {"README.md": "ours\n"})
    (repo / ".git" / marker).write_text(git("rev-parse", "HEAD", cwd=repo) + "\n", encoding="utf-8")
    refused(repo, "--defaults", expect=expect)
