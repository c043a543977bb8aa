"""Repositories no template of ours made, made offline by the real tools that make them.

`ccds_project` renders cookiecutter-data-science with the real `ccds` and its own hooks: its
PyPI package fetches the template from GitHub, so the template of its v2.3.0 release (MIT
licensed) is vendored in tests/data/ccds-v2.3.0. `uv_package` is what `uv init --package`
makes. Each returns a git repository with nothing committed yet: the caller adds what its
world needs (a remote) and commits.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.git_worlds import git

ROOT = Path(__file__).resolve().parents[2]
CCDS_TEMPLATE = ROOT / "tests" / "data" / "ccds-v2.3.0"


def ccds_project(where: Path) -> Path:
    """Render cookiecutter-data-science (pytest, MIT license) as WHERE/churn, a new git repository."""
    options = ["testing_framework=pytest", "open_source_license=MIT", "project_name=churn"]
    subprocess.run(
        [sys.executable, "-m", "ccds", str(CCDS_TEMPLATE), "--no-input", "-o", str(where), *options],
        check=True,
        capture_output=True,
    )
    repo = where / "churn"
    git("init", "-q", "-b", "main", cwd=repo)
    return repo


def uv_package(where: Path) -> Path:
    """Make the plain Python package WHERE/plainpkg with `uv init --package` (a git repository)."""
    repo = where / "plainpkg"
    command = ["init", "--quiet", "--package", "--vcs", "git", "--name", "plainpkg", str(repo)]
    subprocess.run([sys.executable, "-m", "uv", *command], check=True, capture_output=True)
    return repo
