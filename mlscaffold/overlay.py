"""Lay a finished tree over an existing directory, all or nothing.

Nothing is copied over a user's file: each entry it replaces is first renamed
aside in its own directory (same file system, so the rename is atomic), then
the new entry is moved in. Every move is written down; `undo` plays them back
in reverse and leaves the directory as it was, byte for byte (files, modes,
symlinks, `.git`); `commit` drops what was set aside. Both run with stop
signals held, so a second Ctrl-C cannot leave half a restore.
"""

from __future__ import annotations

import os
import shutil
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from mlscaffold.scratch import held_signals, remove_path

__all__ = ["Overlay", "lay_over"]


def _is_real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


@dataclass
class Overlay:
    """The moves that laid a tree over a directory: (placed path, where its old entry waits or None)."""

    moves: list[tuple[Path, Path | None]] = field(default_factory=list)

    def _aside(self, dest: Path) -> Path:
        number = len(self.moves)
        while True:
            aside = dest.with_name(f".{dest.name}.mlscaffold-aside-{number}")
            if not os.path.lexists(aside):
                return aside
            number += 1

    def _place(self, entry: Path, dest: Path) -> None:
        aside = None
        if os.path.lexists(dest):
            aside = self._aside(dest)
            dest.rename(aside)
            self.moves.append((dest, aside))  # written down before the next move can fail
        self.moves.append((dest, None))
        # Across file systems (a mount inside the target) shutil.move copies.
        shutil.move(str(entry), str(dest))

    def undo(self) -> None:
        """Put the directory back as it was before the overlay, as far as the file system lets it."""
        with held_signals():
            for dest, aside in reversed(self.moves):
                if aside is None:
                    remove_path(dest)
                else:
                    with suppress(OSError):  # one entry that cannot go back must not strand the others
                        aside.rename(dest)
            self.moves.clear()

    def commit(self) -> None:
        """Drop the entries set aside: the overlay stays."""
        with held_signals():
            for _, aside in self.moves:
                if aside is not None:
                    remove_path(aside)
            self.moves.clear()


def _lay(source: Path, target: Path, overlay: Overlay) -> None:
    for entry in sorted(source.iterdir()):
        dest = target / entry.name
        if _is_real_dir(entry) and _is_real_dir(dest):
            _lay(entry, dest, overlay)
        else:
            overlay._place(entry, dest)


def lay_over(source: Path, target: Path) -> Overlay:
    """Move SOURCE's entries into the directory TARGET, replacing entries of the same name.

    Directories present in both are merged. On any error the moves made so far
    are undone before it propagates; on success the caller must `commit` or `undo`.
    """
    overlay = Overlay()
    try:
        _lay(source, target, overlay)
    except BaseException:
        overlay.undo()
        raise
    return overlay
