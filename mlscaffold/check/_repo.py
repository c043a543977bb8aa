"""Safe, read-only access to the repository under audit.

Every read tolerates what real repositories hold: missing, empty, binary and
huge files, FIFOs and devices, dangling symlinks, symlinks to directories and
symlink loops. A file that cannot be read as text reads as None, and
`problem()` says why, so rules can explain instead of crashing.

Nothing outside the repository is ever read: a path that reaches outside the
root through a symlink (its own, or a parent directory's) is reported, not
followed, so a hostile repository cannot make a check echo `/etc/passwd` or a
secret file. Symlinks that stay inside the root are followed. Every read is
bounded: FIFOs and devices are never read, and at most MAX_TEXT_BYTES are.
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
# The audited repository's own config is untrusted: `core.fsmonitor` would make `git ls-files`
# run any command it names.
_NO_REPO_COMMANDS = ("-c", "core.fsmonitor=false")
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
        self._real_root = os.path.realpath(root)
        self._texts: dict[str, str | None] = {}
        self._problems: dict[str, str] = {}
        self._escapes: dict[str, str | None] = {}

    def __eq__(self, other: object) -> bool:
        """Compare by root: the caches are not part of the value (repo-review compares fixtures)."""
        return isinstance(other, RepoView) and other.root == self.root

    def __hash__(self) -> int:
        """Hash by root, like equality."""
        return hash(self.root)

    def _is_inside(self, real: str) -> bool:
        return real == self._real_root or real.startswith(self._real_root.rstrip(os.sep) + os.sep)

    def outside(self, rel: str) -> str | None:
        """Return the part of REL (itself or a parent) that is a symlink leaving the repository, or None."""
        if rel not in self._escapes:
            self._escapes[rel] = None
            parts = Path(rel).parts
            for depth in range(1, len(parts) + 1):
                prefix = Path(*parts[:depth])
                try:
                    real = os.path.realpath(self.root / prefix)
                except (OSError, ValueError):
                    break
                if not self._is_inside(real):
                    self._escapes[rel] = prefix.as_posix()
                    break
        return self._escapes[rel]

    def _real(self, rel: str) -> str | None:
        """Return REL's real path when it stays inside the repository, else None."""
        if self.outside(rel) is not None:
            return None
        try:
            return os.path.realpath(self.root / rel)
        except (OSError, ValueError):
            return None

    def _stat(self, rel: str) -> os.stat_result | None:
        real = self._real(rel)
        if real is None:
            return None
        try:
            return Path(real).stat()
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
        """Return the first of CANDIDATES that is a regular file, else the first that leaves the repository.

        A candidate that leaves the repository is returned so that the rule reading it
        says so (`problem()`), instead of reporting the file as missing.
        """
        found = next((rel for rel in candidates if self.is_file(rel)), None)
        return found or next((rel for rel in candidates if self.outside(rel) is not None), None)

    def text(self, rel: str) -> str | None:
        """Return REL's text, or None when it is missing, not a regular file, too large or binary."""
        if rel not in self._texts:
            self._texts[rel] = self._read(rel)
        return self._texts[rel]

    def problem(self, rel: str) -> str:
        """Say why `text(REL)` is None, as a Markdown phrase ("`X` is missing")."""
        self.text(rel)
        return self._problems.get(rel, f"`{rel}` is readable")

    def missing(self, rel: str) -> str | None:
        """Return REL when nothing is there at all (not a broken symlink, nor one leaving the root), else None.

        A rule passes it to `Rule.fail(..., missing=...)`, so a missing file is reported once.
        """
        if self.outside(rel) is not None or (self.root / rel).is_symlink():
            return None
        return rel if self._stat(rel) is None else None

    def invalid(self, rel: str, what: str) -> str:
        """Say why REL could not be parsed as WHAT: unreadable (see `problem`) or malformed."""
        if self.text(rel) is None:
            return self.problem(rel) + "."
        return f"`{rel}` is not {what}."

    def _refusal(self, rel: str) -> str | None:
        """Say why REL must not be read (outside, missing, not a regular file, too large), or None."""
        escape = self.outside(rel)
        if escape is not None:
            through = "" if escape == rel else f" (through the symlink `{escape}`)"
            return f"`{rel}` leads outside the repository{through}; not followed"
        info = self._stat(rel)
        if info is None:
            return f"`{rel}` is a broken symlink" if (self.root / rel).is_symlink() else f"`{rel}` is missing"
        if not stat.S_ISREG(info.st_mode):
            return f"`{rel}` is {'a directory' if stat.S_ISDIR(info.st_mode) else 'not a regular file'}"
        if info.st_size > MAX_TEXT_BYTES:
            return f"`{rel}` is too large to be a text file ({info.st_size} bytes)"
        return None

    def _read(self, rel: str) -> str | None:
        """Read REL through the one guard: inside the repository, a regular file, bounded."""
        refusal = self._refusal(rel)
        real = self._real(rel)
        if refusal is not None or real is None:
            self._problems[rel] = refusal or f"`{rel}` is missing"
            return None
        try:
            data = _read_regular_file(real, MAX_TEXT_BYTES)
        except OSError as error:
            self._problems[rel] = f"`{rel}` cannot be read ({error.strerror or error})"
            return None
        if data is None:
            self._problems[rel] = f"`{rel}` changed while it was read (not a regular file, or too large)"
            return None
        if b"\0" in data:
            self._problems[rel] = f"`{rel}` is a binary file, not text"
            return None
        text = data.decode("utf-8", errors="replace")
        if not text.strip():
            self._problems[rel] = f"`{rel}` is empty"
        return text

    def _names_under(self, rel_dir: str, suffixes: tuple[str, ...]) -> list[str]:
        """Return the non-directory entries below REL_DIR whose names end with SUFFIXES (all when empty)."""
        real_dir = self._real(rel_dir)
        if real_dir is None or not self.is_dir(rel_dir):
            return []
        found: list[str] = []
        seen = 0
        # Walk the real directory (REL_DIR may be a symlink inside the repository): os.walk
        # would follow a symlink given as its top even with followlinks=False.
        for current, dirs, files in os.walk(real_dir, onerror=None, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
            seen += len(dirs) + len(files)
            if seen > MAX_WALK_ENTRIES:
                break
            for name in files:
                if not suffixes or name.endswith(suffixes):
                    found.append(Path(rel_dir, Path(current, name).relative_to(real_dir)).as_posix())
        return sorted(found)

    def files_under(self, rel_dir: str, suffixes: tuple[str, ...] = ()) -> list[str]:
        """Return the regular files below REL_DIR (not following directory symlinks), sorted."""
        return [rel for rel in self._names_under(rel_dir, suffixes) if self.is_file(rel)]

    def links_leaving(self, rel_dir: str, suffixes: tuple[str, ...] = ()) -> list[str]:
        """Return the symlinks below REL_DIR that lead outside the repository (never followed), sorted."""
        return [rel for rel in self._names_under(rel_dir, suffixes) if self.outside(rel) == rel]

    @cached_property
    def tracked_files(self) -> tuple[TrackedFile, ...]:
        """Return the files in git's index below the root, with the size of their staged content."""
        listing = run_git([*_NO_REPO_COMMANDS, "ls-files", "-z", "--stage", "--", "."], self.root, check=False)
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
                [*_NO_REPO_COMMANDS, "cat-file", "--batch-check=%(objectname) %(objectsize)"],
                self.root,
                check=False,
                input_bytes="\n".join(blobs).encode() + b"\n",
            )
            for line in batch.stdout.decode(errors="replace").splitlines():
                name, _, size = line.partition(" ")
                if size.isdigit():
                    sizes[name] = int(size)
        return tuple(TrackedFile(path, mode, sizes.get(blob, 0)) for mode, blob, path in entries)


def _read_regular_file(path: str, limit: int) -> bytes | None:
    """Return the bytes of the regular file at PATH, or None when it is not one or exceeds LIMIT.

    Opened without blocking (a FIFO swapped in after the check cannot hang the read) and
    without following a final symlink; the type and size are checked on the open file.
    """
    # O_NONBLOCK and O_NOFOLLOW are POSIX, O_BINARY Windows: each is 0 where it does not exist.
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_NOFOLLOW", "O_BINARY", "O_CLOEXEC"):
        flags |= getattr(os, name, 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return None if size > limit else b"".join(chunks)
    finally:
        os.close(descriptor)
