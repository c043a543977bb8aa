"""Usage errors: one line on stderr naming the command's help, exit 2, never a box (SPEC §3).

Each case runs `python -m mlscaffold` as a real process, as a user's shell does: the
box typer would draw comes from its standalone mode, which only a real run shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile.conftest import assert_one_line_error, run_cli

# (command line, words the one line must hold)
USAGE_ERRORS = [
    # missing argument, unknown option, missing option value, bad value: every command
    (["new"], ["missing argument", "'mlscaffold new --help'"]),
    (["new", "p", "--frobnicate"], ["unknown option '--frobnicate'", "'mlscaffold new --help'"]),
    (["new", "p", "--data"], ["'--data' requires an argument", "'mlscaffold new --help'"]),
    (["new", "p", "--defaults=yes"], ["'--defaults' does not take a value", "'mlscaffold new --help'"]),
    (["new", "p", "--template"], ["'--template' requires an argument", "'mlscaffold new --help'"]),
    (["upgrade", "--frobnicate"], ["unknown option '--frobnicate'", "'mlscaffold upgrade --help'"]),
    (["upgrade", "--to"], ["'--to' requires an argument", "'mlscaffold upgrade --help'"]),
    (["upgrade", "a", "b"], ["unexpected extra argument", "'mlscaffold upgrade --help'"]),
    (["check", "--format", "xml"], ["invalid value for '--format'", "'xml'", "'mlscaffold check --help'"]),
    (["check", "--format"], ["'--format' requires an argument", "'mlscaffold check --help'"]),
    (["check", "--frobnicate"], ["unknown option '--frobnicate'", "'mlscaffold check --help'"]),
    (["check", "--select"], ["'--select' requires an argument", "'mlscaffold check --help'"]),
    (["versions", "--frobnicate"], ["unknown option '--frobnicate'", "'mlscaffold versions --help'"]),
    (["versions", "a", "b"], ["unexpected extra argument", "'mlscaffold versions --help'"]),
    (["adopt", "--frobnicate"], ["unknown option '--frobnicate'", "'mlscaffold adopt --help'"]),
    (["adopt", "--vcs-ref"], ["'--vcs-ref' requires an argument", "'mlscaffold adopt --help'"]),
    (["adopt", "a", "b"], ["unexpected extra argument", "'mlscaffold adopt --help'"]),
    (["sync-pr"], ["missing option '--report'", "'mlscaffold sync-pr --help'"]),
    (["sync-pr", "--report"], ["'--report' requires an argument", "'mlscaffold sync-pr --help'"]),
    (["sync-pr", "--frobnicate"], ["unknown option '--frobnicate'", "'mlscaffold sync-pr --help'"]),
    # the group itself
    (["frobnicate"], ["no such command 'frobnicate'", "'mlscaffold --help'"]),
    (["--frobnicate"], ["unknown option '--frobnicate'", "'mlscaffold --help'"]),
]


@pytest.mark.parametrize(("args", "words"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_usage_error_is_one_line_exit_2(args: list[str], words: list[str], tmp_path: Path) -> None:
    result = run_cli(*args, cwd=tmp_path)
    line = assert_one_line_error(result, 2)
    assert result.stderr.strip() == line, result.stderr  # nothing else: no usage block, no hint
    assert result.stdout == ""
    for word in words:
        assert word in line, line
    assert "python -m" not in line  # the command is named as users type it
    assert not list(tmp_path.iterdir())


def test_unknown_option_suggests_the_close_one(tmp_path: Path) -> None:
    line = assert_one_line_error(run_cli("new", "p", "--forc", cwd=tmp_path), 2)
    assert "(did you mean --force or --lock?)" in line, line


@pytest.mark.parametrize("args", [["--help"], ["new", "--help"], ["check", "--help"], ["--version"]])
def test_help_and_version_still_print_and_exit_0(args: list[str], tmp_path: Path) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "mlscaffold" in result.stdout
