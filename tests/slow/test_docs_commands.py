"""Every command the tutorial and getting-started pages show runs, in order, and prints what they show.

The pages' ```console blocks are extracted by tests/support/doc_commands.py and run in one bash
script per page, in a temporary directory, with the generated project's environment
(uv on PATH, the repository's uv cache, `MLSCAFFOLD_LOCK=0`: locking is not the point here).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.doc_commands import failures, page_commands, run_commands
from support.git_worlds import project_env

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def docs_env() -> dict[str, str]:
    env = project_env()
    env.update(
        {
            # `mlscaffold` and `python3` are this environment's; the bundle under test comes from the fixture.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
            "MLSCAFFOLD_LOCK": "0",
            "PIP_CACHE_DIR": str(ROOT / ".cache" / "pip"),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
    )
    return env


def copy_checkout(target: Path) -> Path:
    """Copy this checkout's files (tracked, and new ones not ignored) as a fresh clone would have them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    return target


def test_tutorial_commands_run_as_shown(tmp_path: Path, template_bundle: Path) -> None:
    commands = page_commands((ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8"))
    assert len(commands) > 20
    runs = run_commands(commands, tmp_path, docs_env(), timeout=1800)
    assert len(runs) == len(commands)
    assert failures(runs) == []
    assert (tmp_path / "churn-model" / "src" / "churn_model" / "batch.py").is_file()


def test_getting_started_commands_run_as_shown(tmp_path: Path, template_bundle: Path) -> None:
    commands = page_commands((ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8"))
    to_run = [command for command in commands if not command.ci_only]
    assert to_run and to_run != commands
    checkout = copy_checkout(tmp_path / "mlscaffold")
    runs = run_commands(to_run, checkout, docs_env(), timeout=900)
    assert len(runs) == len(to_run)
    assert failures(runs) == []
    assert (tmp_path / "my-project" / ".copier-answers.yml").is_file()
