"""Worlds for upgrade tests: the small three-version template and projects made from it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from mlscaffold.generate import create_project
from mlscaffold.template import BUNDLE_ENV

from support.upgrade_template import VERSIONS, ProjectAt, build_bundle


@pytest.fixture(scope="session")
def small_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the bundle of the small template (v1.0.0, v1.1.0, v1.2.0)."""
    return build_bundle(tmp_path_factory.mktemp("small-template"))


@pytest.fixture
def use_small_bundle(small_bundle: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point mlscaffold at the small template for one test."""
    monkeypatch.setenv(BUNDLE_ENV, str(small_bundle))
    return small_bundle


@pytest.fixture(scope="session")
def small_projects(small_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return one project generated at each version of the small template (copy before use)."""
    saved = os.environ.get(BUNDLE_ENV)
    os.environ[BUNDLE_ENV] = str(small_bundle)
    try:
        root = tmp_path_factory.mktemp("small-projects")
        projects = {}
        for version in VERSIONS:
            target = root / version / "demo-app"
            create_project(target, vcs_ref=version, use_defaults=True)
            projects[version] = target
    finally:
        # Restore at once: the rest of the session renders the real template.
        if saved is None:
            os.environ.pop(BUNDLE_ENV, None)
        else:
            os.environ[BUNDLE_ENV] = saved
    return projects


@pytest.fixture
def project_at(small_projects: dict[str, Path], tmp_path: Path, use_small_bundle: Path) -> ProjectAt:
    """Return a function that copies the project generated at a version into this test's directory."""

    def copy(version: str) -> Path:
        target = tmp_path / "demo-app"
        shutil.copytree(small_projects[version], target, symlinks=True)
        return target

    return copy
