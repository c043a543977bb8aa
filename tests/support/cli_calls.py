"""The CLI called in-process (typer's CliRunner), as the CLI tests call it, and what it said.

`upgrade` runs `mlscaffold upgrade PROJECT ARGS`; `one_error_line` asserts that a call said
exactly one `error: ` line and no traceback, and returns that line; `read` and `commit_all`
are what the tests do to a project between two calls.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from mlscaffold import cli

from support.git_worlds import git

runner = CliRunner()


def upgrade(project: Path, *args: str) -> Result:
    """Run `mlscaffold upgrade PROJECT ARGS` in-process."""
    return runner.invoke(cli.app, ["upgrade", str(project), *args])


def one_error_line(result: Result) -> str:
    """Return the one `error: ` line RESULT printed, asserting there is one and no traceback."""
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.output
    return errors[0]


def read(project: Path, relpath: str) -> str:
    """Return the text of PROJECT/RELPATH."""
    return (project / relpath).read_text(encoding="utf-8")


def commit_all(project: Path, message: str = "user work") -> None:
    """Stage and commit everything in PROJECT, as its team would."""
    git("add", "-A", cwd=project)
    git("commit", "-qm", message, cwd=project)
