"""`mlscaffold status --org`: a loopback organisation of over 200 repositories, read page by page."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fleet_worlds import answers_text
from typer.testing import CliRunner

from mlscaffold import cli

from support.fake_github import FakeGitHub

runner = CliRunner()
SCHEMA = json.loads(resources.files("mlscaffold").joinpath("status.schema.json").read_text(encoding="utf-8"))
ORG = "acme"
ANSWERS = "/contents/.copier-answers.yml"


def status(api: FakeGitHub, *args: str, token: str = "write-token") -> Any:
    result = runner.invoke(
        cli.app,
        ["status", "--org", ORG, *args],
        env={"GITHUB_API_URL": api.url, "GITHUB_TOKEN": token, "GH_TOKEN": "", "CI": "true"},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def open_sync_pull(api: FakeGitHub, repo: str, number: int, base: str = "main") -> None:
    api.pulls[repo].append(
        {
            "number": number,
            "html_url": f"https://github.example/{repo}/pull/{number}",
            "state": "open",
            "title": "Upgrade the mlscaffold template",
            "body": "",
            "head": {"ref": "mlscaffold/template-sync"},
            "base": {"ref": base},
        }
    )


def build_org(api: FakeGitHub, versions: tuple[str, str], size: int = 230) -> dict[str, str]:
    """Fill ORG with SIZE repositories, a third behind, a tenth not generated; return the expected states."""
    older, newest = versions
    expected = {}
    for index in range(size):
        repo = f"{ORG}/service-{index:03d}"
        if index % 10 == 9:
            api.add_org_repository(repo, {"README.md": b"# not generated\n"})
            expected[repo] = "not-generated"
            continue
        version = older if index % 3 == 0 else newest
        branch = "trunk" if index % 7 == 0 else "main"
        api.add_org_repository(repo, {".copier-answers.yml": answers_text(version)}, default_branch=branch)
        expected[repo] = "behind" if version == older else "current"
    api.add_org_repository(f"{ORG}/old-archive", {".copier-answers.yml": answers_text(older)}, archived=True)
    return expected


def test_status_of_230_org_repositories_over_three_pages(
    github_api: FakeGitHub, fleet_versions: tuple[str, str]
) -> None:
    expected = build_org(github_api, fleet_versions)
    open_sync_pull(github_api, f"{ORG}/service-003", 7)
    open_sync_pull(github_api, f"{ORG}/service-007", 2, base="main")  # not its default branch (trunk)
    result = status(github_api, "--format", "json")
    assert result.exit_code == 3, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    listing = [target for method, target, _ in github_api.requests if target.startswith(f"/orgs/{ORG}/repos")]
    assert len(listing) == 3
    assert all("per_page=100" in target for target in listing)
    got = {entry["name"]: entry for entry in data["repositories"]}
    assert [entry["name"] for entry in data["repositories"]] == list(
        expected
    )  # listing order, archive left out
    assert {name: entry["state"] for name, entry in got.items()} == expected
    older, newest = fleet_versions
    for name, entry in got.items():
        if expected[name] == "not-generated":
            assert entry["version"] is None
            continue
        assert entry["version"] == (older if expected[name] == "behind" else newest)
        assert entry["check"] is None
        index = int(name.rsplit("-", 1)[1])
        assert entry["default_branch"] == ("trunk" if index % 7 == 0 else "main")
    assert got[f"{ORG}/service-003"]["sync_pull_request"] == {
        "number": 7,
        "url": f"https://github.example/{ORG}/service-003/pull/7",
    }
    assert got[f"{ORG}/service-007"]["sync_pull_request"] is None
    assert data["summary"]["archived"] == 1
    assert data["summary"]["total"] == 230
    assert github_api.dispatches == []  # reading starts nothing


def test_status_org_text_lists_each_repository_and_exits_0_when_current(
    github_api: FakeGitHub, fleet_versions: tuple[str, str]
) -> None:
    for index in range(3):
        github_api.add_org_repository(
            f"{ORG}/lib-{index}", {".copier-answers.yml": answers_text(fleet_versions[1])}
        )
    result = status(github_api)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{ORG}/lib-0  current; {fleet_versions[1]}\n"
        f"{ORG}/lib-1  current; {fleet_versions[1]}\n"
        f"{ORG}/lib-2  current; {fleet_versions[1]}\n"
        f"3 repositories: 3 current (newest template: {fleet_versions[1]})\n"
    )


def test_status_org_waits_out_rate_limits(github_api: FakeGitHub, fleet_versions: tuple[str, str]) -> None:
    build_org(github_api, fleet_versions, size=120)
    github_api.inject(429, {"retry-after": "1"}, {"message": "secondary rate limit"}, path=f"/orgs/{ORG}/repos")
    reset = str(int(time.time()) + 1)
    github_api.inject(
        403,
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
        {"message": "API rate limit exceeded"},
        path=f"/repos/{ORG}/service-004{ANSWERS}",
    )
    result = status(github_api, "--format", "json")
    data = json.loads(result.stdout)
    assert data["summary"]["error"] == 0, result.stdout
    assert data["summary"]["total"] == 120
    asked = [target for _, target, _ in github_api.requests]
    assert (
        len([t for t in asked if t.startswith(f"/repos/{ORG}/service-004{ANSWERS}")]) == 2
    )  # refused, then read
    assert len([t for t in asked if t.startswith(f"/orgs/{ORG}/repos")]) == 3  # page 1 twice, page 2


def test_status_org_reports_a_rate_limit_it_cannot_wait_out(
    github_api: FakeGitHub, fleet_versions: tuple[str, str]
) -> None:
    build_org(github_api, fleet_versions, size=20)
    github_api.inject(
        403,
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 3600)},
        {"message": "API rate limit exceeded"},
        path=f"/repos/{ORG}/service-002{ANSWERS}",
        times=99,
    )
    result = status(github_api, "--timeout", "5")
    line = next(line for line in result.stdout.splitlines() if line.startswith(f"{ORG}/service-002 "))
    assert "error; GitHub's rate limit stopped the request to read .copier-answers.yml" in line
    assert "when the limit resets" in line
    assert result.exit_code == 3  # other repositories are behind
    assert ", 1 error" in result.stdout.splitlines()[-1]


def test_status_org_exits_1_when_the_listing_is_rate_limited_too_long(
    github_api: FakeGitHub, fleet_versions: tuple[str, str]
) -> None:
    build_org(github_api, fleet_versions, size=5)
    github_api.inject(
        429, {"retry-after": "3600"}, {"message": "slow down"}, path=f"/orgs/{ORG}/repos", times=9
    )
    result = status(github_api, "--timeout", "5")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"error: GitHub's rate limit stopped the request to list the repositories in {ORG}"
    )
    assert result.stderr.count("\n") == 1


def test_status_org_keeps_going_past_failing_repositories(
    github_api: FakeGitHub, fleet_versions: tuple[str, str]
) -> None:
    build_org(github_api, fleet_versions, size=30)
    github_api.inject(500, body={"message": "boom"}, path=f"/repos/{ORG}/service-001{ANSWERS}", times=99)
    github_api.inject(404, body={"message": "Not Found"}, path=f"/repos/{ORG}/service-002/pulls", times=99)
    result = status(github_api, "--timeout", "3", "--format", "json")
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    got = {entry["name"]: entry for entry in data["repositories"]}
    assert got[f"{ORG}/service-001"]["state"] == "error"
    assert got[f"{ORG}/service-001"]["message"].startswith(
        "GitHub answered 500 when asked to read .copier-answers.yml"
    )
    assert got[f"{ORG}/service-002"]["state"] == "error"
    assert "was not found" in got[f"{ORG}/service-002"]["message"]
    assert data["summary"]["error"] == 2
    assert data["summary"]["current"] + data["summary"]["behind"] + data["summary"]["not-generated"] == 28


def test_status_org_dispatches_sync_of_outdated_repositories(
    github_api: FakeGitHub, fleet_versions: tuple[str, str]
) -> None:
    expected = build_org(github_api, fleet_versions, size=40)
    no_workflow, refused = f"{ORG}/service-003", f"{ORG}/service-006"
    github_api.workflows[no_workflow] = {}  # the repository has no template-sync.yml
    github_api.inject(
        422,
        body={"message": "Workflow does not have 'workflow_dispatch' trigger"},
        path=f"/repos/{refused}/actions/workflows/template-sync.yml/dispatches",
    )
    result = status(github_api, "--dispatch-sync", "--format", "json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    behind = [name for name, state in expected.items() if state == "behind"]
    started = sorted(d["repo"] for d in github_api.dispatches)
    assert started == sorted(set(behind) - {no_workflow, refused})
    for dispatch in github_api.dispatches:
        index = int(dispatch["repo"].rsplit("-", 1)[1])
        assert dispatch == {
            "repo": dispatch["repo"],
            "workflow": "template-sync.yml",
            "ref": "trunk" if index % 7 == 0 else "main",
        }
    posts = [(t, p) for m, t, p in github_api.requests if m == "POST"]
    assert len(posts) == len(behind)
    assert all(t.endswith("/actions/workflows/template-sync.yml/dispatches") for t, _ in posts)
    got = {entry["name"]: entry for entry in data["repositories"]}
    assert got[no_workflow]["dispatch"]["started"] is False
    assert "has no workflow template-sync.yml" in got[no_workflow]["dispatch"]["message"]
    assert got[refused]["dispatch"]["started"] is False
    assert "workflow_dispatch" in got[refused]["dispatch"]["message"]
    assert all(got[name]["dispatch"] is None for name, state in expected.items() if state != "behind")
    github_api.inject(
        422,
        body={"message": "no trigger"},
        path=f"/repos/{refused}/actions/workflows/template-sync.yml/dispatches",
    )
    text = status(github_api, "--dispatch-sync").stdout
    assert f"Dispatched template sync: {len(behind) - 2} started, 2 failed." in text


def test_status_org_needs_a_token(github_api: FakeGitHub) -> None:
    result = status(github_api, token="")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --org needs a GitHub token: set GITHUB_TOKEN")


def test_status_org_bad_token_is_one_line(github_api: FakeGitHub, fleet_versions: tuple[str, str]) -> None:
    build_org(github_api, fleet_versions, size=2)
    result = status(github_api, token="wrong")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: GitHub rejected the token (401")


def test_status_org_reads_a_user_account_and_refuses_unknown_owners(
    github_api: FakeGitHub, fleet_versions: tuple[str, str]
) -> None:
    build_org(github_api, fleet_versions, size=3)
    github_api.users.add(ORG)
    assert status(github_api).exit_code == 3
    assert runner.invoke(
        cli.app,
        ["status", "--org", "nobody"],
        env={"GITHUB_API_URL": github_api.url, "GITHUB_TOKEN": "write-token"},
    ).stderr.startswith("error: repository nobody was not found")
    bad = runner.invoke(
        cli.app,
        ["status", "--org", "../x"],
        env={"GITHUB_API_URL": github_api.url, "GITHUB_TOKEN": "write-token"},
    )
    assert bad.exit_code == 2
    assert bad.stderr == "error: '../x' is not a GitHub organisation or user name: give it as OWNER.\n"


def _bomb() -> bytes:
    """Return a "billion laughs" answers file: nine levels of nine aliases each."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for level in range(8):
        name, previous = chr(98 + level), chr(97 + level)
        lines.append(f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]")
    return ("\n".join(lines) + "\n").encode()


BOMB = _bomb()


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (
            {"body": b"<html>502 Bad Gateway</html>"},
            "did not answer with the content of the file .copier-answers.yml",
        ),
        ({"file": BOMB}, ".copier-answers.yml in acme/hostile is refused (its aliases expand to more than"),
        ({"file": b"- just\n- a list\n"}, ".copier-answers.yml in acme/hostile is not a YAML mapping"),
        ({"file": b"_commit: [unclosed\n"}, ".copier-answers.yml in acme/hostile is not valid YAML"),
        (
            {"file": b"\xff\xfe\x00garbage"},
            ".copier-answers.yml in acme/hostile did not arrive as valid base64 UTF-8",
        ),
        (
            {"body": {"type": "file", "encoding": "base64", "content": "@@not base64!!"}},
            "did not arrive as valid base64 UTF-8 text",
        ),
        ({"body": {"type": "file", "encoding": "none", "content": ""}}, "is too large to read through the API"),
        ({"body": [{"type": "file"}]}, "did not answer with the content of the file"),
        ({"file": b"_commit: v0.1.0\n_src_path: {}\n"}, "records no template source"),
    ],
)
def test_status_org_hostile_answers_are_one_line_for_that_repository(
    github_api: FakeGitHub, fleet_versions: tuple[str, str], answer: dict[str, Any], says: str
) -> None:
    build_org(github_api, fleet_versions, size=3)
    github_api.add_org_repository(f"{ORG}/hostile", {".copier-answers.yml": answer.get("file", b"")})
    if "body" in answer:
        github_api.inject(200, body=answer["body"], path=f"/repos/{ORG}/hostile{ANSWERS}")
    result = status(github_api)
    assert result.exit_code == 3  # service-000 is behind; the hostile one did not stop it
    [line] = [line for line in result.stdout.splitlines() if line.startswith(f"{ORG}/hostile ")]
    assert says in line, line
    assert "error; " in line
    assert len(result.stdout.splitlines()) == 5


def test_status_org_hostile_versions_and_pull_requests_stay_printable(
    github_api: FakeGitHub, fleet_versions: tuple[str, str]
) -> None:
    github_api.add_org_repository(
        f"{ORG}/sneaky",
        {".copier-answers.yml": b'_commit: "v9\\u001b[2J\\nrm -rf"\n_src_path: "gh:x/\\u202eevil"\n'},
    )
    github_api.add_org_repository(f"{ORG}/badpr", {".copier-answers.yml": answers_text(fleet_versions[1])})
    github_api.inject(200, body={"not": "a list"}, path=f"/repos/{ORG}/badpr/pulls")
    result = status(github_api)
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert "\x1b" not in result.stdout
    assert "\u202e" not in result.stdout
    assert lines[0].startswith(f"{ORG}/sneaky  unknown; template gh:x/ evil; v9 [2J rm -rf; ")
    assert lines[1].startswith(f"{ORG}/badpr   error; ")
    assert "did not answer with a list of pull requests" in lines[1]
    assert result.exit_code == 1


def test_status_org_listing_that_is_hostile_fails_with_one_line(github_api: FakeGitHub) -> None:
    github_api.owners[ORG] = []
    github_api.inject(200, body=b"x" * 11_000_000, path=f"/orgs/{ORG}/repos")
    huge = status(github_api)
    assert huge.exit_code == 1
    assert huge.stderr.count("\n") == 1
    assert "answered with more than 10 MB" in huge.stderr
    github_api.inject(200, body=b"not json at all", path=f"/orgs/{ORG}/repos")
    garbage = status(github_api)
    assert garbage.exit_code == 1
    assert "did not answer with a list of repositories" in garbage.stderr
    github_api.inject(200, body=[{"name": "../../etc"}], path=f"/orgs/{ORG}/repos")
    names = status(github_api)
    assert names.exit_code == 1
    assert "each with a valid `name`" in names.stderr


def test_status_org_interrupted_stops_dispatching_and_says_so(
    github_api: FakeGitHub, fleet_versions: tuple[str, str], tmp_path: Path
) -> None:
    for index in range(60):
        github_api.add_org_repository(
            f"{ORG}/slow-{index:02d}", {".copier-answers.yml": answers_text(fleet_versions[0])}
        )
    github_api.latency = 0.2
    env = {
        **os.environ,
        "GITHUB_API_URL": github_api.url,
        "GITHUB_TOKEN": "write-token",
        "MLSCAFFOLD_TEMPLATE_BUNDLE": os.environ["MLSCAFFOLD_TEMPLATE_BUNDLE"],
    }
    command = [sys.executable, "-m", "mlscaffold", "status", "--org", ORG, "--dispatch-sync", "--workers", "2"]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not github_api.dispatches and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    start = time.monotonic()
    out, err = process.communicate(timeout=30)
    assert time.monotonic() - start < 5  # the queued repositories are not read first
    assert process.returncode == 130
    assert out == b""
    assert err.decode() == (
        "error: interrupted: template-sync workflows dispatched before the stop run on; "
        "nothing else was changed.\n"
    )
    time.sleep(1)  # requests under way end
    assert 0 < len(github_api.dispatches) < 60


def test_status_org_invalid_default_branch_is_that_repository_s_error(
    github_api: FakeGitHub, fleet_versions: tuple[str, str]
) -> None:
    github_api.add_org_repository(f"{ORG}/fine", {".copier-answers.yml": answers_text(fleet_versions[1])})
    github_api.owners[ORG].append({"name": "odd", "default_branch": "../../main"})
    github_api.owners[ORG].append({"name": "fine", "default_branch": "main"})  # listed twice: read once
    result = status(github_api)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{ORG}/fine  current; {fleet_versions[1]}",
        f"{ORG}/odd   error; the API listed no valid default branch for it",
        f"2 repositories: 1 current, 1 error (newest template: {fleet_versions[1]})",
    ]
    assert not any("odd" in target for _, target, _ in github_api.requests)


def test_status_org_markdown_keeps_a_hostile_pull_request_url_inside_its_link(
    github_api: FakeGitHub, fleet_versions: tuple[str, str]
) -> None:
    github_api.add_org_repository(f"{ORG}/app", {".copier-answers.yml": answers_text(fleet_versions[0])})
    github_api.pulls[f"{ORG}/app"].append(
        {
            "number": 4,
            "html_url": "https://github.example/x)![tracker](https://evil.example/t.png",
            "state": "open",
            "head": {"ref": "mlscaffold/template-sync"},
            "base": {"ref": "main"},
        }
    )
    result = status(github_api, "--format", "markdown")
    assert result.exit_code == 3
    row = next(line for line in result.stdout.splitlines() if line.startswith(f"| {ORG}/app"))
    assert "[#4](<https://github.example/x)![tracker](https://evil.example/t.png>)" in row
    assert row.count("|") == 7
