"""A generated project's workflows, run for real by act through scripts/run_workflow.py, offline."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from support.fake_github import FakeGitHub, serve_github
from support.fake_s3 import FakeS3, serve_s3
from support.git_worlds import load_script

pytestmark = pytest.mark.slow

CI = ".github/workflows/ci.yml"
REPOSITORY = "my-org/demo-project"


@pytest.fixture(scope="session")
def run_workflow() -> ModuleType:
    """Return scripts/run_workflow.py as a module."""
    return load_script("run_workflow")


@pytest.fixture(scope="session")
def act_cache(
    run_workflow: ModuleType, generated_project_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Return a folder with the mlscaffold-cli wheels a run installs and a shared pre-commit store."""
    cache = tmp_path_factory.mktemp("act-cache")
    for version in run_workflow.wheel_versions(generated_project_template):
        run_workflow.build_wheel(version, cache / "wheels", cache)
    return cache


def run_ci(run_workflow: ModuleType, project: Path, cache: Path, *extra: str) -> int:
    """Run the project's ci.yml `ci` job (the reusable project CI) and return the harness's exit status."""
    # The pre-commit store is shared between runs like the workflow's cache: hooks install once a session.
    argv = ["--project", str(project), "--workflow", CI, "--job", "ci", "--find-links", str(cache / "wheels")]
    status: int = run_workflow.main([*argv, "--env", f"PRE_COMMIT_HOME={cache / 'pre-commit'}", *extra])
    return status


@pytest.fixture
def github(generated_project: Path, tmp_path: Path) -> Iterator[FakeGitHub]:
    """Serve a loopback GitHub API for the project's repository; its branches are those of a bare `origin`."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(generated_project), str(origin)], check=True)
    api = FakeGitHub()
    # The token scripts/run_workflow.py hands the jobs as github.token.
    api.tokens["run-workflow-offline-token"] = "write"
    api.add_repository(REPOSITORY, git_dir=origin)
    api.workflows[REPOSITORY] = {"train.yml": {"new-data"}, "drift.yml": {"current-data"}}
    with serve_github(api) as served:
        yield served


def origin_of(api: FakeGitHub) -> Path:
    """Return the bare repository that receives the runs' pushes (the API serves one repository)."""
    [origin] = api.git_dirs.values()
    return origin


def run_with_github(
    run_workflow: ModuleType, project: Path, cache: Path, api: FakeGitHub, workflow: str, *extra: str
) -> int:
    """Run WORKFLOW with the fake API as GITHUB_API_URL and the bare origin receiving pushes."""
    argv = ["--project", str(project), "--workflow", workflow, "--find-links", str(cache / "wheels")]
    argv += ["--env", f"GITHUB_API_URL={api.url}", "--push-to", str(origin_of(api)), *extra]
    status: int = run_workflow.main(argv)
    return status


def commit(project: Path, message: str) -> None:
    """Commit every change in PROJECT."""
    subprocess.run(["git", "add", "--all"], cwd=project, check=True)
    subprocess.run(["git", "commit", "--quiet", "-m", message], cwd=project, check=True)


def documented_run(project: Path, workflow: str) -> list[str]:
    """Return the arguments of the delivery loop's example run of WORKFLOW in docs/workflows.md, on PROJECT."""
    page = (Path(__file__).parents[2] / "docs" / "workflows.md").read_text(encoding="utf-8")
    section = page.split("## The delivery loop", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```console\n(.*?)```", section, re.DOTALL)
    [line] = [line for line in block.splitlines() if f"--workflow {workflow} " in f"{line} "]
    argv = shlex.split(line.replace("my-project", str(project)))
    assert argv[:2] == ["python", "scripts/run_workflow.py"], line
    return argv[2:]


def test_ci_passes_on_a_fresh_default_project(
    run_workflow: ModuleType, generated_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The page's command as written; the wheels and pre-commit store only come from this session's cache.
    argv = documented_run(generated_project, CI)
    cached = ["--find-links", str(act_cache / "wheels"), "--env", f"PRE_COMMIT_HOME={act_cache / 'pre-commit'}"]
    status = run_workflow.main([*argv, *cached])

    out = capsys.readouterr().out
    summary = out[out.rindex("run_workflow: summary") :]
    assert status == 0, summary
    for job in ("Lint", "Tests", "Pipeline (dvc repro on synthetic data)", "mlscaffold check"):
        assert f"succeeded  CI/Project CI/{job}" in summary
    assert re.search(r"succeeded  \S*Lint workflows/actionlint and zizmor", summary), summary
    # The checkout is fresh: what git ignores (data, models) was never there, so the pipeline made it.
    assert "Running stage" in out


def test_ci_fails_when_a_project_test_fails(
    run_workflow: ModuleType, generated_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (generated_project / "tests" / "test_broken.py").write_text(
        "def test_broken() -> None:\n    assert 1 + 1 == 3\n", encoding="utf-8"
    )
    # Only lint and tests run: the pipeline and the check are the first test's, and cost a minute.
    ci = generated_project / CI
    text = ci.read_text(encoding="utf-8")
    version_line = next(line for line in text.splitlines(keepends=True) if "python-version:" in line)
    indent = version_line[: len(version_line) - len(version_line.lstrip())]
    skips = f"{indent}run-pipeline: false\n{indent}run-check: false\n"
    ci.write_text(text.replace(version_line, version_line + skips, 1), encoding="utf-8")
    commit(generated_project, "A failing test")

    status = run_ci(run_workflow, generated_project, act_cache)

    out = capsys.readouterr().out
    summary = out[out.rindex("run_workflow: summary") :]
    assert status == 1
    assert "FAILED     CI/Project CI/Tests" in summary
    assert "succeeded  CI/Project CI/Lint" in summary
    assert "test_broken" in out


DRIFT = ".github/workflows/drift.yml"
TRAIN = ".github/workflows/train.yml"


def test_scheduled_drift_check_passes_on_a_fresh_clone(
    run_workflow: ModuleType, generated_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = documented_run(generated_project, DRIFT)  # the command docs/workflows.md shows
    status = run_workflow.main([*argv, "--find-links", str(act_cache / "wheels")])

    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    # No dvc.lock is committed: nothing to pull, so a notice says what to configure and nothing ran.
    assert "::notice title=Drift check skipped::no dvc.lock is committed" in out
    assert "make drift" not in out.split("Can the data be reached?")[-1].split("run_workflow: summary")[0]
    assert "succeeded  Drift/Drift/Drift check" in summary_of(out)


def test_scheduled_drift_check_with_an_unreachable_local_remote_ends_green_with_a_notice(
    run_workflow: ModuleType, generated_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # dvc.lock committed, but the default remote is a local folder (../<package>-dvc-storage) the runner lacks.
    (generated_project / "dvc.lock").write_text("schema: '2.0'\nstages: {}\n", encoding="utf-8")
    commit(generated_project, "A lock")
    argv = ["--project", str(generated_project), "--workflow", DRIFT, "--event", "schedule"]
    status = run_workflow.main([*argv, "--find-links", str(act_cache / "wheels")])

    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    assert "::notice title=Drift check skipped::the DVC remote 'storage' is a local directory" in out


def in_project(project: Path, *args: str) -> str:
    """Run ARGS in PROJECT's own environment (`uv run`), returning the output."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    done = subprocess.run([uv, "run", *args], cwd=project, capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def with_data_in_a_local_remote(project: Path) -> Path:
    """Run PROJECT's pipeline, push it to a DVC remote on this host and commit dvc.lock; return PROJECT."""
    storage = project.parent / "dvc-storage"
    storage.mkdir()
    in_project(project, "dvc", "remote", "modify", "storage", "url", str(storage))
    in_project(project, "dvc", "repro", "--quiet")
    in_project(project, "dvc", "push", "--quiet")
    commit(project, "Train: dvc.lock, metrics, and a remote this runner reaches")
    return project


@pytest.fixture
def project_with_data(generated_project: Path) -> Path:
    """Return the project after a pipeline run pushed to a local DVC remote on this host, dvc.lock committed."""
    return with_data_in_a_local_remote(generated_project)


def stored_objects(storage: Path) -> set[Path]:
    return {path for path in storage.rglob("*") if path.is_file()}


def test_scheduled_drift_check_pulls_the_data_and_runs_when_it_is_reachable(
    run_workflow: ModuleType, trained_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The trained project's remote is a folder on this host, which the check only reads.
    argv = ["--project", str(trained_project), "--workflow", DRIFT, "--event", "schedule"]
    status = run_workflow.main([*argv, "--find-links", str(act_cache / "wheels")])

    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    assert "Drift check skipped" not in out
    assert "no drift in 400 rows" in out  # the held-out sample dvc pull fetched, against the training data


def test_dispatched_drift_retrains_with_the_drifted_data_and_the_training_opens_a_pull_request(
    run_workflow: ModuleType,
    project_with_data: Path,
    act_cache: Path,
    github: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert_drift_dispatch_retrains(run_workflow, project_with_data, act_cache, github, capsys)


def assert_drift_dispatch_retrains(
    run_workflow: ModuleType,
    project: Path,
    act_cache: Path,
    github: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Dispatch PROJECT's drift.yml on a drifted batch; check it dispatches training, which proposes a PR."""
    [repository] = github.git_dirs
    drifted = project / "incoming" / "drifted.csv"
    drifted.parent.mkdir()
    package = project.name.replace("-", "_")
    in_project(
        project,
        "python",
        "-m",
        package,
        "make-data",
        "--shift",
        "1.0",
        "--rows",
        "300",
        "--output",
        str(drifted),
    )
    commit(project, "A new batch of labelled data")
    subprocess.run(
        ["git", "--git-dir", str(origin_of(github)), "fetch", "--quiet", str(project), "main:main"],
        check=True,
    )
    storage = project.parent / "dvc-storage"
    before = stored_objects(storage)

    status = run_with_github(
        run_workflow, project, act_cache, github, DRIFT, "--input", "current-data=incoming/drifted.csv"
    )
    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    assert "drift detected in feature_1" in out
    assert "succeeded  Drift/Drift/Trigger retraining" in summary_of(out)
    [dispatch] = github.dispatches
    assert dispatch == {
        "repo": repository,
        "workflow": "train.yml",
        "ref": "main",
        "inputs": {"new-data": "incoming/drifted.csv"},
    }

    # What GitHub would now run: train.yml, dispatched with those inputs.
    inputs = [f"--input={key}={value}" for key, value in dispatch["inputs"].items()]
    status = run_with_github(run_workflow, project, act_cache, github, TRAIN, *inputs)
    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    assert "added incoming/drifted.csv (300 rows)" in out
    assert "Running stage 'evaluate'" in out  # retrained and evaluated, not just committed
    [pull] = github.pulls[repository]
    assert (pull["head"]["ref"], pull["base"]["ref"]) == ("mlscaffold/train", "main")
    assert "Metrics against main" in pull["body"] and "incoming/drifted.csv" in pull["body"]
    assert "Data and model are in the DVC remote" in pull["body"]
    origin = origin_of(github)
    shown = git_out(origin, "show", "--name-only", "--format=%s", "mlscaffold/train")
    assert {"dvc.lock", "params.yaml"} <= set(shown.split())
    params = git_out(origin, "show", "mlscaffold/train:params.yaml")
    assert '  new: ["incoming/drifted.csv"]' in params
    # main itself never moved: the run only proposes.
    assert git_out(origin, "rev-parse", "main") == git_out(project / ".git", "rev-parse", "main")
    # The retrained data and model went to the remote before the pull request.
    assert stored_objects(storage) - before


def git_out(git_dir: Path, *args: str) -> str:
    """Return the stripped output of git ARGS in GIT_DIR."""
    done = subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_train_on_a_fresh_clone_opens_a_pull_request_with_the_lock_and_the_metrics_diff(
    run_workflow: ModuleType,
    generated_project: Path,
    act_cache: Path,
    github: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = run_with_github(
        run_workflow, generated_project, act_cache, github, TRAIN, "--event", "workflow_dispatch"
    )

    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    for stage in ("make_data", "prepare", "train", "evaluate"):
        assert f"Running stage '{stage}'" in out
    [pull] = github.pulls[REPOSITORY]
    assert "Metrics against main" in pull["body"]
    assert "NOT pushed to a DVC remote" in pull["body"]  # the default local remote is not on this runner
    files = subprocess.run(
        ["git", "--git-dir", str(origin_of(github)), "show", "--name-only", "--format=", "mlscaffold/train"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "dvc.lock" in files


def test_a_training_run_that_opens_no_pull_request_fails(
    run_workflow: ModuleType,
    generated_project: Path,
    act_cache: Path,
    github: FakeGitHub,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GitHub refuses the pull request (e.g. "Allow GitHub Actions to create pull requests" is off).
    github.inject(
        403, body={"message": "GitHub Actions is not permitted to create pull requests."}, method="POST"
    )

    status = run_with_github(
        run_workflow, generated_project, act_cache, github, TRAIN, "--event", "workflow_dispatch"
    )

    out = capsys.readouterr().out
    assert status == 1
    assert "FAILED     Train/Train/Train" in summary_of(out)
    assert "GitHub refused to open a pull request" in out
    assert github.pulls[REPOSITORY] == []


IMAGE = ".github/workflows/image.yml"
ROLE = "arn:aws:iam::123456789012:role/ml-image-push"


def run_image(run_workflow: ModuleType, project: Path, *extra: str, event: str = "push") -> int:
    """Run the project's image.yml (docker stand-ins: no daemon, no registry) and return the exit status."""
    status: int = run_workflow.main(["--project", str(project), "--workflow", IMAGE, "--event", event, *extra])
    return status


def summary_of(out: str) -> str:
    return out[out.rindex("run_workflow: summary") :] if "run_workflow: summary" in out else out[-3000:]


def head(project: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.strip()


def from_training_run(tmp_path: Path, run_id: str = "4242") -> list[str]:
    """Return run_workflow arguments that dispatch image.yml with the model artifact of training run RUN_ID."""
    artifact = tmp_path / "artifacts" / run_id / "model"
    artifact.mkdir(parents=True)
    (artifact / "model.joblib").write_bytes(b"a trained model")
    return ["--input", f"model-run-id={run_id}", "--env", f"ARTIFACT_STANDIN_DIR={tmp_path / 'artifacts'}"]


def project_tool(project: Path, *args: str) -> None:
    """Run a command in PROJECT's own environment (uv run), failing loudly."""
    done = subprocess.run(
        [shutil.which("uv") or str(Path(sys.executable).parent / "uv"), "run", "--quiet", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


@pytest.fixture(scope="session")
def trained_project_template(
    generated_project_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Return a default project, its DVC remote a folder on this host, trained, pushed, dvc.lock committed."""
    base = tmp_path_factory.mktemp("trained")
    project = base / generated_project_template.name
    shutil.copytree(generated_project_template, project, symlinks=True)
    project_tool(project, "dvc", "remote", "modify", "storage", "url", str(base / "dvc-storage"))
    project_tool(project, "dvc", "repro", "--quiet")
    project_tool(project, "dvc", "push", "--quiet")
    shutil.rmtree(project / ".venv")
    assert (project / "models" / "model.joblib").is_file()
    commit(project, "Train: dvc.lock and the remote that holds its outputs")
    return project


@pytest.fixture
def trained_project(trained_project_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / trained_project_template.name
    shutil.copytree(trained_project_template, target, symlinks=True)
    return target


def test_image_builds_on_a_fresh_clone(
    run_workflow: ModuleType, trained_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_image(run_workflow, trained_project)

    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    # The fresh clone had no model: the job pulled it from the remote by the committed dvc.lock.
    assert "Pulling models/model.joblib from DVC remote 'storage'" in out
    assert "context has every COPY source" in out
    image = "ghcr.io/my-org/demo-project"
    assert f"{image}:sha-{head(trained_project)}" in out
    assert f"{image}:latest" in out  # main is the default branch: latest is an alias of the sha tag
    assert f"{image}:main" not in out
    assert "Login Succeeded (stand-in) to ghcr.io" in out
    assert f"Attestation (stand-in) for {image}@sha256:" in out


def test_image_on_a_version_tag_is_tagged_by_version(
    run_workflow: ModuleType, trained_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_image(run_workflow, trained_project, "--ref", "refs/tags/v1.2.3")

    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    pushed = out[out.index("would push:") :]
    image = "ghcr.io/my-org/demo-project"
    for tag in ("1.2.3", f"sha-{head(trained_project)}", "latest"):
        assert f"{image}:{tag}\n" in pushed
    assert f"{image}:1.2\n" not in pushed  # no moving minor tag


def test_image_on_a_pull_request_is_built_and_scanned_but_not_pushed(
    run_workflow: ModuleType, trained_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_image(run_workflow, trained_project, event="pull_request")

    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    assert "would load:" in out
    assert "No vulnerabilities found at or above 'critical'" in out
    for pushed_only in ("would push", "Login Succeeded", "Attestation (stand-in)"):
        assert pushed_only not in out


def pull_by_dvc_only(project: Path) -> None:
    """Make the project's image caller insist on `dvc pull` (no training in the job), and commit."""
    caller = project / ".github" / "workflows" / "image.yml"
    text = caller.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.strip().startswith("model-source:"))
    caller.write_text(text.replace(line, line.split(":")[0] + ": dvc"), encoding="utf-8")
    commit(project, "Image: the model comes from DVC or nowhere")


def test_image_on_a_fresh_default_project_trains_the_model_and_says_so(
    run_workflow: ModuleType, generated_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_image(run_workflow, generated_project)

    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    # No dvc.lock yet: the job says what to configure, trains the model, and builds with it.
    assert "::notice title=Model trained in this job::No dvc.lock is committed" in out
    assert "Running stage 'train'" in out
    assert "context has every COPY source" in out
    assert "Attestation (stand-in) for ghcr.io/my-org/demo-project@sha256:" in out


def test_image_that_must_pull_without_a_committed_dvc_lock_fails_saying_what_to_do(
    run_workflow: ModuleType, generated_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pull_by_dvc_only(generated_project)

    status = run_image(run_workflow, generated_project)

    out = capsys.readouterr().out
    assert status == 1
    assert "::error::No dvc.lock is committed" in out
    assert "Running stage" not in out
    assert "FAILED     Image/Image/Build and push" in out


def test_image_with_a_local_remote_the_runner_cannot_reach_fails_saying_what_to_do(
    run_workflow: ModuleType, trained_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = trained_project / ".dvc" / "config"
    config.write_text(
        re.sub(r"url = .*", "url = ../../demo_project-dvc-storage", config.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    commit(trained_project, "The default remote: a folder next to the checkout")
    pull_by_dvc_only(trained_project)

    status = run_image(run_workflow, trained_project)

    out = capsys.readouterr().out
    assert status == 1
    # The clone is in a scratch folder: `../../` is next to it, where nothing is.
    assert re.search(
        r"::error::The DVC remote 'storage' is the local folder /\S+/demo_project-dvc-storage, "
        r"which this runner cannot reach",
        out,
    )


def test_batch_image_builds_with_the_model_of_a_training_run(
    run_workflow: ModuleType, tmp_path: Path, template_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlscaffold.generate import create_project

    project = tmp_path / "batch-project"
    create_project(project, use_defaults=True, data={"deployment": "batch"})

    status = run_image(run_workflow, project, *from_training_run(tmp_path), event="workflow_dispatch")

    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    assert "Artifact model of run 4242 downloaded" in out
    assert "context has every COPY source" in out
    assert 'ENTRYPOINT ["python", "-m", "batch_project", "predict"' in (project / "Dockerfile").read_text()
    assert "Attestation (stand-in) for ghcr.io/my-org/batch-project@sha256:" in out


def test_image_fails_on_a_copy_of_an_untracked_file(
    run_workflow: ModuleType, generated_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (generated_project / "Dockerfile").open("a", encoding="utf-8") as dockerfile:
        dockerfile.write("COPY notes.txt /app/notes.txt\n")
    with (generated_project / ".dockerignore").open("a", encoding="utf-8") as ignore:
        ignore.write("!notes.txt\n")
    commit(generated_project, "Copy notes into the image")
    (generated_project / "notes.txt").write_text("only on my laptop\n", encoding="utf-8")

    status = run_image(run_workflow, generated_project, *from_training_run(tmp_path), event="workflow_dispatch")

    out = capsys.readouterr().out
    assert status == 1
    assert '"/notes.txt": not found' in out
    assert "FAILED     Image/Image/Build and push" in out


@pytest.mark.parametrize(
    ("finding", "fails"), [("Critical fixed CVE-2099-1", True), ("Critical unfixed CVE-2099-2", False)]
)
def test_image_scan_fails_on_a_fixable_critical_only(  # noqa: PLR0917 - fixtures and parameters
    run_workflow: ModuleType,
    generated_project: Path,
    tmp_path: Path,
    finding: str,
    fails: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    findings = ["--env", f"SCAN_STANDIN_FINDINGS={finding}"]
    status = run_image(
        run_workflow, generated_project, *from_training_run(tmp_path), *findings, event="workflow_dispatch"
    )

    out = capsys.readouterr().out
    assert status == (1 if fails else 0), summary_of(out)
    assert ("Failed minimum severity level" in out) == fails
    # Nothing is pushed before the scan passes.
    assert ("would push" in out) != fails


def test_gar_image_of_a_kubernetes_mlflow_project_logs_in_by_workload_identity(
    run_workflow: ModuleType, tmp_path: Path, template_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlscaffold.generate import create_project

    project = tmp_path / "full-project"
    answers = {
        "deployment": "both",
        "kubernetes": True,
        "experiment_tracking": "mlflow",
        "container_registry": "europe-west1-docker.pkg.dev/my-project/ml",
    }
    create_project(project, use_defaults=True, data=answers)
    provider = "projects/123456/locations/global/workloadIdentityPools/github/providers/my-org"
    variables = [
        *("--var", f"GCP_WORKLOAD_IDENTITY_PROVIDER={provider}"),
        *("--var", "GCP_SERVICE_ACCOUNT=image-push@my-project.iam.gserviceaccount.com"),
    ]

    status = run_image(
        run_workflow, project, *from_training_run(tmp_path), *variables, event="workflow_dispatch"
    )

    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    assert "Authenticated (stand-in) as image-push@my-project.iam.gserviceaccount.com" in out
    assert "Login Succeeded (stand-in) to europe-west1-docker.pkg.dev as oauth2accesstoken" in out
    assert "Attestation (stand-in) for europe-west1-docker.pkg.dev/my-project/ml/full-project@sha256:" in out


def ecr_project(tmp_path: Path) -> Path:
    from mlscaffold.generate import create_project

    project = tmp_path / "ecr-project"
    create_project(
        project,
        use_defaults=True,
        data={"container_registry": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml"},
    )
    return project


def test_ecr_image_logs_in_by_oidc_and_pushes(
    run_workflow: ModuleType, tmp_path: Path, template_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = ecr_project(tmp_path)

    status = run_image(
        run_workflow,
        project,
        *from_training_run(tmp_path),
        "--var",
        f"AWS_ROLE_ARN={ROLE}",
        event="workflow_dispatch",
    )

    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    assert f"Assumed role {ROLE} in eu-west-1 (stand-in)" in out
    assert "Login Succeeded (stand-in) to 123456789012.dkr.ecr.eu-west-1.amazonaws.com" in out
    assert (
        "Attestation (stand-in) for 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/ecr-project@sha256:" in out
    )
    assert "ghcr.io" not in summary_of(out)


def test_ecr_image_fails_without_id_token_write(
    run_workflow: ModuleType, tmp_path: Path, template_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = ecr_project(tmp_path)
    caller = project / IMAGE
    text, removed = re.subn(r"(?m)^ +id-token: write.*\n", "", caller.read_text(encoding="utf-8"))
    assert removed == 1
    caller.write_text(text, encoding="utf-8")
    commit(project, "No OIDC for the image job")

    status = run_image(
        run_workflow,
        project,
        *from_training_run(tmp_path),
        "--var",
        f"AWS_ROLE_ARN={ROLE}",
        event="workflow_dispatch",
    )

    out = capsys.readouterr().out
    assert status == 1
    assert "Could not get ID token for authentication" in out
    assert "would push" not in out


def test_template_sync_without_credentials_ends_green_with_a_notice(
    run_workflow: ModuleType, generated_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--project", str(generated_project), "--workflow", ".github/workflows/template-sync.yml"]
    status = run_workflow.main([*argv, "--event", "schedule", "--find-links", str(act_cache / "wheels")])

    out = capsys.readouterr().out
    assert status == 0, out[out.rindex("run_workflow: summary") :]
    assert "Template sync skipped: no write token" in out


def test_uncommitted_changes_do_not_reach_the_run(
    run_workflow: ModuleType, generated_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = tmp_path / "clone"
    (generated_project / "data" / "raw" / "ignored.csv").parent.mkdir(parents=True, exist_ok=True)
    (generated_project / "data" / "raw" / "ignored.csv").write_text("a,b\n", encoding="utf-8")

    run_workflow.clone_project(generated_project, clone)

    assert (clone / CI).is_file()
    assert not (clone / "data" / "raw" / "ignored.csv").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workflow", ".github/workflows/nope.yml"], "has no committed .github/workflows/nope.yml"),
        (["--workflow", CI, "--input", "novalue"], "--input takes KEY=VALUE"),
        (["--workflow", CI, "--act", "/nonexistent/act"], "act is not installed"),
        (["--workflow", CI, "--event", "pull_request", "--ref", "refs/tags/v1"], "use it with --event push"),
    ],
)
def test_usage_errors_are_one_line(
    run_workflow: ModuleType,
    generated_project: Path,
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_workflow.main(["--project", str(generated_project), *argv]) == 1

    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_a_project_that_is_not_a_git_repository_is_refused(
    run_workflow: ModuleType, generated_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(generated_project / ".git")

    assert run_workflow.main(["--project", str(generated_project), "--workflow", CI]) == 1

    assert "is not a git repository" in capsys.readouterr().err


def test_an_action_pinned_elsewhere_than_its_stand_in_is_refused(
    run_workflow: ModuleType, tmp_path: Path
) -> None:
    with pytest.raises(run_workflow.HarnessError, match="vendor or adapt it at"):
        run_workflow.action_mappings({("astral-sh/setup-uv", "0" * 40)}, tmp_path)


DVC_ROLE = "arn:aws:iam::210987654321:role/ml-dvc-read"
OIDC_KEY = "ASIASTANDIN210987654321"  # what the configure-aws-credentials stand-in hands out for DVC_ROLE


@pytest.fixture(scope="module")
def s3_project_template(template_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a project whose DVC remote is s3, trained here once: its cache is what the bucket will hold."""
    from mlscaffold.generate import create_project

    project = tmp_path_factory.mktemp("s3") / "s3-project"
    create_project(
        project, use_defaults=True, data={"dvc_remote": "s3", "dvc_remote_url": "s3://ml-data/churn"}
    )
    project_tool(project, "dvc", "repro", "--quiet")
    shutil.rmtree(project / ".venv")
    return project


@pytest.fixture
def s3_project(s3_project_template: Path, tmp_path: Path) -> Path:
    """Return a private copy of the trained s3 project."""
    target = tmp_path / s3_project_template.name
    shutil.copytree(s3_project_template, target, symlinks=True)
    return target


def point_at(project: Path, s3: FakeS3) -> None:
    """Point the project's s3 remote at S3's endpoint (region eu-west-1), and commit with dvc.lock."""
    config = project / ".dvc" / "config"
    text = config.read_text(encoding="utf-8")
    assert "url = s3://ml-data/churn\n" in text
    extra = f"url = s3://ml-data/churn\n    endpointurl = {s3.url}\n    region = eu-west-1\n"
    config.write_text(text.replace("url = s3://ml-data/churn\n", extra), encoding="utf-8")
    commit(project, "Train: dvc.lock, and the bucket's endpoint")


def test_image_pulls_the_model_from_an_s3_remote_by_oidc_in_the_dvc_step_only(
    run_workflow: ModuleType, s3_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The bucket holds what `dvc push` would have put there: DVC 3's remote layout is its cache's.
    shutil.copytree(s3_project / ".dvc" / "cache", tmp_path / "bucket" / "churn")
    s3 = FakeS3("ml-data", tmp_path / "bucket", keys={OIDC_KEY: "standin-session-210987654321"})
    with serve_s3(s3):
        point_at(s3_project, s3)
        variables = ["--var", f"DVC_AWS_ROLE_ARN={DVC_ROLE}", "--var", "AWS_REGION=eu-west-1"]

        status = run_image(run_workflow, s3_project, *variables)

    out = capsys.readouterr().out
    assert status == 0, summary_of(out)
    assert f"Assumed role {DVC_ROLE} in eu-west-1 (stand-in)" in out
    assert "Pulling models/model.joblib from DVC remote 'storage' (s3://ml-data/churn)" in out
    # Every request to the bucket was signed with the OIDC session, and the model came from it.
    assert s3.requests and {key for _, _, key in s3.requests} == {OIDC_KEY}
    assert any(method == "GET" and "/ml-data/churn/files/md5/" in path for method, path, _ in s3.requests)
    # The build stand-in fails on any cloud credential in its environment: none leaked past the pull.
    assert "context has every COPY source" in out
    assert "Login Succeeded (stand-in) to ghcr.io" in out


def test_image_pull_from_s3_without_credentials_fails_saying_what_to_do(
    run_workflow: ModuleType, s3_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(s3_project / ".dvc" / "cache", tmp_path / "bucket" / "churn")
    s3 = FakeS3("ml-data", tmp_path / "bucket", keys={OIDC_KEY: "standin-session-210987654321"})
    with serve_s3(s3):
        point_at(s3_project, s3)
        pull_by_dvc_only(s3_project)

        status = run_image(run_workflow, s3_project)  # no DVC_AWS_ROLE_ARN, no fallback keys

    out = capsys.readouterr().out
    assert status == 1
    assert "::error::dvc pull of models/model.joblib failed" in out
    assert "Assumed role" not in out
    assert "would push" not in out
