"""`mlscaffold upgrade`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from mlscaffold.cli._app import app, error_boundary, is_interactive, plural, progress, prompt_answer

if TYPE_CHECKING:
    from mlscaffold.upgrade import UpgradeResult

EXIT_ATTENTION = 3


def _summary(result: UpgradeResult) -> list[str]:
    from mlscaffold.upgrade import TEMPLATE_REF

    verb = "Would upgrade" if result.dry_run else "Upgraded"
    lines = [f"{verb} {result.project} from template {result.from_version} to {result.to_version}."]
    for label, paths in (("updated", result.updated), ("added", result.added), ("removed", result.removed)):
        if paths:
            lines.append(
                f"  {label:<8} {plural(len(paths), 'file')}: {', '.join(paths[:8])}"
                + (" ..." if len(paths) > 8 else "")
            )
    if result.kept:
        lines.append("Kept as you have them:")
        lines += [f"  {path}" for path in result.kept]
    if result.new_answers:
        lines.append("New questions answered: " + ", ".join(f"{k}={v}" for k, v in result.new_answers.items()))
    if result.dropped_answers:
        lines.append("Answers no longer asked, dropped: " + ", ".join(result.dropped_answers))
    if result.pinned:
        lines.append("Left as you pinned them (only refs at the old version move):")
        lines += [f"  {ref}" for ref in result.pinned]
    if result.not_run:
        lines.append("Migrations not run (mlscaffold applies only `git mv` ones); run them yourself if needed:")
        lines += [f"  {command}" for command in result.not_run]
    if result.conflicts:
        lines.append(f"Conflicts in {plural(len(result.conflicts), 'file')} (your version is never lost):")
        lines += [f"  {c.path}: {c.describe(TEMPLATE_REF)}" for c in result.conflicts]
    return lines


def _check_report(report: Path) -> None:
    """Refuse a report path that cannot be written, before anything else is."""
    from mlscaffold.errors import MlscaffoldError

    parent = report.parent if str(report.parent) else Path()
    if not parent.is_dir():
        raise MlscaffoldError(
            f"--report {report}: the directory {parent} does not exist; create it or choose another."
        )
    if report.is_dir():
        raise MlscaffoldError(f"--report {report} is a directory; give a file name.")


def _write_report(report: Path, result: UpgradeResult) -> None:
    from mlscaffold.errors import MlscaffoldError

    try:
        report.write_text(json.dumps(result.to_report(), indent=2) + "\n", encoding="utf-8")
    except OSError as caught:
        done = (
            "nothing was changed" if result.dry_run or result.is_current else "the upgrade itself is complete"
        )
        raise MlscaffoldError(f"cannot write the report {report} ({caught.strerror}); {done}.") from None


@app.command()
def upgrade(
    path: Annotated[
        Path, typer.Argument(help="The generated project (default: the current directory).")
    ] = Path(),
    to: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--to", help="Template version to upgrade to (default: the newest available)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff an upgrade would apply; change nothing.")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 3 when a newer template version exists, 0 when current.")
    ] = False,
    data: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--data", "-d", help="Answer a question the new version adds: KEY=VALUE. Repeatable."),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Take the default for every new question, never ask.")
    ] = False,
    commit: Annotated[
        bool, typer.Option("--commit", help="Commit the upgrade when it leaves no conflict.")
    ] = False,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify/--no-verify",
            help="With --commit: run the repository's commit hooks (pre-commit, commit-msg), or skip them.",
        ),
    ] = True,
    report: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--report", help="Write a JSON report of the upgrade to this file."),
    ] = None,
    trust: Annotated[
        bool,
        typer.Option("--trust", help="Allow another template's Jinja extensions and migrations (as `new`)."),
    ] = False,
) -> None:
    """Bring a generated project to a newer template version by a three-way merge that keeps your work."""
    applied: list[str | None] = []

    def interrupted() -> str:
        if applied:
            return f"interrupted after the upgrade was written: {path} is upgraded" + (
                f" and committed ({applied[0][:12]})." if applied[0] else "; review it with `git status`."
            )
        return "interrupted: nothing was changed."

    with error_boundary(interrupted):
        from mlscaffold.answers_file import parse_data_options
        from mlscaffold.upgrade import check_upgrade, upgrade_project

        answers = parse_data_options(data or [])
        if report is not None:
            _check_report(report)
        if check:
            status = check_upgrade(path)
            if status.is_available:
                on = f"{status.template} {status.current}" if status.template else status.current
                typer.echo(
                    f"{path} is on template {on}; {status.newest} is available: run `mlscaffold upgrade`."
                )
                raise typer.Exit(EXIT_ATTENTION)
            typer.echo(f"{path} is on the newest template version, {status.current}.")
            return
        interactive = not defaults and is_interactive()
        result = upgrade_project(
            path,
            to=to,
            data=answers,
            ask=prompt_answer if interactive else None,
            dry_run=dry_run,
            commit=commit,
            verify=verify,
            trust=trust,
            progress=progress,
            on_applied=applied.append,
        )
        if report is not None:
            _write_report(report, result)
        _print(result, path)
        if result.conflicts:
            raise typer.Exit(EXIT_ATTENTION)


def _print(result: UpgradeResult, path: Path) -> None:
    if result.is_current:
        typer.echo(f"{path} is already on the newest template version, {result.to_version}.")
        return
    if result.dry_run:
        typer.echo(result.diff, nl=False)
        for line in _summary(result):
            typer.echo(line, err=True)
        return
    for line in _summary(result):
        typer.echo(line)
    if result.commit:
        typer.echo(f"Committed {result.commit[:12]}.")
    elif result.conflicts:
        typer.echo(
            "Resolve the conflicts (`git status` lists them; `git mergetool` helps), "
            "`git add` each file, then commit."
        )
    else:
        typer.echo("The changes are staged: review them with `git diff --cached`, then commit.")
