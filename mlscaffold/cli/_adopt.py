"""`mlscaffold adopt`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from mlscaffold.cli._app import (
    TemplateOption,
    TrustOption,
    app,
    error_boundary,
    is_interactive,
    plural,
    progress,
    prompt_answer,
    vcs_ref_option,
)

if TYPE_CHECKING:
    from mlscaffold.adopt import AdoptResult

EXIT_ATTENTION = 3
_SHOWN = 8


def _summary(result: AdoptResult) -> list[str]:
    from mlscaffold.template import CANONICAL_URL

    origin = "the default template" if result.template == CANONICAL_URL else result.template
    version = f" {result.version}" if result.version else ""
    verb = "Would adopt" if result.dry_run else "Adopted"
    lines = [f"{verb} {result.project} into {origin}{version}."]
    if result.inferred:
        lines.append("Read from the repository:")
        lines += [f"  {a.name} = {a.value} ({a.source})" for a in result.inferred]
    for answer in result.not_offered:
        lines.append(
            f"  {answer.name}: {answer.source} says {answer.value}, which the template does not offer; "
            f"answered {result.answers.get(answer.name)}"
        )
    if result.added:
        shown = ", ".join(result.added[:_SHOWN]) + (" ..." if len(result.added) > _SHOWN else "")
        lines.append(f"  {'added':<8} {plural(len(result.added), 'file')}: {shown}")
    if result.same:
        lines.append(f"  {'same':<8} {plural(len(result.same), 'file')} already as the template has them")
    if result.review:
        lines.append(f"To review, {plural(len(result.review), 'file')} (yours are never changed):")
        described = [(r.path, r.describe()) for r in result.review]
        if result.dry_run:
            described = [
                (p, d.replace("the template's is beside it", "the template's would go beside it"))
                for p, d in described
            ]
        lines += [f"  {path}: {text}" for path, text in described]
    return lines


@app.command()
def adopt(
    path: Annotated[
        Path, typer.Argument(help="The repository to adopt (default: the current directory).")
    ] = Path(),
    template: TemplateOption = None,
    vcs_ref: Annotated[Optional[str], vcs_ref_option("adopt")] = None,  # noqa: UP045
    data: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--data", "-d", help="Answer a question: KEY=VALUE; wins over what is read. Repeatable."),
    ] = None,
    defaults: Annotated[
        bool,
        typer.Option("--defaults", help="Take what the repository says, then the defaults; never ask."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be added and what to review; change nothing.")
    ] = False,
    trust: TrustOption = False,
) -> None:
    """Bring an existing repository under a template: add what it lacks, never change its own files."""
    applied: list[str | None] = []

    def interrupted() -> str:
        if applied:
            return (
                f"interrupted after the adoption was written: {path} is adopted; review it with `git status`."
            )
        return "interrupted: nothing was changed."

    with error_boundary(interrupted):
        from mlscaffold.adopt import adopt_project
        from mlscaffold.answers_file import parse_data_options

        answers = parse_data_options(data or [])
        interactive = not defaults and is_interactive()
        result = adopt_project(
            path,
            template=template,
            vcs_ref=vcs_ref,
            data=answers,
            use_defaults=defaults,
            ask=prompt_answer if interactive else None,
            dry_run=dry_run,
            trust=trust,
            progress=progress,
            on_applied=applied.append,
        )
        for line in _summary(result):
            typer.echo(line)
        if not result.dry_run:
            typer.echo(
                "The added files are staged. Take what you want of the template's version of each file to "
                "review into yours, delete the .mlscaffold-new files, then commit (`git status` lists them)."
                if result.needs_review
                else "The added files are staged: review them with `git diff --cached`, then commit."
            )
        if result.needs_review:
            raise typer.Exit(EXIT_ATTENTION)
