"""deploy.yml, run for real by act through scripts/run_workflow.py, offline: staging after the image, by digest.

The registry and the cluster are stand-ins (tests/act/bin): a registry in a JSON file, and a
kubectl that renders the overlays and refuses what an API server would (schema, namespace) and
what deploy.yml promises never to send (an image not pinned by digest).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from workflows.test_act_runs import act_cache, commit, run_workflow

from support.workflow_projects import using_bundle

__all__ = ["act_cache", "run_workflow"]  # fixtures, used by name

pytestmark = pytest.mark.slow

DEPLOY = ".github/workflows/deploy.yml"
BIN = Path(__file__).resolve().parents[1] / "act" / "bin"
DIGEST = "sha256:" + "d1" * 32
EARLIER = "sha256:" + "e0" * 32
KUBECONFIG = json.dumps(
    {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "staging", "cluster": {"server": "https://staging.k8s.example.invalid"}}],
        "users": [{"name": "deployer", "user": {"token": "not-a-real-token"}}],
        "contexts": [{"name": "staging", "context": {"cluster": "staging", "user": "deployer"}}],
        "current-context": "staging",
    }
)


@pytest.fixture(scope="module")
def kubernetes_project_template(template_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a `deployment=both kubernetes=true mlflow` project with an Ingress, generated once."""
    from mlscaffold.generate import create_project

    target = tmp_path_factory.mktemp("deploy") / "churn-model"
    data = {"deployment": "both", "kubernetes": "true", "experiment_tracking": "mlflow"}
    data["ingress_host"] = "churn.example.com"
    with using_bundle(template_bundle):
        create_project(target, data=data, use_defaults=True)
    return target


@pytest.fixture
def kubernetes_project(kubernetes_project_template: Path, tmp_path: Path) -> Path:
    """Return a private copy of the Kubernetes project."""
    target = tmp_path / kubernetes_project_template.name
    shutil.copytree(kubernetes_project_template, target, symlinks=True)
    return target


def head(project: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.strip()


def deploy(run_workflow: ModuleType, project: Path, cache: Path, *extra: str, built: bool = True) -> int:
    """Run deploy.yml as the Image workflow's success on main triggers it; the registry holds HEAD's image."""
    image = f"ghcr.io/my-org/{project.name}"
    argv = ["--project", str(project), "--workflow", DEPLOY, "--find-links", str(cache / "wheels")]
    if built:
        argv += ["--registry", f"{image}:sha-{head(project)}={DIGEST}"]
        argv += ["--registry", f"{image}:v0.1.0={EARLIER}"]
    if "--event" not in extra:
        argv += ["--event", "workflow_run"]
    status: int = run_workflow.main([*argv, "--secret", f"KUBE_CONFIG={KUBECONFIG}", *extra])
    return status


def summary(out: str) -> str:
    return out[out.rindex("run_workflow: summary") :]


def test_staging_deploy_of_a_default_project_moves_the_staging_tag_to_the_digest(
    run_workflow: ModuleType, generated_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = deploy(run_workflow, generated_project, act_cache)

    out = capsys.readouterr().out
    assert status == 0, summary(out)
    assert "succeeded  Staging/Deploy/Deploy to staging" in summary(out)
    assert "Production" not in summary(out)  # a release or a dispatch only
    assert f"pushing ghcr.io/my-org/demo-project:staging -> {DIGEST}" in out
    assert "serverside-applied" not in out and "stand-in: tests/act/bin/kubectl" not in out  # no cluster


def test_staging_deploy_of_a_kubernetes_project_applies_the_overlay_by_digest(
    run_workflow: ModuleType, kubernetes_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = deploy(run_workflow, kubernetes_project, act_cache)

    out = capsys.readouterr().out
    assert status == 0, summary(out)
    assert "succeeded  Staging/Deploy/Deploy to staging" in summary(out)
    assert "kubectl v1.35.0 (stand-in: tests/act/bin/kubectl)" in out
    assert "deployment.apps/churn-model serverside-applied (server dry run)" in out
    assert "cronjob.batch/churn-model-batch serverside-applied" in out
    # The production objects of the base, through the staging overlay's patches.
    for applied in (
        "poddisruptionbudget.policy/churn-model",
        "networkpolicy.networking.k8s.io/churn-model-batch",
    ):
        assert f"{applied} serverside-applied" in out
    assert "ingress.networking.k8s.io/churn-model serverside-applied" in out
    assert "deployment.apps/churn-model successfully rolled out" in out
    assert f"ghcr.io/my-org/churn-model@{DIGEST}" in out


def test_production_by_hand_deploys_the_digest_given(
    run_workflow: ModuleType, kubernetes_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Rolling back is this: redeploy an earlier digest.
    extra = ["--event", "workflow_dispatch", "--input", "environment=production"]
    extra += ["--input", f"digest={EARLIER}"]
    status = deploy(run_workflow, kubernetes_project, act_cache, *extra)

    out = capsys.readouterr().out
    assert status == 0, summary(out)
    assert "succeeded  Production/Deploy/Deploy to production" in summary(out)
    assert "Staging" not in summary(out)
    assert f"pushing ghcr.io/my-org/churn-model:production -> {EARLIER}" in out


def test_a_published_release_deploys_its_commits_image_to_production(
    run_workflow: ModuleType, generated_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = deploy(run_workflow, generated_project, act_cache, "--event", "release")

    out = capsys.readouterr().out
    assert status == 0, summary(out)
    assert "succeeded  Production/Deploy/Deploy to production" in summary(out)
    assert "Staging" not in summary(out)
    assert f"pushing ghcr.io/my-org/demo-project:production -> {DIGEST}" in out


def test_deploy_fails_when_no_image_was_built_for_the_commit(
    run_workflow: ModuleType, generated_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = deploy(run_workflow, generated_project, act_cache, built=False)

    out = capsys.readouterr().out
    assert status == 1
    assert f"ghcr.io/my-org/demo-project:sha-{head(generated_project)} is not in the registry" in out
    assert "FAILED     Staging/Deploy/Deploy to staging" in summary(out)


def test_deploy_fails_when_a_manifest_runs_an_image_the_digest_does_not_reach(
    run_workflow: ModuleType, kubernetes_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cronjob = kubernetes_project / "deploy" / "base" / "cronjob.yaml"
    text = cronjob.read_text(encoding="utf-8")
    assert "image: ghcr.io/my-org/churn-model\n" in text
    # A tag on the project's image would be replaced by the digest (kustomize matches the name);
    # another image keeps its moving tag, and must stop the deploy.
    cronjob.write_text(text.replace("my-org/churn-model\n", "my-org/scorer:latest\n", 1), encoding="utf-8")
    commit(kubernetes_project, "Batch job on another image")

    status = deploy(run_workflow, kubernetes_project, act_cache)

    out = capsys.readouterr().out
    assert status == 1
    assert "the manifests run images not set by digest: ghcr.io/my-org/scorer:latest" in out
    assert "serverside-applied" not in out


def kubectl(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": "/usr/bin:/bin", "STANDIN_PYTHON": sys.executable, **(env or {})}
    return subprocess.run(
        [str(BIN / "kubectl"), *args], cwd=cwd, env=environment, capture_output=True, text=True, check=False
    )


def test_kubectl_stand_in_refuses_what_a_cluster_would(kubernetes_project: Path, tmp_path: Path) -> None:
    """The stand-in checks: no kubeconfig, a tag instead of a digest, an invalid object, no namespace."""
    rendered = kubectl("kustomize", "deploy/overlays/staging", cwd=kubernetes_project)
    assert rendered.returncode == 0, rendered.stderr
    manifests = tmp_path / "manifests.yaml"
    manifests.write_text(rendered.stdout, encoding="utf-8")
    config = tmp_path / "kubeconfig"
    config.write_text(KUBECONFIG, encoding="utf-8")
    env = {"KUBECONFIG": str(config), "RUNNER_TEMP": str(tmp_path)}

    no_config = kubectl("apply", "-f", str(manifests), cwd=tmp_path)
    assert no_config.returncode == 1 and "no KUBECONFIG file" in no_config.stderr
    by_name = kubectl("apply", "-f", str(manifests), cwd=tmp_path, env=env)
    assert by_name.returncode == 1
    assert "runs 'ghcr.io/my-org/churn-model', not an image by digest" in by_name.stderr

    pinned = manifests.read_text(encoding="utf-8").replace(
        "image: ghcr.io/my-org/churn-model\n", f"image: ghcr.io/my-org/churn-model@{DIGEST}\n"
    )
    manifests.write_text(pinned, encoding="utf-8")
    assert kubectl("apply", "--dry-run=server", "-f", str(manifests), cwd=tmp_path, env=env).returncode == 0
    for old, new, message in [
        ("minReplicas: 1", 'minReplicas: "one"', "is invalid against Kubernetes"),
        ("  namespace: churn-model-staging\n", "", "names no namespace"),
    ]:
        manifests.write_text(pinned.replace(old, new, 1), encoding="utf-8")
        refused = kubectl("apply", "-f", str(manifests), cwd=tmp_path, env=env)
        assert refused.returncode == 1 and message in refused.stderr, refused.stderr
    name = ["deployment.apps/churn-model", "-n", "churn-model-staging"]
    rollout = kubectl("rollout", "status", *name, cwd=tmp_path, env=env)
    assert rollout.returncode == 1 and "not found" in rollout.stderr  # nothing was applied


EKS_ROLE = "arn:aws:iam::123456789012:role/churn-deploy"
EKS = [
    *("--var", "KUBE_CLUSTER_PROVIDER=eks"),
    *("--var", "KUBE_CLUSTER_NAME=ml-staging"),
    *("--var", "KUBE_CLUSTER_LOCATION=eu-west-1"),
    *("--var", f"AWS_ROLE_ARN={EKS_ROLE}"),
]


def deploy_by_oidc(run_workflow: ModuleType, project: Path, cache: Path, *extra: str) -> int:
    """Run deploy.yml after the Image workflow with no KUBE_CONFIG secret: the cluster is reached by OIDC."""
    image = f"ghcr.io/my-org/{project.name}"
    argv = ["--project", str(project), "--workflow", DEPLOY, "--find-links", str(cache / "wheels")]
    argv += ["--registry", f"{image}:sha-{head(project)}={DIGEST}", "--event", "workflow_run"]
    status: int = run_workflow.main([*argv, *extra])
    return status


def test_staging_deploy_to_eks_reaches_the_cluster_by_oidc(
    run_workflow: ModuleType, kubernetes_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = deploy_by_oidc(run_workflow, kubernetes_project, act_cache, *EKS)

    out = capsys.readouterr().out
    assert status == 0, summary(out)
    assert "succeeded  Staging/Deploy/Deploy to staging" in summary(out)
    assert f"Assumed role {EKS_ROLE} in eu-west-1 (stand-in)" in out
    # The aws stand-in wrote the kubeconfig only with the OIDC session in its environment, and
    # kubectl ran its `aws eks get-token` user for every call: the credentials reached those steps.
    assert "Added new context arn:aws:eks:eu-west-1:123456789012:cluster/ml-staging" in out
    assert "deployment.apps/churn-model serverside-applied (server dry run)" in out
    assert "deployment.apps/churn-model successfully rolled out" in out
    assert "no KUBE_CONFIG" not in out


def test_eks_deploy_without_a_cluster_name_fails_in_one_line(
    run_workflow: ModuleType, kubernetes_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = [EKS[i : i + 2] for i in range(0, len(EKS), 2)]
    without_name = [arg for pair in pairs if not pair[1].startswith("KUBE_CLUSTER_NAME=") for arg in pair]

    status = deploy_by_oidc(run_workflow, kubernetes_project, act_cache, *without_name)

    out = capsys.readouterr().out
    assert status == 1
    assert "::error::cluster-provider eks: pass cluster-name (the KUBE_CLUSTER_NAME variable)." in out
    assert "FAILED     Staging/Deploy/Deploy to staging" in summary(out)
    assert "Assumed role" not in out and "serverside-applied" not in out  # nothing ran after the check


def test_kubernetes_deploy_with_neither_kube_config_nor_a_provider_says_what_to_set(
    run_workflow: ModuleType, kubernetes_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = deploy_by_oidc(run_workflow, kubernetes_project, act_cache)

    out = capsys.readouterr().out
    assert status == 1
    assert "::error::no KUBE_CONFIG: add the kubeconfig of the staging cluster as the environment secret" in out


def aws(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": f"{BIN}:/usr/bin:/bin", "STANDIN_PYTHON": sys.executable, **env}
    command = [str(BIN / "aws"), *args]
    return subprocess.run(command, env=environment, capture_output=True, text=True, check=False)


def test_aws_stand_in_refuses_what_aws_would(tmp_path: Path) -> None:
    """The EKS kubeconfig needs an OIDC session: no credentials, long-lived keys, a bad region are refused."""
    config = tmp_path / "kubeconfig"
    update = ["eks", "update-kubeconfig", "--name", "ml", "--region", "eu-west-1", "--kubeconfig", str(config)]
    session = {"AWS_ACCESS_KEY_ID": "ASIASTANDIN123456789012", "AWS_SECRET_ACCESS_KEY": "s"}
    session["AWS_SESSION_TOKEN"] = "t"

    assert "Unable to locate credentials" in aws(*update, env={}).stderr
    long_lived = aws(*update, env={"AWS_ACCESS_KEY_ID": "AKIAKEY", "AWS_SECRET_ACCESS_KEY": "s"})
    assert long_lived.returncode == 1 and "only an OIDC session" in long_lived.stderr
    bad_region = aws(*[a if a != "eu-west-1" else "Europe" for a in update], env=session)
    assert bad_region.returncode == 1 and "invalid value for --region" in bad_region.stderr
    assert not config.exists()
    assert aws(*update, env=session).returncode == 0

    # kubectl runs the kubeconfig's `aws eks get-token`: without the session it cannot reach the cluster.
    manifests = tmp_path / "empty.yaml"
    manifests.write_text("", encoding="utf-8")
    base = {"KUBECONFIG": str(config), "RUNNER_TEMP": str(tmp_path), "PATH": f"{BIN}:/usr/bin:/bin"}
    refused = kubectl("apply", "--dry-run=server", "-f", str(manifests), cwd=tmp_path, env=base)
    assert refused.returncode == 1 and "getting credentials: exec: executable aws failed" in refused.stderr
    allowed = kubectl("apply", "--dry-run=server", "-f", str(manifests), cwd=tmp_path, env=base | session)
    assert allowed.returncode == 0, allowed.stderr
