"""Rules never crash, and the CLI never shows a traceback, whatever a repository holds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlscaffold import cli
from mlscaffold.check import Status, run_checks

from support.check_repos import make_repo

runner = CliRunner()
# Every file some rule reads.
READ_FILES = [
    "docs/scoping.md", "docs/model_card.md", "docs/runbook.md", ".dvc/config", "dvc.yaml", "params.yaml",
    "pyproject.toml", "tests/test_data.py", "Dockerfile", ".dockerignore", ".github/workflows/ci.yml",
    ".github/actions/setup/action.yml", ".github/zizmor.yml", ".pre-commit-config.yaml", "LICENSE",
    ".copier-answers.yml", "setup.cfg", "requirements-dev.txt",
]  # fmt: skip
YAML_BOMBS = {
    "self-alias": "a: &a [*a, *a]\nb: &b {x: *a}\n",
    "deep": "x: " + "[" * 5000 + "]" * 5000 + "\n",
    "bad-chars": "key: \x07\x1b value\n",
    "tabs": "jobs:\n\tbuild: 1\n",
    "unclosed": "stages: [train\n  cmd: {\n",
    "duplicate-keys": "stages: 1\nstages: 2\n",
}


def contents(kind: str) -> dict[str, str | bytes]:  # noqa: PLR0911 - one return per kind
    if kind == "binary":
        return dict.fromkeys(READ_FILES, bytes(range(256)) * 8)
    if kind == "empty":
        return dict.fromkeys(READ_FILES, "")
    if kind == "huge":
        return dict.fromkeys([*READ_FILES[:6], "Dockerfile", ".github/workflows/ci.yml"], "x" * 2_100_000)
    if kind == "latin1":
        return dict.fromkeys(READ_FILES, "caf\xe9: \xff\xfe\n".encode("latin-1"))
    if kind == "invalid-toml":
        return {"pyproject.toml": "[tool.mlscaffold.check\nignore = = =\n", "setup.cfg": "[[[["}
    if kind == "deep-toml":
        return {"pyproject.toml": "x = " + "[" * 3000 + "]" * 3000 + "\n"}
    return dict.fromkeys(READ_FILES, YAML_BOMBS[kind])


KINDS = ["binary", "empty", "huge", "latin1", "invalid-toml", "deep-toml", *YAML_BOMBS]


def assert_no_crash(repo: Path) -> None:
    report = run_checks(repo)
    assert len(report.results) == 28
    crashed = [r for r in report.results if "could not run" in r.message]
    assert crashed == []
    for fmt in ("text", "json", "github", "markdown"):
        result = runner.invoke(cli.app, ["check", str(repo), "--format", fmt])
        assert result.exit_code in (0, 3), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", KINDS)
def test_rules_survive_unusual_files(tmp_path: Path, kind: str) -> None:
    assert_no_crash(make_repo(tmp_path / kind, dict(contents(kind))))


def test_rules_explain_binary_and_oversized_files(tmp_path: Path) -> None:
    files: dict[str, str | bytes | None] = {"Dockerfile": b"\x00\x01FROM", "dvc.yaml": "x" * 2_100_000}
    report = run_checks(make_repo(tmp_path / "r", files))
    messages = {r.id: r.message for r in report.results}
    assert messages["MLS401"].startswith("`Dockerfile` is a binary file, not text.")
    assert messages["MLS202"].startswith("`dvc.yaml` is too large to be a text file (2100000 bytes).")


def test_rules_survive_symlinks(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "links", {"README.md": "x\n", "tests/test_data.py": "def test_x():\n    pass\n"}
    )
    (repo / "docs").mkdir()
    (repo / "Dockerfile").symlink_to("nowhere")  # dangling
    (repo / "docs" / "scoping.md").symlink_to("../tests")  # to a directory
    (repo / "docs" / "runbook.md").symlink_to("runbook.md")  # to itself
    (repo / "docs" / "model_card.md").symlink_to("b.md")  # a loop of two
    (repo / "docs" / "b.md").symlink_to("model_card.md")
    (repo / "tests" / "up").symlink_to("..")  # a directory loop
    (repo / "dvc.yaml").symlink_to("/dev/zero")  # endless device, outside the repository
    (repo / "tests" / "test_link.py").symlink_to("../README.md")  # a file outside tests/
    (repo / ".github").mkdir()
    (repo / ".github" / "workflows").symlink_to(".github")
    from support.check_repos import commit_all

    commit_all(repo)
    os.mkfifo(repo / "params.yaml")  # a reader would block forever
    assert_no_crash(repo)
    report = run_checks(repo)
    messages = {r.id: r.message for r in report.results}
    assert messages["MLS401"].startswith("`Dockerfile` is a broken symlink.")
    assert messages["MLS101"].startswith("`docs/scoping.md` is a directory.")
    assert messages["MLS104"].startswith("`docs/model_card.md` is a broken symlink.")
    assert messages["MLS202"].startswith("`dvc.yaml` leads outside the repository; not followed.")
    assert messages["MLS203"].startswith("`params.yaml` is not a regular file.")
    statuses = {r.id: r.status for r in report.results}
    assert statuses["MLS301"] is Status.PASSED
