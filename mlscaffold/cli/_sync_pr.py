"""`mlscaffold sync-pr` and `mlscaffold open-pr`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from mlscaffold.cli._app import app, error_boundary, plural

_VERBS = {"created": "Opened", "updated": "Updated", "unchanged": "Up to date:"}

# The options both commands take to reach GitHub.
RepoOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--repo", help="OWNER/NAME (default: $GITHUB_REPOSITORY)."),
]
ApiUrlOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--api-url",
        help="GitHub API base URL, https (http only on loopback) "
        "(default: $GITHUB_API_URL, else api.github.com).",
    ),
]
TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=1,
        max=3600,
        envvar="MLSCAFFOLD_SYNC_PR_TIMEOUT",
        help="Seconds the whole command may take talking to GitHub, retries included.",
    ),
]


def github_token() -> str:
    """Return the token from $GITHUB_TOKEN, else $GH_TOKEN (empty when neither is set)."""
    return os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN") or ""


def _repository_and_token(repo: str | None) -> tuple[str, str]:
    """Return OWNER/NAME (from --repo or $GITHUB_REPOSITORY, checked) and the token from the environment."""
    from mlscaffold.errors import UsageError
    from mlscaffold.github import parse_repository

    repository = repo or os.environ.get("GITHUB_REPOSITORY", "")
    if not repository:
        raise UsageError("no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY.")
    parse_repository(repository)
    return repository, github_token()


@app.command("sync-pr")
def sync_pr(
    report: Annotated[
        Path, typer.Option("--report", help="The JSON written by `mlscaffold upgrade --report FILE`.")
    ],
    head: Annotated[str, typer.Option("--head", help="The branch holding the upgrade commit.")],
    base: Annotated[str, typer.Option("--base", help="The branch to merge the upgrade into.")] = "main",
    repo: RepoOption = None,
    api_url: ApiUrlOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Open or update the pull request of a template upgrade, listing its conflicts.

    The token is read from $GITHUB_TOKEN (or $GH_TOKEN), never from the command line.
    """
    with error_boundary():
        from mlscaffold.github import api_url_from
        from mlscaffold.syncpr import propose_upgrade

        repository, token = _repository_and_token(repo)
        proposal, pull = propose_upgrade(
            report,
            repo=repository,
            head=head,
            base=base,
            token=token,
            api_url=api_url or api_url_from(os.environ),
            deadline=timeout,
        )
    conflicts = len(proposal.conflicts)
    suffix = f" ({plural(conflicts, 'conflict')} to resolve)" if conflicts else ""
    typer.echo(f"{_VERBS[pull.action]} pull request #{pull.number}: {pull.url}{suffix}")


@app.command("open-pr")
def open_pr(
    head: Annotated[str, typer.Option("--head", help="The branch holding the commits to propose.")],
    title: Annotated[str, typer.Option("--title", help="The pull request's title.")],
    body_file: Annotated[
        Path, typer.Option("--body-file", help="A file holding the pull request's Markdown body.")
    ],
    base: Annotated[str, typer.Option("--base", help="The branch to merge into.")] = "main",
    repo: RepoOption = None,
    api_url: ApiUrlOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Open or update the pull request from a branch, with a title and a Markdown body file.

    The training workflow uses it after pushing a new dvc.lock. Run twice, it leaves one
    pull request. The token is read from $GITHUB_TOKEN (or $GH_TOKEN), never from the command line.
    """
    with error_boundary():
        from mlscaffold.github import api_url_from
        from mlscaffold.syncpr import open_pull_request

        repository, token = _repository_and_token(repo)
        pull = open_pull_request(
            body_file,
            repo=repository,
            head=head,
            base=base,
            title=title,
            token=token,
            api_url=api_url or api_url_from(os.environ),
            deadline=timeout,
        )
    typer.echo(f"{_VERBS[pull.action]} pull request #{pull.number}: {pull.url}")
