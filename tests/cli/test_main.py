"""`mlscaffold.cli.main`, the process's error boundary, in process (real processes: tests/hostile)."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from mlscaffold import cli


@pytest.fixture(autouse=True)
def _keep_signal_handlers() -> Iterator[None]:
    """main() installs handlers and blocks signals on its way out: give pytest its own back."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    yield
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    for number, handler in saved.items():
        signal.signal(number, handler)


def run_main(args: list[str]) -> int:
    with pytest.raises(SystemExit) as caught:
        cli.main(args)
    return int(caught.value.code or 0)


def test_main_usage_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["check", "--format", "xml"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: invalid value for '--format': 'xml' is not one of 'text', 'json', 'github', 'markdown'; "
        "see 'mlscaffold check --help'.\n"
    )


def test_main_parser_error_names_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["sync-pr", "--report"]) == 2
    assert (
        capsys.readouterr().err
        == "error: option '--report' requires an argument; see 'mlscaffold sync-pr --help'.\n"
    )


def test_main_without_arguments_prints_help_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main([]) == 2
    assert "Usage: mlscaffold" in capsys.readouterr().out


def test_main_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(["--help"]) == 0
    assert "Usage: mlscaffold" in capsys.readouterr().out


def test_main_interrupted_while_loading_says_nothing_changed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_load_app", interrupted)
    assert run_main(["versions"]) == 130
    assert capsys.readouterr().err == "error: interrupted: nothing was changed.\n"
