"""GitHubClient's calls for `mlscaffold status`: list an organisation, read a file, dispatch a workflow."""

from __future__ import annotations

import pytest

from mlscaffold.errors import GitHubError, UsageError
from mlscaffold.github import GitHubClient, Repository
from mlscaffold.http import HttpClient, RetryPolicy

from support.fake_github import FakeGitHub

NOW = 1_000_000.0


def client_for(api: FakeGitHub, token: str = "write-token") -> tuple[GitHubClient, list[float]]:
    """Return a client of API whose waits are recorded, not slept."""
    waits: list[float] = []
    http = HttpClient(policy=RetryPolicy(), sleep=waits.append, clock=lambda: NOW)
    return GitHubClient(token, api.url, http), waits


def test_list_repositories_reads_every_page_and_waits_out_rate_limits(github_api: FakeGitHub) -> None:
    for index in range(250):
        github_api.add_org_repository(f"acme/r{index:03d}", archived=index == 5)
    github_api.inject(429, {"retry-after": "7"}, {"message": "slow down"}, path="/orgs/acme/repos")
    github_api.inject(
        403,
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 30)},
        {"message": "API rate limit exceeded"},
        path="/orgs/acme/repos",
    )
    client, waits = client_for(github_api)
    repositories = client.list_repositories("acme")
    assert waits == [7.0, 30.0]
    assert len(repositories) == 250
    assert repositories[5] == Repository("acme/r005", "main", archived=True)
    assert repositories[0] == Repository("acme/r000", "main", archived=False)
    pages = [target for _, target, _ in github_api.requests]
    assert len(pages) == 5  # two refused, then pages 1, 2, 3
    assert pages[-1].endswith("per_page=100&page=3&type=all")


def test_list_repositories_of_a_user_and_of_nobody(github_api: FakeGitHub) -> None:
    github_api.add_org_repository("someone/tool")
    github_api.users.add("someone")
    client, _ = client_for(github_api)
    assert [r.full_name for r in client.list_repositories("someone")] == ["someone/tool"]
    with pytest.raises(GitHubError, match="repository nobody was not found"):
        client.list_repositories("nobody")
    with pytest.raises(UsageError, match="is not a GitHub organisation or user name"):
        client.list_repositories("a/b")


def test_read_file_decodes_and_says_none_when_missing(github_api: FakeGitHub) -> None:
    text = "_commit: v0.1.0\n" + "x: " + "é" * 200 + "\n"
    github_api.add_org_repository("acme/app", {".copier-answers.yml": text.encode()}, default_branch="trunk")
    client, _ = client_for(github_api)
    assert client.read_file("acme/app", ".copier-answers.yml", "trunk") == text
    assert client.read_file("acme/app", "missing.yml", "trunk") is None
    assert client.read_file("acme/app", ".copier-answers.yml", "other-branch") is None


def test_dispatch_workflow_posts_the_ref_and_explains_refusals(github_api: FakeGitHub) -> None:
    github_api.add_org_repository("acme/app", default_branch="trunk")
    client, _ = client_for(github_api)
    client.dispatch_workflow("acme/app", "template-sync.yml", "trunk")
    assert github_api.dispatches == [{"repo": "acme/app", "workflow": "template-sync.yml", "ref": "trunk"}]
    assert github_api.requests[-1] == (
        "POST",
        "/repos/acme/app/actions/workflows/template-sync.yml/dispatches",
        {"ref": "trunk"},
    )
    reader, _ = client_for(github_api, "read-token")
    with pytest.raises(
        GitHubError, match=r"refused to start template-sync.yml in acme/app \(403.*actions: write"
    ):
        reader.dispatch_workflow("acme/app", "template-sync.yml", "trunk")
    github_api.workflows["acme/app"] = {"ci.yml": set()}
    with pytest.raises(GitHubError, match=r"acme/app has no workflow template-sync\.yml on trunk"):
        client.dispatch_workflow("acme/app", "template-sync.yml", "trunk")
    assert len(github_api.dispatches) == 1
