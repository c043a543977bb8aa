"""The small part of the GitHub REST API mlscaffold needs: open or update a branch's pull request.

`GITHUB_API_URL` (set by GitHub Actions, and on GitHub Enterprise Server) is
honoured. Running the same call twice leaves one pull request with the same
title and body: the second run finds it and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

from mlscaffold import __version__
from mlscaffold.errors import GitHubError, UsageError
from mlscaffold.http import HttpClient, Response

__all__ = ["API_URL_ENV", "DEFAULT_API_URL", "GitHubClient", "PullRequest", "api_url_from", "parse_repository"]

DEFAULT_API_URL = "https://api.github.com"
API_URL_ENV = "GITHUB_API_URL"
_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")


def api_url_from(env: Mapping[str, str]) -> str:
    """Return the API base URL: `GITHUB_API_URL` when set, else github.com's."""
    return (env.get(API_URL_ENV) or DEFAULT_API_URL).rstrip("/")


def parse_repository(value: str) -> tuple[str, str]:
    """Split OWNER/NAME, refusing anything else."""
    if not _REPOSITORY.fullmatch(value):
        raise UsageError(
            f"'{value}' is not a repository: give it as OWNER/NAME (for example my-org/my-project)."
        )
    owner, name = value.split("/")
    return owner, name


@dataclass(frozen=True)
class PullRequest:
    """A pull request and what this run did to it."""

    number: int
    url: str
    action: Literal["created", "updated", "unchanged"]


def _message(response: Response) -> str:
    if isinstance(response.data, Mapping):
        text = str(response.data.get("message", ""))
        details = [
            str(error.get("message", "")) if isinstance(error, Mapping) else str(error)
            for error in response.data.get("errors", []) or []
        ]
        return "; ".join(part for part in [text, *details] if part)
    return response.text.strip().splitlines()[0][:200] if response.text.strip() else ""


class GitHubClient:
    """A token-authenticated client for one API base URL."""

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, http: HttpClient | None = None) -> None:
        if not token:
            raise GitHubError(
                "no GitHub token: set GITHUB_TOKEN to a token that may write pull requests "
                "(in a workflow: a GitHub App token or a fine-grained PAT)."
            )
        self.api_url = api_url.rstrip("/")
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"mlscaffold/{__version__}",
        }
        self.http = http if http is not None else HttpClient()
        self.http.headers = {**self.http.headers, **headers}

    def _call(self, method: str, path: str, what: str, repo: str, **kwargs: Any) -> Response:
        response = self.http.request(method, f"{self.api_url}{path}", **kwargs)
        if not response.is_success:
            self._fail(response, what, repo)
        return response

    def _fail(self, response: Response, what: str, repo: str) -> NoReturn:
        detail = _message(response)
        detail = f": {detail}" if detail else ""
        if response.status == 401:
            raise GitHubError(
                f"GitHub rejected the token (401{detail}): set GITHUB_TOKEN to a valid, unexpired token."
            )
        if response.status == 403:
            raise GitHubError(
                f"GitHub refused to {what} in {repo} (403{detail}): give the token contents: write and "
                "pull-requests: write, and allow GitHub Actions to create pull requests in the settings."
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
        found = response.data if isinstance(response.data, list) else []
        for pull in found:
            if isinstance(pull, Mapping) and pull.get("head", {}).get("ref") == head:
                return dict(pull)
        return None

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
                return PullRequest(int(response.data["number"]), str(response.data["html_url"]), "created")
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
        number = int(existing["number"])
        url = str(existing.get("html_url", ""))
        if existing.get("title") == title and (existing.get("body") or "") == body:
            return PullRequest(number, url, "unchanged")
        response = self._call(
            "PATCH",
            f"/repos/{repo}/pulls/{number}",
            "update a pull request",
            repo,
            json={"title": title, "body": body},
        )
        return PullRequest(number, str(response.data.get("html_url", url)), "updated")
