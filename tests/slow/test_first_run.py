"""A newcomer's first green run with nothing installed by hand: Python, git and make, no uv.

The project is generated without a lock (as `new` does offline or without uv), then run
with a PATH of symlinks to python3, git, make and the POSIX tools a shell recipe uses, and
no uv anywhere on it. `make setup` installs the pinned uv into .tools/uv from the package
index and writes uv.lock; `make test` then passes. Offline but for the package index:
uv may not download a Python (UV_PYTHON_DOWNLOADS=never).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlscaffold.generate import create_project

from support.git_worlds import ROOT

pytestmark = pytest.mark.slow

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
# What a bare machine has besides Python, git and make: the shell and the tools of its recipes.
SYSTEM_TOOLS = ("sh", "env", "rm", "mv", "cp", "mkdir", "cat", "grep", "awk", "sed", "uname", "ls", "id")


def bare_path(folder: Path) -> str:
    """Return a PATH with python3, git, make and basic tools, and no uv."""
    folder.mkdir()
    # The interpreter this venv was made from: a symlink to the venv's own would still be a venv.
    base = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    (folder / "python3").symlink_to(base)
    (folder / "python").symlink_to(base)
    for tool in ("git", "make", *SYSTEM_TOOLS):
        found = shutil.which(tool)
        assert found is not None, tool
        (folder / tool).symlink_to(found)
    assert shutil.which("uv", path=str(folder)) is None
    return str(folder)


def run(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False
    )


@pytest.fixture
def bare_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_", "PYTHON"))}
    env.update(
        {
            "PATH": bare_path(tmp_path / "bin"),
            "UV_CACHE_DIR": str(ROOT / ".cache" / "uv"),  # a warm cache, not an installed tool
            "UV_PYTHON_DOWNLOADS": "never",
        }
    )
    return env


def test_setup_installs_uv_itself_then_the_project_and_its_tests_pass(
    tmp_path: Path, template_bundle: Path, bare_env: dict[str, str]
) -> None:
    project = tmp_path / "newcomer"
    create_project(project, data={"python_version": PYTHON}, use_defaults=True)
    assert not (project / "uv.lock").exists()  # as `new` leaves it offline or without uv

    setup = run(project, bare_env, "make", "--no-print-directory", "setup")

    assert setup.returncode == 0, setup.stdout + setup.stderr
    said = [line for line in setup.stdout.splitlines() if "uv" in line and "installing" in line]
    assert said == [
        "uv is not on PATH: installing uv 0.9.5 into .tools/uv from the package index; make uses it from there"
    ]
    assert re.search(r"^\.tools/uv/bin/uv sync\s*$", setup.stdout, re.M), setup.stdout
    assert (project / ".venv" / "bin" / "pytest").is_file()
    # uv.lock is written, for the team to commit; the tool itself stays out of git.
    status = run(project, bare_env, "git", "status", "--porcelain", "--untracked-files=all").stdout
    assert status.splitlines() == ["?? uv.lock"]

    again = run(project, bare_env, "make", "--no-print-directory", "setup")
    assert again.returncode == 0 and "installing uv" not in again.stdout  # once

    test = run(project, bare_env, "make", "--no-print-directory", "test")
    assert test.returncode == 0, test.stdout + test.stderr
    assert re.search(r"\d+ passed", test.stdout) and "failed" not in test.stdout


def test_setup_without_uv_or_pip_says_what_to_install_and_leaves_nothing_half_made(
    tmp_path: Path, template_bundle: Path, bare_env: dict[str, str]
) -> None:
    project = tmp_path / "newcomer"
    create_project(project, data={"python_version": PYTHON}, use_defaults=True)

    # `-S` leaves site-packages out: this Python has no pip, as some system Pythons have none.
    setup = run(project, bare_env, "make", "--no-print-directory", "setup", "PYTHON=python3 -S")

    assert setup.returncode == 2  # make's code for a failed recipe
    errors = [line for line in setup.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: could not install uv with 'python3 -S -m pip': install uv (https://docs.astral.sh/uv/)"
        " or pip, then run make setup again"
    ]
    assert not (project / ".tools").exists() or not any((project / ".tools").iterdir())
