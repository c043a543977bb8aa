"""The command line: parse options, call one function, render its result, map errors to exit codes.

One module per command registers on the shared app. Heavy imports (copier,
jinja2, ruamel.yaml, requests) happen inside the commands that need them, so
`--version` and `--help` stay fast.

`main` is the process's error boundary for what typer itself would draw as a
box: usage errors become one line on stderr with exit 2 (SPEC §3), and a stop
signal arriving even while the CLI is still being imported becomes one line and
exit 130. Every command runs inside one private temporary directory.
"""

from __future__ import annotations

import signal
import sys
from typing import TYPE_CHECKING, Any

from mlscaffold.scratch import STOP_SIGNALS, private_tempdir, stop_on_signals

if TYPE_CHECKING:
    import typer

__all__ = ["app", "main"]

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def __getattr__(name: str) -> Any:
    # `app` is built on first use, so that `main` can catch signals before typer is imported.
    if name == "app":
        return _load_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _load_app() -> typer.Typer:
    from mlscaffold.cli import _adopt, _check, _new, _status, _sync_pr, _upgrade, _versions  # noqa: F401 - importing registers the commands
    from mlscaffold.cli._app import app

    return app


def _say(line: str) -> None:
    sys.stderr.write(f"error: {line}\n")
    sys.stderr.flush()


def _command_path(caught: Any, app: typer.Typer, args: list[str]) -> str:
    """Return the command line words naming the command a usage error is about."""
    if caught.ctx is not None:
        return str(caught.ctx.command_path)
    # Errors of the option parser carry no context: the command is the first word naming one.
    from typer.main import get_command_name

    names = {
        info.name or get_command_name(getattr(info.callback, "__name__", ""))
        for info in app.registered_commands
    }
    command = next((arg for arg in args if not arg.startswith("-")), None)
    return f"mlscaffold {command}" if command in names else "mlscaffold"


def _usage_line(caught: Any, command: str) -> str:
    """Return a usage error of typer's click as one line that names the command's help."""
    from typer._click.exceptions import NoSuchOption

    if isinstance(caught, NoSuchOption):
        message = f"unknown option '{caught.option_name}' for '{command}'"
        if caught.possibilities:
            message += f" (did you mean {' or '.join(sorted(caught.possibilities))}?)"
    else:
        message = " ".join(caught.format_message().split()).rstrip(".")
        # typer checks choices with pydantic, which prefixes its own wording.
        message = message.replace(": Value error, ", ": ")
        message = message[:1].lower() + message[1:]
    return f"{message}; see '{command} --help'."


def _run(args: list[str] | None) -> int:
    from typer import Abort
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    from mlscaffold.cli import _app

    app = _load_app()
    try:
        result = app(args, prog_name="mlscaffold", standalone_mode=False)
    except NoArgsIsHelpError:
        return EXIT_USAGE  # typer has printed the help
    except UsageError as caught:
        _say(_usage_line(caught, _command_path(caught, app, sys.argv[1:] if args is None else args)))
        return EXIT_USAGE
    except ClickException as caught:
        _say(" ".join(caught.format_message().split()))
        return caught.exit_code
    except Abort:
        _say("aborted at a prompt: nothing was changed.")
        return EXIT_INTERRUPTED
    code = result if isinstance(result, int) else 0
    if code == EXIT_INTERRUPTED and not _app.has_reported():
        # Interrupted outside a command's error boundary (typer turns that into 130 silently):
        # before the command began its work, or after it was done.
        _say("interrupted." if _app.has_started() else "interrupted: nothing was changed.")
    return code


def main(args: list[str] | None = None) -> None:
    """Run the CLI (the `mlscaffold` console script)."""
    stop_on_signals()
    code: int | None = None
    try:
        with private_tempdir():
            code = _run(args)
        # The work is done and reported: a signal from here on must not turn the exit status
        # into "killed" while the interpreter shuts down (it restores the default handlers).
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    except KeyboardInterrupt:
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        if code is None:  # while the CLI was still loading: no command had started
            _say("interrupted: nothing was changed.")
            code = EXIT_INTERRUPTED
        # else: the command had finished; the signal came while its scratch space was removed.
    sys.exit(code)
