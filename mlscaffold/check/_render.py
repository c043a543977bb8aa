"""Render a report: text grouped by family, JSON (see report.schema.json), GitHub annotations, Markdown."""

from __future__ import annotations

import json
from typing import Any

from mlscaffold import __version__
from mlscaffold.check._model import CheckReport, RuleResult, Status

__all__ = ["FORMATS", "SCHEMA_VERSION", "render", "report_to_dict"]

SCHEMA_VERSION = 1
FORMATS = ("text", "json", "github", "markdown")
_LABELS = {Status.PASSED: "PASS", Status.FAILED: "FAIL", Status.WARNING: "WARN", Status.SKIPPED: "SKIP"}
_ICONS = {Status.PASSED: "✅", Status.FAILED: "❌", Status.WARNING: "⚠️", Status.SKIPPED: "⏭️"}


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _summary(report: CheckReport) -> str:
    counts = [
        f"{report.count(Status.PASSED)} passed",
        f"{report.count(Status.FAILED)} failed",
        _count(report.count(Status.WARNING), "warning"),
        f"{report.count(Status.SKIPPED)} skipped",
    ]
    if report.ignored:
        counts.append(f"{len(report.ignored)} ignored")
    return ", ".join(counts)


def render_text(report: CheckReport) -> str:
    """Return a readable report, grouped by family, with the fix under each rule that did not pass."""
    lines = [f"mlscaffold check {report.root}", ""]
    for family in report.families:
        lines.append(family.name)
        for result in report.in_family(family.key):
            lines.append(f"  {_LABELS[result.status]}  {result.id}  {result.description}")
            if result.status is not Status.PASSED and result.message:
                lines.extend(f"        {line}".rstrip() for line in result.message.splitlines())
        lines.append("")
    for ignored in report.ignored:
        because = f": {ignored.reason}" if ignored.reason else ""
        lines.append(f"Ignored {ignored.id}{because}")
    if report.ignored:
        lines.append("")
    lines.append(f"{len(report.results)} rules: {_summary(report)}.")
    return "\n".join(lines) + "\n"


def _result_dict(result: RuleResult) -> dict[str, Any]:
    location = None if result.path is None else {"path": result.path, "line": result.line}
    return {
        "id": result.id,
        "family": result.family,
        "description": result.description,
        "status": result.status.value,
        "message": result.message,
        "location": location,
        "url": result.url,
        "missing": result.missing,
    }


def report_to_dict(report: CheckReport) -> dict[str, Any]:
    """Return the report as the JSON document `report.schema.json` describes."""
    return {
        "schema_version": SCHEMA_VERSION,
        "mlscaffold_version": __version__,
        "root": report.root,
        "passed": not report.has_failures,
        "summary": {status.value: report.count(status) for status in Status},
        "families": [
            {"key": f.key, "name": f.name, "description": f.description, "order": f.order}
            for f in report.families
        ],
        "results": [_result_dict(result) for result in report.results],
        "ignored": [{"id": i.id, "reason": i.reason} for i in report.ignored],
    }


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: CheckReport) -> str:
    """Return GitHub Actions workflow commands: one `::error` or `::warning` per rule that did not pass."""
    lines = []
    for result in report.results:
        if result.status not in (Status.FAILED, Status.WARNING):
            continue
        level = "error" if result.status is Status.FAILED else "warning"
        properties = []
        if result.path:
            properties.append(f"file={_escape_property(result.path)}")
            if result.line:
                properties.append(f"line={result.line}")
        properties.append(f"title={_escape_property(f'{result.id} {result.description}')}")
        lines.append(f"::{level} {','.join(properties)}::{_escape_data(result.message)}")
    lines.append(f"mlscaffold check: {len(report.results)} rules: {_summary(report)}.")
    return "\n".join(lines) + "\n"


def render_markdown(report: CheckReport) -> str:
    """Return a Markdown report for `$GITHUB_STEP_SUMMARY`: a table per family, then the fixes."""
    verdict = "failed" if report.has_failures else "passed"
    lines = [f"## mlscaffold check {verdict}", "", f"{len(report.results)} rules: {_summary(report)}.", ""]
    for family in report.families:
        lines += [f"### {family.name}", "", "| | Rule | Description |", "| --- | --- | --- |"]
        for result in report.in_family(family.key):
            description = result.description.replace("|", "\\|")
            lines.append(f"| {_ICONS[result.status]} | [{result.id}]({result.url}) | {description} |")
        lines.append("")
    todo = [r for r in report.results if r.status in (Status.FAILED, Status.WARNING)]
    if todo:
        lines += ["### How to fix", ""]
        for result in todo:
            lines += [f"#### {_ICONS[result.status]} {result.id} {result.description}", "", result.message, ""]
    if report.ignored:
        lines += ["### Ignored", ""]
        lines += [f"- {i.id}: {i.reason or 'ignored on the command line'}" for i in report.ignored]
        lines.append("")
    return "\n".join(lines)


def render(report: CheckReport, fmt: str) -> str:
    """Return REPORT rendered in FMT, one of `FORMATS`."""
    if fmt == "json":
        return json.dumps(report_to_dict(report), indent=2) + "\n"
    if fmt == "github":
        return render_github(report)
    if fmt == "markdown":
        return render_markdown(report)
    return render_text(report)
