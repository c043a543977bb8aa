"""The command line: parse options, call one function, render its result, map errors to exit codes.

Heavy imports (copier, jinja2, ruamel.yaml, requests) happen inside the
commands that need them, so `--version` and `--help` stay fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from mlscaffold import __version__
from mlscaffold.errors import MlscaffoldError

if TYPE_CHECKING:
    from mlscaffold.answers import Question

__all__ = ["app", "main"]

EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="mlscaffold",
    help="Scaffold, upgrade and audit standardized ML repositories.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _error(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


@contextmanager
def _error_boundary() -> Iterator[None]:
    """Turn user-caused errors into one line on stderr and the SPEC exit code."""
    try:
        yield
    except MlscaffoldError as error:
        _error(str(error))
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        _error("interrupted: nothing was changed.")
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _is_interactive() -> bool:
    """Tell whether questions can be asked: stdin and stdout are terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _progress(message: str) -> None:
    typer.echo(message, err=True)


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


def _prompt(question: Question, default: Any, check: Callable[[Any], Any]) -> Any:
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
        except MlscaffoldError as error:
            _error(str(error))


@app.command()
def new(
    path: Annotated[Path, typer.Argument(help="Directory to create the project in.")],
    template: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--template",
            "-t",
            help="Any copier template: a path, a git URL or gh:OWNER/REPO. Default: the bundled template.",
        ),
    ] = None,
    vcs_ref: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--vcs-ref", help="Template version (git tag or ref) to render. Default: the newest."),
    ] = None,
    data: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--data", "-d", help="Answer a question: KEY=VALUE. Repeatable."),
    ] = None,
    answers_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--answers-file", help="YAML file of answers (for example another project's .copier-answers.yml)."
        ),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Take the default for every question not answered.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Render into a non-empty directory, overwriting files.")
    ] = False,
    git: Annotated[
        bool, typer.Option("--git/--no-git", help="Initialise a git repository and make the first commit.")
    ] = True,
    trust: Annotated[
        bool, typer.Option("--trust", help="Allow a template's tasks and Jinja extensions.")
    ] = False,
) -> None:
    """Create a new ML project from the template."""
    with _error_boundary():
        from mlscaffold.answers import parse_data_options
        from mlscaffold.generate import create_project

        answers = parse_data_options(data or [])
        interactive = not defaults and _is_interactive()
        result = create_project(
            path,
            template=template,
            vcs_ref=vcs_ref,
            data=answers,
            answers_file=answers_file,
            use_defaults=defaults,
            force=force,
            init_git=git,
            trust=trust,
            ask=_prompt if interactive else None,
            progress=_progress,
        )
    origin = "the default template" if template is None else result.template
    version = f" {result.version}" if result.version else ""
    typer.echo(f"Created {result.path} from {origin}{version}.")
    if result.commit:
        typer.echo(f"Made the first commit {result.commit[:12]} on branch main.")
    typer.echo("\nNext steps:")
    for step in result.next_steps:
        typer.echo(f"  {step}")


@app.command()
def versions(
    path: Annotated[
        Path, typer.Argument(help="A generated project (default: the current directory).")
    ] = Path(),
) -> None:
    """List the template versions available offline and the one PATH is on."""
    with _error_boundary():
        from mlscaffold.versions import list_template_versions

        report = list_template_versions(path)
    typer.echo("Template versions available offline:")
    for tag in report.versions:
        marks = []
        if tag == report.newest:
            marks.append("newest")
        if tag == report.current:
            marks.append(f"{path} is on it")
        typer.echo(f"  {tag}" + (f"  ({', '.join(marks)})" if marks else ""))
    if report.foreign_source:
        typer.echo(f"{path} comes from another template ({report.foreign_source}).")
    elif report.current and report.current not in report.versions:
        typer.echo(
            f"{path} is on {report.current}, which this mlscaffold does not ship: install a newer mlscaffold."
        )
    elif report.is_behind:
        typer.echo(f"{path} is on {report.current}: run `mlscaffold upgrade` to move to {report.newest}.")


def main() -> None:
    """Run the CLI (the `mlscaffold` console script)."""
    app()
