"""What an operator loads from a generated project: alert rules, their unit tests, the
dashboard, and with Kubernetes the Prometheus Operator's ServiceMonitor and PrometheusRule.

The rules are checked and unit-tested by the real `promtool` (Debian's `prometheus`
package; `.ci/run` installs it). kubernetes-validate has no schema for the Prometheus
Operator's custom resources, so their shape is checked against what they must match: the
ServiceMonitor selects the Service's labels and scrapes a port the Service names, on the
path the service serves its metrics at; the PrometheusRule holds exactly the rules promtool
checked. Whether the dashboard and the rules query only metrics the service exports is
tested by the generated project's own tests (tests/test_monitoring.py), run against the
real service in tests/hostile/test_generated_monitoring.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from mlscaffold.generate import create_project

from support.git_worlds import TEMPLATE_COMBINATIONS

COMBINATIONS = ["defaults", "everything-on", "longest-names", "batch-k8s-notebooks"]
ALERTS = {
    "ServiceLatencyP95OverBudget",
    "ServiceServerErrorRateHigh",
    "ServiceNoPredictions",
    "ModelDriftDetected",
}
PROMTOOL = shutil.which("promtool")


@pytest.fixture(scope="module", params=COMBINATIONS, ids=COMBINATIONS)
def rendered(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, template_bundle: Path
) -> tuple[Path, dict[str, Any]]:
    target = tmp_path_factory.mktemp("monitoring") / "project"
    data = {key: str(value) for key, value in TEMPLATE_COMBINATIONS[request.param].items()}
    result = create_project(target, data=data, use_defaults=True, init_git=False)
    return target, dict(result.answers)


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def promtool(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL, "promtool is missing: install Debian's `prometheus` package (apt-get install prometheus)"
    return subprocess.run([PROMTOOL, *map(str, args)], cwd=cwd, capture_output=True, text=True, check=False)


def test_monitoring_files_follow_the_deployment(rendered: tuple[Path, dict[str, Any]]) -> None:
    project, answers = rendered
    online = answers["deployment"] != "batch"
    files = {"alerts.yml", "alerts_test.yml", "dashboard.json"}
    assert (project / "monitoring").exists() == online
    if online:
        assert {path.name for path in (project / "monitoring").iterdir()} == files
    assert (project / "deploy" / "monitoring").exists() == (online and answers["kubernetes"] is True)
    assert ("loadtest:" in (project / "Makefile").read_text(encoding="utf-8")) == online


def test_alert_rules_pass_promtool_check_and_their_unit_tests(rendered: tuple[Path, dict[str, Any]]) -> None:
    project, answers = rendered
    if answers["deployment"] == "batch":
        return
    check = promtool("check", "rules", "monitoring/alerts.yml", cwd=project)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in check.stdout
    tested = promtool("test", "rules", "monitoring/alerts_test.yml", cwd=project)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    rules = load_yaml(project / "monitoring" / "alerts.yml")
    assert {rule["alert"] for group in rules["groups"] for rule in group["rules"]} == ALERTS
    cases = load_yaml(project / "monitoring" / "alerts_test.yml")["tests"]
    fired = {test["alertname"] for case in cases for test in case["alert_rule_test"] if test["exp_alerts"]}
    assert fired == ALERTS  # each alert has a unit test in which it fires


def test_promtool_unit_tests_fail_when_a_threshold_moves(
    rendered: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """The unit tests can fail: with the 5xx threshold raised tenfold, the alert no longer fires."""
    project, answers = rendered
    if answers["deployment"] == "batch" or answers["kubernetes"] is True:
        return  # once is enough
    shutil.copytree(project / "monitoring", tmp_path / "monitoring")
    alerts = tmp_path / "monitoring" / "alerts.yml"
    text = alerts.read_text(encoding="utf-8")
    assert "> 0.05\n" in text
    alerts.write_text(text.replace("> 0.05\n", "> 0.5\n"), encoding="utf-8")
    proc = promtool("test", "rules", "monitoring/alerts_test.yml", cwd=tmp_path)
    assert proc.returncode != 0
    assert "alertname: ServiceServerErrorRateHigh" in proc.stdout + proc.stderr


def test_runbook_scoping_and_model_card_name_every_alert(rendered: tuple[Path, dict[str, Any]]) -> None:
    project, answers = rendered
    if answers["deployment"] == "batch":
        return
    for document in ("runbook.md", "scoping.md", "model_card.md"):
        text = (project / "docs" / document).read_text(encoding="utf-8")
        for name in ALERTS:
            assert f"`{name}`" in text, (document, name)
    runbook = (project / "docs" / "runbook.md").read_text(encoding="utf-8")
    for report in ("reports/loadtest.json", "reports/drift.json", "logs/predictions.csv"):
        assert report in runbook


def test_dashboard_is_grafana_json_with_the_budgets_as_thresholds(
    rendered: tuple[Path, dict[str, Any]],
) -> None:
    project, answers = rendered
    if answers["deployment"] == "batch":
        return
    dashboard = json.loads((project / "monitoring" / "dashboard.json").read_text(encoding="utf-8"))
    assert dashboard["title"] == answers["project_name"]
    assert len(dashboard["uid"]) <= 40  # Grafana's limit
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    thresholds = {
        panel["title"]: panel["fieldConfig"]["defaults"]["thresholds"]["steps"][-1]["value"]
        for panel in dashboard["panels"]
        if "thresholds" in panel["fieldConfig"]["defaults"]
    }
    params = load_yaml(project / "params.yaml")
    latency = next(value for title, value in thresholds.items() if "ServiceLatencyP95OverBudget" in title)
    assert latency * 1000 == params["loadtest"]["p95_ms"]
    for panel in dashboard["panels"]:
        assert panel["targets"] and all(target["expr"].strip() for target in panel["targets"])


def test_service_monitor_scrapes_the_service_and_the_rule_is_the_checked_file(
    rendered: tuple[Path, dict[str, Any]],
) -> None:
    project, answers = rendered
    folder = project / "deploy" / "monitoring"
    if not folder.exists():
        return
    kustomization = load_yaml(folder / "kustomization.yaml")
    assert set(kustomization["resources"]) == {"servicemonitor.yaml", "prometheusrule.yaml"}
    monitor = load_yaml(folder / "servicemonitor.yaml")
    service = load_yaml(project / "deploy" / "base" / "service.yaml")
    assert (monitor["apiVersion"], monitor["kind"]) == ("monitoring.coreos.com/v1", "ServiceMonitor")
    assert set(monitor) == {"apiVersion", "kind", "metadata", "spec"}
    assert set(monitor["spec"]) == {"selector", "endpoints"}
    labels = service["metadata"]["labels"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
    [endpoint] = monitor["spec"]["endpoints"]
    assert set(endpoint) <= {"port", "path", "interval", "scheme"}
    assert endpoint["port"] in {port["name"] for port in service["spec"]["ports"]}
    assert endpoint["path"] == "/metrics" and endpoint["scheme"] == "http"
    assert endpoint["interval"].endswith("s") and endpoint["interval"][:-1].isdigit()
    api = (project / "src" / answers["package_name"] / "api.py").read_text(encoding="utf-8")
    assert '@app.get("/metrics")' in api
    rule = load_yaml(folder / "prometheusrule.yaml")
    assert (rule["apiVersion"], rule["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    assert rule["spec"] == load_yaml(project / "monitoring" / "alerts.yml")
    for obj in (monitor, rule):
        assert obj["metadata"]["name"] == answers["package_name"].replace("_", "-")
        assert "namespace" not in obj["metadata"]  # applied into each environment's namespace


def test_api_key_reaches_the_deployment_from_a_secret(rendered: tuple[Path, dict[str, Any]]) -> None:
    project, answers = rendered
    deployment = project / "deploy" / "base" / "deployment.yaml"
    if not deployment.exists():
        return
    [container] = load_yaml(deployment)["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item for item in container.get("env", [])}
    assert env["PREDICTION_LOG"]["value"].startswith("/tmp/")  # the root filesystem is read-only
    if answers.get("api_auth") is True:
        name = answers["package_name"].replace("_", "-")
        assert env["API_KEY"]["valueFrom"] == {"secretKeyRef": {"name": f"{name}-api-key", "key": "api-key"}}
    else:
        assert "API_KEY" not in env
