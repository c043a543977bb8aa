"""deploy.yml under act on a pushed tag of the model registry: a stage tag deploys that stage.

The tags are written by the generated project's own registry module (what `make promote`
runs), so the trigger is tested against the tag format the project really writes.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from workflows.test_act_deploy import (
    DIGEST,
    KUBECONFIG,
    head,
    kubernetes_project,
    kubernetes_project_template,
    summary,
)
from workflows.test_act_runs import act_cache, commit, run_workflow

__all__ = ["act_cache", "kubernetes_project", "kubernetes_project_template", "run_workflow"]  # fixtures

pytestmark = pytest.mark.slow

DEPLOY = ".github/workflows/deploy.yml"
NAME = "demo-project"
IMAGE = f"ghcr.io/my-org/{NAME}"
# The image of the commit after the tagged one: a deploy of the tag must not take it.
NEWER = "sha256:" + "4e" * 32


def project_registry(project: Path) -> ModuleType:
    """Return the project's src/PACKAGE/registry.py (standard library only) as a module."""
    (path,) = sorted(project.glob("src/*/registry.py"))
    spec = importlib.util.spec_from_file_location(f"registry_of_{project.name.replace('-', '_')}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def promote(project: Path, stage: str, name: str = NAME) -> tuple[str, str, str]:
    """Register HEAD and assign it to STAGE as `make promote` does; then move main on.

    Return the registration tag, the stage tag and the tagged commit.
    """
    registry = project_registry(project)
    entry, created = registry.register(name, {"id": "model-1"}, cwd=project)
    assert created
    tag = registry.assign(name, entry, stage, cwd=project)
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nA later change.\n", encoding="utf-8")
    commit(project, "A commit after the promoted one")
    assert head(project) != entry.commit
    return f"{name}@{entry.version}", tag, entry.commit


def push_tag(
    run_workflow: ModuleType, project: Path, cache: Path, ref: str, tagged: str, *extra: str, image: str = IMAGE
) -> int:
    """Run deploy.yml as a push of REF; the registry holds the images of TAGGED and of HEAD."""
    argv = ["--project", str(project), "--workflow", DEPLOY, "--find-links", str(cache / "wheels")]
    argv += ["--event", "push", "--ref", ref]
    argv += ["--registry", f"{image}:sha-{tagged}={DIGEST}"]
    argv += ["--registry", f"{image}:sha-{head(project)}={NEWER}"]
    status: int = run_workflow.main([*argv, *extra])
    return status


@pytest.mark.parametrize("stage", ["production", "staging"])
def test_a_pushed_stage_tag_deploys_the_image_of_the_tagged_commit_to_that_stage(
    run_workflow: ModuleType,
    generated_project: Path,
    act_cache: Path,
    capsys: pytest.CaptureFixture[str],
    stage: str,
) -> None:
    _, tag, tagged = promote(generated_project, stage)
    assert tag == f"{NAME}#{stage}#1"

    status = push_tag(run_workflow, generated_project, act_cache, f"refs/tags/{tag}", tagged)

    out = capsys.readouterr().out
    assert status == 0, summary(out)
    title = stage.capitalize()
    assert f"succeeded  {title}/Deploy/Deploy to {stage}" in summary(out)
    other = "Staging" if stage == "production" else "Production"
    assert other not in summary(out)
    assert f"pushing {IMAGE}:{stage} -> {DIGEST}" in out  # sha-<tagged commit>, resolved
    assert NEWER not in out  # not the image of main's head


@pytest.mark.parametrize(
    "which",
    ["registration", "another model's stage tag", "a version tag", "a deprecation", "a stage without a number"],
)
def test_a_pushed_tag_that_assigns_no_stage_deploys_nothing(
    run_workflow: ModuleType,
    generated_project: Path,
    act_cache: Path,
    capsys: pytest.CaptureFixture[str],
    which: str,
) -> None:
    registration, _, tagged = promote(generated_project, "production")
    tag = {
        "registration": registration,
        "another model's stage tag": f"other-{NAME}#production#1",
        "a version tag": "v1.0.0",
        "a deprecation": f"{NAME}#production!#2",  # GTO's unassignment
        "a stage without a number": f"{NAME}#production#latest",
    }[which]
    if which != "registration":
        subprocess.run(["git", "tag", "-a", "-m", "A tag", tag, tagged], cwd=generated_project, check=True)

    status = push_tag(run_workflow, generated_project, act_cache, f"refs/tags/{tag}", tagged)

    captured = capsys.readouterr()
    assert status == 1  # the harness: no job ran
    assert f"a push of refs/tags/{tag} does not start {DEPLOY} (its on.push filters)" in captured.out
    assert "no job ran" in captured.err
    assert "Deploy to" not in captured.out


def test_the_job_conditions_alone_keep_a_tag_of_no_stage_from_deploying(
    run_workflow: ModuleType,
    generated_project: Path,
    act_cache: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Were the trigger's filter widened to every tag, the jobs' conditions still deploy nothing."""
    workflow = generated_project / DEPLOY
    text = workflow.read_text(encoding="utf-8")
    widened = text.replace(f'      - "{NAME}#staging#[0-9]+"\n', '      - "**"\n', 1)
    assert widened != text
    workflow.write_text(widened, encoding="utf-8")
    commit(generated_project, "Every tag starts Deploy")
    registration, _, tagged = promote(generated_project, "production")

    status = push_tag(run_workflow, generated_project, act_cache, f"refs/tags/{registration}", tagged)

    captured = capsys.readouterr()
    assert status == 1
    assert "does not start" not in captured.out  # act ran the workflow
    assert "no job ran" in captured.err
    assert "Deploy to" not in captured.out


def test_a_production_tag_on_kubernetes_applies_the_manifests_of_the_tagged_commit(
    run_workflow: ModuleType, kubernetes_project: Path, act_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`deployment=both kubernetes=true experiment_tracking=mlflow`: the tag's commit, not main's head."""
    name = "churn-model"
    _, tag, tagged = promote(kubernetes_project, "production", name)
    # Main moves on to manifests the deploy would refuse: a batch job on a moving tag.
    cronjob = kubernetes_project / "deploy" / "base" / "cronjob.yaml"
    text = cronjob.read_text(encoding="utf-8")
    cronjob.write_text(text.replace("my-org/churn-model\n", "my-org/scorer:latest\n", 1), encoding="utf-8")
    commit(kubernetes_project, "Batch job on another image")

    image = f"ghcr.io/my-org/{name}"
    ref, secret = f"refs/tags/{tag}", ["--secret", f"KUBE_CONFIG={KUBECONFIG}"]
    status = push_tag(run_workflow, kubernetes_project, act_cache, ref, tagged, *secret, image=image)

    out = capsys.readouterr().out
    assert status == 0, summary(out)
    assert "succeeded  Production/Deploy/Deploy to production" in summary(out)
    assert "Staging" not in summary(out)
    assert f"deployment.apps/{name} serverside-applied" in out
    assert f"{image}@{DIGEST}" in out and NEWER not in out
    assert "scorer" not in out
