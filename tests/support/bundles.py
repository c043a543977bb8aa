"""Reading a template bundle's versions the way a reviewer would: clone it, look at a tag."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def _clone(bundle: Path, into: Path) -> Path:
    repo = into / "repo"
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(bundle), str(repo)], check=True)
    return repo


def file_at(bundle: Path, tag: str, relpath: str) -> str | None:
    """Return the text of RELPATH at version TAG of BUNDLE, or None when that version lacks it."""
    with tempfile.TemporaryDirectory() as scratch:
        repo = _clone(bundle, Path(scratch))
        proc = subprocess.run(["git", "show", f"{tag}:{relpath}"], cwd=repo, capture_output=True, check=False)
        return proc.stdout.decode() if proc.returncode == 0 else None


def export_version(bundle: Path, tag: str, dest: Path) -> None:
    """Write the files of version TAG of BUNDLE into DEST, without git's metadata."""
    with tempfile.TemporaryDirectory() as scratch:
        repo = _clone(bundle, Path(scratch))
        subprocess.run(["git", "checkout", "--quiet", tag], cwd=repo, check=True)
        shutil.copytree(repo, dest, symlinks=True, ignore=shutil.ignore_patterns(".git"), dirs_exist_ok=True)
