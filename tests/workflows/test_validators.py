"""actionlint, zizmor, check-jsonschema and yamllint pass on this repository's .github and on generated ones."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.workflow_projects import ROOT, WORKFLOW_COMBINATIONS

BIN = Path(sys.executable).parent
YAMLLINT_CONFIG = ROOT / ".yamllint.yml"
TARGETS = ["repository", *WORKFLOW_COMBINATIONS]


def target_dir(name: str, workflow_projects: dict[str, Path]) -> Path:
    return ROOT if name == "repository" else workflow_projects[name]


def validate(tool: str, repo: Path) -> subprocess.CompletedProcess[str]:
    github = repo / ".github"
    workflows = sorted(str(p) for p in (github / "workflows").glob("*.yml"))
    actions = sorted(str(p) for p in github.glob("actions/*/action.yml"))
    commands = {
        # actionlint must run inside a git repository; it finds .github/workflows itself.
        "actionlint": [str(BIN / "actionlint"), "-no-color"],
        "zizmor": [str(BIN / "zizmor"), "--offline", "--no-progress", "--format", "plain", str(github)],
        "yamllint": [str(BIN / "yamllint"), "--strict", "-c", str(YAMLLINT_CONFIG), str(github)],
        "workflow-schema": [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *workflows,
        ],
        "dependabot-schema": [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.dependabot",
            str(github / "dependabot.yml"),
        ],
        "action-schema": [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-actions", *actions],
    }
    return subprocess.run(commands[tool], cwd=repo, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "tool", ["actionlint", "zizmor", "yamllint", "workflow-schema", "dependabot-schema", "action-schema"]
)
@pytest.mark.parametrize("target", TARGETS)
def test_github_dir_passes_validator(workflow_projects: dict[str, Path], target: str, tool: str) -> None:
    repo = target_dir(target, workflow_projects)
    if tool == "action-schema" and target != "repository":
        assert not (repo / ".github" / "actions").exists()  # generated projects call ours, define none
        return
    proc = validate(tool, repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_generated_workflows_per_deployment(workflow_projects: dict[str, Path]) -> None:
    names = {
        key: sorted(p.name for p in (repo / ".github" / "workflows").iterdir())
        for key, repo in workflow_projects.items()
    }
    every = ["ci.yml", "deploy.yml", "drift.yml", "image.yml", "template-sync.yml", "train.yml"]
    assert names["online-local"] == every
    assert names["both-s3"] == names["online-local"]
    assert names["batch-none"] == names["online-local"]  # a batch job ships as an image too


def copy_github(repo: Path, tmp_path: Path) -> Path:
    """Return a git repository holding a copy of REPO's .github, to break."""
    broken = tmp_path / "broken"
    shutil.copytree(repo / ".github", broken / ".github")
    subprocess.run(["git", "init", "-q", str(broken)], check=True)
    return broken


def test_zizmor_fails_without_the_mlscaffold_tag_policy(
    workflow_projects: dict[str, Path], tmp_path: Path
) -> None:
    broken = copy_github(workflow_projects["online-local"], tmp_path)
    (broken / ".github" / "zizmor.yml").unlink()
    proc = validate("zizmor", broken)
    assert proc.returncode == 14, proc.stdout + proc.stderr
    assert "unpinned-uses" in proc.stdout


def test_zizmor_policy_allows_tags_only_for_mlscaffold(
    workflow_projects: dict[str, Path], tmp_path: Path
) -> None:
    broken = copy_github(workflow_projects["online-local"], tmp_path)
    ci = broken / ".github" / "workflows" / "ci.yml"
    ci.write_text(
        ci.read_text(encoding="utf-8")
        + "\n  other:\n    permissions: {}\n    uses: someone/else/.github/workflows/x.yml@v1\n",
        encoding="utf-8",
    )
    proc = validate("zizmor", broken)
    assert proc.returncode == 14
    assert "someone/else" in proc.stdout


def test_actionlint_catches_a_broken_workflow(workflow_projects: dict[str, Path], tmp_path: Path) -> None:
    broken = copy_github(workflow_projects["online-local"], tmp_path)
    ci = broken / ".github" / "workflows" / "ci.yml"
    ci.write_text(
        ci.read_text(encoding="utf-8").replace(
            "permissions:\n      contents: read", "permissions:\n      contents: reed", 1
        ),
        encoding="utf-8",
    )
    proc = validate("actionlint", broken)
    assert proc.returncode == 1
    assert "reed" in proc.stdout
