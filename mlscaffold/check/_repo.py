"""Safe, read-only access to the repository under audit.

Every read tolerates what real repositories hold: missing, empty, binary and
huge files, FIFOs and devices, dangling symlinks, symlinks to directories and
symlink loops. A file that cannot be read as text reads as None, and
`problem()` says why, so rules can explain instead of crashing.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from mlscaffold.git import run_git

__all__ = ["MAX_TEXT_BYTES", "RepoView", "TrackedFile"]

# Text files larger than this are not parsed: no real scoping doc, Dockerfile or workflow is.
MAX_TEXT_BYTES = 2_000_000
# Directory walks stop after this many entries, so a vendored tree cannot stall a check.
MAX_WALK_ENTRIES = 20_000
_SKIPPED_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache"}


@dataclass(frozen=True)
class TrackedFile:
    """A file in git's index: its path (relative to the audited root), mode and size in bytes."""

    path: str
    mode: str
    size: int


class RepoView:
    """The audited repository, as rules see it (the `ml_repo` fixture)."""

    def __init__(self, root: Path) -> None:
        """Look at the repository whose top directory is ROOT."""
        self.root = root
        self._texts: dict[str, str | None] = {}
        self._problems: dict[str, str] = {}

    def __eq__(self, other: object) -> bool:
        """Compare by root: the caches are not part of the value (repo-review compares fixtures)."""
        return isinstance(other, RepoView) and other.root == self.root

    def __hash__(self) -> int:
        """Hash by root, like equality."""
        return hash(self.root)

    def _stat(self, rel: str) -> os.stat_result | None:
        try:
            return (self.root / rel).stat()
        except (OSError, ValueError):
            # Missing, dangling or looping symlink, or a name the OS refuses.
            return None

    def is_file(self, rel: str) -> bool:
        """Tell whether REL is a regular file (following symlinks that resolve)."""
        info = self._stat(rel)
        return info is not None and stat.S_ISREG(info.st_mode)

    def is_dir(self, rel: str) -> bool:
        """Tell whether REL is a directory (following symlinks that resolve)."""
        info = self._stat(rel)
        return info is not None and stat.S_ISDIR(info.st_mode)

    def first_file(self, *candidates: str) -> str | None:
        """Return the first of CANDIDATES that is a regular file."""
        return next((rel for rel in candidates if self.is_file(rel)), None)

    def text(self, rel: str) -> str | None:
        """Return REL's text, or None when it is missing, not a regular file, too large or binary."""
        if rel not in self._texts:
            self._texts[rel] = self._read(rel)
        return self._texts[rel]

    def problem(self, rel: str) -> str:
        """Say why `text(REL)` is None, as a Markdown phrase ("`X` is missing")."""
        self.text(rel)
        return self._problems.get(rel, f"`{rel}` is readable")

    def invalid(self, rel: str, what: str) -> str:
        """Say why REL could not be parsed as WHAT: unreadable (see `problem`) or malformed."""
        if self.text(rel) is None:
            return self.problem(rel) + "."
        return f"`{rel}` is not {what}."

    def _read(self, rel: str) -> str | None:
        info = self._stat(rel)
        if info is None:
            if (self.root / rel).is_symlink():
                self._problems[rel] = f"`{rel}` is a broken symlink"
            else:
                self._problems[rel] = f"`{rel}` is missing"
            return None
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            self._problems[rel] = f"`{rel}` is {kind}"
            return None
        if info.st_size > MAX_TEXT_BYTES:
            self._problems[rel] = f"`{rel}` is too large to be a text file ({info.st_size} bytes)"
            return None
        try:
            data = (self.root / rel).read_bytes()[:MAX_TEXT_BYTES]
        except OSError as error:
            self._problems[rel] = f"`{rel}` cannot be read ({error.strerror or error})"
            return None
        if b"\0" in data:
            self._problems[rel] = f"`{rel}` is a binary file, not text"
            return None
        text = data.decode("utf-8", errors="replace")
        if not text.strip():
            self._problems[rel] = f"`{rel}` is empty"
        return text

    def files_under(self, rel_dir: str, suffixes: tuple[str, ...] = ()) -> list[str]:
        """Return the regular files below REL_DIR (not following directory symlinks), sorted."""
        if not self.is_dir(rel_dir):
            return []
        found: list[str] = []
        seen = 0
        for current, dirs, files in os.walk(self.root / rel_dir, onerror=None, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
            seen += len(dirs) + len(files)
            if seen > MAX_WALK_ENTRIES:
                break
            for name in files:
                rel = Path(current, name).relative_to(self.root).as_posix()
                if name.endswith(suffixes) and self.is_file(rel):
                    found.append(rel)
        return sorted(found)

    @cached_property
    def tracked_files(self) -> tuple[TrackedFile, ...]:
        """Return the files in git's index below the root, with the size of their staged content."""
        listing = run_git(["ls-files", "-z", "--stage", "--", "."], self.root, check=False)
        if listing.returncode != 0:
            return ()
        entries = []
        for record in listing.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, blob, _stage = meta.split(b" ")
            entries.append((mode.decode(), blob.decode(), path.decode("utf-8", errors="replace")))
        blobs = [blob for mode, blob, _ in entries if mode != "160000"]
        sizes: dict[str, int] = {}
        if blobs:
            batch = run_git(
                ["cat-file", "--batch-check=%(objectname) %(objectsize)"],
                self.root,
                check=False,
                input_bytes="\n".join(blobs).encode() + b"\n",
            )
            for line in batch.stdout.decode(errors="replace").splitlines():
                name, _, size = line.partition(" ")
                if size.isdigit():
                    sizes[name] = int(size)
        return tuple(TrackedFile(path, mode, sizes.get(blob, 0)) for mode, blob, path in entries)
