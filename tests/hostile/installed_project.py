"""One generated default project with its environment installed, shared by the hostile tests
of the generated project (service, drift, secrets): generating and installing it costs a
uv sync, so it is built once a session, whichever module asks first.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support.git_worlds import project_env

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
PACKAGE = "demo"

_built: dict[str, Path] = {}


def installed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a default project, generated from the template under test, after `make setup`."""
    if PACKAGE not in _built:
        from mlscaffold.generate import create_project

        target = tmp_path_factory.mktemp("hostile-installed") / PACKAGE
        create_project(target, data={"python_version": PYTHON}, use_defaults=True)
        run_in(target, "make", "--no-print-directory", "setup", timeout=900)
        _built[PACKAGE] = target
    return _built[PACKAGE]


def run_in(
    project: Path, *args: str, check: bool = True, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ARGS in PROJECT with the generated project's environment (uv on PATH, shared cache)."""
    proc = subprocess.run(
        list(args),
        cwd=project,
        env=project_env() | (env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc
