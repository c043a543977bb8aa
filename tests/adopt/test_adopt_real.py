"""`mlscaffold adopt` on real repositories no template made, then `upgrade` on the result.

A `uv init --package` project, a cookiecutter-data-science project and a team's
repository whose README.md, Makefile, pyproject.toml, .gitignore and Dockerfile the
template has too. In each: every file of the user's is byte-identical afterwards,
every file both have is listed with the template's version beside it, the exit code
says whether anything needs review, and `upgrade --check` then works.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mlscaffold import cli
from mlscaffold.answers_file import read_project_answers
from mlscaffold.template import BUNDLE_ENV, CANONICAL_URL

from support.adopt_repos import CONFLICTING_FILES, commit_all, user_files
from support.git_worlds import git
from support.upgrade_template import PARAMS_V2, build_bundle

runner = CliRunner()
SUFFIX = ".mlscaffold-new"


def adopt(repo: Path, *args: str) -> Result:
    return runner.invoke(cli.app, ["adopt", str(repo), *args])


def listed_for_review(output: str) -> set[str]:
    """Return the paths the summary lists under "To review"."""
    section = output.split("To review", 1)[1] if "To review" in output else ""
    return {m.group(1) for m in re.finditer(r"^  (\S+): ", section, re.M)}


def status(repo: Path) -> dict[str, set[str]]:
    """Return git's view: staged additions and untracked files."""
    lines = git("status", "--porcelain=v1", "--untracked-files=all", cwd=repo).splitlines()
    return {
        "added": {line[3:] for line in lines if line.startswith("A  ")},
        "untracked": {line[3:] for line in lines if line.startswith("?? ")},
        "other": {line for line in lines if not line.startswith(("A  ", "?? "))},
    }


def assert_adopted(repo: Path, before: dict[str, object], result: Result, version: str) -> set[str]:
    """Check what every adoption must leave; return the paths listed for review."""
    assert "Traceback" not in result.output
    after = user_files(repo)
    changed = sorted(k for k, v in before.items() if after.get(k) != v)
    assert changed == [], "files of the user's changed"
    review = listed_for_review(result.stdout)
    assert result.exit_code == (3 if review else 0), result.output
    seen = status(repo)
    assert seen["other"] == set(), seen  # nothing of the user's modified, deleted or renamed
    template_files = set(git("ls-tree", "-r", "--name-only", "refs/mlscaffold/template", cwd=repo).splitlines())
    assert ".copier-answers.yml" in seen["added"]
    # Every template file is added, listed, or already the user's byte for byte.
    for path in template_files:
        if path in seen["added"]:
            assert path not in before
            assert (repo / path).read_bytes() == git_blob(repo, f"refs/mlscaffold/template:{path}")
        elif path in review:
            beside = repo / f"{path}{SUFFIX}"
            if beside.exists():
                assert beside.read_bytes() == git_blob(repo, f"refs/mlscaffold/template:{path}")
                assert f"{path}{SUFFIX}" in seen["untracked"]
        else:
            assert (repo / path).read_bytes() == git_blob(repo, f"refs/mlscaffold/template:{path}"), path
    assert seen["untracked"] == {f"{p}{SUFFIX}" for p in review if (repo / f"{p}{SUFFIX}").exists()}
    recorded = read_project_answers(repo)
    assert recorded is not None
    assert (recorded.src_path, recorded.commit) == (CANONICAL_URL, version)
    return review


def git_blob(repo: Path, spec: str) -> bytes:
    import subprocess

    return subprocess.run(["git", "show", spec], cwd=repo, capture_output=True, check=True).stdout


def finish_review(repo: Path) -> None:
    """Do what a user does after reviewing: drop the template's versions, commit."""
    for beside in repo.rglob(f"*{SUFFIX}"):
        beside.unlink()
    commit_all(repo, "Adopt the template")


def test_adopt_uv_package(uv_package: Path, template_bundle: Path, newest_version: str) -> None:
    before = user_files(uv_package)
    result = adopt(uv_package, "--defaults")
    review = assert_adopted(uv_package, before, result, newest_version)
    assert {"README.md", "pyproject.toml", ".gitignore", "src/plainpkg/__init__.py"} <= review
    recorded = read_project_answers(uv_package)
    assert recorded is not None
    pinned = (uv_package / ".python-version").read_text(encoding="utf-8").strip()
    expected_python = ".".join(pinned.split(".")[:2])
    answers = recorded.answers
    assert answers["project_name"] == "plainpkg"
    assert answers["package_name"] == "plainpkg"
    assert answers["github_owner"] == "acme-ml"
    if expected_python in {"3.10", "3.11", "3.12", "3.13"}:
        assert answers["python_version"] == expected_python
    assert "project_name = plainpkg (pyproject.toml)" in result.stdout
    assert "github_owner = acme-ml (the origin remote)" in result.stdout
    # The template's package code joins the user's package; the user's __init__.py stays.
    assert (uv_package / "src/plainpkg/train.py").is_file()
    check = runner.invoke(cli.app, ["upgrade", str(uv_package), "--check"])
    assert check.exit_code == 0, check.output
    finish_review(uv_package)
    again = runner.invoke(cli.app, ["upgrade", str(uv_package)])
    assert again.exit_code == 0, again.output
    assert "already on the newest" in again.stdout


def test_adopt_cookiecutter_data_science(
    ccds_project: Path, template_bundle: Path, newest_version: str
) -> None:
    before = user_files(ccds_project)
    assert ".env" in before  # ccds writes one, git-ignored: it must survive too
    result = adopt(ccds_project, "--defaults")
    review = assert_adopted(ccds_project, before, result, newest_version)
    assert {"README.md", "Makefile", "pyproject.toml", ".gitignore", "LICENSE"} <= review
    recorded = read_project_answers(ccds_project)
    assert recorded is not None
    answers = recorded.answers
    assert (answers["project_name"], answers["package_name"]) == ("churn", "churn")
    assert answers["license"] == "MIT"
    assert answers["github_owner"] == "churn-team"
    assert "package_name = churn (churn/__init__.py)" in result.stdout
    assert runner.invoke(cli.app, ["upgrade", str(ccds_project), "--check"]).exit_code == 0


def test_adopt_conflicting_files_keeps_every_one(
    conflicting_repo: Path, template_bundle: Path, newest_version: str
) -> None:
    before = user_files(conflicting_repo)
    assert "secrets/key.txt" in before  # ignored by the repository
    result = adopt(conflicting_repo, "--defaults")
    review = assert_adopted(conflicting_repo, before, result, newest_version)
    assert {"README.md", "Makefile", "pyproject.toml", ".gitignore", "Dockerfile"} <= review
    for path in ("README.md", "Makefile", "pyproject.toml", ".gitignore", "Dockerfile"):
        assert (conflicting_repo / path).read_text(encoding="utf-8") == CONFLICTING_FILES[path]
        assert f"{path}: yours is kept; the template's is beside it, {path}{SUFFIX}" in result.stdout
    recorded = read_project_answers(conflicting_repo)
    assert recorded is not None
    answers = recorded.answers
    assert answers["project_name"] == "fraud-score"
    assert answers["package_name"] == "fraud_score"
    assert answers["description"] == "Scores card transactions for fraud"
    assert (answers["author_name"], answers["author_email"]) == ("Risk Team", "risk@example.org")
    assert answers["license"] == "Apache-2.0"
    assert answers["python_version"] == "3.11"  # the oldest the template offers within >=3.11
    assert answers["github_owner"] == "risk-org"
    assert runner.invoke(cli.app, ["upgrade", str(conflicting_repo), "--check"]).exit_code == 0


def test_adopt_dry_run_lists_the_same_and_changes_nothing(
    conflicting_repo: Path, template_bundle: Path
) -> None:
    from hostile.user_trees import snapshot

    before = snapshot(conflicting_repo)
    dry = adopt(conflicting_repo, "--defaults", "--dry-run")
    assert dry.exit_code == 3, dry.output
    assert dry.stdout.startswith("Would adopt ")
    assert snapshot(conflicting_repo) == before  # .git included
    real = adopt(conflicting_repo, "--defaults")
    assert real.exit_code == 3
    assert "README.md: yours is kept; the template's would go beside it, README.md.mlscaffold-new" in dry.stdout
    as_real = dry.stdout.replace("would go beside", "is beside")
    assert as_real.split("\n", 1)[1] == real.stdout.split("\n", 1)[1].rsplit("The added files", 1)[0]


def test_adopt_with_nothing_to_review_exits_0(tmp_path: Path, template_bundle: Path) -> None:
    repo = tmp_path / "bare-start"
    repo.mkdir()
    (repo / "NOTES.txt").write_text("ours\n", encoding="utf-8")
    git("init", "-q", "-b", "main", cwd=repo)
    commit_all(repo)
    result = adopt(repo, "--defaults")
    assert result.exit_code == 0, result.output
    assert "To review" not in result.stdout
    assert "git diff --cached" in result.stdout
    assert (repo / "NOTES.txt").read_text(encoding="utf-8") == "ours\n"


@pytest.fixture
def small_bundle(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    bundle: Path = build_bundle(tmp_path_factory.mktemp("small-template"))
    monkeypatch.setenv(BUNDLE_ENV, str(bundle))
    return bundle


def test_adopt_old_version_then_upgrade_is_a_three_way_merge(
    conflicting_repo: Path, small_bundle: Path
) -> None:
    readme = CONFLICTING_FILES["README.md"]
    result = adopt(conflicting_repo, "--defaults", "--vcs-ref", "v1.0.0")
    assert result.exit_code == 3, result.output
    assert "README.md: yours is kept" in result.stdout
    check = runner.invoke(cli.app, ["upgrade", str(conflicting_repo), "--check"])
    assert check.exit_code == 3, check.output
    assert "v1.2.0 is available" in check.stdout
    finish_review(conflicting_repo)
    upgraded = runner.invoke(cli.app, ["upgrade", str(conflicting_repo)])
    assert upgraded.exit_code in (0, 3), upgraded.output
    # A file adoption added takes the template's change; the user's own README keeps every line.
    assert (conflicting_repo / "params.yaml").read_text(encoding="utf-8") == PARAMS_V2
    assert (conflicting_repo / "src/fraud_score/new_name.py").is_file()  # the migration's rename followed
    merged = (conflicting_repo / "README.md").read_text(encoding="utf-8")
    assert all(line in merged.splitlines() for line in readme.splitlines())
    recorded = read_project_answers(conflicting_repo)
    assert recorded is not None
    assert recorded.commit == "v1.2.0"
