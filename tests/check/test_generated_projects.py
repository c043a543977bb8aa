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


# The full generated project (issue 4) and its workflows (issue 5) are built in parallel;
# until both are merged the small v0.1.0 template misses most of the standard. strict:
# once it passes, this marker must go.
@pytest.mark.xfail(strict=True, reason="the default template meets the standard once issues 4 and 5 are merged")
@pytest.mark.parametrize("data", COMBINATIONS, ids=lambda d: "-".join(str(v) for v in d.values()) or "defaults")
def test_generated_project_passes_every_rule(
    tmp_path: Path, template_bundle: Path, newest_version: str, data: dict[str, Any]
) -> None:
    project = tmp_path / "churn-model"
    create_project(project, data={k: str(v) for k, v in data.items()}, use_defaults=True)
    report = run_checks(project)
    failing = {r.id: r.message for r in report.results if r.status is not Status.PASSED}
    assert failing == {}
