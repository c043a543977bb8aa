"""The small part of the GitHub REST API mlscaffold needs: open or update a branch's pull request.

`GITHUB_API_URL` (set by GitHub Actions, and on GitHub Enterprise Server) is
honoured. Running the same call twice leaves one pull request with the same
title and body: the second run finds it and changes nothing.

The API URL must be https (plain http only on loopback), so the token never
crosses a network in clear; every answer is checked for the shape mlscaffold
reads before anything of it is used, so a broken or hostile server gives one
line, not a traceback.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NoReturn
from urllib.parse import urlsplit

from mlscaffold import __version__
from mlscaffold.errors import GitHubError, UsageError
from mlscaffold.http import HttpClient, Response

__all__ = [
    "API_URL_ENV",
    "DEFAULT_API_URL",
    "GitHubClient",
    "PullRequest",
    "Repository",
    "api_url_from",
    "parse_repository",
    "validate_api_url",
]

DEFAULT_API_URL = "https://api.github.com"
API_URL_ENV = "GITHUB_API_URL"
# Control characters, line separators and bidirectional overrides (which make a name read as another).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_WEB_URL = re.compile(r"https?://[^\s<>\"'`]{1,2000}")
_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_BRANCH = re.compile(r"(?!.*\.\.)[A-Za-z0-9._][A-Za-z0-9._/+-]{0,254}")
_PER_PAGE = 100
# An organisation with more repositories than this is not read to its end (GitHub's own orgs hold ~500).
_MAX_PAGES = 200


def api_url_from(env: Mapping[str, str]) -> str:
    """Return the API base URL: `GITHUB_API_URL` when set, else github.com's."""
    return (env.get(API_URL_ENV) or DEFAULT_API_URL).rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_api_url(url: str) -> str:
    """Return URL without a trailing slash when it is a safe API base URL; raise `UsageError` otherwise.

    Safe: `https://HOST[:PORT][/PATH]` (plain `http` only for a loopback host), with no
    credentials, query or fragment. The message never repeats the URL's credentials.
    """
    fix = (
        "give --api-url (or GITHUB_API_URL) as https://HOST[/PATH], for example https://ghe.example.com/api/v3"
    )
    if any(ord(char) < 33 or ord(char) == 127 for char in url):
        raise UsageError(f"the GitHub API URL holds spaces or control characters: {fix}.")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise UsageError(f"the GitHub API URL is malformed: {fix}.") from None
    shown = f"{parts.scheme}://{host}" if host else repr(url[:60])
    if parts.username is not None or parts.password is not None:
        raise UsageError(f"the GitHub API URL {shown} holds credentials: {fix}, and the token in GITHUB_TOKEN.")
    if parts.scheme not in {"https", "http"} or not host:
        raise UsageError(f"the GitHub API URL {shown} is not an http(s) URL: {fix}.")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise UsageError(f"the GitHub API URL {shown} has a query or fragment: {fix}.")
    if parts.scheme == "http" and not _is_loopback(host):
        raise UsageError(
            f"the GitHub API URL {shown} is not https: the token would cross the network in clear; {fix}."
        )
    return url.rstrip("/")


def parse_repository(value: str) -> tuple[str, str]:
    """Split OWNER/NAME, refusing anything else."""
    if not _REPOSITORY.fullmatch(value):
        raise UsageError(
            f"'{value}' is not a repository: give it as OWNER/NAME (for example my-org/my-project)."
        )
    owner, name = value.split("/")
    return owner, name


@dataclass(frozen=True)
class Repository:
    """A repository of an organisation's listing: OWNER/NAME, its default branch (None: not valid)."""

    full_name: str
    default_branch: str | None
    archived: bool = False


@dataclass(frozen=True)
class PullRequest:
    """A pull request and what this run did to it."""

    number: int
    url: str
    action: Literal["created", "updated", "unchanged"]


def _is_rate_limited(response: Response) -> bool:
    if response.status == 429:
        return True
    headers = response.headers
    return response.status == 403 and ("retry-after" in headers or headers.get("x-ratelimit-remaining") == "0")


def _wait_advice(headers: Mapping[str, str], now: float | None = None) -> str:
    """Say how long to wait, from `retry-after` (seconds) or `x-ratelimit-reset` (epoch seconds)."""
    try:
        seconds = float(headers["retry-after"])
        if 0 <= seconds < 10**7:
            return f"wait {seconds:g} seconds"
    except (KeyError, ValueError):
        pass
    try:
        reset = float(headers["x-ratelimit-reset"])
        if 0 < reset < 10**11:
            when = time.strftime("%H:%M:%S UTC", time.gmtime(reset))
            left = max(0, round(reset - (time.time() if now is None else now)))
            return f"wait until {when} (in {left} seconds), when the limit resets"
    except (KeyError, ValueError, OverflowError, OSError):
        pass
    return "wait a few minutes"


def _one_line(text: str, limit: int = 200) -> str:
    """Return TEXT as one printable line of at most LIMIT characters (a server's words are untrusted)."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _message(response: Response) -> str:
    if isinstance(response.data, Mapping):
        errors = response.data.get("errors")
        details = [
            str(error.get("message", "")) if isinstance(error, Mapping) else str(error)
            for error in (errors[:5] if isinstance(errors, list) else [])
        ]
        parts = [str(response.data.get("message", "")), *details]
        return _one_line("; ".join(part for part in parts if part))
    return _one_line(response.text[:1000])


class GitHubClient:
    """A token-authenticated client for one API base URL."""

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, http: HttpClient | None = None) -> None:
        if not token:
            raise GitHubError(
                "no GitHub token: set GITHUB_TOKEN to a token that may write pull requests "
                "(in a workflow: a GitHub App token or a fine-grained PAT)."
            )
        self.api_url = validate_api_url(api_url)
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"mlscaffold/{__version__}",
        }
        self.http = http if http is not None else HttpClient()
        self.http.headers = {**self.http.headers, **headers}

    def _call(
        self, method: str, path: str, what: str, repo: str, advice: str | None = None, **kwargs: Any
    ) -> Response:
        response = self.http.request(method, f"{self.api_url}{path}", **kwargs)
        if not response.is_success:
            self._fail(response, what, repo, advice)
        return response

    def _fail(self, response: Response, what: str, repo: str, advice: str | None = None) -> NoReturn:
        detail = _message(response)
        detail = f": {detail}" if detail else ""
        if _is_rate_limited(response):
            raise GitHubError(
                f"GitHub's rate limit stopped the request to {what} in {repo} ({response.status}{detail}): "
                f"{_wait_advice(response.headers)}, then run it again; this is not a permission problem."
            )
        if response.status == 401:
            raise GitHubError(
                f"GitHub rejected the token (401{detail}): set GITHUB_TOKEN to a valid, unexpired token."
            )
        if response.status == 403:
            raise GitHubError(
                f"GitHub refused to {what} in {repo} (403{detail}): "
                + (
                    advice
                    or "give the token contents: write and pull-requests: write, and allow GitHub "
                    "Actions to create pull requests in the settings."
                )
            )
        if response.status == 404:
            raise GitHubError(
                f"repository {repo} was not found at {self.api_url} (404), or the token cannot see it: "
                "check the repository name, GITHUB_API_URL and the token's repository access."
            )
        raise GitHubError(f"GitHub answered {response.status} when asked to {what} in {repo}{detail}.")

    def find_pull_request(self, repo: str, head: str, base: str) -> dict[str, Any] | None:
        """Return the open pull request from branch HEAD into BASE of REPO, if there is one."""
        owner, _ = parse_repository(repo)
        response = self._call(
            "GET",
            f"/repos/{repo}/pulls",
            "list pull requests",
            repo,
            params={"state": "open", "head": f"{owner}:{head}", "base": base},
        )
        if not isinstance(response.data, list):
            raise self._malformed("a list of pull requests", "list pull requests", repo)
        for pull in response.data:
            ref = pull.get("head") if isinstance(pull, Mapping) else None
            if not isinstance(ref, Mapping):
                raise self._malformed("a list of pull requests", "list pull requests", repo)
            if ref.get("ref") == head:
                return dict(pull)
        return None

    def find_pull(self, repo: str, head: str, base: str) -> tuple[int, str] | None:
        """Return the number and URL of the open pull request from HEAD into BASE, if there is one."""
        found = self.find_pull_request(repo, head, base)
        return None if found is None else self._pull(found, "list pull requests", repo)

    def _malformed(self, expected: str, what: str, repo: str) -> GitHubError:
        return GitHubError(
            f"{self.api_url} did not answer with {expected} when asked to {what} in {repo}: it is not "
            "the GitHub API, or it is broken; check --api-url (or GITHUB_API_URL) and try again."
        )

    def _pull(self, data: Any, what: str, repo: str) -> tuple[int, str]:
        """Return the number and URL of the pull request DATA, refusing anything else."""
        number = data.get("number") if isinstance(data, Mapping) else None
        url = data.get("html_url") if isinstance(data, Mapping) else None
        if (
            not isinstance(number, int)
            or isinstance(number, bool)
            or not 0 < number < 2**53
            or not isinstance(url, str)
            or not _WEB_URL.fullmatch(url)
        ):
            raise self._malformed("a pull request (an integer `number` and an `html_url`)", what, repo)
        return number, url

    def open_or_update_pull_request(
        self, repo: str, head: str, base: str, title: str, body: str
    ) -> PullRequest:
        """Make sure one open pull request from HEAD into BASE has TITLE and BODY; say what it took."""
        existing = self.find_pull_request(repo, head, base)
        if existing is None:
            response = self.http.request(
                "POST",
                f"{self.api_url}/repos/{repo}/pulls",
                json={"title": title, "head": head, "base": base, "body": body},
            )
            if response.is_success:
                return PullRequest(*self._pull(response.data, "open a pull request", repo), "created")
            message = _message(response)
            if response.status == 422 and "already exists" in message:
                # Another run opened it between our look-up and our create: update that one.
                existing = self.find_pull_request(repo, head, base)
            elif response.status == 422 and "no commits between" in message.lower():
                raise GitHubError(
                    f"branch {head} has no commits ahead of {base}: push the upgrade commit to {head} first."
                )
            if existing is None:
                self._fail(response, "open a pull request", repo)
        number, url = self._pull(existing, "list pull requests", repo)
        if existing.get("title") == title and (existing.get("body") or "") == body:
            return PullRequest(number, url, "unchanged")
        response = self._call(
            "PATCH",
            f"/repos/{repo}/pulls/{number}",
            "update a pull request",
            repo,
            json={"title": title, "body": body},
        )
        updated, url = self._pull(response.data, "update a pull request", repo)
        return PullRequest(updated, url, "updated")

    def list_repositories(self, owner: str) -> list[Repository]:
        """Return the repositories of organisation (or user) OWNER, every page, in the API's order."""
        if not _OWNER.fullmatch(owner):
            raise UsageError(f"'{owner[:60]}' is not a GitHub organisation or user name: give it as OWNER.")
        path = f"/orgs/{owner}/repos"
        found: dict[str, Repository] = {}
        for page in range(1, _MAX_PAGES + 1):
            params = {"per_page": str(_PER_PAGE), "page": str(page), "type": "all"}
            response = self.http.request("GET", f"{self.api_url}{path}", params=params)
            if response.status == 404 and page == 1 and path.startswith("/orgs/"):
                path = f"/users/{owner}/repos"  # a user account, not an organisation
                response = self.http.request("GET", f"{self.api_url}{path}", params=params)
            if not response.is_success:
                self._fail(response, "list the repositories", owner, "give the token metadata: read.")
            if not isinstance(response.data, list):
                raise self._malformed("a list of repositories", "list the repositories", owner)
            for entry in response.data:
                repository = self._repository(entry, owner)
                found.setdefault(repository.full_name, repository)
            if len(response.data) < _PER_PAGE:
                break
        return list(found.values())

    def _repository(self, entry: Any, owner: str) -> Repository:
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not _REPOSITORY.fullmatch(f"{owner}/{name}"):
            raise self._malformed(
                "a list of repositories (each with a valid `name`)", "list the repositories", owner
            )
        branch = entry.get("default_branch")
        valid = (
            isinstance(branch, str) and _BRANCH.fullmatch(branch) and not branch.endswith((".lock", "/", "."))
        )
        return Repository(f"{owner}/{name}", branch if valid else None, entry.get("archived") is True)

    def read_file(self, repo: str, path: str, ref: str) -> str | None:
        """Return the UTF-8 text of PATH at REF in REPO, or None when there is no such file."""
        what = f"read {path}"
        response = self.http.request("GET", f"{self.api_url}/repos/{repo}/contents/{path}", params={"ref": ref})
        if response.status == 404:
            return None
        if not response.is_success:
            self._fail(response, what, repo, "give the token contents: read.")
        data = response.data
        content = data.get("content") if isinstance(data, Mapping) else None
        if not isinstance(data, Mapping) or data.get("type") != "file" or not isinstance(content, str):
            raise self._malformed(f"the content of the file {path}", what, repo)
        if data.get("encoding") != "base64":
            raise GitHubError(f"{path} in {repo} is too large to read through the API (over 1 MB): shrink it.")
        try:
            return base64.b64decode("".join(content.split()), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise GitHubError(
                f"{path} in {repo} did not arrive as valid base64 UTF-8 text from {self.api_url}: "
                "check the file (it must be UTF-8) and --api-url."
            ) from None

    def dispatch_workflow(self, repo: str, workflow: str, ref: str) -> None:
        """Start WORKFLOW (a file name in .github/workflows) of REPO on branch REF (`workflow_dispatch`)."""
        response = self.http.request(
            "POST", f"{self.api_url}/repos/{repo}/actions/workflows/{workflow}/dispatches", json={"ref": ref}
        )
        if response.is_success:
            return
        detail = _message(response)
        if response.status == 404 and not _is_rate_limited(response):
            raise GitHubError(
                f"{repo} has no workflow {workflow} on {ref}, or the token cannot see it (404): "
                "upgrade the repository by hand once, or give the token actions: write."
            )
        if response.status == 422:
            raise GitHubError(
                f"GitHub would not start {workflow} in {repo} (422: {detail}): "
                "the workflow needs a `workflow_dispatch:` trigger; upgrade the repository by hand once."
            )
        self._fail(response, f"start {workflow}", repo, "give the token actions: write.")
