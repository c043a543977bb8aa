"""`mlscaffold status`."""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer

from mlscaffold.cli._app import app, error_boundary
from mlscaffold.cli._sync_pr import ApiUrlOption, github_token

EXIT_ERROR = 1
EXIT_NEEDS_ACTION = 3
_BAR = 30


class StatusFormat(str, enum.Enum):
    """How the status is printed."""

    text = "text"
    json = "json"
    markdown = "markdown"


def _progress_bar() -> Callable[[int, int], None] | None:
    """Return a progress callback drawing a bar on stderr, or None when stderr is no terminal or in CI."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def draw(done: int, total: int) -> None:
        filled = _BAR * done // max(total, 1)
        end = "\r\x1b[K" if done == total else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (_BAR - filled)}] {done}/{total} repositories{end}")
        sys.stderr.flush()

    return draw


@app.command()
def status(
    paths: Annotated[
        Optional[list[Path]],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Argument(help="Local repositories (default: the current directory, unless --org is given)."),
    ] = None,
    org: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--org", help="Read every repository of this GitHub organisation (or user) instead."),
    ] = None,
    output_format: Annotated[
        StatusFormat,
        typer.Option(
            "--format", help="text (a line a repository), json (see the schema in the docs) or markdown."
        ),
    ] = StatusFormat.text,
    dispatch_sync: Annotated[
        bool,
        typer.Option(
            "--dispatch-sync",
            help="With --org: start the template-sync workflow of each repository with an upgrade available.",
        ),
    ] = False,
    no_check: Annotated[
        bool, typer.Option("--no-check", help="Local paths: skip the `mlscaffold check` summary.")
    ] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=32, help="Repositories read at the same time.")
    ] = 8,
    api_url: ApiUrlOption = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=1,
            max=3600,
            help="Seconds each repository (and the listing) may take, retries included.",
        ),
    ] = 60.0,
) -> None:
    """Show which template version each repository is on, what upgrades wait, and its sync PR or check.

    Exit 3 when an upgrade waits or a check fails; else 1 when a repository could not be read; else 0.

    With --org the token is read from $GITHUB_TOKEN (or $GH_TOKEN), never from the command line.
    """
    stopped = (
        "interrupted: template-sync workflows dispatched before the stop run on; nothing else was changed."
        if dispatch_sync
        else "interrupted: nothing was changed."
    )
    with error_boundary(lambda: stopped):
        from mlscaffold.errors import UsageError
        from mlscaffold.status import org_status, path_status
        from mlscaffold.status_render import render_status

        progress = _progress_bar()
        if org is not None:
            if paths:
                raise UsageError("give local PATHs or --org OWNER, not both.")
            from mlscaffold.github import api_url_from

            token = github_token()
            if not token:
                raise UsageError(
                    "--org needs a GitHub token: set GITHUB_TOKEN (or GH_TOKEN) to one that can read the "
                    "organisation's repositories (metadata, contents and pull requests: read; actions: write "
                    "for --dispatch-sync)."
                )
            report = org_status(
                org,
                token=token,
                api_url=api_url or api_url_from(os.environ),
                deadline=timeout,
                workers=workers,
                dispatch=dispatch_sync,
                progress=progress,
            )
        else:
            if dispatch_sync:
                raise UsageError("--dispatch-sync starts workflows on GitHub: give it with --org OWNER.")
            report = path_status(
                paths or [Path()],
                with_check=not no_check,
                workers=workers,
                progress=progress,
            )
    typer.echo(render_status(report, output_format.value), nl=False)
    if report.needs_action:
        raise typer.Exit(EXIT_NEEDS_ACTION)
    if report.has_errors:
        raise typer.Exit(EXIT_ERROR)
