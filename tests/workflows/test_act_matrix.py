"""The loop on the other project shapes: a batch job, and an API + batch project on Kubernetes with MLflow.

test_act_runs.py and test_act_deploy.py run every workflow on the default project (and the
image on these two); this runs what those leave out for them: CI and the scheduled drift check
on a fresh clone, and a drift dispatch on drifted data whose training run opens a pull request
with the lock (the training of a fresh clone, the other path of train.yml, runs on the default
project in test_act_runs.py); for the batch job, staging and an image of a kept model.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from workflows.test_act_deploy import deploy, summary
from workflows.test_act_runs import (
    DRIFT,
    TRAIN,
    act_cache,
    assert_drift_dispatch_retrains,
    run_ci,
    run_workflow,
    with_data_in_a_local_remote,
)

from support.fake_github import FakeGitHub, serve_github
from support.workflow_projects import using_bundle

__all__ = ["act_cache", "run_workflow"]  # fixtures, used by name

pytestmark = pytest.mark.slow

SHAPES = {
    "batch-job": {"deployment": "batch"},
    "churn-model": {"deployment": "both", "kubernetes": "true", "experiment_tracking": "mlflow"},
}


@pytest.fixture(scope="module")
def shape_templates(template_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return each project shape, generated once."""
    from mlscaffold.generate import create_project

    made = {}
    for name, data in SHAPES.items():
        target = tmp_path_factory.mktemp("shape") / name
        with using_bundle(template_bundle):
            create_project(target, data=data, use_defaults=True)
        made[name] = target
    return made


def private_copy(template: Path, tmp_path: Path) -> Path:
    """Return a copy of TEMPLATE in TMP_PATH, under the same name (the repository is named after it)."""
    target = tmp_path / template.name
    shutil.copytree(template, target, symlinks=True)
    return target


@pytest.fixture(params=list(SHAPES))
def shape(request: pytest.FixtureRequest, shape_templates: dict[str, Path], tmp_path: Path) -> Path:
    """Return a private copy of one project shape."""
    return private_copy(shape_templates[request.param], tmp_path)


@pytest.fixture
def batch_job(shape_templates: dict[str, Path], tmp_path: Path) -> Path:
    """Return a private copy of the batch job."""
    return private_copy(shape_templates["batch-job"], tmp_path)


@pytest.fixture
def github(shape: Path, tmp_path: Path) -> Iterator[FakeGitHub]:
    """Serve a loopback GitHub API for the shape's repository, its branches those of a bare origin."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(shape), str(origin)], check=True)
    api = FakeGitHub()
    api.tokens["run-workflow-offline-token"] = "write"
    api.add_repository(f"my-org/{shape.name}", git_dir=origin)
    api.workflows[f"my-org/{shape.name}"] = {"train.yml": {"new-data"}, "drift.yml": {"current-data"}}
    with serve_github(api) as served:
        yield served


def test_ci_passes_on_a_fresh_clone(
    run_workflow: ModuleType, shape: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_ci(run_workflow, shape, act_cache)

    out = capsys.readouterr().out
    assert status == 0, summary(out)
    for job in ("Lint", "Tests", "Pipeline (dvc repro on synthetic data)", "mlscaffold check"):
        assert f"succeeded  CI/Project CI/{job}" in summary(out)
    assert "Running stage" in out  # nothing git ignores was in the clone: the pipeline made it


def test_scheduled_drift_check_on_a_fresh_clone_ends_green_with_a_notice(
    run_workflow: ModuleType, shape: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--project", str(shape), "--workflow", DRIFT, "--event", "schedule"]
    status = run_workflow.main([*argv, "--find-links", str(act_cache / "wheels")])

    out = capsys.readouterr().out
    assert status == 0, summary(out)
    assert "::notice title=Drift check skipped::no dvc.lock is committed" in out
    assert "succeeded  Drift/Drift/Drift check" in summary(out)


@pytest.fixture
def shape_with_data(shape: Path) -> Path:
    """Return the shape after a pipeline run pushed to a local DVC remote on this host, dvc.lock committed."""
    return with_data_in_a_local_remote(shape)


def test_dispatched_drift_retrains_with_the_drifted_data(
    run_workflow: ModuleType,
    shape_with_data: Path,
    act_cache: Path,
    github: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert_drift_dispatch_retrains(run_workflow, shape_with_data, act_cache, github, capsys)


def test_staging_deploy_of_a_batch_job_moves_the_staging_tag(
    run_workflow: ModuleType,
    batch_job: Path,
    act_cache: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = deploy(run_workflow, batch_job, act_cache)

    out = capsys.readouterr().out
    assert status == 0, summary(out)
    assert "succeeded  Staging/Deploy/Deploy to staging" in summary(out)
    assert "pushing ghcr.io/my-org/batch-job:staging -> sha256:" in out


def test_the_image_takes_the_model_a_training_run_kept(
    run_workflow: ModuleType,
    batch_job: Path,
    act_cache: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    artifacts = tmp_path / "artifacts"
    common = ["--project", str(batch_job), "--find-links", str(act_cache / "wheels")]
    common += ["--env", f"ARTIFACT_STANDIN_DIR={artifacts}"]

    # Training without a PR (no API here): what matters is the model it keeps.
    status = run_workflow.main([*common, "--workflow", TRAIN, "--event", "workflow_dispatch"])
    out = capsys.readouterr().out
    [kept] = list(artifacts.glob("*/model/model.joblib"))
    run_id = kept.parent.parent.name
    assert f"Artifact model of run {run_id} uploaded" in out, summary(out)
    assert status == 1  # it could not open its pull request: the fake API is not served

    image = [".github/workflows/image.yml", "--event", "workflow_dispatch", "--input", f"model-run-id={run_id}"]
    status = run_workflow.main([*common, "--workflow", *image])

    out = capsys.readouterr().out
    assert status == 0, summary(out)
    assert f"Artifact model of run {run_id} downloaded" in out
    assert "context has every COPY source" in out
