"""Run the commands a documentation page shows, and compare their output with the page's.

A page shows commands in ```console blocks: `$ COMMAND` lines (a trailing backslash continues
a command), each followed by an excerpt of its real output. `run_page` runs every command of a
page, in order, in one bash script started in a work directory, and checks that each exits 0 and
prints the lines shown, in order: a line `...` stands for lines left out, and `...` inside a line
for text that changes from run to run (a commit id, a timing). A block right after the comment
`<!-- docs-test: ci -->` holds commands CI runs itself (`.ci/run`); they are checked, not run.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CI_MARKER = "<!-- docs-test: ci -->"
_BLOCK = re.compile(r"^(<!-- docs-test: ci -->\n)?```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_STATUS_LINE = re.compile(r"^@@docs-command (\d+) exited (\d+)@@$", re.MULTILINE)


@dataclass(frozen=True)
class Command:
    """One `$ COMMAND` of a page and the output the page shows for it."""

    text: str
    expected: tuple[str, ...]
    ci_only: bool = False


def shell_blocks(markdown: str) -> list[tuple[str, str, bool]]:
    """Return (language, body, ci_only) for every fenced block of MARKDOWN."""
    return [(m.group(2), m.group(3), bool(m.group(1))) for m in _BLOCK.finditer(markdown)]


def page_commands(markdown: str) -> list[Command]:
    """Return the commands of every console block of MARKDOWN, with their expected output."""
    commands: list[Command] = []
    for language, body, ci_only in shell_blocks(markdown):
        if language != "console":
            continue
        text: list[str] = []
        expected: list[str] = []
        continuing = False
        for line in body.splitlines():
            if continuing or line.startswith("$ "):
                if line.startswith("$ ") and text and not continuing:
                    commands.append(Command("\n".join(text), tuple(expected), ci_only))
                    text, expected = [], []
                text.append(line[2:] if line.startswith("$ ") and not continuing else line)
                continuing = line.endswith("\\")
            elif text:
                expected.append(line.rstrip())
        if text:
            commands.append(Command("\n".join(text), tuple(expected), ci_only))
    return commands


def _line_pattern(expected: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in expected.split("...")))


def missing_output(expected: tuple[str, ...], actual: str) -> list[str]:
    """Return the expected lines not found, in order, among ACTUAL's lines (empty when all are)."""
    lines = [line.rstrip() for line in actual.splitlines()]
    position = 0
    for index, wanted in enumerate(e for e in expected if e.strip() and e.strip() != "..."):
        pattern = _line_pattern(wanted)
        while position < len(lines) and not pattern.fullmatch(lines[position]):
            position += 1
        if position == len(lines):
            return [e for e in expected if e.strip() and e.strip() != "..."][index:]
        position += 1
    return []


@dataclass(frozen=True)
class CommandRun:
    """What one command printed (stdout and stderr together) and its exit code."""

    command: Command
    output: str
    exit_code: int


def run_commands(
    commands: list[Command], cwd: Path, env: Mapping[str, str], timeout: float
) -> list[CommandRun]:
    """Run COMMANDS in order in one bash script in CWD; return each one's output and exit code.

    The script runs with job control (`set -m`), so `cmd &` starts its own process group and
    `kill %1` stops it with its children, as in an interactive shell. Anything still running
    in the background at the end is stopped.
    """
    script = ["set -m"]
    for index, command in enumerate(commands):
        script += [command.text, f"printf '\\n@@docs-command %d exited %d@@\\n' {index} $?"]
    script.append('for job in $(jobs -p); do kill -- "-$job" 2>/dev/null; done; exit 0')
    proc = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    runs = []
    start = 0
    for match in _STATUS_LINE.finditer(proc.stdout):
        index, code = int(match.group(1)), int(match.group(2))
        runs.append(CommandRun(commands[index], proc.stdout[start : match.start()], code))
        start = match.end()
    if len(runs) < len(commands):
        runs.append(CommandRun(commands[len(runs)], proc.stdout[start:], -1))
    return runs


def failures(runs: list[CommandRun]) -> list[str]:
    """Return one message per command that failed or did not print what the page shows."""
    problems = []
    for run in runs:
        missing = missing_output(run.command.expected, run.output)
        if run.exit_code != 0 or missing:
            problems.append(
                f"$ {run.command.text}\n  exit code {run.exit_code}; lines not printed: {missing}\n"
                f"  output:\n{run.output[-3000:]}"
            )
    return problems
