"""The remaining `run:` steps, run for real: image name and summary, release checks and build, workflow lint."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from mlscaffold import __version__

from support.git_worlds import git
from support.step_runner import Runner, StepFailedError, our_action

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def runner_in(workspace: Path, **github: str) -> Runner:
    runner = Runner(
        workspace, workspace.parent / "runner-temp", {"repository": "My-Org/Demo"} | github, our_action
    )
    runner.base_env |= {"UV_PYTHON": sys.executable}
    runner.path_prefix = [str(Path(sys.executable).parent)]
    return runner


def test_image_name_is_lower_case_ghcr_and_summary_lists_tags(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    runner = runner_in(tmp_path / "repo")
    runner.action_outputs = {
        "meta": {"tags": "ghcr.io/my-org/demo:1.2.3\nghcr.io/my-org/demo:sha-0123abcd\n"},
        "build": {"digest": "sha256:feed"},
    }
    outputs = runner.run_job(WORKFLOWS / "image.yml", "image", {"model-source": "none"})
    tags = "ghcr.io/my-org/demo:1.2.3\nghcr.io/my-org/demo:sha-0123abcd\n"
    assert outputs == {"image": "ghcr.io/my-org/demo", "digest": "sha256:feed", "tags": tags}
    summary = runner.summary.read_text(encoding="utf-8")
    assert "## Image ghcr.io/my-org/demo\nDigest: `sha256:feed`" in summary
    assert "- `ghcr.io/my-org/demo:1.2.3`\n- `ghcr.io/my-org/demo:sha-0123abcd`\n" in summary
    named = runner_in(tmp_path / "repo").run_job(
        WORKFLOWS / "image.yml",
        "image",
        {"image": "Registry.example/Team/App", "model-source": "none", "push": False},
    )
    assert named["image"] == "registry.example/team/app"


@pytest.mark.parametrize(
    ("inputs", "kind", "error"),
    [
        ({"image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/app"}, "ecr", "pass aws-role-arn"),
        ({"image": "europe-west1-docker.pkg.dev/p/ml/app"}, "gar", "pass gcp-workload-identity-provider"),
        ({"image": "team.azurecr.io/ml/app"}, "acr", "pass azure-client-id"),
        ({"image": "registry.example.com:5000/team/app"}, "other", "pass the registry-username"),
        ({"model-source": "s3"}, "ghcr", "model-source is 's3'"),
        ({"scan-severity": "urgent"}, "ghcr", "scan-severity is 'urgent'"),
    ],
)
def test_image_registry_is_read_from_the_host_and_a_missing_login_input_is_one_error_line(
    tmp_path: Path, inputs: dict[str, str], kind: str, error: str
) -> None:
    (tmp_path / "repo").mkdir()
    with pytest.raises(StepFailedError, match=error) as failed:
        runner_in(tmp_path / "repo").run_job(
            WORKFLOWS / "image.yml", "image", {"model-source": "none", **inputs}
        )
    assert str(failed.value).count("::error::") == 1
    # Nothing needed for a build that is not pushed: the same inputs pass with push false.
    if kind != "ghcr":
        runner = runner_in(tmp_path / "repo")
        built = runner.run_job(
            WORKFLOWS / "image.yml", "image", {"model-source": "none", "push": False, **inputs}
        )
        assert built["image"] == inputs["image"]
        assert f"Log in to {'ECR' if kind == 'ecr' else 'the registry'}" in runner.skipped or kind != "ecr"


SHA = "0123456789abcdef0123456789abcdef01234567"
K8S = {"environment": "staging", "ref": SHA, "kubernetes": True}
ROLE = "arn:aws:iam::123456789012:role/deploy"
GCP = {
    "gcp-workload-identity-provider": "projects/1/locations/global/workloadIdentityPools/p/providers/q",
    "gcp-service-account": "deploy@my-project.iam.gserviceaccount.com",
}


@pytest.mark.parametrize(
    ("inputs", "secrets", "error"),
    [
        (K8S, {}, "no KUBE_CONFIG: add the kubeconfig of the staging cluster"),
        (
            {**K8S, "cluster-provider": "eks", "cluster-name": "--profile=x"},
            {},
            "cluster-name '--profile=x' is not",
        ),
        (
            {**K8S, "cluster-provider": "eks", "cluster-name": "c", "cluster-location": "eu west"},
            {},
            "is not a region",
        ),
        ({**K8S, "cluster-provider": "k3s"}, {}, "cluster-provider is 'k3s': use kubeconfig, eks, gke or aks."),
        ({**K8S, "cluster-provider": "eks"}, {}, "cluster-provider eks: pass cluster-name"),
        (
            {**K8S, "cluster-provider": "eks", "cluster-name": "c"},
            {},
            "cluster-provider eks: pass cluster-location",
        ),
        (
            {**K8S, "cluster-provider": "eks", "cluster-name": "c", "cluster-location": "eu-west-1"},
            {},
            "cluster-provider eks: pass aws-role-arn",
        ),
        (
            {**K8S, "cluster-provider": "gke", "cluster-name": "c"},
            {},
            "cluster-provider gke: pass cluster-location",
        ),
        (
            {**K8S, "cluster-provider": "gke", "cluster-name": "c", "cluster-location": "europe-west1"},
            {},
            "cluster-provider gke: pass gcp-workload-identity-provider",
        ),
        (
            {
                **K8S,
                **GCP,
                "cluster-provider": "gke",
                "cluster-name": "c",
                "cluster-location": "europe-west1",
                "gcp-service-account": "deploy@example.com",
            },
            {},
            "cluster-provider gke: pass cluster-project",
        ),
        (
            {**K8S, "cluster-provider": "aks", "cluster-name": "c"},
            {},
            "cluster-provider aks: pass cluster-resource-group",
        ),
        (
            {**K8S, "cluster-provider": "aks", "cluster-name": "c", "cluster-resource-group": "rg"},
            {},
            "cluster-provider aks: pass azure-client-id",
        ),
        (
            {
                "environment": "staging",
                "ref": SHA,
                "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/app",
            },
            {},
            "ECR registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com: pass aws-role-arn",
        ),
        (
            {"environment": "staging", "ref": SHA, "image": "registry.example.com/ml/app"},
            {},
            "pass the REGISTRY_USERNAME and REGISTRY_PASSWORD secrets",
        ),
        (
            {"environment": "staging", "ref": SHA, "image": "team.azurecr.io/ml/app", "registry-type": "quay"},
            {},
            "registry-type is 'quay'",
        ),
    ],
)
def test_deploy_inputs_missing_or_inconsistent_are_one_error_line(
    tmp_path: Path, inputs: dict[str, object], secrets: dict[str, str], error: str
) -> None:
    (tmp_path / "repo").mkdir()
    runner = runner_in(tmp_path / "repo")
    runner.secrets |= secrets
    with pytest.raises(StepFailedError, match=re.escape(error)) as failed:
        runner.run_job(WORKFLOWS / "deploy.yml", "deploy", inputs)
    assert str(failed.value).count("::error::") == 1
    assert runner.ran == ["What to deploy"]


def test_deploy_to_eks_from_ecr_logs_in_to_aws_once_and_to_no_other_cloud(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    runner = runner_in(tmp_path / "repo")
    eks = {
        "cluster-provider": "eks",
        "cluster-name": "ml",
        "cluster-location": "us-east-2",
        "aws-role-arn": ROLE,
    }
    image = {"image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/app"}
    with pytest.raises(StepFailedError):  # the registry stand-ins are not here: the digest step fails
        runner.run_job(WORKFLOWS / "deploy.yml", "deploy", {**K8S, **eks, **image})
    assert runner.ran[0] == "What to deploy"
    # One AWS login serves both; ECR in its host's region, the cluster in its own.
    skipped = " ".join(runner.skipped)
    assert "aws-actions/configure-aws-credentials@" in skipped and "aws-actions/amazon-ecr-login@" in skipped
    assert "google-github-actions/auth@" not in skipped and "azure/login@" not in skipped


@pytest.fixture
def checkout_copy(tmp_path: Path) -> Path:
    target = tmp_path / "mlscaffold"
    shutil.copytree(
        ROOT,
        target,
        ignore=shutil.ignore_patterns(".git", ".venv", "*cache*", "__pycache__", "dist", ".coverage"),
    )
    return target


@pytest.mark.slow
def test_release_build_checks_the_tag_and_builds(checkout_copy: Path) -> None:
    runner = runner_in(checkout_copy, ref_name=f"v{__version__}")
    runner.run_job(WORKFLOWS / "release.yml", "build", {})
    built = sorted(p.name for p in (checkout_copy / "dist").glob("mlscaffold*"))
    assert built == [f"mlscaffold_cli-{__version__}-py3-none-any.whl", f"mlscaffold_cli-{__version__}.tar.gz"]
    assert not any(s.startswith("actions/cache") for s in runner.skipped)


def test_release_refuses_a_tag_that_is_not_the_version(checkout_copy: Path) -> None:
    runner = runner_in(checkout_copy, ref_name="v99.0.0")
    with pytest.raises(StepFailedError, match=f"tag v99.0.0 does not match __version__ {__version__}"):
        runner.run_job(WORKFLOWS / "release.yml", "build", {})
    assert not (checkout_copy / "dist").exists()


@pytest.mark.slow
def test_lint_workflows_steps_pass_here_and_fail_on_a_broken_workflow(checkout_copy: Path) -> None:
    git("init", "-q", cwd=checkout_copy)  # what actions/checkout leaves: a git repository
    runner = runner_in(checkout_copy)
    runner.run_job(WORKFLOWS / "lint-workflows.yml", "lint", {"online-audits": False})
    assert runner.ran == ["actionlint", "zizmor"]
    broken = checkout_copy / ".github" / "workflows" / "broken.yml"
    broken.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        # Valid for actionlint; zizmor flags the persisted checkout credentials.
        "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n",
        encoding="utf-8",
    )
    with pytest.raises(StepFailedError, match=r"(?s)step 'zizmor' exited 13.*title=artipacked"):
        runner_in(checkout_copy).run_job(WORKFLOWS / "lint-workflows.yml", "lint", {"online-audits": False})


def step_named(workflow: str, job: str, name: str) -> dict[str, object]:
    from mlscaffold.yamlio import load_text

    data = load_text((WORKFLOWS / workflow).read_text(encoding="utf-8"))
    return next(step for step in data["jobs"][job]["steps"] if step.get("name") == name)


def test_google_key_fallback_is_private_and_lives_only_for_the_dvc_command(tmp_path: Path) -> None:
    # train.yml and drift.yml run dvc pull and push through the dvc-remote action; a stand-in `uv`
    # shows what the dvc command saw.
    (tmp_path / "repo").mkdir()
    fake = tmp_path / "bin" / "uv"
    fake.parent.mkdir()
    fake.write_text(
        '#!/bin/bash\nf="$GOOGLE_APPLICATION_CREDENTIALS"\n'
        'echo "key=$f mode=$(stat -c %a "$f") body=$(cat "$f") args=$*"\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    runner = runner_in(tmp_path / "repo")
    runner.path_prefix = [str(fake.parent)]
    step = {
        "uses": "mlscaffold/mlscaffold/.github/actions/dvc-remote@v0",
        "with": {"command": "pull", "google-credentials-json": '{"type": "service_account"}'},
    }
    context: dict[str, Any] = {"inputs": {}, "steps": {}, "github": {}, "runner": {}, "secrets": {}}
    runner._steps([step], context, {}, None)

    out = runner.stdout["dvc ${{ inputs.command }}"]
    assert "mode=600" in out and 'body={"type": "service_account"}' in out
    assert "args=run --no-sync dvc pull" in out
    assert not Path(out.split("key=")[1].split()[0]).exists()  # removed when the command ended
    assert "GOOGLE_APPLICATION_CREDENTIALS" not in runner.env_file_values


def test_dvc_remote_refuses_a_command_that_is_not_dvc_words(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    runner = runner_in(tmp_path / "repo")
    step = {
        "uses": "mlscaffold/mlscaffold/.github/actions/dvc-remote@v0",
        "with": {"command": "pull; rm -rf ~"},
    }
    context: dict[str, Any] = {"inputs": {}, "steps": {}, "github": {}, "runner": {}, "secrets": {}}
    with pytest.raises(StepFailedError, match="command must be a dvc command and its flags"):
        runner._steps([step], context, {}, None)


def test_ci_puts_the_matrix_python_first_on_path(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    runner = runner_in(tmp_path / "repo")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    context: dict[str, Any] = {
        "inputs": {},
        "steps": {},
        "github": {},
        "runner": {},
        "matrix": {"python-version": version},
    }
    runner._steps([step_named("ci.yml", "tests", "Put the matrix Python first on PATH")], context, {}, None)
    [directory] = runner.path_prefix[:1]
    found = Path(directory) / "python3"
    assert found.exists()
    import subprocess

    reported = subprocess.run(
        [str(found), "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert reported.stdout.strip() == str(sys.version_info[:2])
