"""Pull requests: a template sync's (an upgrade report turned into a list of changes and conflicts),
and any other from a Markdown body file (`mlscaffold open-pr`, used by the training workflow).

The report is untrusted input (a workflow may read it from a branch anyone can push to):
it is read with a size limit, its shape is checked, and every value taken from it is
escaped in the body, so no version or path can add a heading, HTML, a link or an
@mention. The body stays within GitHub's limit of 65,536 characters, saying so when
lists had to be shortened.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlscaffold.errors import MlscaffoldError, UpgradeReportError
from mlscaffold.github import GitHubClient, PullRequest
from mlscaffold.http import DEFAULT_DEADLINE, HttpClient

__all__ = [
    "MARKER",
    "MAX_BODY_CHARS",
    "SyncProposal",
    "describe_upgrade",
    "open_pull_request",
    "propose_upgrade",
    "read_body",
    "read_report",
]

# Hidden in the body so people and tools can tell template-sync pull requests apart.
MARKER = "<!-- mlscaffold:template-sync -->"
_LISTS = ("updated", "added", "removed", "conflicts", "kept")
# GitHub refuses a pull request body longer than this.
MAX_BODY_CHARS = 65_536
# A report of a real upgrade is kilobytes; this leaves room for very large repositories.
MAX_REPORT_BYTES = 20_000_000
# A git tag name (the template versions an upgrade moves between), never text or markup.
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+/-]{0,99}")
# Control characters, line separators and bidirectional overrides (which make a name read as another).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")
# Characters that Markdown or HTML would read as syntax in running text.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#!|~&:])")
# `@name` pings NAME and `#1` / `owner/repo#1` cross-reference an issue: a word joiner breaks both.
_PING = re.compile(r"([@#])")


@dataclass(frozen=True)
class SyncProposal:
    """The pull request a template upgrade asks for."""

    title: str
    body: str
    conflicts: tuple[str, ...]


def _read_bounded(path: Path) -> bytes:
    """Return the bytes of the regular file PATH, refusing FIFOs, devices and oversized files."""
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_BINARY", "O_CLOEXEC"):
        flags |= getattr(os, name, 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise UpgradeReportError(
                f"{path} is not a regular file: pass the JSON file `mlscaffold upgrade --report` wrote."
            )
        data = b""
        while len(data) <= MAX_REPORT_BYTES:
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                return data
            data += chunk
    finally:
        os.close(descriptor)
    raise UpgradeReportError(
        f"{path} is larger than {MAX_REPORT_BYTES // 1_000_000} MB, so it is not an upgrade report: "
        "write it with `mlscaffold upgrade --report`."
    )


def _check_shape(report: Any, path: Path) -> dict[str, Any]:
    if (
        not isinstance(report, dict)
        or not isinstance(report.get("from"), str)
        or not isinstance(report.get("to"), str)
    ):
        raise UpgradeReportError(
            f"{path} has no 'from' and 'to' versions: write it with `mlscaffold upgrade --report`."
        )
    for key in ("from", "to"):
        if not _VERSION.fullmatch(report[key]):
            raise UpgradeReportError(
                f"{path}: '{key}' is not a version (like v1.2.3): write it with `mlscaffold upgrade --report`."
            )
    for key in _LISTS:
        value = report.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise UpgradeReportError(
                f"{path}: '{key}' must be a list of paths; write it with `mlscaffold upgrade`."
            )
    details = report.get("conflict_details", [])
    if not isinstance(details, list) or not all(
        isinstance(item, Mapping) and all(isinstance(item.get(k, ""), str) for k in ("path", "message"))
        for item in details
    ):
        raise UpgradeReportError(
            f"{path}: 'conflict_details' must be a list of {{path, message}} objects; "
            "write it with `mlscaffold upgrade`."
        )
    return report


def read_report(path: Path) -> dict[str, Any]:
    """Read and check the JSON written by `mlscaffold upgrade --report FILE`."""
    try:
        report = json.loads(_read_bounded(path).decode("utf-8"))
    except FileNotFoundError:
        raise UpgradeReportError(
            f"no upgrade report at {path}: run `mlscaffold upgrade --report {path}` first."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as caught:
        reason = "nested too deeply" if isinstance(caught, RecursionError) else _CONTROL.sub(" ", str(caught))
        raise UpgradeReportError(
            f"{path} is not an upgrade report ({reason}): write it with `mlscaffold upgrade --report`."
        ) from None
    return _check_shape(report, path)


def _printable(value: str) -> str:
    """Replace control characters (a newline would start a new Markdown block) by visible escapes."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", value)


def code(value: str) -> str:
    """Return VALUE as a Markdown code span that nothing in it can close or break out of."""
    value = _printable(value)
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {value} " if value.startswith("`") or value.endswith("`") or not value.strip() else value
    return f"{fence}{padded}{fence}"


def plain(value: str) -> str:
    """Return VALUE as running Markdown text: no syntax, no HTML, no @mentions or issue references."""
    escaped = _MARKDOWN.sub(r"\\\1", _printable(value))
    return _PING.sub("\\1\u2060", escaped)


def _section(title: str, paths: list[str]) -> list[str]:
    if not paths:
        return []
    return [f"### {title} ({len(paths)})", "", *(f"- {code(path)}" for path in paths), ""]


def _fit(lines: list[str], ending: list[str]) -> str:
    """Join LINES and ENDING into a body within GitHub's limit, dropping list lines that do not fit."""
    body = "\n".join([*lines, *ending]) + "\n"
    if len(body) <= MAX_BODY_CHARS:
        return body
    kept: list[str] = []
    budget = MAX_BODY_CHARS - len("\n".join(ending)) - 1_000  # room for the note
    used = 0
    for line in lines:
        if used + len(line) + 1 > budget:
            break
        kept.append(line)
        used += len(line) + 1
    dropped = sum(1 for line in lines[len(kept) :] if line.startswith("- "))
    note = [
        "",
        "> [!NOTE]",
        f"> This description was shortened to fit GitHub's limit of {MAX_BODY_CHARS:,} characters: "
        f"{dropped} more entries are not listed. The complete lists are in the upgrade report "
        "(`mlscaffold upgrade --report`) of the run that opened this pull request, and every "
        "change is in the *Files changed* tab.",
        "",
    ]
    return "\n".join([*kept, *note, *ending]) + "\n"


def describe_upgrade(report: Mapping[str, Any]) -> SyncProposal:
    """Write the title and Markdown body of the pull request for REPORT (checked by `read_report`)."""
    source, target = report["from"], report["to"]
    conflicts = [str(path) for path in report.get("conflicts", [])]
    details = {
        str(item.get("path")): str(item.get("message", ""))
        for item in report.get("conflict_details", [])
        if isinstance(item, Mapping)
    }
    title = f"Upgrade the mlscaffold template from {_printable(source)} to {_printable(target)}"
    if conflicts:
        title += f" ({len(conflicts)} conflict{'s' if len(conflicts) != 1 else ''})"
    lines = [
        MARKER,
        f"`mlscaffold upgrade` moved this repository's template from {code(source)} to {code(target)} "
        "by a three-way merge that keeps your changes.",
        "",
    ]
    if conflicts:
        lines += [
            "> [!WARNING]",
            "> Some files changed on both sides. Resolve the conflict markers in each file below "
            "on this branch, then commit.",
            "",
            f"### Conflicts to resolve ({len(conflicts)})",
            "",
        ]
        for path in conflicts:
            note = details.get(path, "")
            lines.append(f"- [ ] {code(path)}" + (f": {plain(note)}" if note else ""))
        lines.append("")
    else:
        lines += ["No conflicts: the template's changes merged cleanly.", ""]
    lines += _section("Updated", list(report.get("updated", [])))
    lines += _section("Added", list(report.get("added", [])))
    lines += _section("Removed", list(report.get("removed", [])))
    lines += _section("Kept as you have them", list(report.get("kept", [])))
    ending = [f"Release notes: the `CHANGELOG.md` of mlscaffold between {code(source)} and {code(target)}."]
    return SyncProposal(title, _fit(lines, ending), tuple(conflicts))


def propose_upgrade(
    report_path: Path,
    *,
    repo: str,
    head: str,
    base: str,
    token: str,
    api_url: str,
    http: HttpClient | None = None,
    deadline: float = DEFAULT_DEADLINE,
) -> tuple[SyncProposal, PullRequest]:
    """Open, or bring up to date, the pull request from HEAD into BASE for the upgrade in REPORT_PATH.

    Every request together must finish within DEADLINE seconds (when HTTP is not given).
    """
    proposal = describe_upgrade(read_report(report_path))
    client = GitHubClient(token, api_url, http if http is not None else HttpClient(deadline=deadline))
    try:
        pull = client.open_or_update_pull_request(repo, head, base, proposal.title, proposal.body)
    finally:
        client.http.close()
    return proposal, pull


def read_body(path: Path) -> str:
    """Return the Markdown in PATH as a pull request body: bounded, and within GitHub's limit."""
    try:
        text = _read_bounded(path).decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise MlscaffoldError(f"no body file at {path}: write the pull request's Markdown there.") from None
    except (OSError, UpgradeReportError):
        raise MlscaffoldError(
            f"cannot read the body file {path}: give a regular file of Markdown under 20 MB."
        ) from None
    if len(text) <= MAX_BODY_CHARS:
        return text
    note = f"\n\n> [!NOTE]\n> Shortened to GitHub's limit of {MAX_BODY_CHARS:,} characters.\n"
    return text[: MAX_BODY_CHARS - len(note)] + note


def open_pull_request(
    body_path: Path,
    *,
    repo: str,
    head: str,
    base: str,
    title: str,
    token: str,
    api_url: str,
    http: HttpClient | None = None,
    deadline: float = DEFAULT_DEADLINE,
) -> PullRequest:
    """Open, or bring up to date, the pull request from HEAD into BASE with TITLE and the body in BODY_PATH."""
    body = read_body(body_path)
    client = GitHubClient(token, api_url, http if http is not None else HttpClient(deadline=deadline))
    try:
        return client.open_or_update_pull_request(repo, head, base, _printable(title)[:256], body)
    finally:
        client.http.close()
