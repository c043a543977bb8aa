"""The typer app, its error boundary and the helpers every command shares."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from mlscaffold import __version__
from mlscaffold.errors import MlscaffoldError
from mlscaffold.scratch import let_stops_go, raised_by_stop

if TYPE_CHECKING:
    from mlscaffold.answers import Question

__all__ = [
    "EXIT_INTERRUPTED",
    "TemplateOption",
    "TrustOption",
    "app",
    "error",
    "error_boundary",
    "has_reported",
    "has_started",
    "is_interactive",
    "plural",
    "progress",
    "prompt_answer",
    "vcs_ref_option",
]

EXIT_INTERRUPTED = 130

# The options `new` and `adopt` take alike: where to render from, and whether to trust it.
TemplateOption = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional on 3.10
    typer.Option(
        "--template",
        "-t",
        help="Any copier template: a path, a git URL or gh:OWNER/REPO. Default: the bundled template.",
    ),
]
TrustOption = Annotated[bool, typer.Option("--trust", help="Allow a template's tasks and Jinja extensions.")]


def vcs_ref_option(verb: str) -> Any:
    """Return the --vcs-ref option of a command that VERBs a template version (`render`, `adopt`)."""
    return typer.Option("--vcs-ref", help=f"Template version (git tag or ref) to {verb}. Default: the newest.")


app = typer.Typer(
    name="mlscaffold",
    help="Scaffold, upgrade and audit standardized ML repositories.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_reported: list[str] = []
_boundaries_entered: list[bool] = []


def error(message: str) -> None:
    """Print one error line on stderr."""
    _reported.append(message)
    typer.echo(f"error: {message}", err=True)


def has_reported() -> bool:
    """Tell whether an error line has been printed."""
    return bool(_reported)


def has_started() -> bool:
    """Tell whether a command has entered its error boundary, that is begun its work."""
    return bool(_boundaries_entered)


def plural(count: int, noun: str) -> str:
    """Return "1 file", "2 files": COUNT and NOUN, plural unless one."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def progress(message: str) -> None:
    """Print a progress line on stderr, keeping stdout for results."""
    typer.echo(message, err=True)


def is_interactive() -> bool:
    """Tell whether questions can be asked: stdin and stdout are terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def prompt_answer(question: Question, default: Any, check: Callable[[Any], Any]) -> Any:
    """Ask QUESTION on the terminal until the answer passes its checks."""
    label = question.help.splitlines()[0] if question.help else question.name
    if question.choices:
        label += f" [{' / '.join(str(v) for v in question.choice_values)}]"
    while True:
        if question.type == "bool":
            raw: Any = typer.confirm(label, default=bool(check(default)))
        else:
            raw = typer.prompt(
                label, default="" if default is None else str(default), hide_input=question.secret
            )
        try:
            return check(raw)
        except MlscaffoldError as caught:
            error(str(caught))


@contextmanager
def error_boundary(
    interrupted: Callable[[], str] = lambda: "interrupted: nothing was changed.",
) -> Iterator[None]:
    """Turn user-caused errors into one line on stderr and the SPEC exit code.

    INTERRUPTED says, when a stop signal arrives, what the command has changed by then.
    """
    _boundaries_entered.append(True)
    try:
        yield
    except MlscaffoldError as caught:
        let_stops_go()
        error(str(caught))
        raise typer.Exit(caught.exit_code) from None
    except KeyboardInterrupt:
        let_stops_go()
        error(interrupted())
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as caught:
        if not raised_by_stop(caught):
            raise
        let_stops_go()
        error(interrupted())
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        # The command has done its work and said so (or is raising a bug, which must show).
        let_stops_go()


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"mlscaffold {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        Optional[bool],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show the version and exit."),
    ] = None,
) -> None:
    """Scaffold, upgrade and audit standardized ML repositories."""
