"""`mlscaffold versions`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mlscaffold.cli._app import app, error_boundary


@app.command()
def versions(
    path: Annotated[
        Path, typer.Argument(help="A generated project (default: the current directory).")
    ] = Path(),
) -> None:
    """List the template versions (the default template's, offline, or PATH's own template's) and PATH's."""
    with error_boundary():
        from mlscaffold.versions import list_template_versions

        report = list_template_versions(path)
    if report.foreign_source:
        typer.echo(f"{path} comes from another template ({report.foreign_source}); its versions:")
    else:
        typer.echo("Template versions available offline:")
    for tag in report.versions:
        marks = []
        if tag == report.newest:
            marks.append("newest")
        if tag == report.current:
            marks.append(f"{path} is on it")
        typer.echo(f"  {tag}" + (f"  ({', '.join(marks)})" if marks else ""))
    if report.current and report.current not in report.versions:
        typer.echo(
            f"{path} is on {report.current}, which is none of its template's version tags."
            if report.foreign_source
            else f"{path} is on {report.current}, which this mlscaffold does not ship: install a newer one."
        )
    elif report.is_behind:
        typer.echo(f"{path} is on {report.current}: run `mlscaffold upgrade` to move to {report.newest}.")
