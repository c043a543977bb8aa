"""Lock a new project's dependencies with uv, when uv and its package index are reachable.

The lock is a convenience, never a reason for `new` to fail: without uv, offline,
or when resolution fails, the project is made without `uv.lock` and the outcome
says why, so the user can run `uv lock` later.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LOCK_TIMEOUT_SECONDS", "LockOutcome", "find_uv", "lock_project"]

LOCK_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class LockOutcome:
    """What happened to the lock file: `locked`, `skipped` (nothing to lock) or `failed`."""

    status: str
    detail: str = ""

    @property
    def locked(self) -> bool:
        return self.status == "locked"


def find_uv() -> str | None:
    """Return the uv executable: on PATH, or the one installed beside this Python."""
    found = shutil.which("uv")
    if found:
        return found
    beside = Path(sys.executable).with_name("uv")
    return str(beside) if beside.is_file() else None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def lock_project(project: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> LockOutcome:
    """Run `uv lock` in PROJECT and report the outcome; never raise for a failed lock."""
    if not (project / "pyproject.toml").is_file():
        return LockOutcome("skipped", "the project has no pyproject.toml")
    uv = find_uv()
    if uv is None:
        return LockOutcome("failed", "uv is not installed")
    try:
        completed = subprocess.run(  # noqa: S603 - fixed command, no shell
            [uv, "lock", "--quiet", "--no-progress"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return LockOutcome("failed", f"uv lock took longer than {timeout:.0f} seconds")
    except OSError as caught:
        return LockOutcome("failed", f"could not run uv: {caught.strerror or caught}")
    if completed.returncode != 0:
        return LockOutcome("failed", _last_line(completed.stderr))
    if not (project / "uv.lock").is_file():
        return LockOutcome("failed", "uv lock wrote no uv.lock")
    return LockOutcome("locked")
