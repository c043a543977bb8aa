"""A repository generated with any answers passes every rule of `mlscaffold check`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlscaffold.check import Status, run_checks
from mlscaffold.generate import create_project

# Every value of every choice question appears at least once.
COMBINATIONS: list[dict[str, Any]] = [
    {},
    {
        "problem_type": "regression",
        "deployment": "batch",
        "dvc_remote": "none",
        "experiment_tracking": "mlflow",
        "kubernetes": True,
        "notebooks": True,
        "license": "Apache-2.0",
        "python_version": "3.10",
    },
    {
        "deployment": "both",
        "dvc_remote": "s3",
        "dvc_remote_url": "s3://bucket/churn",
        "kubernetes": True,
        "license": "BSD-3-Clause",
        "python_version": "3.11",
    },
    {
        "problem_type": "regression",
        "dvc_remote": "gcs",
        "dvc_remote_url": "gs://bucket/churn",
        "experiment_tracking": "mlflow",
        "notebooks": True,
        "license": "Proprietary",
        "python_version": "3.13",
    },
    {"deployment": "batch", "dvc_remote": "azure", "dvc_remote_url": "azure://container/churn"},
]


@pytest.mark.parametrize("data", COMBINATIONS, ids=lambda d: "-".join(str(v) for v in d.values()) or "defaults")
def test_generated_project_passes_every_rule(
    tmp_path: Path, template_bundle: Path, newest_version: str, data: dict[str, Any]
) -> None:
    project = tmp_path / "churn-model"
    create_project(project, data={k: str(v) for k, v in data.items()}, use_defaults=True)
    report = run_checks(project)
    failing = {r.id: r.message for r in report.results if r.status is not Status.PASSED}
    assert failing == {}
    # Rules the project opts out of are recorded with a reason, and only where its answers call for it.
    expected = {"MLS205"} if data.get("dvc_remote") == "none" else set()
    expected |= {"MLS403"} if data.get("deployment") == "batch" else set()
    assert {ignored.id for ignored in report.ignored} == expected
    assert all(ignored.reason for ignored in report.ignored)
