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


def _reason(stderr: str) -> str:
    """Return uv's error line, with its cause when it gives one."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [i for i, line in enumerate(lines) if line.lower().startswith("error:")]
    if not errors:
        return lines[-1] if lines else "uv lock failed with no message"
    first = errors[0]
    reason = lines[first].split(":", 1)[1].strip()
    if first + 1 < len(lines) and lines[first + 1].startswith("cause:"):
        reason += ": " + lines[first + 1].split(":", 1)[1].strip()
    return reason


def lock_project(project: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> LockOutcome:
    """Run `uv lock` in PROJECT and report the outcome; never raise for a failed lock."""
    if not (project / "pyproject.toml").is_file():
        return LockOutcome("skipped", "the project has no pyproject.toml")
    uv = find_uv()
    if uv is None:
        return LockOutcome("failed", "uv is not installed")
    return _run_lock(uv, project, timeout)


def _run_lock(uv: str, project: Path, timeout: float) -> LockOutcome:
    try:
        completed = subprocess.run(
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
        return LockOutcome("failed", _reason(completed.stderr))
    if not (project / "uv.lock").is_file():
        return LockOutcome("failed", "uv lock wrote no uv.lock")
    return LockOutcome("locked")
