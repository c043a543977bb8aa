"""Generated projects work on their first commands: the README's commands, run for real.

For a matrix of answers covering both problem types, every deployment, Kubernetes
and MLflow on and off: `mlscaffold new` (with its uv lock), then the project's own
`make setup`, `make lint`, `make pipeline` twice, `make test`, the service on a
loopback port or the batch job, and `make drift` on a shifted sample. Each project
gets its own environment; uv's cache under the repository's `.cache/uv` makes the
installs after the first cheap.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mlscaffold.cli import app

from support.git_worlds import free_port, project_env, serving

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"

MATRIX: dict[str, dict[str, str]] = {
    "classification-online-local": {},
    "regression-batch-k8s-mlflow": {
        "problem_type": "regression",
        "deployment": "batch",
        "kubernetes": "true",
        "experiment_tracking": "mlflow",
        "dvc_remote": "none",
    },
    "classification-both-k8s-notebooks": {
        "deployment": "both",
        "kubernetes": "true",
        "notebooks": "true",
        "api_auth": "true",
    },
    "regression-online-mlflow": {"problem_type": "regression", "experiment_tracking": "mlflow"},
}

API_KEY = "e2e-test-key-0123456789abcdef"
RECORD = {"feature_1": 0.5, "feature_2": -1.0, "feature_3": 0.1, "feature_4": 2.0, "segment": "north"}


@dataclass(frozen=True)
class Project:
    path: Path
    answers: Mapping[str, str]
    env: Mapping[str, str]

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            list(args),
            check=False,
            cwd=self.path,
            env=dict(self.env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            pytest.fail(f"{' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def make(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("make", "--no-print-directory", *args, check=check)

    @property
    def online(self) -> bool:
        return self.answers.get("deployment", "online") != "batch"

    @property
    def auth(self) -> bool:
        return self.answers.get("api_auth") == "true"

    @property
    def batch(self) -> bool:
        return self.answers.get("deployment", "online") != "online"


@pytest.fixture(scope="module", params=list(MATRIX), ids=list(MATRIX))
def project(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    template_bundle: Path,
    monkeypatch_module: pytest.MonkeyPatch,
) -> Project:
    answers = {"python_version": PYTHON, **MATRIX[request.param]}
    env = project_env()
    for key, value in env.items():
        monkeypatch_module.setenv(key, value)
    parent = tmp_path_factory.mktemp("e2e")
    args = ["new", str(parent / request.param), "--defaults"]
    for key, value in answers.items():
        args += ["--data", f"{key}={value}"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return Project(parent / request.param, answers, env)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def request_json(url: str, body: Any = None, key: str | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"content-type": "application/json", **({"x-api-key": key} if key else {})}
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as caught:
        return caught.code, json.loads(caught.read() or b"null")


@pytest.fixture
def service(project: Project, tmp_path: Path) -> Iterator[str]:
    """Start `make serve` on a free loopback port; stop it (and uvicorn) afterwards."""
    port = free_port()
    log = tmp_path / "serve.log"
    command = ["make", "--no-print-directory", "serve", f"PORT={port}", "HOST=127.0.0.1"]
    base = f"http://127.0.0.1:{port}"
    env = {**project.env, "API_KEY": API_KEY} if project.auth else dict(project.env)
    with serving(command, cwd=project.path, env=env, probe_url=f"{base}/health", log=log):
        yield base


def test_new_locks_and_setup_installs_from_the_lock(project: Project) -> None:
    assert (project.path / "uv.lock").is_file()
    assert project.run("git", "ls-files", "uv.lock").stdout.strip() == "uv.lock"
    project.make("setup", "UV_SYNC_FLAGS=--locked")
    assert (project.path / ".venv" / "bin" / "dvc").is_file()


def test_lint_passes(project: Project) -> None:
    proc = project.make("lint")
    assert "All checks passed" in proc.stdout


def test_pipeline_runs_every_stage_then_has_nothing_to_do(project: Project) -> None:
    first = project.make("pipeline")
    for stage in ("make_data", "prepare", "train", "evaluate"):
        assert f"Running stage '{stage}'" in first.stdout, first.stdout
    metrics = json.loads((project.path / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["gate_passed"] is True
    second = project.make("pipeline")
    assert "Running stage" not in second.stdout
    assert "Data and pipelines are up to date." in second.stdout
    # Data and model are DVC's, not git's: only the lock file and the reports are new to git.
    status = project.run("git", "status", "--porcelain", "--untracked-files=all").stdout.split("\n")
    new_files = sorted(line[3:] for line in status if line)
    assert new_files == [
        "dvc.lock",
        "reports/fairness.json",
        "reports/importance.json",
        "reports/metrics.json",
        "reports/model_card_metrics.md",
        "reports/plots/predictions.csv",
        "reports/slices.json",
    ]
    # Accuracy against speed: latency measured on this machine, within the generous default budget.
    latency = metrics["latency"]
    assert 0 < latency["single_p50_ms"] <= latency["single_p95_ms"] < 1000
    assert 0 < latency["batch_p50_ms"] <= latency["batch_p95_ms"] and latency["batch_rows"] == 400
    fairness = json.loads((project.path / "reports" / "fairness.json").read_text(encoding="utf-8"))
    groups = fairness["sensitive_features"]["segment"]["by_group"]
    assert sorted(groups) == ["east", "north", "south", "west"]
    assert sum(group["count"] for group in groups.values()) == 400
    assert 0 <= fairness["largest_gap"]["gap"] == metrics["largest_group_gap"]
    importance = json.loads((project.path / "reports" / "importance.json").read_text(encoding="utf-8"))
    assert importance["features"][0]["feature"] in ("feature_1", "feature_2")
    card = (project.path / "reports" / "model_card_metrics.md").read_text(encoding="utf-8")
    assert "## Fairness (reports/fairness.json)" in card and "Quality gate: passed" in card
    if project.answers.get("experiment_tracking") == "mlflow":
        assert (project.path / "mlflow.db").is_file()


def test_pipeline_retrains_and_reevaluates_when_the_feature_lists_change(project: Project) -> None:
    package = project.path.name.replace("-", "_")
    data_py = project.path / "src" / package / "data.py"
    before = data_py.read_text(encoding="utf-8")
    edited = before.replace('CATEGORICAL_FEATURES = ["segment"]', "CATEGORICAL_FEATURES: list[str] = []")
    assert edited != before
    data_py.write_text(edited, encoding="utf-8")
    try:
        status = project.run(".venv/bin/dvc", "status", "--json")
        changed = json.loads(status.stdout)
        for stage in ("train", "evaluate"):  # not only the data stages: the model is stale too
            assert {"changed deps": {f"src/{package}/data.py": "modified"}} in changed[stage], status.stdout
    finally:
        data_py.write_text(before, encoding="utf-8")
    assert json.loads(project.run(".venv/bin/dvc", "status", "--json").stdout) == {}


def test_promote_registers_passes_the_gate_and_refuses_a_missed_gate(project: Project) -> None:
    package = project.path.name.replace("-", "_")
    name = package.replace("_", "-")
    project.run("git", "add", "dvc.lock", "reports")
    project.run("git", "commit", "-q", "-m", "Model")
    model_id = json.loads((project.path / "models" / "model.json").read_text(encoding="utf-8"))["id"]

    staged = project.make("promote", "STAGE=staging")
    assert f"registered {name}@v0.1.0 (model {model_id})" in staged.stdout
    assert f"to staging: tag {name}#staging#1" in staged.stdout
    tags = project.run("git", "tag", "-l", "--format=%(refname:strip=2) %(objecttype)").stdout.split("\n")
    assert f"{name}@v0.1.0 tag" in tags and f"{name}#staging#1 tag" in tags
    message = project.run("git", "tag", "-l", "--format=%(contents)", f"{name}@v0.1.0").stdout
    record = json.loads(message.partition("\n\n")[2])
    assert record["id"] == model_id and len(record["data_sha256"]) == 64
    assert record["params"]["seed"] == 42 and record["summary"]["metrics"]
    if project.answers.get("experiment_tracking") == "mlflow":
        assert f"MLflow registry: {name} version 1 has alias staging" in staged.stdout

    params = project.path / "params.yaml"
    original = params.read_text(encoding="utf-8")
    params.write_text(original.replace("min_improvement: 0.05", "min_improvement: 1000"), encoding="utf-8")
    try:
        refused = project.make("promote", "STAGE=production", "MODEL_VERSION=v0.1.0", check=False)
    finally:
        params.write_text(original, encoding="utf-8")
    assert refused.returncode != 0
    [line] = [line for line in refused.stderr.splitlines() if not line.startswith("make:")]
    assert line.startswith(f"error: {name} v0.1.0 fails the quality gate in params.yaml")
    assert "Traceback" not in refused.stderr
    assert f"{name}#production" not in project.run("git", "tag", "-l").stdout
    listed = project.make("registry").stdout
    assert f"{name}@v0.1.0 model {model_id}" in listed and "[staging]" in listed


def test_project_tests_pass(project: Project) -> None:
    proc = project.make("test")
    assert re.search(r"\d+ passed", proc.stdout), proc.stdout
    assert "failed" not in proc.stdout and "error" not in proc.stdout.lower()


def test_drift_passes_fresh_data_and_fails_a_shifted_sample(project: Project) -> None:
    project.make("drift")
    package = project.path.name.replace("-", "_")
    shifted = "data/shifted.csv"
    project.run(
        ".venv/bin/python", "-m", package, "make-data", "--shift", "1.0", "--rows", "500", "--output", shifted
    )
    (project.path / "reports" / "drift.json").unlink()
    proc = project.make("drift", f"CURRENT={shifted}", check=False)
    # The command exits 1 on drift; make reports any failing recipe as 2 (README, make help).
    assert proc.returncode == 2
    assert "drift detected" in proc.stderr
    report = json.loads((project.path / "reports" / "drift.json").read_text(encoding="utf-8"))
    assert report["drift_detected"] is True
    direct = project.run(".venv/bin/python", "-m", package, "drift", "--current", shifted, check=False)
    assert direct.returncode == 1
    # A crash is exit 2 too, but writes no report: that is how drift.yml tells them apart.
    (project.path / "reports" / "drift.json").unlink()
    crash = project.make("drift", "CURRENT=data/missing.csv", check=False)
    assert crash.returncode == 2 and not (project.path / "reports" / "drift.json").exists()


def test_drift_reports_a_new_category_nulls_and_out_of_range_values(project: Project) -> None:
    package = project.path.name.replace("-", "_")
    odd = project.path / "data" / "odd.csv"
    project.run(".venv/bin/python", "-m", package, "make-data", "--rows", "300", "--output", str(odd))
    lines = odd.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:]]
    rows[0][header.index("segment")] = "central"
    rows[1][header.index("feature_1")] = ""
    rows[2][header.index("feature_3")] = "1e9"
    odd.write_text("\n".join([lines[0], *(",".join(row) for row in rows)]) + "\n", encoding="utf-8")

    proc = project.make("drift", "CURRENT=data/odd.csv", check=False)

    assert proc.returncode != 0
    assert "drift detected" in proc.stderr and "failed isin" not in proc.stderr
    report = json.loads((project.path / "reports" / "drift.json").read_text(encoding="utf-8"))
    reasons = {entry["feature"]: entry["reasons"] for entry in report["features"]}
    assert reasons["segment"] == ["new categories ['central']"]
    assert reasons["feature_1"] == ["1 null or non-numeric values"]
    assert reasons["feature_3"] == ["1 values outside [-100.0, 100.0]"]


def test_service_health_predict_validation_and_metrics(
    project: Project, request: pytest.FixtureRequest
) -> None:
    if not project.online:
        assert not (project.path / "src" / project.path.name.replace("-", "_") / "api.py").exists()
        return
    base = request.getfixturevalue("service")
    assert request_json(f"{base}/health") == (200, {"status": "ok"})
    key = API_KEY if project.auth else None
    model = json.loads((project.path / "models" / "model.json").read_text(encoding="utf-8"))
    status, served = request_json(f"{base}/version", None, key)
    assert status == 200 and served["id"] == model["id"] and served["data_sha256"] == model["data_sha256"]
    if project.auth:  # the key option: refused without the key, served with it
        assert request_json(f"{base}/predict", {"records": [RECORD]})[0] == 401
    status, body = request_json(f"{base}/predict", {"records": [RECORD, {**RECORD, "segment": "east"}]}, key)
    assert status == 200 and len(body["predictions"]) == 2
    status, body = request_json(f"{base}/predict", {"records": [{**RECORD, "segment": "moon"}]}, key)
    assert status == 422
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        metrics = response.read().decode()
    assert 'http_requests_total{method="POST",path="/predict",status="200"} 1.0' in metrics
    assert f'model_info{{id="{model["id"]}",name="{model["name"]}"}} 1.0' in metrics
    assert 'http_requests_total{method="POST",path="/predict",status="422"} 1.0' in metrics
    # A client's mistake is counted by its status, not as the service's error (nothing to page about).
    assert 'http_request_errors_total{path="/predict"}' not in metrics


def test_loadtest_reports_throughput_and_p95_against_the_budget(project: Project) -> None:
    """`make loadtest` on a loopback port, bounded: passes a generous budget, fails a tiny one."""
    if not project.online:
        assert "loadtest:" not in (project.path / "Makefile").read_text(encoding="utf-8")
        return
    params = project.path / "params.yaml"
    original = params.read_text(encoding="utf-8")
    if project.auth:
        project = Project(project.path, project.answers, {**project.env, "API_KEY": API_KEY})
    try:
        for budget, passes in ((60_000, True), (0.001, False)):
            text = re.sub(r"(?m)^  requests: \d+", "  requests: 40", original)
            params.write_text(re.sub(r"(?m)^  p95_ms: \S+", f"  p95_ms: {budget}", text), encoding="utf-8")
            started = time.monotonic()
            proc = project.make("loadtest", check=False)
            assert time.monotonic() - started < 120  # bounded: 40 requests, 30 seconds at most
            assert (proc.returncode == 0) == passes, proc.stdout + proc.stderr
            report = json.loads((project.path / "reports" / "loadtest.json").read_text(encoding="utf-8"))
            assert report["requests"] == report["succeeded"] == 40 and not report["failures"]
            assert report["throughput_rps"] > 0 and report["p95_ms"] >= report["p50_ms"] > 0
            assert report["within_budget"] is passes and report["p95_budget_ms"] == budget
            assert f"40 of 40 requests in {report['seconds']} s" in proc.stdout
            assert ("load test failed" in proc.stderr) == (not passes)
    finally:
        params.write_text(original, encoding="utf-8")
        (project.path / "reports" / "loadtest.json").unlink(missing_ok=True)


def test_batch_prediction_scores_a_file(project: Project) -> None:
    if not project.batch:
        assert "predict:" not in (project.path / "Makefile").read_text(encoding="utf-8")
        return
    project.make("predict", "INPUT=data/processed/test.csv", "OUTPUT=reports/scored.csv")
    lines = (project.path / "reports" / "scored.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(",prediction") and len(lines) == 401


def test_local_remote_push_and_pull_restore_data_and_model(project: Project) -> None:
    if project.answers.get("dvc_remote", "local") != "local":
        return
    project.run(".venv/bin/dvc", "push")
    storage = project.path.parent / f"{project.path.name.replace('-', '_')}-dvc-storage"
    assert any(storage.rglob("*")), "the default local remote is a sibling folder"
    model = project.path / "models" / "model.joblib"
    before = model.read_bytes()
    model.unlink()
    shutil.rmtree(project.path / ".dvc" / "cache")
    project.run(".venv/bin/dvc", "pull")
    assert model.read_bytes() == before
