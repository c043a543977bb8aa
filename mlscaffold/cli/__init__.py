"""The command line: parse options, call one function, render its result, map errors to exit codes.

One module per command registers on the shared app. Heavy imports (copier,
jinja2, ruamel.yaml, requests) happen inside the commands that need them, so
`--version` and `--help` stay fast.
"""

from __future__ import annotations

from mlscaffold.cli import _check, _new, _sync_pr, _upgrade, _versions  # noqa: F401 - importing registers the commands
from mlscaffold.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Run the CLI (the `mlscaffold` console script)."""
    app()
