"""The generated service as an operator monitors it, and as an attacker meets its API key.

Over real HTTP on loopback ports, in the shared installed project (a trained model, no
second environment): the service logs a sample of what it scores, and the project's own
drift check reads that log as current data (unshifted traffic: no drift; shifted: drift,
with the metrics alerts read); every metric the dashboard and the alert rules query is one
the running service or the drift check exports, scraped from `/metrics`.

The API key option is rendered into a second project with the same package name, run by the
installed environment with its source first on the path: requests without the key, with a
wrong, empty, doubled, non-ASCII or huge one are refused with 401 (never a 500, never the
key echoed), `/health` and `/metrics` stay open, and the service refuses to start without a
usable key.
"""

from __future__ import annotations

import csv
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from hostile.installed_project import PACKAGE, installed_project, run_in
from support.git_worlds import free_port, project_env, serving

pytestmark = pytest.mark.slow

KEY = "hostile-test-key-0123456789"
RECORD = {"feature_1": 0.5, "feature_2": -1.0, "feature_3": 0.1, "feature_4": 2.0, "segment": "north"}
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, template_bundle: Path) -> Path:
    """The installed project with a trained model (its pipeline stages, run by its CLI)."""
    project = installed_project(tmp_path_factory)
    python = str(project / ".venv" / "bin" / "python")
    for stage in ("make-data", "prepare", "train"):
        run_in(project, python, "-m", PACKAGE, stage)
    return project


def records(project: Path, tmp_path: Path, shift: float, seed: int, rows: int = 300) -> list[dict[str, object]]:
    """Return ROWS records of the project's synthetic data (features only), shifted by SHIFT."""
    out = tmp_path / f"records-{shift}-{seed}.csv"
    python = str(project / ".venv" / "bin" / "python")
    args = ["make-data", "--rows", str(rows), "--seed", str(seed), "--shift", str(shift), "--output", str(out)]
    run_in(project, python, "-m", PACKAGE, *args)
    with out.open(encoding="utf-8") as handle:
        rows_read = list(csv.DictReader(handle))
    numeric = ("feature_1", "feature_2", "feature_3", "feature_4")
    return [{**{name: float(row[name]) for name in numeric}, "segment": row["segment"]} for row in rows_read]


def post(base: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        f"{base}/predict", data=body, headers={"content-type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as caught:
        return caught.code, caught.read().decode()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as caught:
        return caught.code, caught.read().decode()


def exported_names(text: str) -> set[str]:
    """Return the metric names in Prometheus text exposition TEXT (samples and declared families)."""
    names = set()
    for line in text.splitlines():
        declared = re.match(r"# TYPE (\S+) (\w+)", line)
        if declared:
            name, kind = declared.groups()
            names |= {name} | ({f"{name}_total"} if kind == "counter" else set())
            names |= {f"{name}_{end}" for end in ("bucket", "sum", "count")} if kind == "histogram" else set()
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


@pytest.fixture(scope="module")
def logged_service(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Serve the trained model, logging every record scored; yield (base URL, log file)."""
    folder = tmp_path_factory.mktemp("prediction-log")
    log = folder / "logs" / "predictions.csv"
    port = free_port()
    env = project_env() | {"PREDICTION_LOG": str(log), "PREDICTION_LOG_RATE": "1"}
    command = [str(project / ".venv" / "bin" / "python"), "-m", "uvicorn", f"{PACKAGE}.api:app"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with serving(command, cwd=project, env=env, probe_url=f"{base}/health", log=folder / "serve.log"):
        yield base, log


def test_drift_reads_the_service_log_as_current_data(
    project: Path, logged_service: tuple[str, Path], tmp_path: Path
) -> None:
    base, log = logged_service
    fresh = records(project, tmp_path, 0.0, seed=101)
    for start in range(0, len(fresh), 50):
        status, text = post(base, json.dumps({"records": fresh[start : start + 50]}).encode())
        assert status == 200, text
    header = log.read_text(encoding="utf-8").splitlines()[0]
    assert header == "feature_1,feature_2,feature_3,feature_4,segment,prediction,logged_at"
    proc = run_in(project, "make", "--no-print-directory", "drift", f"CURRENT={log}")
    assert f"no drift in {len(fresh)} rows" in proc.stdout
    assert "model_drift_detected 0\n" in (project / "reports" / "drift.prom").read_text(encoding="utf-8")

    shifted = records(project, tmp_path, 1.5, seed=102)
    status, text = post(base, json.dumps({"records": shifted}).encode())
    assert status == 200, text
    proc = run_in(project, "make", "--no-print-directory", "drift", f"CURRENT={log}", check=False)
    assert proc.returncode != 0
    assert "drift detected" in proc.stderr
    report = json.loads((project / "reports" / "drift.json").read_text(encoding="utf-8"))
    assert report["drift_detected"] is True and report["current_rows"] == len(fresh) + len(shifted)
    assert "model_drift_detected 1\n" in (project / "reports" / "drift.prom").read_text(encoding="utf-8")


def test_dashboard_and_alerts_query_only_metrics_the_running_service_exports(
    project: Path, logged_service: tuple[str, Path]
) -> None:
    base, _ = logged_service
    post(base, b'{"records": []}')  # a 422: a client's mistake, counted by status
    status, metrics = get(f"{base}/metrics")
    assert status == 200
    exported = exported_names(metrics)
    exported |= exported_names((project / "reports" / "drift.prom").read_text(encoding="utf-8"))
    # What the dashboard and the rules read, by the project's own PromQL reader.
    script = (
        "import json, sys; sys.path.insert(0, 'tests'); import test_monitoring as m; "
        "queries = m.dashboard_queries() + [r['expr'] for r in m.alert_rules().values()]; "
        "print(json.dumps(sorted(set().union(*map(m.metric_names, queries)))))"
    )
    proc = run_in(project, str(project / ".venv" / "bin" / "python"), "-c", script)
    queried = set(json.loads(proc.stdout))
    assert {"http_requests_total", "http_request_duration_seconds_bucket", "model_drift_detected"} <= queried
    assert queried <= exported, f"queried but not exported: {queried - exported}"
    assert 'http_requests_total{method="POST",path="/predict",status="422"}' in metrics


def test_project_tests_cover_monitoring(project: Path) -> None:
    proc = run_in(
        project,
        str(project / ".venv" / "bin" / "python"),
        "-m",
        "pytest",
        "-v",
        "-p",
        "no:cacheprovider",
        "tests/test_monitoring.py",
        timeout=600,
    )
    for name in (
        "test_dashboard_queries_only_metrics_that_are_exported",
        "test_alerts_query_only_metrics_that_are_exported",
        "test_alert_thresholds_are_the_budgets_in_params",
        "test_service_logs_a_sample_the_drift_check_reads",
        "test_prediction_log_stays_within_its_size",
    ):
        assert f"{name} PASSED" in proc.stdout, proc.stdout


@pytest.fixture(scope="module")
def auth_project(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the API key option and the same package name, run by the installed environment."""
    from mlscaffold.generate import create_project

    target = tmp_path_factory.mktemp("auth") / PACKAGE
    create_project(
        target, data={"python_version": PYTHON, "api_auth": "true"}, use_defaults=True, init_git=False
    )
    return target


def auth_env(project: Path, auth_project: Path, **extra: str) -> dict[str, str]:
    env = project_env() | {"PYTHONPATH": str(auth_project / "src"), "PREDICTION_LOG": ""}
    env["MODEL_PATH"] = str(project / "models" / "model.joblib")
    env.pop("API_KEY", None)
    return env | extra


@pytest.fixture(scope="module")
def auth_service(project: Path, auth_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    python = str(project / ".venv" / "bin" / "python")
    env = auth_env(project, auth_project, API_KEY=KEY)
    where = run_in(auth_project, python, "-c", f"import {PACKAGE}.api as a; print(a.__file__)", env=env)
    assert where.stdout.strip().startswith(str(auth_project)), where.stdout  # the rendered option runs
    command = [python, "-m", "uvicorn", f"{PACKAGE}.api:app", "--host", "127.0.0.1", "--port", str(port)]
    log = tmp_path_factory.mktemp("auth-serve") / "serve.log"
    with serving(command, cwd=auth_project, env=env, probe_url=f"http://127.0.0.1:{port}/health", log=log):
        yield f"http://127.0.0.1:{port}"


def raw_status(base: str, key_lines: list[bytes]) -> tuple[str, bytes]:
    """POST a valid body with KEY_LINES as raw header lines; return (status line, whole answer)."""
    host, port = base.removeprefix("http://").split(":")
    body = json.dumps({"records": [RECORD]}).encode()
    head = [b"POST /predict HTTP/1.1", b"Host: 127.0.0.1", b"Content-Type: application/json"]
    head += [b"Content-Length: %d" % len(body), b"Connection: close", *key_lines]
    received = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
        while chunk := sock.recv(65536):
            received += chunk
    return received.split(b"\r\n", 1)[0].decode(errors="replace"), received


@pytest.mark.parametrize(
    "key_lines",
    [
        [],
        [b"X-API-Key: "],
        [b"X-API-Key: wrong-key-0123456789abcdef"],
        [b"X-API-Key: " + KEY[:-1].encode()],
        [b"X-API-Key: " + KEY.encode() + b" extra"],
        [b"X-API-Key: " + KEY.encode(), b"X-API-Key: " + KEY.encode()],
        [b"X-API-Key: \xff\xfe\xfd" + KEY.encode()],
        [b"X-API-Key: " + b"k" * 60_000],
        [b"Authorization: Bearer " + KEY.encode()],
    ],
    ids=["missing", "empty", "wrong", "prefix", "suffix", "doubled", "non-ascii", "huge", "bearer"],
)
def test_predict_refuses_requests_without_the_key(auth_service: str, key_lines: list[bytes]) -> None:
    status, answer = raw_status(auth_service, key_lines)
    assert status.split(" ")[1] in {"401", "400", "431"}, status  # never served, never a 500
    assert KEY.encode() not in answer
    if status.split(" ")[1] == "401":
        assert b"www-authenticate: ApiKey" in answer


def test_the_key_opens_predict_and_health_and_metrics_stay_open(auth_service: str) -> None:
    status, answer = raw_status(auth_service, [b"X-API-Key: " + KEY.encode()])
    assert status.startswith("HTTP/1.1 200"), answer
    assert get(f"{auth_service}/health")[0] == 200
    code, metrics = get(f"{auth_service}/metrics")
    assert code == 200
    assert 'http_requests_total{method="POST",path="/predict",status="401"}' in metrics
    assert get(f"{auth_service}/docs")[0] == 401  # the API's description is not public either


@pytest.mark.parametrize("key", [None, "", "   ", "short-key"], ids=["unset", "empty", "blank", "short"])
def test_service_refuses_to_start_without_a_usable_key(
    project: Path, auth_project: Path, key: str | None
) -> None:
    env = auth_env(project, auth_project) | ({} if key is None else {"API_KEY": key})
    python = str(project / ".venv" / "bin" / "python")
    port = free_port()
    started = time.monotonic()
    proc = subprocess.run(
        [python, "-m", "uvicorn", f"{PACKAGE}.api:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=auth_project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    assert "refusing to start: API_KEY must be set to a secret of at least 16 characters" in proc.stderr
    assert time.monotonic() - started < 60
