"""Fixtures: the values rules ask for by parameter name, computed once per run."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlscaffold.check._parse import load_toml, load_yaml
from mlscaffold.check._repo import RepoView

__all__ = ["FIXTURES", "FixtureCache", "Workflow", "ml_repo", "pyproject", "test_files", "workflows"]

WORKFLOW_DIR = ".github/workflows"


@dataclass(frozen=True)
class Workflow:
    """A workflow or composite action file: its path and parsed YAML (`INVALID` when it did not parse)."""

    path: str
    data: Any


def ml_repo(root: Path) -> RepoView:
    """Return the audited repository."""
    return RepoView(root)


def pyproject(ml_repo: RepoView) -> dict[str, Any]:
    """Return `pyproject.toml` as a dict, or an empty dict when it is missing or invalid."""
    return load_toml(ml_repo.text("pyproject.toml")) or {}


def workflows(ml_repo: RepoView) -> tuple[Workflow, ...]:
    """Return the workflows under `.github/workflows/`, parsed."""
    paths = [p for p in ml_repo.files_under(WORKFLOW_DIR, (".yml", ".yaml")) if p.count("/") == 2]
    return tuple(Workflow(path, load_yaml(ml_repo.text(path))) for path in paths)


def actions(ml_repo: RepoView) -> tuple[Workflow, ...]:
    """Return the repository's composite actions (`action.yml` under `.github/`), parsed."""
    paths = [
        p
        for p in ml_repo.files_under(".github", (".yml", ".yaml"))
        if p.rsplit("/", 1)[-1] in {"action.yml", "action.yaml"}
    ]
    return tuple(Workflow(path, load_yaml(ml_repo.text(path))) for path in paths)


def test_files(ml_repo: RepoView) -> tuple[str, ...]:
    """Return the pytest-style test modules under `tests/` or `test/`."""
    found = []
    for folder in ("tests", "test"):
        for path in ml_repo.files_under(folder, (".py",)):
            name = path.rsplit("/", 1)[-1]
            if name.startswith("test_") or name.endswith("_test.py"):
                found.append(path)
    return tuple(found)


FIXTURES: dict[str, Callable[..., Any]] = {
    "ml_repo": ml_repo,
    "pyproject": pyproject,
    "workflows": workflows,
    "actions": actions,
    "test_files": test_files,
}


class FixtureCache:
    """Compute fixtures on demand from ROOT, each once, injecting their own fixtures by name."""

    def __init__(self, root: Path, fixtures: Mapping[str, Callable[..., Any]] = FIXTURES) -> None:
        """Prepare fixtures for the repository at ROOT."""
        self._functions = fixtures
        self._values: dict[str, Any] = {"root": root}

    def get(self, name: str) -> Any:
        """Return the value of fixture NAME."""
        if name not in self._values:
            if name not in self._functions:
                raise KeyError(f"unknown fixture {name!r}")
            self._values[name] = self.call(self._functions[name])
        return self._values[name]

    def call(self, function: Callable[..., Any]) -> Any:
        """Call FUNCTION with the fixtures its parameters name."""
        names = inspect.signature(function).parameters
        return function(**{name: self.get(name) for name in names})
