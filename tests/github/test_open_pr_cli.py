"""`mlscaffold open-pr`: a branch and a Markdown body file become one pull request (the training workflow's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from mlscaffold import cli
from mlscaffold.syncpr import MAX_BODY_CHARS

from support.fake_github import FakeGitHub

runner = CliRunner()
HEAD = "mlscaffold/template-sync"  # a branch the fake API's repository has


def open_pr(api: FakeGitHub, body: Path, *extra: str, token: str = "write-token") -> Any:
    return runner.invoke(
        cli.app,
        ["open-pr", "--head", HEAD, "--title", "Train: new model", "--body-file", str(body), *extra],
        env={
            "GITHUB_API_URL": api.url,
            "GITHUB_TOKEN": token,
            "GITHUB_REPOSITORY": "my-org/demo",
            "GH_TOKEN": "",
        },
    )


def test_open_pr_opens_then_updates_then_leaves_it(github_api: FakeGitHub, tmp_path: Path) -> None:
    body = tmp_path / "body.md"
    body.write_text("## Metrics against main\n| f1 | 0.8 |\n", encoding="utf-8")

    first = open_pr(github_api, body)
    body.write_text("## Metrics against main\n| f1 | 0.9 |\n", encoding="utf-8")
    second = open_pr(github_api, body)
    third = open_pr(github_api, body)

    assert first.exit_code == 0, first.output
    assert first.stdout == "Opened pull request #1: https://github.example/my-org/demo/pull/1\n"
    assert second.stdout.startswith("Updated pull request #1")
    assert third.stdout.startswith("Up to date: pull request #1")
    [pull] = github_api.pulls["my-org/demo"]
    assert pull["title"] == "Train: new model"
    assert pull["body"] == "## Metrics against main\n| f1 | 0.9 |\n"
    assert (pull["head"]["ref"], pull["base"]["ref"]) == (HEAD, "main")


def test_a_long_body_is_shortened_to_githubs_limit(github_api: FakeGitHub, tmp_path: Path) -> None:
    body = tmp_path / "body.md"
    body.write_text("x" * (MAX_BODY_CHARS + 10), encoding="utf-8")

    assert open_pr(github_api, body).exit_code == 0

    [pull] = github_api.pulls["my-org/demo"]
    assert len(pull["body"]) == MAX_BODY_CHARS
    assert "Shortened to GitHub's limit" in pull["body"]


def test_errors_are_one_line(github_api: FakeGitHub, tmp_path: Path) -> None:
    missing = open_pr(github_api, tmp_path / "nope.md")
    body = tmp_path / "body.md"
    body.write_text("text\n", encoding="utf-8")
    unknown_branch = runner.invoke(
        cli.app,
        ["open-pr", "--head", "nope", "--title", "t", "--body-file", str(body), "--repo", "my-org/demo"],
        env={"GITHUB_API_URL": github_api.url, "GITHUB_TOKEN": "write-token", "GH_TOKEN": ""},
    )
    read_only = open_pr(github_api, body, token="read-token")

    assert missing.exit_code == 1
    assert (
        missing.stderr
        == f"error: no body file at {tmp_path / 'nope.md'}: write the pull request's Markdown there.\n"
    )
    assert unknown_branch.exit_code == 1
    assert "branch nope has no commits ahead of main" in unknown_branch.stderr
    assert read_only.exit_code == 1 and read_only.stderr.count("\n") == 1
    assert "403" in read_only.stderr
