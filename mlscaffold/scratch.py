"""Scratch space and stop signals: nothing a command makes for itself outlives it.

Every temporary directory mlscaffold, copier, git or uv creates during a command
lives under one private directory, removed on every way out. SIGTERM and SIGHUP
stop a command as Ctrl-C does, so the same cleanup runs. Cleanup and the last
moves of a result into place run with those signals held back: a second Ctrl-C
cannot leave half of an undo undone. Once a command has finished and reported,
a stop signal is let go: it could only make the report false.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

__all__ = [
    "STOP_SIGNALS",
    "held_signals",
    "let_stops_go",
    "private_tempdir",
    "raised_by_stop",
    "remove_path",
    "stop_on_signals",
]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_settled: list[bool] = []  # not empty once the command has reported its outcome


def _stop(_number: int, _frame: object) -> None:
    if not _settled:
        raise KeyboardInterrupt


def stop_on_signals() -> None:
    """Make SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt, unless they are ignored (nohup)."""
    _settled.clear()
    for number in STOP_SIGNALS:
        if signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, _stop)


def let_stops_go() -> None:
    """From now on, let a stop signal pass: the command has reported what it did.

    A signal then would only turn a true report ("created", "upgraded, 2 conflicts") into
    a false exit status; the process is about to end anyway.
    """
    _settled.append(True)


def raised_by_stop(caught: BaseException) -> bool:
    """Tell whether CAUGHT was raised while a stop signal was unwinding the work.

    The standard library is not signal-safe everywhere: a KeyboardInterrupt between
    `os.close(fd)` and the line recording it makes `shutil.rmtree` close the same
    descriptor again, and the OSError replaces the interrupt.
    """
    seen: set[int] = set()
    current: BaseException | None = caught
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__context__
    return False


@contextmanager
def held_signals() -> Iterator[None]:
    """Hold back stop signals for the block; one that arrived is delivered after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Blocked in this thread, so children started in the block (git) inherit the mask and
    # finish their step; recorded, not raised, because a process-directed signal can land
    # on another thread (a thread pool, an HTTP client) that runs Python's handler anyway.
    arrived: list[int] = []
    handlers = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    for number, handler in handlers.items():
        if handler is not None:
            signal.signal(number, lambda signalled, _frame: arrived.append(signalled))
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a pending signal is recorded now
        for number, handler in handlers.items():
            if handler is not None:
                signal.signal(number, handler)
        for signalled in dict.fromkeys(arrived):
            signal.raise_signal(signalled)


def remove_path(path: Path) -> None:
    """Remove PATH (a tree, a file or a symlink, never what a symlink points to), signals held.

    Best effort, like `rm -rf`: what cannot be removed is left, without an error.
    """
    with held_signals():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            with suppress(OSError):
                path.unlink()


def _set_tmpdir(value: str | None) -> None:
    if value is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = value
    # copier runs git through plumbum, whose environment is a copy taken at import time.
    if "plumbum" in sys.modules:
        from plumbum import local

        if value is None:
            if "TMPDIR" in local.env:
                del local.env["TMPDIR"]
        else:
            local.env["TMPDIR"] = value


@contextmanager
def private_tempdir() -> Iterator[Path]:
    """Run the block with every temporary file under one new directory, removed at the end."""
    root: Path | None = None
    saved_env, saved_tempdir = os.environ.get("TMPDIR"), tempfile.tempdir
    try:
        # A signal held here is raised inside the try, so the directory is still removed.
        with held_signals():
            root = Path(tempfile.mkdtemp(prefix="mlscaffold-"))
            _set_tmpdir(str(root))
            tempfile.tempdir = str(root)
        yield root
    finally:
        with held_signals():
            if root is not None:
                tempfile.tempdir = saved_tempdir
                _set_tmpdir(saved_env)
                shutil.rmtree(root, ignore_errors=True)
