"""Generated projects for every answer combination that changes `.github/`, rendered once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlscaffold.bundle import append_version, list_versions
from mlscaffold.generate import create_project

from support.workflow_projects import FORKS, OURS, WORKFLOW_COMBINATIONS, using_bundle

# The stand-in project's files (its own tests included) are data, copied into generated projects.
collect_ignore = ["standin"]


def fork_bundle(template_bundle: Path, repository: str, work: Path) -> Path:
    """Return a bundle whose newest version is the working template with another mlscaffold_repo default."""
    template = work / "template"
    shutil.copytree(Path(__file__).resolve().parents[2] / "templates" / "default", template)
    config = template / "copier.yml"
    text = config.read_text(encoding="utf-8")
    assert f"default: {OURS}\n" in text
    config.write_text(text.replace(f"default: {OURS}\n", f"default: {repository}\n"), encoding="utf-8")
    bundle = work / "fork.bundle"
    append_version(template_bundle, template, list_versions(template_bundle)[-1] + "1", bundle)
    return bundle


@pytest.fixture(scope="session")
def workflow_projects(template_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return one generated project (a git repository) per combination."""
    root = tmp_path_factory.mktemp("workflow-projects")
    projects = {}
    for name, data in WORKFLOW_COMBINATIONS.items():
        projects[name] = root / name
        bundle = template_bundle
        if name in FORKS:
            bundle = fork_bundle(template_bundle, FORKS[name], root / f"{name}-template")
        with using_bundle(bundle):
            create_project(projects[name], data=data, use_defaults=True)
    return projects
