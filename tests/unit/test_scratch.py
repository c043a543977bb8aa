"""`mlscaffold.scratch`: one private temporary directory, and signals held during cleanup."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from mlscaffold.cli._app import EXIT_INTERRUPTED, error_boundary
from mlscaffold.scratch import (
    STOP_SIGNALS,
    held_signals,
    let_stops_go,
    private_tempdir,
    raised_by_stop,
    remove_path,
    stop_on_signals,
)


def test_private_tempdir_holds_every_temporary_file_and_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    with private_tempdir() as root:
        assert root.parent == tmp_path
        assert os.environ["TMPDIR"] == str(root)
        made = Path(tempfile.mkdtemp())
        assert made.parent == root
    assert os.environ["TMPDIR"] == str(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_private_tempdir_goes_on_an_interrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)

    def interrupted_run() -> None:
        with private_tempdir():
            Path(tempfile.mkdtemp())
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted_run()
    assert list(tmp_path.iterdir()) == []


def test_held_signals_delivers_a_signal_after_the_block() -> None:
    seen: list[str] = []

    def signalled_block() -> None:
        with held_signals():
            os.kill(os.getpid(), signal.SIGINT)
            seen.append("block finished")

    with pytest.raises(KeyboardInterrupt):
        signalled_block()
    assert seen == ["block finished"]


def test_held_signals_holds_a_signal_another_thread_receives() -> None:
    # The main thread blocks the signal, so the kernel hands it to the other thread; Python
    # still runs the handler in the main thread, which must not raise inside the block.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    seen: list[str] = []

    def signalled_block() -> None:
        with held_signals():
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(100_000):  # bytecode for the handler to run at, were it not held
                pass
            time.sleep(0.05)
            seen.append("block finished")

    try:
        with pytest.raises(KeyboardInterrupt):
            signalled_block()
    finally:
        stop.set()
        other.join()
    assert seen == ["block finished"]


@pytest.fixture
def own_stop_handlers() -> Iterator[None]:
    """Let a test install mlscaffold's stop handlers; put pytest's back afterwards."""
    saved = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


@pytest.mark.usefixtures("own_stop_handlers")
def test_stop_on_signals_turns_sigterm_into_keyboard_interrupt() -> None:
    stop_on_signals()
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGTERM)


@pytest.mark.usefixtures("own_stop_handlers")
def test_a_stop_after_the_command_reported_is_let_go() -> None:
    stop_on_signals()
    let_stops_go()
    os.kill(os.getpid(), signal.SIGTERM)  # no KeyboardInterrupt: the report stands
    stop_on_signals()  # the next command stops again
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)


def test_raised_by_stop_follows_the_exception_context() -> None:
    def failing_cleanup() -> None:
        try:
            raise KeyboardInterrupt
        finally:
            raise OSError(9, "Bad file descriptor")

    with pytest.raises(OSError, match="Bad file descriptor") as caught:
        failing_cleanup()
    assert raised_by_stop(caught.value)
    assert not raised_by_stop(OSError(9, "Bad file descriptor"))


def test_an_interrupt_inside_rmtree_is_reported_as_an_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The race seen in CI: the signal lands just after `os.close(dirfd)` inside shutil's
    # rmtree, whose cleanup closes the descriptor again and raises EBADF over the interrupt.
    (tmp_path / "tree" / "sub").mkdir(parents=True)
    real_close = os.close
    calls: list[int] = []

    def close_then_stop(fd: int) -> None:
        real_close(fd)
        calls.append(fd)
        if len(calls) == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "close", close_then_stop)
    with pytest.raises(typer.Exit) as stopped, error_boundary(lambda: "interrupted: nothing was changed."):
        shutil.rmtree(tmp_path / "tree")
    monkeypatch.undo()
    assert stopped.value.exit_code == EXIT_INTERRUPTED
    assert capsys.readouterr().err == "error: interrupted: nothing was changed.\n"


def test_a_bug_still_shows_through_the_boundary() -> None:
    with pytest.raises(ZeroDivisionError), error_boundary():
        _ = 1 / 0


def test_stop_on_signals_leaves_an_ignored_signal_ignored() -> None:
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        stop_on_signals()
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        # stop_on_signals set SIGINT's and SIGTERM's handlers too: give pytest its own back.
        for number, handler in saved.items():
            signal.signal(number, handler)


def test_remove_path_removes_a_link_not_its_target(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "f").write_text("x", encoding="utf-8")
    link = tmp_path / "link"
    link.symlink_to(kept)
    remove_path(link)
    remove_path(tmp_path / "missing")
    assert not link.exists()
    assert (kept / "f").exists()
    remove_path(kept)
    assert not kept.exists()
