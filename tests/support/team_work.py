"""A team's everyday work in a project generated from the real default template.

Shared by the upgrade tests (tests/upgrade/test_upgrade_real.py) and the slow test
that runs an upgraded project's own test suite (tests/slow/test_upgraded_project.py).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

from mlscaffold.cli import app

from support.git_worlds import git

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
ANSWERS = {"python_version": PYTHON, "deployment": "both", "kubernetes": "true", "project_name": "Churn Model"}
PACKAGE = "churn_model"
# The template's git mv migrations, oldest first: a user's edits follow the file.
RENAMES = {f"src/{PACKAGE}/predict.py": f"src/{PACKAGE}/batch.py"}
# v0.5.0 moved the Kubernetes manifests under deploy/base/ (kustomize overlays beside it).
MOVES = {**RENAMES, **{f"deploy/{name}.yaml": f"deploy/base/{name}.yaml" for name in ("deployment", "hpa")}}

runner = CliRunner()


@dataclass
class Edits:
    """What the team wrote, by the path it wrote it in, and what it deleted."""

    lines: dict[str, list[str]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)

    def expect(self, path: str, *lines: str) -> None:
        self.lines.setdefault(path, []).extend(lines)


def generate(parent: Path, version: str) -> Path:
    args = ["new", str(parent / "churn-model"), "--defaults", "--vcs-ref", version]
    for key, value in ANSWERS.items():
        args += ["--data", f"{key}={value}"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return parent / "churn-model"


def replace_line(path: Path, old_start: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(old_start))
    lines[index] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def append(path: Path, *lines: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def work_like_a_team(project: Path) -> Edits:
    """Make the edits teams make, commit them, and return what must survive."""
    edits = Edits()
    replace_line(project / "README.md", "Churn Model: a machine", "Predicts which customers cancel next month.")
    append(project / "README.md", "", "## Team notes", "", "Data comes from the billing warehouse, nightly.")
    edits.expect(
        "README.md",
        "Predicts which customers cancel next month.",
        "## Team notes",
        "Data comes from the billing warehouse, nightly.",
    )
    scoping = project / "docs" / "scoping.md"
    replace_line(
        scoping, "<!-- Who needs this prediction", "Retention managers decide whom to call each Monday."
    )
    edits.expect("docs/scoping.md", "Retention managers decide whom to call each Monday.")
    (project / "src" / PACKAGE / "segments.py").write_text(
        '"""Team code."""\n\nVIP_THRESHOLD = 1000\n', encoding="utf-8"
    )
    (project / "tests" / "test_segments.py").write_text(
        f"from {PACKAGE}.segments import VIP_THRESHOLD\n\n\ndef test_vip_threshold() -> None:\n"
        "    assert VIP_THRESHOLD == 1000\n",
        encoding="utf-8",
    )
    edits.expect(f"src/{PACKAGE}/segments.py", "VIP_THRESHOLD = 1000")
    edits.expect("tests/test_segments.py", "    assert VIP_THRESHOLD == 1000")
    (project / "LICENSE").unlink()
    edits.deleted.append("LICENSE")
    params = project / "params.yaml"
    if params.is_file():
        replace_line(params, "  n_estimators:", "  n_estimators: 150  # tuned by the team")
        edits.expect("params.yaml", "  n_estimators: 150  # tuned by the team")
    batch = next((project / p for p in (*RENAMES, *RENAMES.values()) if (project / p).is_file()), None)
    if batch is not None:
        append(batch, "", "", "TEAM_BATCH_SIZE = 5000  # our scoring window")
        edits.expect(batch.relative_to(project).as_posix(), "TEAM_BATCH_SIZE = 5000  # our scoring window")
    deployment = next((project / p for p in ("deploy/deployment.yaml", "deploy/base/deployment.yaml")), project)
    if deployment.is_file():
        # A line the template has never changed: a team's edit of the resources it resizes is a
        # true conflict (the template's v0.5.0 sized them from a measured load).
        replace_line(deployment, "kind: Deployment", "kind: Deployment  # reviewed by the platform group")
        edits.expect(
            deployment.relative_to(project).as_posix(), "kind: Deployment  # reviewed by the platform group"
        )
    workflows = sorted((project / ".github" / "workflows").glob("*.yml"))
    if workflows:
        append(workflows[0], "# Team: this workflow is reviewed by the platform group.")
        edits.expect(
            workflows[0].relative_to(project).as_posix(),
            "# Team: this workflow is reviewed by the platform group.",
        )
    git("add", "-A", cwd=project)
    git("commit", "-qm", "Team work", cwd=project)
    return edits


def followed(path: str) -> str:
    return MOVES.get(path, path)
