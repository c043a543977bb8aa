"""`mlscaffold.scratch`: one private temporary directory, and signals held during cleanup."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

import pytest

from mlscaffold.scratch import held_signals, private_tempdir, remove_path, stop_on_signals


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


def test_stop_on_signals_turns_sigterm_into_keyboard_interrupt() -> None:
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        stop_on_signals()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


def test_stop_on_signals_leaves_an_ignored_signal_ignored() -> None:
    saved = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    saved_term = signal.getsignal(signal.SIGTERM)
    try:
        stop_on_signals()
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, saved)
        signal.signal(signal.SIGTERM, saved_term)


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
