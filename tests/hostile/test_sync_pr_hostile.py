"""`mlscaffold sync-pr` against a hostile API server, hostile API URLs and hostile upgrade reports.

Every case runs the command as a real process against a loopback server that misbehaves on
purpose: it trickles bytes, never ends a body, answers JSON of the wrong shape or rate-limits.
The command ends within its deadline (`MLSCAFFOLD_SYNC_PR_TIMEOUT`, small here) with one line
and exit 1, never a traceback; the token only goes to https or loopback hosts; nothing taken
from the report can add Markdown structure, HTML or a mention to the pull request body.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mlscaffold.syncpr import MARKER

from hostile.conftest import assert_one_line_error, run_cli
from support.fake_github import FakeGitHub, serve_github

HEAD = "mlscaffold/template-sync"
MAX_BODY_CHARS = 65_536  # GitHub refuses a longer pull request body
DEADLINE = 3  # seconds: the command's whole budget in these tests
# A process that is killed at this bound failed the test: the deadline did not hold.
PROCESS_LIMIT = 40
REPORT: dict[str, Any] = {
    "from": "v0.1.0",
    "to": "v0.2.0",
    "updated": ["Makefile"],
    "added": [],
    "removed": [],
    "conflicts": [],
    "conflict_details": [],
    "kept": [],
}
PULL = {"number": 1, "html_url": "https://github.example/my-org/demo/pull/1", "title": "t", "body": "b"}

Behaviour = Callable[[BaseHTTPRequestHandler, threading.Event], None]


def answer(status: int, body: Any, headers: dict[str, str] | None = None, *, raw: bool = False) -> Behaviour:
    """Answer STATUS with BODY (JSON unless RAW bytes)."""

    def behave(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        data = body if raw else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    return behave


def trickle_headers(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Send a status line, then header bytes one at a time, never ending the headers."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while not stop.wait(0.2):
        handler.wfile.write(b"a")
        handler.wfile.flush()


def trickle_body(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Promise a body of 1 MB and send it a byte every 0.2 seconds."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "1000000")
    handler.end_headers()
    handler.wfile.write(b"[")
    while not stop.wait(0.2):
        handler.wfile.write(b" ")
        handler.wfile.flush()


def endless_body(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Stream a chunked body of spaces that does not end (stopped at 100 MB, so a reader without a cap ends)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b" " * 1_000_000
    for _ in range(100):
        if stop.is_set():
            return
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    handler.wfile.write(b"0\r\n\r\n")


def broken_chunks(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Promise a chunked body and send a chunk size that is not hexadecimal."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    handler.wfile.write(b"zz\r\n[]\r\n0\r\n\r\n")
    handler.close_connection = True


def gzip_bomb(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Send 60 KB of gzip that expands to 60 MB."""
    data = gzip.compress(b" " * 60_000_000, compresslevel=9)
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def slow_errors(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Answer every request with 503, after 1.5 seconds."""
    stop.wait(1.5)
    answer(503, {"message": "slow"})(handler, stop)


@dataclass
class HostileServer:
    """A loopback server answering each method with a queued or standing behaviour."""

    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    seen: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, authorization)
    stop: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    port: int = 0

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                server.seen.append((self.command, self.path, self.headers.get("Authorization", "")))
                default = {"GET": answer(200, []), "POST": answer(201, PULL), "PATCH": answer(200, PULL)}
                behave = server.behaviours.get(self.command, default.get(self.command, answer(404, {})))
                with contextlib.suppress(OSError):  # the client gave up: that is the point
                    behave(self, server.stop)

            do_GET = do_POST = do_PATCH = _serve  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                """Keep the test output quiet."""

        return Handler


@pytest.fixture
def hostile_api() -> Iterator[HostileServer]:
    """Serve a misbehaving API on 127.0.0.1 for one test."""
    api = HostileServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), api.handler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    api.port = server.server_address[1]
    api.url = f"http://127.0.0.1:{api.port}"
    try:
        yield api
    finally:
        api.stop.set()
        server.shutdown()
        server.server_close()
        thread.join()


def write_report(tmp_path: Path, report: Any) -> Path:
    path = tmp_path / "upgrade.json"
    path.write_text(report if isinstance(report, str) else json.dumps(report), encoding="utf-8")
    return path


def sync_pr(
    tmp_path: Path, api_url: str, *extra: str, report: Path | None = None, deadline: float = DEADLINE
) -> Any:
    """Run sync-pr for REPORT against API_URL; return the process and the seconds it took."""
    start = time.monotonic()
    result = run_cli(
        "sync-pr",
        "--report",
        str(report or write_report(tmp_path, REPORT)),
        "--head",
        HEAD,
        *extra,
        cwd=tmp_path,
        timeout=PROCESS_LIMIT,
        env={
            "GITHUB_API_URL": api_url,
            "GITHUB_TOKEN": "write-token",
            "GH_TOKEN": "",
            "GITHUB_REPOSITORY": "my-org/demo",
            "MLSCAFFOLD_SYNC_PR_TIMEOUT": str(deadline),
        },
    )
    return result, time.monotonic() - start


# --- the server misbehaves ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "bound"),
    [(trickle_headers, 20), (trickle_body, 20), (slow_errors, 12)],
    ids=["trickled-headers", "trickled-body", "slow-503-every-time"],
)
def test_sync_pr_deadline_holds_against_a_slow_server(
    hostile_api: HostileServer, tmp_path: Path, behaviour: Behaviour, bound: float
) -> None:
    hostile_api.behaviours["GET"] = behaviour
    result, seconds = sync_pr(tmp_path, hostile_api.url)
    line = assert_one_line_error(result, 1)
    assert f"within the {DEADLINE} s deadline" in line
    # Generous against a loaded machine, far below what the server would take (forever, or
    # 5 slow attempts with 15 s of back-off).
    assert seconds < bound


@pytest.mark.parametrize("behaviour", [endless_body, gzip_bomb], ids=["endless", "gzip-bomb"])
def test_sync_pr_endless_body_is_cut_at_the_size_cap(
    hostile_api: HostileServer, tmp_path: Path, behaviour: Behaviour
) -> None:
    hostile_api.behaviours["GET"] = behaviour
    result, _ = sync_pr(tmp_path, hostile_api.url, deadline=30)  # the cap, not the deadline, stops it
    line = assert_one_line_error(result, 1)
    assert "answered with more than 10 MB" in line


@pytest.mark.parametrize(
    ("method", "behaviour"),
    [
        ("GET", answer(200, b"[{not json", raw=True)),
        ("GET", answer(200, {"message": "an object, not a list"})),
        ("GET", answer(200, b"", raw=True)),
        ("GET", answer(200, b"[" * 100_000, raw=True)),
        ("GET", answer(200, [{"head": "a string", "number": 1}])),
        ("GET", answer(200, [{"head": {"ref": HEAD}, "number": "seven", "html_url": PULL["html_url"]}])),
        ("POST", answer(201, [PULL])),
        ("POST", answer(201, {"html_url": PULL["html_url"]})),
        ("POST", answer(201, {**PULL, "number": "seven"})),
        ("POST", answer(201, {**PULL, "number": 1.5})),
        ("POST", answer(201, {**PULL, "number": True})),
        ("POST", answer(201, {"number": 1})),
        ("POST", answer(201, {**PULL, "html_url": "javascript:alert(1)"})),
        ("POST", answer(201, b"<html>proxy login</html>", raw=True)),
    ],
    ids=[
        "malformed-json",
        "object-for-list",
        "empty-body",
        "deeply-nested",
        "head-not-object",
        "existing-number-not-int",
        "array-for-object",
        "missing-number",
        "string-number",
        "float-number",
        "bool-number",
        "missing-html-url",
        "script-html-url",
        "html-page",
    ],
)
def test_sync_pr_malformed_answer_is_one_line(
    hostile_api: HostileServer, tmp_path: Path, method: str, behaviour: Behaviour
) -> None:
    hostile_api.behaviours[method] = behaviour
    result, _ = sync_pr(tmp_path, hostile_api.url)
    line = assert_one_line_error(result, 1)
    assert "check --api-url (or GITHUB_API_URL)" in line


def test_sync_pr_broken_http_is_one_line(hostile_api: HostileServer, tmp_path: Path) -> None:
    hostile_api.behaviours["GET"] = broken_chunks
    result, _ = sync_pr(tmp_path, hostile_api.url)
    line = assert_one_line_error(result, 1)
    assert "sent a malformed HTTP answer" in line


def test_sync_pr_server_message_cannot_add_lines(hostile_api: HostileServer, tmp_path: Path) -> None:
    message = "Bad\nerror: forged second line\x1b[2J" + "x" * 5000
    hostile_api.behaviours["GET"] = answer(401, {"message": message, "errors": 7})
    result, _ = sync_pr(tmp_path, hostile_api.url)
    line = assert_one_line_error(result, 1)
    assert "\x1b" not in result.stderr
    assert len(line) < 600


@pytest.mark.parametrize(
    ("status", "headers", "advice"),
    [
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 3600)}, "wait until"),
        (429, {"retry-after": "600"}, "wait 600 seconds"),
        (403, {"retry-after": "900", "x-ratelimit-remaining": "12"}, "wait 900 seconds"),
    ],
    ids=["primary-403", "429-retry-after", "secondary-403"],
)
def test_sync_pr_rate_limit_says_to_wait(
    hostile_api: HostileServer, tmp_path: Path, status: int, headers: dict[str, str], advice: str
) -> None:
    hostile_api.behaviours["GET"] = answer(status, {"message": "API rate limit exceeded"}, headers)
    result, seconds = sync_pr(tmp_path, hostile_api.url)
    line = assert_one_line_error(result, 1)
    assert "rate limit" in line
    assert advice in line
    assert "contents: write" not in line  # not a permission problem
    assert seconds < 20


# --- the API URL ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("http://0.0.0.0:{port}", "is not https"),  # reaches this machine, but is not loopback
        ("http://user:hunter2@127.0.0.1:{port}", "holds credentials"),
        ("http://127.0.0.1:{port}/?per_page=1", "has a query or fragment"),
        ("http://127.0.0.1:{port}/#x", "has a query or fragment"),
        ("ftp://127.0.0.1:{port}", "is not an http(s) URL"),
        ("http://127.0.0.1:{port}/ x", "spaces or control characters"),
        ("http://127.0.0.1:99999", "is malformed"),
        ("not a url", "spaces or control characters"),
    ],
    ids=["plain-http", "credentials", "query", "fragment", "ftp", "space", "bad-port", "garbage"],
)
@pytest.mark.parametrize("where", ["option", "environment"])
def test_sync_pr_refuses_unsafe_api_url_before_any_request(
    hostile_api: HostileServer, tmp_path: Path, template: str, said: str, where: str
) -> None:
    url = template.format(port=hostile_api.port)
    if where == "option":
        result, _ = sync_pr(tmp_path, hostile_api.url, "--api-url", url)
    else:
        result, _ = sync_pr(tmp_path, url)
    line = assert_one_line_error(result, 2)
    assert said in line
    assert "hunter2" not in result.stderr
    assert hostile_api.seen == []  # the token went nowhere


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_sync_pr_allows_plain_http_on_loopback(hostile_api: HostileServer, tmp_path: Path, host: str) -> None:
    result, _ = sync_pr(tmp_path, f"http://{host}:{hostile_api.port}/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Opened pull request #1")


# --- the upgrade report ----------------------------------------------------------------------------


@pytest.fixture
def github_api() -> Iterator[FakeGitHub]:
    """The loopback GitHub API that keeps the pull requests it is sent."""
    api = FakeGitHub()
    api.add_repository("my-org/demo", HEAD)
    with serve_github(api) as served:
        yield served


HOSTILE_PATHS = [
    "docs/x.md\n# Owned heading",
    "a`b``c`",
    "`` ```",
    "<img src=x onerror=alert(1)>",
    "@octocat/ping.md",
    "notes for @my-org/admins.md",
    "see #1 and other/repo#2",
    "[click](https://evil.example)",
    "x\r\n- [x] forged checkbox",
    "<!-- mlscaffold:template-sync -->",
]


def test_sync_pr_body_escapes_report_values(github_api: FakeGitHub, tmp_path: Path) -> None:
    report = {
        **REPORT,
        "updated": HOSTILE_PATHS,
        "conflicts": ["params.yaml", *HOSTILE_PATHS[:2]],
        "conflict_details": [
            {"path": "params.yaml", "message": "@octocat look\n## Injected <b>bold</b> [l](http://e) #3"}
        ],
    }
    result, _ = sync_pr(tmp_path, github_api.url, report=write_report(tmp_path, report))
    assert result.returncode == 0, result.stderr
    [pull] = github_api.pulls["my-org/demo"]
    body: str = pull["body"]
    headings = [line for line in body.splitlines() if line.lstrip().startswith("#")]
    assert headings == ["### Conflicts to resolve (3)", "### Updated (10)"]
    # No mention, issue reference, tag, link or second marker survives outside a code span.
    outside_code = re.sub(r"(`+).*?\1", "", body)
    assert body.startswith(MARKER)
    assert outside_code.count(MARKER) == 1
    assert not re.search(r"(?<![\w`])@[A-Za-z0-9]", outside_code)
    assert not re.search(r"(?<![\w\\])#\d", outside_code)
    assert "<img" not in outside_code
    assert "<b>" not in outside_code
    assert "](" not in outside_code
    # Every path is one list item (three conflicts, ten updated): none added an item of its own.
    assert len([line for line in body.splitlines() if line.startswith("- ")]) == 3 + len(HOSTILE_PATHS)


@pytest.mark.parametrize(
    "version",
    ["v1\n# Owned", "v1 @octocat", "<b>v1</b>", "v" + "1" * 200],
    ids=["newline", "mention", "html", "long"],
)
def test_sync_pr_refuses_report_with_hostile_version(
    github_api: FakeGitHub, tmp_path: Path, version: str
) -> None:
    report = write_report(tmp_path, {**REPORT, "to": version})
    result, _ = sync_pr(tmp_path, github_api.url, report=report)
    line = assert_one_line_error(result, 1)
    assert "'to' is not a version" in line
    assert github_api.requests == []


def test_sync_pr_body_is_capped_with_a_note(github_api: FakeGitHub, tmp_path: Path) -> None:
    paths = [f"data/generated/file_{index:05d}_with_a_long_descriptive_name.csv" for index in range(5000)]
    report = write_report(tmp_path, {**REPORT, "added": paths, "conflicts": paths[:3]})
    result, _ = sync_pr(tmp_path, github_api.url, report=report)
    assert result.returncode == 0, result.stderr
    [pull] = github_api.pulls["my-org/demo"]
    assert len(pull["body"]) <= MAX_BODY_CHARS
    assert "shortened to fit GitHub's limit of 65,536 characters" in pull["body"]
    assert "upgrade report" in pull["body"]
    assert "### Added (5000)" in pull["body"]
    assert pull["body"].rstrip().endswith("`v0.1.0` and `v0.2.0`.")


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000,
        json.dumps({**REPORT, "conflict_details": 5}),
        json.dumps({**REPORT, "conflict_details": [{"path": ["a"]}]}),
        json.dumps({**REPORT, "updated": {"a": 1}}),
        "\udcff",
    ],
    ids=["deeply-nested", "details-not-list", "detail-path-not-string", "list-not-list", "not-utf8"],
)
def test_sync_pr_refuses_malformed_report_with_one_line(
    github_api: FakeGitHub, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "upgrade.json"
    path.write_bytes(content.encode("utf-8", errors="surrogateescape"))
    result, _ = sync_pr(tmp_path, github_api.url, report=path)
    assert_one_line_error(result, 1)
    assert github_api.requests == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_sync_pr_report_fifo_does_not_hang(github_api: FakeGitHub, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "upgrade.json")
    result, _ = sync_pr(tmp_path, github_api.url, report=tmp_path / "upgrade.json")
    line = assert_one_line_error(result, 1)
    assert "is not a regular file" in line


def test_sync_pr_report_device_is_refused(github_api: FakeGitHub, tmp_path: Path) -> None:
    result, _ = sync_pr(tmp_path, github_api.url, report=Path("/dev/zero"))
    line = assert_one_line_error(result, 1)
    assert "is not a regular file" in line
