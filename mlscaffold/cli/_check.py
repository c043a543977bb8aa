"""`mlscaffold check`."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from mlscaffold.cli._app import app, error_boundary

EXIT_FAILED = 3


class OutputFormat(str, enum.Enum):
    """How the report is printed."""

    text = "text"
    json = "json"
    github = "github"
    markdown = "markdown"


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


@app.command()
def check(
    path: Annotated[
        Path, typer.Argument(help="The repository to audit (default: the current directory).")
    ] = Path(),
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="text (grouped by family), json (see the schema in the docs), github (workflow annotations) "
            "or markdown (for $GITHUB_STEP_SUMMARY).",
        ),
    ] = OutputFormat.text,
    select: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option("--select", help="Run only these rules: IDs (MLS101), ID prefixes (MLS1) or families."),
    ] = None,
    ignore: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--ignore", help="Skip these rules: IDs, ID prefixes or families."),
    ] = None,
) -> None:
    """Audit PATH against the ML project standard, rule by rule; exit 3 when a rule fails."""
    with error_boundary():
        from mlscaffold.check import render, run_checks

        report = run_checks(path, select=_split(select), ignore=_split(ignore))
    typer.echo(render(report, output_format.value), nl=False)
    if report.has_failures:
        raise typer.Exit(EXIT_FAILED)
