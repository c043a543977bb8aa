"""`mlscaffold sync-pr`: an upgrade report becomes one pull request listing every conflict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mlscaffold import cli
from mlscaffold.errors import UpgradeReportError
from mlscaffold.syncpr import MARKER, MAX_BODY_CHARS, code, describe_upgrade, plain, read_report

from support.fake_github import FakeGitHub

runner = CliRunner()
HEAD = "mlscaffold/template-sync"
REPORT: dict[str, Any] = {
    "from": "v0.1.0",
    "to": "v0.2.0",
    "dry_run": False,
    "updated": ["Makefile", "README.md"],
    "added": [".github/workflows/ci.yml"],
    "removed": [],
    "conflicts": ["params.yaml"],
    "conflict_details": [{"path": "params.yaml", "kind": "content", "message": "both changed lines 3-5"}],
    "kept": ["docs/logo.png"],
}


def write_report(tmp_path: Path, report: dict[str, Any]) -> Path:
    path = tmp_path / "upgrade.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def sync(api: FakeGitHub, report: Path, *extra: str, token: str = "write-token") -> Any:
    return runner.invoke(
        cli.app,
        ["sync-pr", "--report", str(report), "--head", HEAD, *extra],
        env={
            "GITHUB_API_URL": api.url,
            "GITHUB_TOKEN": token,
            "GITHUB_REPOSITORY": "my-org/demo",
            "GH_TOKEN": "",
        },
    )


def test_sync_pr_opens_then_is_idempotent(github_api: FakeGitHub, tmp_path: Path) -> None:
    report = write_report(tmp_path, REPORT)
    first = sync(github_api, report)
    assert first.exit_code == 0, first.output
    assert first.stdout == (
        "Opened pull request #1: https://github.example/my-org/demo/pull/1 (1 conflict to resolve)\n"
    )
    [pull] = github_api.pulls["my-org/demo"]
    assert pull["title"] == "Upgrade the mlscaffold template from v0.1.0 to v0.2.0 (1 conflict)"
    assert pull["base"]["ref"] == "main"
    assert "- [ ] `params.yaml`: both changed lines 3-5" in pull["body"]
    second = sync(github_api, report)
    assert second.exit_code == 0
    assert second.stdout.startswith("Up to date: pull request #1:")
    assert len(github_api.pulls["my-org/demo"]) == 1


def test_sync_pr_updates_when_the_report_changes(github_api: FakeGitHub, tmp_path: Path) -> None:
    sync(github_api, write_report(tmp_path, REPORT))
    resolved = write_report(tmp_path, {**REPORT, "to": "v0.3.0", "conflicts": [], "conflict_details": []})
    result = sync(github_api, resolved, "--repo", "my-org/demo", "--base", "main")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Updated pull request #1: https://github.example/my-org/demo/pull/1\n"
    [pull] = github_api.pulls["my-org/demo"]
    assert pull["title"] == "Upgrade the mlscaffold template from v0.1.0 to v0.3.0"
    assert "No conflicts" in pull["body"]


def test_sync_pr_bad_token_is_one_line(github_api: FakeGitHub, tmp_path: Path) -> None:
    result = sync(github_api, write_report(tmp_path, REPORT), token="nope")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: GitHub rejected the token (401")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_sync_pr_without_token_says_which_variable(github_api: FakeGitHub, tmp_path: Path) -> None:
    result = sync(github_api, write_report(tmp_path, REPORT), token="")
    assert result.exit_code == 1
    assert "no GitHub token: set GITHUB_TOKEN" in result.stderr
    assert github_api.requests == []


def test_sync_pr_malformed_repository_is_usage_error(github_api: FakeGitHub, tmp_path: Path) -> None:
    result = sync(github_api, write_report(tmp_path, REPORT), "--repo", "demo")
    assert result.exit_code == 2
    assert "give it as OWNER/NAME" in result.stderr


def test_sync_pr_missing_report_names_the_command(github_api: FakeGitHub, tmp_path: Path) -> None:
    result = sync(github_api, tmp_path / "none.json")
    assert result.exit_code == 1
    assert "run `mlscaffold upgrade --report" in result.stderr
    assert github_api.requests == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not an upgrade report"),
        ("[1, 2]", "has no 'from' and 'to' versions"),
        ('{"from": "v1", "to": "v2", "conflicts": "a.txt"}', "'conflicts' must be a list of paths"),
    ],
)
def test_read_report_refuses_malformed(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UpgradeReportError, match=message):
        read_report(path)


def test_describe_upgrade_lists_every_section() -> None:
    proposal = describe_upgrade(
        {**REPORT, "removed": ["old.cfg"], "conflicts": ["a", "b"], "conflict_details": []}
    )
    assert proposal.title.endswith("(2 conflicts)")
    assert proposal.conflicts == ("a", "b")
    body = proposal.body
    assert body.startswith(MARKER + "\n")
    for heading in (
        "### Conflicts to resolve (2)",
        "### Updated (2)",
        "### Added (1)",
        "### Removed (1)",
        "### Kept as you have them (1)",
    ):
        assert heading in body
    assert "- [ ] `a`\n- [ ] `b`\n" in body


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain.md", "`plain.md`"),
        ("a`b", "``a`b``"),
        ("a``b`", "``` a``b` ```"),
        ("two\nlines", "`two\\u000alines`"),
        (" ", "`   `"),
        ("evil\u202egnp.exe", "`evil\\u202egnp.exe`"),
    ],
)
def test_code_span_cannot_be_closed_from_inside(value: str, expected: str) -> None:
    assert code(value) == expected


def test_plain_text_has_no_markup_mentions_or_references() -> None:
    assert plain("@team: see #4 <b>[x](y)</b>\n# h") == (
        "@\u2060team\\: see \\#\u20604 \\<b\\>\\[x\\]\\(y\\)\\</b\\>\\\\u000a\\#\u2060 h"
    )
    assert plain("both changed lines 3-5") == "both changed lines 3-5"


def test_describe_upgrade_body_within_limit_is_not_shortened() -> None:
    body = describe_upgrade(REPORT).body
    assert "shortened" not in body
    assert len(body) < MAX_BODY_CHARS


@pytest.mark.parametrize("version", ["v1.2.3", "v0.3.0.dev1", "release/2026-11", "0.3.0+g1234abc", "a" * 100])
def test_read_report_accepts_any_tag_name_as_version(tmp_path: Path, version: str) -> None:
    report = read_report(write_report(tmp_path, {**REPORT, "to": version}))
    assert f"`{version}`" in describe_upgrade(report).body
