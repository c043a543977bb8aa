"""The GitHub client and the HTTP layer against a loopback GitHub API, with injected errors."""

from __future__ import annotations

import re
import socket

import pytest

from mlscaffold.errors import GitHubError, NetworkError, UsageError
from mlscaffold.github import (
    DEFAULT_API_URL,
    GitHubClient,
    _wait_advice,
    api_url_from,
    parse_repository,
    validate_api_url,
)
from mlscaffold.http import HttpClient, RetryPolicy, retry_delay

from support.fake_github import FakeGitHub

REPO, HEAD = "my-org/demo", "mlscaffold/template-sync"


def client_for(
    api: FakeGitHub, token: str = "write-token", attempts: int = 5, **policy: float
) -> tuple[GitHubClient, list[float]]:
    """Return a client of API whose waits are recorded, not slept."""
    waits: list[float] = []
    http = HttpClient(policy=RetryPolicy(attempts, **policy), sleep=waits.append, clock=lambda: 1_000_000.0)
    return GitHubClient(token, api.url, http), waits


def test_pull_request_created_when_none_is_open(github_api: FakeGitHub) -> None:
    client, waits = client_for(github_api)
    pull = client.open_or_update_pull_request(REPO, HEAD, "main", "Upgrade", "body one")
    assert (pull.number, pull.action) == (1, "created")
    assert pull.url == "https://github.example/my-org/demo/pull/1"
    [stored] = github_api.pulls[REPO]
    assert (stored["title"], stored["body"], stored["base"]["ref"]) == ("Upgrade", "body one", "main")
    assert github_api.methods() == ["GET", "POST"]
    assert waits == []


def test_pull_request_updated_when_body_changed(github_api: FakeGitHub) -> None:
    client, _ = client_for(github_api)
    client.open_or_update_pull_request(REPO, HEAD, "main", "Upgrade", "body one")
    pull = client.open_or_update_pull_request(REPO, HEAD, "main", "Upgrade to v2", "body two")
    assert (pull.number, pull.action) == (1, "updated")
    [stored] = github_api.pulls[REPO]
    assert (stored["title"], stored["body"]) == ("Upgrade to v2", "body two")
    assert github_api.methods() == ["GET", "POST", "GET", "PATCH"]


def test_pull_request_rerun_is_idempotent(github_api: FakeGitHub) -> None:
    client, _ = client_for(github_api)
    first = client.open_or_update_pull_request(REPO, HEAD, "main", "Upgrade", "same body")
    second = client.open_or_update_pull_request(REPO, HEAD, "main", "Upgrade", "same body")
    assert (first.action, second.action) == ("created", "unchanged")
    assert second.number == first.number
    assert len(github_api.pulls[REPO]) == 1
    # The rerun only looked: no create, no edit.
    assert github_api.methods() == ["GET", "POST", "GET"]


def test_pull_request_created_by_a_concurrent_run_is_updated(github_api: FakeGitHub) -> None:
    client, _ = client_for(github_api)
    # The look-up finds nothing, then another run's pull request makes the create fail with 422.
    github_api.inject(200, body=[], method="GET")
    github_api.pulls[REPO].append(
        {
            "number": 7,
            "html_url": "https://github.example/my-org/demo/pull/7",
            "state": "open",
            "title": "old",
            "body": "old",
            "head": {"ref": HEAD},
            "base": {"ref": "main"},
        }
    )
    pull = client.open_or_update_pull_request(REPO, HEAD, "main", "Upgrade", "new")
    assert (pull.number, pull.action) == (7, "updated")
    assert github_api.methods() == ["GET", "POST", "GET", "PATCH"]


def test_pull_request_without_commits_explains(github_api: FakeGitHub) -> None:
    client, _ = client_for(github_api)
    with pytest.raises(GitHubError, match="branch nowhere has no commits ahead of main: push"):
        client.open_or_update_pull_request(REPO, "nowhere", "main", "t", "b")


@pytest.mark.parametrize(
    ("token", "repo", "message"),
    [
        ("wrong-token", REPO, r"GitHub rejected the token \(401: Bad credentials\): set GITHUB_TOKEN"),
        (
            "read-token",
            REPO,
            r"GitHub refused to open a pull request in my-org/demo \(403: Resource not "
            r"accessible by integration\): give the token contents: write and pull-requests: write",
        ),
        (
            "write-token",
            "my-org/missing",
            r"repository my-org/missing was not found at http://127\.0\.0\.1:\d+ "
            r"\(404\), or the token cannot see it",
        ),
    ],
    ids=["401", "403", "404"],
)
def test_pull_request_refused_with_one_line(
    github_api: FakeGitHub, token: str, repo: str, message: str
) -> None:
    client, waits = client_for(github_api, token)
    with pytest.raises(GitHubError, match=message) as caught:
        client.open_or_update_pull_request(repo, HEAD, "main", "t", "b")
    assert "\n" not in str(caught.value)
    assert waits == []  # a refusal is final: no retry
    assert github_api.pulls[REPO] == []


def test_pull_request_update_refused_for_read_only_token(github_api: FakeGitHub) -> None:
    client_for(github_api)[0].open_or_update_pull_request(REPO, HEAD, "main", "t", "b")
    reader, _ = client_for(github_api, "read-token")
    with pytest.raises(GitHubError, match=r"refused to update a pull request in my-org/demo \(403"):
        reader.open_or_update_pull_request(REPO, HEAD, "main", "t", "changed")


def test_bad_gateway_then_success(github_api: FakeGitHub) -> None:
    client, waits = client_for(github_api, backoff=0.5)
    github_api.inject(502, body={"message": "Server Error"}, method="POST")
    pull = client.open_or_update_pull_request(REPO, HEAD, "main", "t", "b")
    assert pull.action == "created"
    assert github_api.methods() == ["GET", "POST", "POST"]
    assert waits == [0.5]
    assert len(github_api.pulls[REPO]) == 1


def test_server_errors_until_attempts_run_out(github_api: FakeGitHub) -> None:
    client, waits = client_for(github_api, attempts=3, backoff=1.0)
    for _ in range(3):
        github_api.inject(503)
    with pytest.raises(
        GitHubError, match="GitHub answered 503 when asked to list pull requests in my-org/demo"
    ):
        client.open_or_update_pull_request(REPO, HEAD, "main", "t", "b")
    assert waits == [1.0, 2.0]  # exponential backoff between the three attempts


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit_honours_retry_after(github_api: FakeGitHub, status: int) -> None:
    client, waits = client_for(github_api)
    github_api.inject(
        status, {"retry-after": "3"}, {"message": "You have exceeded a secondary rate limit."}, method="POST"
    )
    pull = client.open_or_update_pull_request(REPO, HEAD, "main", "t", "b")
    assert pull.action == "created"
    assert waits == [3.0]
    assert github_api.methods() == ["GET", "POST", "POST"]


def test_rate_limit_wait_is_capped(github_api: FakeGitHub) -> None:
    client, waits = client_for(github_api, max_delay=0.01)
    github_api.inject(429, {"retry-after": "3600"})
    client.open_or_update_pull_request(REPO, HEAD, "main", "t", "b")
    assert waits == [0.01]


def test_primary_rate_limit_waits_for_reset(github_api: FakeGitHub) -> None:
    client, waits = client_for(github_api)
    github_api.inject(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000042"})
    client.open_or_update_pull_request(REPO, HEAD, "main", "t", "b")
    assert waits == [42.0]


def test_unreachable_api_is_a_network_error() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits: list[float] = []
    http = HttpClient(policy=RetryPolicy(attempts=2), sleep=waits.append)
    client = GitHubClient("write-token", f"http://127.0.0.1:{port}", http)
    with pytest.raises(
        NetworkError, match=rf"cannot reach http://127\.0\.0\.1:{port}/repos/.* after 2 attempts"
    ):
        client.find_pull_request(REPO, HEAD, "main")
    assert waits == [1.0]


@pytest.mark.parametrize(
    ("status", "headers", "attempt", "expected"),
    [
        (None, {}, 1, 1.0),
        (500, {}, 3, 4.0),
        (404, {}, 1, None),
        (403, {}, 1, None),  # a plain 403 is a permission problem, not a rate limit
        (403, {"retry-after": "soon"}, 2, 2.0),  # unparseable: fall back to backoff
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "999990"}, 1, 0.0),  # already reset
        (429, {}, 1, 1.0),
        (502, {}, 5, None),  # attempts exhausted
    ],
)
def test_retry_delay_by_answer(
    status: int | None, headers: dict[str, str], attempt: int, expected: float | None
) -> None:
    assert retry_delay(status, headers, attempt, RetryPolicy(), now=1_000_000.0) == expected


def test_api_url_honours_environment() -> None:
    assert api_url_from({}) == DEFAULT_API_URL
    assert api_url_from({"GITHUB_API_URL": "https://ghe.example/api/v3/"}) == "https://ghe.example/api/v3"


@pytest.mark.parametrize("value", ["demo", "my-org/demo/extra", "-bad/demo", "my org/demo"])
def test_parse_repository_refuses_malformed(value: str) -> None:
    with pytest.raises(UsageError, match="give it as OWNER/NAME"):
        parse_repository(value)


def test_client_without_token_refused() -> None:
    with pytest.raises(GitHubError, match="no GitHub token: set GITHUB_TOKEN"):
        GitHubClient("", "http://127.0.0.1:1")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.github.com/", "https://api.github.com"),
        ("https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3"),
        ("http://127.0.0.2:8080", "http://127.0.0.2:8080"),
        ("http://[::1]:8080/api", "http://[::1]:8080/api"),
        ("http://LOCALHOST:1", "http://LOCALHOST:1"),
    ],
)
def test_validate_api_url_accepts_https_and_loopback(url: str, expected: str) -> None:
    assert validate_api_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://api.github.com", "is not https"),
        ("http://10.0.0.1", "is not https"),
        ("https://token@api.github.com", "holds credentials"),
        ("https://api.github.com?x=1", "query or fragment"),
        ("https://api.github.com?", "query or fragment"),
        ("file:///etc/passwd", "is not an http(s) URL"),
        ("https://", "is not an http(s) URL"),
        ("https://api.github.com\n", "control characters"),
        ("https://[::1", "is malformed"),
    ],
)
def test_validate_api_url_refuses_unsafe(url: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)) as caught:
        validate_api_url(url)
    assert "token@" not in str(caught.value)


def test_client_refuses_plain_http_before_sending_the_token() -> None:
    with pytest.raises(UsageError, match="is not https"):
        GitHubClient("write-token", "http://api.github.com")


def test_wait_advice_from_headers() -> None:
    assert _wait_advice({"retry-after": "30"}) == "wait 30 seconds"
    assert _wait_advice({"x-ratelimit-reset": "1000060"}, now=1_000_000.0) == (
        "wait until 13:47:40 UTC (in 60 seconds), when the limit resets"
    )
    assert _wait_advice({"retry-after": "soon", "x-ratelimit-reset": "never"}) == "wait a few minutes"
    assert _wait_advice({"retry-after": "-1", "x-ratelimit-reset": "1e300"}) == "wait a few minutes"


def test_rate_limited_after_retries_says_to_wait(github_api: FakeGitHub) -> None:
    client, waits = client_for(github_api, attempts=2, max_delay=0.0)
    for _ in range(2):
        github_api.inject(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000090"})
    with pytest.raises(
        GitHubError, match=r"rate limit stopped .* wait until .*this is not a permission problem"
    ):
        client.find_pull_request(REPO, HEAD, "main")
    assert waits == [0.0]


def test_deadline_stops_retries_it_cannot_afford(github_api: FakeGitHub) -> None:
    waits: list[float] = []
    http = HttpClient(policy=RetryPolicy(backoff=100.0), sleep=waits.append, deadline=5.0)
    client = GitHubClient("write-token", github_api.url, http)
    github_api.inject(503)
    with pytest.raises(GitHubError, match="GitHub answered 503"):
        client.find_pull_request(REPO, HEAD, "main")
    assert waits == []  # a 100 s back-off does not fit in a 5 s deadline


def test_deadline_already_spent_is_a_network_error(github_api: FakeGitHub) -> None:
    ticks = iter([0.0, 10.0])
    http = HttpClient(deadline=5.0, monotonic=lambda: next(ticks))
    client = GitHubClient("write-token", github_api.url, http)
    with pytest.raises(NetworkError, match=r"did not answer within the 5 s deadline"):
        client.find_pull_request(REPO, HEAD, "main")
    assert github_api.requests == []


def test_body_over_the_cap_is_refused(github_api: FakeGitHub) -> None:
    github_api.inject(200, body=[{"padding": "x" * 2000}])
    client = GitHubClient("write-token", github_api.url, HttpClient(max_bytes=1000))
    with pytest.raises(NetworkError, match=r"answered with more than 0\.001 MB"):
        client.find_pull_request(REPO, HEAD, "main")
