"""Hostile input: answers, templates, repositories, API responses and command lines an attacker
or an unlucky user could hand the tool.

Every test here states the promise of docs/security.md it holds: a clear one-line error and
the SPEC exit code, no traceback, nothing written or left behind, bounded time and memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, cwd: Path, timeout: float = 120, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `mlscaffold ARGS` as a real process (what a user's shell does), stdin closed."""
    return subprocess.run(
        [sys.executable, "-m", "mlscaffold", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    """Assert exit CODE, exactly one `error:` line on stderr and no traceback; return the line."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    # Nothing of a box drawn around it, nothing of a stack.
    assert not any(ch in result.stderr for ch in "╭╰│─"), result.stderr
    return errors[0]


@pytest.fixture(autouse=True)
def _bundle(template_bundle: Path) -> None:
    """Every hostile test runs against the template under test, offline."""
