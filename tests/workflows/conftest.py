"""Generated projects for every answer combination that changes `.github/`, rendered once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from workflow_worlds import WORKFLOW_COMBINATIONS

from mlscaffold.generate import create_project


@pytest.fixture(scope="session")
def workflow_projects(template_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return one generated project (a git repository) per combination."""
    root = tmp_path_factory.mktemp("workflow-projects")
    projects = {}
    for name, data in WORKFLOW_COMBINATIONS.items():
        projects[name] = root / name
        create_project(projects[name], data=data, use_defaults=True)
    return projects
