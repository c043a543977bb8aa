"""Worlds for `mlscaffold status`: a fleet of local repositories and a loopback organisation."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlscaffold.bundle import list_versions
from mlscaffold.generate import create_project

from support.fake_github import FakeGitHub, serve_github


@pytest.fixture(scope="session")
def fleet_versions(template_bundle: Path) -> tuple[str, str]:
    """Return (an older version, the newest version) of the template under test."""
    versions = list_versions(template_bundle)
    return versions[-2], versions[-1]


@pytest.fixture(scope="session")
def older_project_template(fleet_versions: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a project generated once at the older version (clone it, never change it)."""
    target = tmp_path_factory.mktemp("older") / "older-project"
    create_project(target, vcs_ref=fleet_versions[0], use_defaults=True)
    return target


@pytest.fixture(scope="session")
def local_fleet(
    older_project_template: Path, generated_project_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[Path, str]:
    """Return 50 local repositories, cloned with git from the two generated ones: path -> which (older/newest).

    Every third one is on the older version; rendered twice, not fifty times.
    """
    root = tmp_path_factory.mktemp("fleet")
    fleet: dict[Path, str] = {}
    for index in range(50):
        which = "older" if index % 3 == 0 else "newest"
        source = older_project_template if which == "older" else generated_project_template
        target = root / f"repo-{index:02d}"
        subprocess.run(["git", "clone", "--quiet", str(source), str(target)], check=True)
        fleet[target] = which
    return fleet


@pytest.fixture
def github_api() -> Iterator[FakeGitHub]:
    """Serve an empty loopback GitHub API for one test."""
    with serve_github(FakeGitHub()) as served:
        yield served
