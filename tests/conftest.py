"""Shared test worlds: an isolated home, the template bundle under test, generated projects.

Expensive worlds (the bundle, a generated project) are built once per session
and copied per test.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlscaffold.bundle import append_version, list_versions, tree_of_directory, tree_of_version
from mlscaffold.template import BUNDLE_ENV

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = ROOT / "templates" / "default"
SHIPPED_BUNDLE = ROOT / "mlscaffold" / "templates" / "default.bundle"


# The longest tests first: with pytest-xdist (`pytest -n auto`, files spread with
# `--dist loadfile`) the act runs start at once instead of being the tail of the run.
HEAVY_FIRST = ("tests/workflows/test_act_", "tests/hostile/test_generated_", "tests/slow/")


def pytest_configure(config: pytest.Config) -> None:
    """Take Ctrl-C as a terminal does, even when the suite was started with SIGINT ignored.

    A shell without job control starts a background command (`cmd &`) with SIGINT and SIGQUIT
    ignored, and an ignored signal stays ignored in every child: the interrupt tests' commands
    would never see the SIGINT they are sent, and pass or fail by where they were launched.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the heaviest files first, keeping every file's own order."""

    def rank(item: pytest.Item) -> int:
        path = item.path.relative_to(ROOT).as_posix()
        return next((i for i, prefix in enumerate(HEAVY_FIRST) if path.startswith(prefix)), len(HEAVY_FIRST))

    items.sort(key=rank)


def next_dev_tag(versions: list[str]) -> str:
    """Return the tag an unreleased working-tree template gets in tests."""
    if not versions:
        return "v0.1.0.dev0"
    major, minor, _ = versions[-1][1:].split(".")[:3]
    return f"v{major}.{int(minor) + 1}.0.dev0"


@pytest.fixture(scope="session")
def isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a home directory with a git identity and nothing else."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n',
        encoding="utf-8",
    )
    return home


@pytest.fixture(autouse=True, scope="session")
def _isolate_environment(isolated_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep tests off the real home, the network and the user's git settings."""
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith(("GIT_", "XDG_", "COPIER_")) or key in {BUNDLE_ENV, "MLSCAFFOLD_CONFIG"}:
            del os.environ[key]
    # Commands the tests start write bytecode, as on a user's machine or a hosted runner: with
    # PYTHONDONTWRITEBYTECODE (set on some machines, this one included) every `python -m
    # mlscaffold`, dvc or pytest process would compile all it imports again, each time.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.update(
        {
            "HOME": str(isolated_home),
            "XDG_CONFIG_HOME": str(isolated_home / ".config"),
            "XDG_CACHE_HOME": str(isolated_home / ".cache"),
            "XDG_DATA_HOME": str(isolated_home / ".local" / "share"),
            "GIT_CONFIG_NOSYSTEM": "1",
            # git may only read local repositories and bundles: no test reaches a network.
            "GIT_ALLOW_PROTOCOL": "file",
            # `new` locks with uv against PyPI; only the tests of locking ask for it.
            "MLSCAFFOLD_LOCK": "0",
        }
    )
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def template_bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Return the bundle under test: the shipped history, plus the working tree if unreleased."""
    versions = list_versions(SHIPPED_BUNDLE) if SHIPPED_BUNDLE.exists() else []
    bundle = SHIPPED_BUNDLE if versions else None
    if versions and tree_of_version(SHIPPED_BUNDLE, versions[-1]) == tree_of_directory(TEMPLATE_DIR):
        path = SHIPPED_BUNDLE
    else:
        path = tmp_path_factory.mktemp("bundle") / "dev.bundle"
        append_version(bundle, TEMPLATE_DIR, next_dev_tag(versions), path)
    os.environ[BUNDLE_ENV] = str(path)
    yield path
    os.environ.pop(BUNDLE_ENV, None)


@pytest.fixture(scope="session")
def newest_version(template_bundle: Path) -> str:
    """Return the newest template version under test."""
    return list_versions(template_bundle)[-1]


@pytest.fixture(scope="session")
def generated_project_template(template_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a project generated once with all defaults (copy it with `generated_project`)."""
    from mlscaffold.generate import create_project

    target = tmp_path_factory.mktemp("generated") / "demo-project"
    create_project(target, use_defaults=True)
    return target


@pytest.fixture
def generated_project(generated_project_template: Path, tmp_path: Path) -> Path:
    """Return a private copy of a freshly generated default project."""
    target = tmp_path / generated_project_template.name
    shutil.copytree(generated_project_template, target, symlinks=True)
    return target
