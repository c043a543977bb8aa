"""Render a fleet's status: text (one line a repository), JSON (see status.schema.json), Markdown."""

from __future__ import annotations

import json
from typing import Any

from mlscaffold import __version__
from mlscaffold.status import CheckSummary, FleetStatus, RepoStatus, State, printable
from mlscaffold.syncpr import plain

__all__ = ["FORMATS", "SCHEMA_VERSION", "render_status", "status_to_dict"]

FORMATS = ("text", "json", "markdown")
SCHEMA_VERSION = 1
_LABELS = {
    State.CURRENT: "current",
    State.BEHIND: "upgrade available",
    State.UNKNOWN: "unknown",
    State.NOT_GENERATED: "not generated",
    State.ERROR: "error",
}


def _check_text(check: CheckSummary) -> str:
    warnings = f"{check.warning} warning{'' if check.warning == 1 else 's'}"
    return f"check: {check.passed} passed, {check.failed} failed, {warnings}"


def _version_text(repo: RepoStatus, newest: str | None) -> str:
    if repo.state is State.BEHIND:
        return f"{repo.version} -> {repo.newest or newest}"
    return repo.version or "-"


def _parts(repo: RepoStatus, newest: str | None) -> list[str]:
    """Return what one repository's line says, untrusted text made printable."""
    parts = [_LABELS[repo.state]]
    if repo.template not in (None, "default"):
        parts.append(f"template {repo.template}")
    if repo.state in (State.CURRENT, State.BEHIND, State.UNKNOWN) and repo.version:
        parts.append(_version_text(repo, newest))
    if repo.sync_pull is not None:
        parts.append(f"sync PR #{repo.sync_pull.number} {repo.sync_pull.url}")
    if repo.check is not None:
        parts.append(_check_text(repo.check))
    if repo.dispatch is not None:
        parts.append(("dispatched: " if repo.dispatch.started else "dispatch failed: ") + repo.dispatch.message)
    if repo.message and repo.state is not State.BEHIND:
        parts.append(repo.message)
    return [printable(part, 400) for part in parts]


def _summary(status: FleetStatus) -> str:
    total = len(status.repositories)
    counts = [f"{status.count(state)} {_LABELS[state]}" for state in State if status.count(state)]
    line = f"{total} repositor{'y' if total == 1 else 'ies'}" + (f": {', '.join(counts)}" if counts else "")
    failing = sum(1 for repo in status.repositories if repo.check is not None and repo.check.failed)
    if failing:
        line += f"; {failing} failing check"
    if status.archived:
        line += f"; {status.archived} archived left out"
    if status.newest:
        line += f" (newest template: {status.newest})"
    dispatched = [repo.dispatch for repo in status.repositories if repo.dispatch is not None]
    if dispatched:
        started = sum(1 for d in dispatched if d.started)
        line += f"\nDispatched template sync: {started} started, {len(dispatched) - started} failed."
    return line + "\n"


def render_text(status: FleetStatus) -> str:
    """Return one line a repository (name, then what stands), then a summary."""
    names = [printable(repo.name, 100) for repo in status.repositories]
    width = min(max((len(name) for name in names), default=0), 60)
    lines = [
        f"{name.ljust(width)}  {'; '.join(_parts(repo, status.newest))}"
        for name, repo in zip(names, status.repositories, strict=True)
    ]
    return "".join(f"{line}\n" for line in lines) + _summary(status)


def _cell(value: str) -> str:
    return plain(printable(value, 400)) if value else "-"


def render_markdown(status: FleetStatus) -> str:
    """Return a Markdown table (for $GITHUB_STEP_SUMMARY or an issue), then the summary."""
    title = f"Template status of {status.org}" if status.org else "Template status"
    lines = [
        f"## {plain(title)}",
        "",
        "| Repository | Version | Status | Sync PR | Check | Notes |",
        "|---|---|---|---|---|---|",
    ]
    for repo in status.repositories:
        # <...> keeps a `)` or `]` of the server's URL inside the link (it holds no <, >, spaces or quotes).
        pull = f"[#{repo.sync_pull.number}](<{repo.sync_pull.url}>)" if repo.sync_pull else "-"
        check = _check_text(repo.check).removeprefix("check: ") if repo.check else ""
        notes = [repo.message or ""] if repo.state is not State.BEHIND else []
        if repo.template not in (None, "default"):
            notes.append(f"template {repo.template}")
        if repo.dispatch is not None:
            notes.append(
                ("dispatched: " if repo.dispatch.started else "dispatch failed: ") + repo.dispatch.message
            )
        version = _version_text(repo, status.newest) if repo.version else ""
        cells = [repo.name, version, _LABELS[repo.state]]
        row = [_cell(cell) for cell in cells] + [pull, _cell(check), _cell("; ".join(n for n in notes if n))]
        lines.append(f"| {' | '.join(row)} |")
    # The summary holds counts and the bundled newest version only: nothing to escape.
    return "\n".join(lines) + "\n\n" + _summary(status).strip().replace("\n", "\n\n") + "\n"


def _repo_dict(repo: RepoStatus, newest: str | None) -> dict[str, Any]:
    check = repo.check
    return {
        "name": repo.name,
        "state": repo.state.value,
        "template": repo.template,
        "version": repo.version,
        "newest": (repo.newest or newest) if repo.state in (State.CURRENT, State.BEHIND) else None,
        "upgrade_available": {State.CURRENT: False, State.BEHIND: True}.get(repo.state),
        "default_branch": repo.default_branch,
        "sync_pull_request": {"number": repo.sync_pull.number, "url": repo.sync_pull.url}
        if repo.sync_pull
        else None,
        "check": None
        if check is None
        else {
            "passed": check.passed,
            "failed": check.failed,
            "warning": check.warning,
            "skipped": check.skipped,
        },
        "dispatch": None
        if repo.dispatch is None
        else {"started": repo.dispatch.started, "message": repo.dispatch.message},
        "message": repo.message,
    }


def status_to_dict(status: FleetStatus) -> dict[str, Any]:
    """Return the status as the JSON document `status.schema.json` describes."""
    return {
        "schema_version": SCHEMA_VERSION,
        "mlscaffold_version": __version__,
        "source": status.source,
        "org": status.org,
        "newest": status.newest,
        "summary": {state.value: status.count(state) for state in State}
        | {
            "total": len(status.repositories),
            "check_failed": sum(1 for r in status.repositories if r.check is not None and r.check.failed),
            "archived": status.archived,
        },
        "repositories": [_repo_dict(repo, status.newest) for repo in status.repositories],
    }


def render_status(status: FleetStatus, output_format: str) -> str:
    """Return STATUS in OUTPUT_FORMAT (one of FORMATS)."""
    if output_format == "json":
        return json.dumps(status_to_dict(status), indent=2, ensure_ascii=False) + "\n"
    if output_format == "markdown":
        return render_markdown(status)
    return render_text(status)
