"""Hostile requests to the generated project's service, over real HTTP on a loopback port.

The project is generated from the template under test and installed once a session; its
service runs under uvicorn with no model (so /health and /predict answer 503) and a
private-looking MODEL_PATH that no answer may reveal. Bodies are sent over raw sockets:
a chunked body far over the limit, a Content-Length that claims a gigabyte, and one that
claims ten bytes in front of a chunked megabytes-long body. The project's own API tests,
which cover the same cases in-process, run too.
"""

from __future__ import annotations

import json
import select
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hostile.installed_project import PACKAGE, installed_project, run_in
from support.git_worlds import free_port, project_env, serving

pytestmark = pytest.mark.slow

RECORD = {"feature_1": 0.5, "feature_2": -1.0, "feature_3": 0.1, "feature_4": 2.0, "segment": "north"}
PRIVATE = "private-models-dir"
LIMIT = 1_000_000  # the service's default MAX_BODY_BYTES


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, template_bundle: Path) -> Path:
    return installed_project(tmp_path_factory)


@pytest.fixture(scope="module")
def service(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """Serve the project with uvicorn on a free loopback port, without a model; yield (host, port)."""
    port = free_port()
    model = tmp_path_factory.mktemp(PRIVATE) / "model.joblib"
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = project_env() | {"MODEL_PATH": str(model)}
    env.pop("MAX_BODY_BYTES", None)
    command = [str(project / ".venv" / "bin" / "python"), "-m", "uvicorn", f"{PACKAGE}.api:app"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with serving(command, cwd=project, env=env, probe_url=f"http://127.0.0.1:{port}/metrics", log=log):
        yield "127.0.0.1", port


def request(service: tuple[str, int], method: str, path: str, body: bytes | None = None) -> tuple[int, str]:
    """Send one request with urllib; return (status, body text)."""
    host, port = service
    headers = {"content-type": "application/json"} if body is not None else {}
    req = urllib.request.Request(f"http://{host}:{port}{path}", data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as caught:
        return caught.code, caught.read().decode()


def strict_json(text: str) -> Any:
    """Parse TEXT as standard JSON, which has no NaN or Infinity."""

    def refuse(token: str) -> None:
        raise ValueError(f"{token} is not JSON")

    return json.loads(text, parse_constant=refuse)


def exchange(service: tuple[str, int], head: bytes, chunks: Iterable[bytes]) -> tuple[str, int, float]:
    """Send HEAD, then CHUNKS until the server answers; return (status line, bytes sent, seconds).

    Stops sending as soon as an answer is readable, as a client would, so a server that
    answers before reading the body is seen to do so; a server that reads everything
    first makes the client send it all.
    """
    started = time.monotonic()
    sent = 0
    received = b""
    with socket.create_connection(service, timeout=20) as sock:
        sock.sendall(head)
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        try:
            while b"\r\n" not in received:
                part = sock.recv(65536)
                if not part:
                    break
                received += part
        except (ConnectionResetError, TimeoutError):
            pass
    return received.split(b"\r\n", 1)[0].decode(errors="replace"), sent, time.monotonic() - started


def chunked(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """Yield a chunked transfer encoding of TOTAL bytes of JSON whitespace, then its end."""
    for _ in range(0, total, size):
        yield b"%x\r\n" % size + b" " * size + b"\r\n"
    yield b"0\r\n\r\n"


def post_head(*headers: str) -> bytes:
    lines = ["POST /predict HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_service_rejects_a_number_json_cannot_hold_with_a_json_422(
    service: tuple[str, int], number: str
) -> None:
    body = json.dumps({"records": [{**RECORD, "feature_2": 12345.0}]}).replace("12345.0", number)
    status, text = request(service, "POST", "/predict", body.encode())
    assert status == 422, text
    [error] = strict_json(text)["detail"]
    assert error["loc"] == ["body", "records", 0, "feature_2"]
    assert number not in text


def test_service_refuses_a_chunked_body_over_the_limit_while_it_streams(service: tuple[str, int]) -> None:
    status, sent, _ = exchange(service, post_head("Transfer-Encoding: chunked"), chunked(64 * LIMIT))
    assert status.startswith("HTTP/1.1 413"), status
    # Answered mid-stream: the client never had to send the 64 MB.
    assert sent < 16 * LIMIT


def test_service_refuses_a_declared_gigabyte_before_it_arrives(service: tuple[str, int]) -> None:
    status, _, seconds = exchange(service, post_head("Content-Length: 1000000000"), [b'{"records": ['])
    assert status.startswith("HTTP/1.1 413"), status
    assert seconds < 10


def test_service_counts_a_chunked_body_behind_a_small_content_length(service: tuple[str, int]) -> None:
    head = post_head("Content-Length: 10", "Transfer-Encoding: chunked")
    status, sent, _ = exchange(service, head, chunked(64 * LIMIT))
    assert status.startswith(("HTTP/1.1 413", "HTTP/1.1 400")), status
    assert sent < 16 * LIMIT


def test_service_labels_made_up_methods_and_paths_with_one_value_each(service: tuple[str, int]) -> None:
    host, port = service
    methods = [f"M{index}X" for index in range(30)]
    for method in methods:
        connection = socket.create_connection((host, port), timeout=10)
        with connection:
            connection.sendall(f"{method} /predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            while connection.recv(65536):
                pass
    for index in range(30):
        request(service, "GET", f"/made/up/{index}")
    _, metrics = request(service, "GET", "/metrics")
    series = [line for line in metrics.splitlines() if line.startswith("http_requests_total{")]
    assert not any(method in metrics for method in methods)
    assert not any("/made/up" in line for line in series)
    assert 'http_requests_total{method="other",path="/predict",status="405"} 30.0' in series
    assert 'http_requests_total{method="GET",path="unmatched",status="404"} 30.0' in series


def test_service_unavailable_without_a_model_does_not_tell_its_paths(service: tuple[str, int]) -> None:
    answers = [request(service, "GET", "/health"), request(service, "POST", "/predict", b'{"records": []}')]
    answers.append(request(service, "POST", "/predict", json.dumps({"records": [RECORD]}).encode()))
    for status, text in [answers[0], answers[2]]:
        assert status == 503, text
        assert "make pipeline" in text
    for _, text in answers:
        assert PRIVATE not in text and "model.joblib" not in text and "/tmp" not in text


def test_project_tests_cover_the_hostile_requests(project: Path) -> None:
    proc = run_in(
        project,
        str(project / ".venv" / "bin" / "python"),
        "-m",
        "pytest",
        "-v",
        "-p",
        "no:cacheprovider",
        "tests/test_api.py",
        timeout=600,
    )
    for name in (
        "test_predict_rejects_a_number_json_cannot_hold[NaN]",
        "test_predict_rejects_a_number_json_cannot_hold[1e400]",
        "test_predict_refuses_a_body_over_the_limit",
        "test_metrics_labels_stay_few_whatever_clients_send",
        "test_health_and_predict_are_unavailable_without_a_model",
    ):
        assert f"{name} PASSED" in proc.stdout, proc.stdout
