"""A user's directory tree for the hostile tests: build one, and take its fingerprint."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

__all__ = ["snapshot", "users_project"]


def snapshot(root: Path) -> dict[str, tuple[str, int, bytes | str]]:
    """Return every entry under ROOT (`.git` included): kind, mode bits, content or link."""
    seen: dict[str, tuple[str, int, bytes | str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            info = path.lstat()
            rel = str(path.relative_to(root))
            if stat.S_ISLNK(info.st_mode):
                seen[rel] = ("link", info.st_mode, str(path.readlink()))
            elif stat.S_ISDIR(info.st_mode):
                seen[rel] = ("dir", info.st_mode, b"")
            else:
                seen[rel] = ("file", info.st_mode, path.read_bytes())
    return seen


def users_project(target: Path) -> None:
    """Fill TARGET with a user's work: a git repository, a symlink, modes, a docs folder."""
    target.mkdir()
    (target / "README.md").write_text("# Ours\n", encoding="utf-8")
    (target / "run.sh").write_text("#!/bin/sh\necho hi\n", encoding="utf-8")
    (target / "run.sh").chmod(0o750)
    (target / "secret.txt").write_text("s3cret\n", encoding="utf-8")
    (target / "secret.txt").chmod(0o600)
    (target / "latest").symlink_to("README.md")
    (target / "src").mkdir()
    (target / "src" / "ours.py").write_text("X = 1\n", encoding="utf-8")
    (target / "docs").mkdir()
    (target / "docs" / "notes.md").write_text("notes\n", encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_DATE": "2020-01-01T00:00:00", "GIT_COMMITTER_DATE": "2020-01-01T00:00:00"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "ours"]):
        subprocess.run(["git", *args], cwd=target, env=env, check=True)
