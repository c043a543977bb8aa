"""A loopback HTTP server speaking the small part of GitHub's REST API that mlscaffold uses.

It keeps pull requests in memory, checks the bearer token and its scope like
GitHub does (401 bad token, 403 read-only token writing, 404 unknown
repository), and answers queued injected errors first. For `mlscaffold status`
it also lists organisations' repositories page by page (with `Link` headers)
and serves files' contents base64-encoded, as the contents API does.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from support.loopback import Loopback, serve

_PULLS = re.compile(r"^/repos/([^/]+)/([^/]+)/pulls$")
_PULL = re.compile(r"^/repos/([^/]+)/([^/]+)/pulls/(\d+)$")
_DISPATCH = re.compile(r"^/repos/([^/]+)/([^/]+)/actions/workflows/([^/]+)/dispatches$")
_LISTING = re.compile(r"^/(orgs|users)/([^/]+)/repos$")
_CONTENTS = re.compile(r"^/repos/([^/]+)/([^/]+)/contents/(.+)$")


@dataclass
class Injected:
    """An answer to give instead of the real one."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # bytes are sent as they are, anything else as JSON
    method: str | None = None
    path: str | None = None  # only a request whose path (without query) is this one
    times: int = 1


@dataclass
class FakeGitHub(Loopback[tuple[str, str, Any]]):
    """The API's state: repositories with branches and pull requests, tokens, requests seen."""

    tokens: dict[str, str] = field(default_factory=lambda: {"write-token": "write", "read-token": "read"})
    branches: dict[str, set[str]] = field(default_factory=dict)
    pulls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    injected: list[Injected] = field(default_factory=list)
    # A repository's branches can live in a real git repository (a workflow run pushes to it).
    git_dirs: dict[str, Path] = field(default_factory=dict)
    # Workflow files each repository has, with the inputs each declares (dispatches are checked).
    workflows: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    dispatches: list[dict[str, Any]] = field(default_factory=list)
    # Organisations (and users): their repositories' listing entries, in listing order.
    owners: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    users: set[str] = field(default_factory=set)
    # Files on each repository's default branch: repo -> path -> bytes.
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)
    # Seconds each answer waits before it is sent, as a distant API would (benchmarks).
    latency: float = 0.0

    def add_org_repository(
        self, repo: str, files: dict[str, bytes] | None = None, default_branch: str = "main", **entry: Any
    ) -> None:
        """Add REPO to its owner's listing, with FILES on its DEFAULT_BRANCH (and pull requests, dispatches)."""
        owner, name = repo.split("/")
        self.add_repository(repo, default_branch)
        self.owners.setdefault(owner, []).append({"name": name, "default_branch": default_branch, **entry})
        self.files[repo] = dict(files or {})

    def add_repository(self, repo: str, *branches: str, git_dir: Path | None = None) -> None:
        self.branches[repo] = {"main", *branches}
        self.pulls[repo] = []
        if git_dir is not None:
            self.git_dirs[repo] = git_dir

    def has_branch(self, repo: str, branch: str) -> bool:
        if repo in self.git_dirs:
            found = subprocess.run(
                [
                    "git",
                    "--git-dir",
                    str(self.git_dirs[repo]),
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    f"refs/heads/{branch}",
                ],
                capture_output=True,
                check=False,
            )
            return found.returncode == 0
        return branch in self.branches[repo]

    def inject(self, status: int, headers: dict[str, str] | None = None, body: Any = None, **kw: Any) -> None:
        self.injected.append(
            Injected(status, headers or {}, body, kw.get("method"), kw.get("path"), kw.get("times", 1))
        )

    def methods(self) -> list[str]:
        return [method for method, _, _ in self.requests]

    def answer(self, method: str, target: str, auth: str, payload: Any) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            self.requests.append((method, target, payload))
            path = urlsplit(target).path
            for index, injected in enumerate(self.injected):
                if injected.method in (None, method) and injected.path in (None, path):
                    injected.times -= 1
                    if injected.times <= 0:
                        del self.injected[index]
                    return injected.status, injected.headers, injected.body
            return self._real(method, target, auth, payload)

    def _real(  # noqa: PLR0911, PLR0912 - one return per answer GitHub gives
        self, method: str, target: str, auth: str, payload: Any
    ) -> tuple[int, dict[str, str], Any]:
        token = auth.removeprefix("Bearer ")
        if token not in self.tokens:
            return 401, {}, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
        parts = urlsplit(target)
        listing = _LISTING.match(parts.path)
        if listing and method == "GET":
            return self._listing(listing.group(1), listing.group(2), parts.query)
        contents = _CONTENTS.match(parts.path)
        if contents and method == "GET":
            return self._contents(f"{contents.group(1)}/{contents.group(2)}", contents.group(3), parts.query)
        dispatch = _DISPATCH.match(parts.path)
        if dispatch and method == "POST":
            if self.tokens[token] != "write":
                return 403, {}, {"message": "Resource not accessible by integration"}
            return self._dispatch(f"{dispatch.group(1)}/{dispatch.group(2)}", dispatch.group(3), payload)
        match = _PULLS.match(parts.path) or _PULL.match(parts.path)
        if match is None:
            return 404, {}, {"message": "Not Found"}
        repo = f"{match.group(1)}/{match.group(2)}"
        if repo not in self.pulls:
            return 404, {}, {"message": "Not Found"}
        if method != "GET" and self.tokens[token] != "write":
            return 403, {}, {"message": "Resource not accessible by integration"}
        pulls = self.pulls[repo]
        if method == "GET" and match.re is _PULLS:
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            owner, _, branch = query.get("head", ":").partition(":")
            found = [
                p
                for p in pulls
                if p["state"] == query.get("state", "open")
                and (not branch or (owner == match.group(1) and p["head"]["ref"] == branch))
                and ("base" not in query or p["base"]["ref"] == query["base"])
            ]
            return 200, {}, found
        if method == "POST" and match.re is _PULLS:
            head, base = payload.get("head"), payload.get("base")
            if any(p["head"]["ref"] == head and p["state"] == "open" for p in pulls):
                return (
                    422,
                    {},
                    {
                        "message": "Validation Failed",
                        "errors": [{"message": f"A pull request already exists for {match.group(1)}:{head}."}],
                    },
                )
            if not self.has_branch(repo, head):
                return (
                    422,
                    {},
                    {
                        "message": "Validation Failed",
                        "errors": [{"message": f"No commits between {base} and {head}"}],
                    },
                )
            number = len(pulls) + 1
            pull = {
                "number": number,
                "html_url": f"https://github.example/{repo}/pull/{number}",
                "state": "open",
                "title": payload["title"],
                "body": payload.get("body"),
                "head": {"ref": head},
                "base": {"ref": base},
            }
            pulls.append(pull)
            return 201, {}, pull
        if method == "PATCH" and match.re is _PULL:
            for pull in pulls:
                if pull["number"] == int(match.group(3)):
                    pull.update({k: v for k, v in payload.items() if k in {"title", "body", "state"}})
                    return 200, {}, pull
            return 404, {}, {"message": "Not Found"}
        return 404, {}, {"message": "Not Found"}

    def _listing(self, kind: str, owner: str, query: str) -> tuple[int, dict[str, str], Any]:
        """Answer one page of an organisation's (or user's) repositories, with GitHub's `Link` header."""
        if owner not in self.owners or (kind == "users") != (owner in self.users):
            return 404, {}, {"message": "Not Found"}
        params = {k: v[0] for k, v in parse_qs(query).items()}
        per_page, page = min(int(params.get("per_page", "30")), 100), int(params.get("page", "1"))
        entries = self.owners[owner]
        last = max(1, -(-len(entries) // per_page))
        links = [f'<{self.url}/{kind}/{owner}/repos?per_page={per_page}&page={last}>; rel="last"']
        if page < last:
            links.insert(
                0, f'<{self.url}/{kind}/{owner}/repos?per_page={per_page}&page={page + 1}>; rel="next"'
            )
        full = [{**entry, "full_name": f"{owner}/{entry['name']}"} for entry in entries]
        return 200, {"Link": ", ".join(links)}, full[(page - 1) * per_page : page * per_page]

    def _contents(self, repo: str, path: str, query: str) -> tuple[int, dict[str, str], Any]:
        """Answer a file's content on the default branch, base64 in lines of 60 like GitHub."""
        ref = parse_qs(query).get("ref", [""])[0]
        files = self.files.get(repo)
        if files is None or path not in files or ref not in self.branches[repo]:
            return 404, {}, {"message": "Not Found"}
        encoded = base64.b64encode(files[path]).decode()
        content = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
        return (
            200,
            {},
            {"type": "file", "encoding": "base64", "path": path, "size": len(files[path]), "content": content},
        )

    def _dispatch(self, repo: str, workflow: str, payload: Any) -> tuple[int, dict[str, str], Any]:
        """Answer a workflow dispatch as GitHub does, recording the accepted ones."""
        if repo not in self.pulls or not isinstance(payload, dict) or "ref" not in payload:
            return 404, {}, {"message": "Not Found"}
        declared = self.workflows.get(repo)
        if declared is not None:
            if workflow not in declared:
                return 404, {}, {"message": "Not Found"}
            unexpected = sorted(set(payload.get("inputs") or {}) - declared[workflow])
            if unexpected:
                return 422, {}, {"message": f"Unexpected inputs provided: {unexpected}"}
        self.dispatches.append({"repo": repo, "workflow": workflow, **payload})
        return 204, {}, None


def _handler(api: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            if api.latency:
                time.sleep(api.latency)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            payload = json.loads(raw) if raw else None
            status, headers, body = api.answer(
                self.command, self.path, self.headers.get("Authorization", ""), payload
            )
            data = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output quiet."""

    return Handler


@contextmanager
def serve_github(api: FakeGitHub) -> Iterator[FakeGitHub]:
    """Serve API on 127.0.0.1 on a free port, in a thread, for the duration of the block."""
    with serve(api, _handler(api)):
        yield api
