"""Template sync: turn an upgrade report into a pull request that lists what changed and every conflict."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlscaffold.errors import UpgradeReportError
from mlscaffold.github import GitHubClient, PullRequest
from mlscaffold.http import HttpClient

__all__ = ["MARKER", "SyncProposal", "describe_upgrade", "propose_upgrade", "read_report"]

# Hidden in the body so people and tools can tell template-sync pull requests apart.
MARKER = "<!-- mlscaffold:template-sync -->"
_LISTS = ("updated", "added", "removed", "conflicts", "kept")


@dataclass(frozen=True)
class SyncProposal:
    """The pull request a template upgrade asks for."""

    title: str
    body: str
    conflicts: tuple[str, ...]


def read_report(path: Path) -> dict[str, Any]:
    """Read and check the JSON written by `mlscaffold upgrade --report FILE`."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UpgradeReportError(
            f"no upgrade report at {path}: run `mlscaffold upgrade --report {path}` first."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as caught:
        raise UpgradeReportError(
            f"{path} is not an upgrade report ({caught}): write it with `mlscaffold upgrade --report`."
        ) from None
    if (
        not isinstance(report, dict)
        or not isinstance(report.get("from"), str)
        or not isinstance(report.get("to"), str)
    ):
        raise UpgradeReportError(
            f"{path} has no 'from' and 'to' versions: write it with `mlscaffold upgrade --report`."
        )
    for key in _LISTS:
        value = report.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise UpgradeReportError(
                f"{path}: '{key}' must be a list of paths; write it with `mlscaffold upgrade`."
            )
    return report


def _section(title: str, paths: list[str], checkbox: bool = False) -> list[str]:
    if not paths:
        return []
    mark = "- [ ] " if checkbox else "- "
    return [f"### {title} ({len(paths)})", "", *(f"{mark}`{path}`" for path in paths), ""]


def describe_upgrade(report: Mapping[str, Any]) -> SyncProposal:
    """Write the title and Markdown body of the pull request for REPORT."""
    source, target = report["from"], report["to"]
    conflicts = [str(path) for path in report.get("conflicts", [])]
    details = {
        str(item.get("path")): str(item.get("message", ""))
        for item in report.get("conflict_details", [])
        if isinstance(item, Mapping)
    }
    title = f"Upgrade the mlscaffold template from {source} to {target}"
    if conflicts:
        title += f" ({len(conflicts)} conflict{'s' if len(conflicts) != 1 else ''})"
    lines = [
        MARKER,
        f"`mlscaffold upgrade` moved this repository's template from **{source}** to **{target}** "
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
            lines.append(f"- [ ] `{path}`" + (f": {note}" if note else ""))
        lines.append("")
    else:
        lines += ["No conflicts: the template's changes merged cleanly.", ""]
    lines += _section("Updated", list(report.get("updated", [])))
    lines += _section("Added", list(report.get("added", [])))
    lines += _section("Removed", list(report.get("removed", [])))
    lines += _section("Kept as you have them", list(report.get("kept", [])))
    lines.append(f"Release notes: the `CHANGELOG.md` of mlscaffold between {source} and {target}.")
    return SyncProposal(title, "\n".join(lines) + "\n", tuple(conflicts))


def propose_upgrade(
    report_path: Path,
    *,
    repo: str,
    head: str,
    base: str,
    token: str,
    api_url: str,
    http: HttpClient | None = None,
) -> tuple[SyncProposal, PullRequest]:
    """Open, or bring up to date, the pull request from HEAD into BASE for the upgrade in REPORT_PATH."""
    proposal = describe_upgrade(read_report(report_path))
    client = GitHubClient(token, api_url, http)
    try:
        pull = client.open_or_update_pull_request(repo, head, base, proposal.title, proposal.body)
    finally:
        client.http.close()
    return proposal, pull
