"""`mlscaffold check` on real repositories mlscaffold did not make.

cookiecutter-data-science's PyPI package (`ccds`) fetches its template from GitHub, so
the template of its v2.3.0 release (MIT licensed) is vendored in `tests/data/ccds-v2.3.0`
and rendered here offline by the real `ccds` command with its own hooks. The plain Python
package comes from `uv init --package`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlscaffold import cli
from mlscaffold.check import Status, run_checks

from support import real_repos
from support.check_repos import commit_all, write_files
from support.git_worlds import git

runner = CliRunner()


def statuses(repo: Path) -> dict[str, Status]:
    return {r.id: r.status for r in run_checks(repo).results}


@pytest.fixture
def ccds_project(tmp_path: Path) -> Path:
    """Return a committed cookiecutter-data-science project (pytest, MIT license)."""
    project = real_repos.ccds_project(tmp_path)
    commit_all(project)
    return project


@pytest.fixture
def plain_package(tmp_path: Path) -> Path:
    """Return a committed plain Python package made by `uv init --package`."""
    project = real_repos.uv_package(tmp_path)
    commit_all(project)
    return project


def test_check_on_cookiecutter_data_science_finds_what_it_has(ccds_project: Path) -> None:
    assert (ccds_project / ".env").is_file(), "ccds writes a .env (git-ignored)"
    result = statuses(ccds_project)
    # It has tests for its data, pytest, a license, no large or secret files committed.
    passed = {k for k, v in result.items() if v is Status.PASSED}
    assert passed == {"MLS204", "MLS301", "MLS302", "MLS305", "MLS603", "MLS604"}
    assert result["MLS701"] is Status.WARNING
    # What builds on a missing scoping document, DVC or workflows waits for it, and a missing
    # Dockerfile, workflow or pre-commit config is reported by its first rule only (one cause, one failure).
    skipped = {k for k, v in result.items() if v is Status.SKIPPED}
    assert skipped == {"MLS102", "MLS103", "MLS205", "MLS502", "MLS503", "MLS402", "MLS403", "MLS504", "MLS602"}
    assert all(v is Status.FAILED for k, v in result.items() if k not in passed | skipped | {"MLS701"})


def test_check_on_cookiecutter_data_science_flags_a_committed_env(ccds_project: Path) -> None:
    git("add", "-f", ".env", cwd=ccds_project)
    git("commit", "-qm", "oops", cwd=ccds_project)
    report = run_checks(ccds_project)
    result = next(r for r in report.results if r.id == "MLS603")
    assert result.status is Status.FAILED
    assert result.message.startswith("Tracked by git: `.env`.")
    assert result.path == ".env"


def test_check_on_a_plain_python_package(plain_package: Path) -> None:
    result = statuses(plain_package)
    assert {k for k, v in result.items() if v is Status.PASSED} == {"MLS204", "MLS603"}
    assert result["MLS701"] is Status.WARNING
    code = runner.invoke(cli.app, ["check", str(plain_package)]).exit_code
    assert code == 3


def test_check_on_real_repositories_with_unusual_files(ccds_project: Path, plain_package: Path) -> None:
    for repo in (ccds_project, plain_package):
        write_files(
            repo,
            {
                "models/model.pkl": bytes(range(256)) * 5000,
                "dvc.yaml": "",
                "params.yaml": "a: [\n",
                ".github/workflows/ci.yml": "\x00\x01",
                "data/raw/big.csv": "x" * 3_000_000,
            },
        )
        (repo / "docs").mkdir(exist_ok=True)
        (repo / "docs" / "scoping.md").symlink_to("scoping.md")
        (repo / "data" / "loop").symlink_to("..")
        git("add", "-f", "-A", cwd=repo)
        git("commit", "-qm", "unusual", cwd=repo)
        result = runner.invoke(cli.app, ["check", str(repo), "--format", "json"])
        assert result.exit_code == 3
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        report = run_checks(repo)
        messages = {r.id: r.message for r in report.results}
        assert "could not run" not in "".join(messages.values())
        assert messages["MLS204"].startswith("Committed to git: `data/raw/big.csv` (3.0 MB)")
        assert messages["MLS202"].startswith("`dvc.yaml` declares no `stages:`.")
        assert messages["MLS203"].startswith("`params.yaml` is not valid YAML.")
        assert messages["MLS501"].startswith(
            "Not a valid workflow (YAML with `jobs:`): `.github/workflows/ci.yml`."
        )
        assert messages["MLS101"].startswith("`docs/scoping.md` is a broken symlink.")
