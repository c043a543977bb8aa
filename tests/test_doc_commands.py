"""The docs' command extraction and output matching (tests/support/doc_commands.py), and what the pages show."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from support.doc_commands import Command, failures, missing_output, page_commands, run_commands, shell_blocks

ROOT = Path(__file__).resolve().parent.parent
RUN_PAGES = ("tutorial.md", "getting-started.md")

PAGE = """\
Intro.

```console
$ echo one
one
$ printf 'a\\nb\\n' \\
    | cat
a
...
```

<!-- docs-test: ci -->
```console
$ pytest --cov
```

```yaml
key: value
```
"""


def test_page_commands_split_commands_continuations_and_output() -> None:
    assert page_commands(PAGE) == [
        Command("echo one", ("one",)),
        Command("printf 'a\\nb\\n' \\\n    | cat", ("a", "...")),
        Command("pytest --cov", (), ci_only=True),
    ]


@pytest.mark.parametrize(
    ("expected", "actual", "missing"),
    [
        (("a", "c"), "a\nb\nc\n", []),
        (("c", "a"), "a\nb\nc\n", ["a"]),
        (("made ... on main",), "made 3a5d25c on main\n", []),
        (("made ... on main",), "made 3a5d25c on a branch\n", ["made ... on main"]),
        (("x", "...", "y"), "x\n1\n2\ny\n", []),
        (("a.b",), "aXb\n", ["a.b"]),  # only `...` is a wildcard
        (("z",), "", ["z"]),
    ],
    ids=["subsequence", "order", "wildcard", "wildcard-mismatch", "gap", "literal-dot", "empty-output"],
)
def test_missing_output_matches_lines_in_order(
    expected: tuple[str, ...], actual: str, missing: list[str]
) -> None:
    assert missing_output(expected, actual) == missing


def test_run_commands_keeps_state_and_reports_each_exit_code(tmp_path: Path) -> None:
    commands = [
        Command("mkdir sub && cd sub", ()),
        Command("pwd", ("...sub",)),
        Command("echo oops >&2; false", ("oops",)),
        Command("echo shown", ("not shown",)),
    ]
    runs = run_commands(commands, tmp_path, {"PATH": "/usr/bin:/bin"}, timeout=60)
    assert [run.exit_code for run in runs] == [0, 0, 1, 0]
    problems = failures(runs)
    assert len(problems) == 2
    assert problems[0].startswith("$ echo oops >&2; false\n  exit code 1; lines not printed: []")
    assert "lines not printed: ['not shown']" in problems[1]


def test_run_commands_stops_background_jobs(tmp_path: Path) -> None:
    commands = [Command("sleep 300 &", ()), Command("echo $! > pid", ())]
    runs = run_commands(commands, tmp_path, {"PATH": "/usr/bin:/bin"}, timeout=60)
    assert failures(runs) == []
    pid = int((tmp_path / "pid").read_text(encoding="utf-8"))
    # The signal is delivered asynchronously: on a loaded machine the job may take a moment to go.
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        if "zombie" in Path(f"/proc/{pid}/status").read_text(encoding="utf-8"):
            break
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


@pytest.mark.parametrize("page", RUN_PAGES)
def test_run_pages_show_commands_only_in_console_blocks(page: str) -> None:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    languages = {language for language, _, _ in shell_blocks(text)}
    # A bash/sh block would show commands the test does not run.
    assert languages <= {"console", "text", "yaml", "toml", "json"}, languages
    assert page_commands(text)


def readme_quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick_start)


def test_getting_started_shows_the_two_readme_commands() -> None:
    commands = page_commands((ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8"))
    shown = [command.text for command in commands]
    install, test_suite = readme_quick_start_commands()
    assert shown[0] == install
    assert shown[-1] == test_suite


def test_ci_only_commands_are_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for page in RUN_PAGES:
        for command in page_commands((ROOT / "docs" / page).read_text(encoding="utf-8")):
            if command.ci_only:
                assert command.text in ci, command.text
