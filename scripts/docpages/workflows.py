"""docs/reference/workflows.md: the reusable workflows and composite actions, from their YAML."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - Python 3.10
    pass

from docpages._markdown import _default_text, cell, code, generated_from, table
from docpages.template import TEMPLATE, rendered_path

_CALLED_WORKFLOW = re.compile(r"/\.github/workflows/([\w.-]+\.ya?ml)@")


def _header_comment(text: str) -> str:
    """Return the comment block a YAML file starts with, without the `# ` marks and `uses:` examples."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if not line[1:].strip().startswith("uses:"):
            lines.append(line[1:].strip())
    return " ".join(line for line in lines if line)


def _yaml_files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if p.suffix in {".yml", ".yaml"})


def _inputs_rows(inputs: Mapping[str, Any], typed: bool) -> list[list[str]]:
    rows = []
    for name, given in (inputs or {}).items():
        spec = given or {}
        row = [code(name)]
        if typed:
            row.append(code(spec.get("type", "string")))
        required = bool(spec.get("required", False))
        row += ["yes" if required else "no", "—" if required else _default_text(spec.get("default"))]
        row.append(cell(spec.get("description", "")))
        rows.append(row)
    return rows


def _generated_callers(root: Path) -> dict[str, list[str]]:
    """Return, per reusable workflow file name, the template's workflow files that call it."""
    callers: dict[str, list[str]] = {}
    folder = root / TEMPLATE / "template" / ".github" / "workflows"
    for file in sorted(folder.glob("*")) if folder.is_dir() else []:
        for called in sorted(set(_CALLED_WORKFLOW.findall(file.read_text(encoding="utf-8")))):
            name = rendered_path(file.name, "", ".jinja")[0]
            callers.setdefault(called, []).append(name)
    return callers


def _workflow_section(path: Path, data: Mapping[str, Any], callers: list[str]) -> list[str]:
    call = data.get("on", {}).get("workflow_call") or {}
    title = data.get("name", path.stem)
    lines = ["", f"### `{path.name}`: {cell(title)}", ""]
    about = _header_comment(path.read_text(encoding="utf-8"))
    if about:
        lines += [about, ""]
    lines += ["```yaml", f"uses: OWNER/mlscaffold/.github/workflows/{path.name}@vX.Y.Z", "```", ""]
    if callers:
        lines += [
            "Called by generated projects from " + ", ".join(f"`.github/workflows/{c}`" for c in callers) + ".",
            "",
        ]
    inputs = _inputs_rows(call.get("inputs") or {}, typed=True)
    lines += (
        table(["input", "type", "required", "default", "description"], inputs) if inputs else ["No inputs."]
    )
    secrets = [
        [code(name), "yes" if (spec or {}).get("required") else "no", cell((spec or {}).get("description", ""))]
        for name, spec in (call.get("secrets") or {}).items()
    ]
    lines += [""] + (table(["secret", "required", "description"], secrets) if secrets else ["No secrets."])
    outputs = [
        [code(name), cell((spec or {}).get("description", ""))]
        for name, spec in (call.get("outputs") or {}).items()
    ]
    lines += [""] + (table(["output", "description"], outputs) if outputs else ["No outputs."])
    return lines


def _action_section(path: Path, data: Mapping[str, Any]) -> list[str]:
    name = path.parent.name
    lines = ["", f"### `{name}`: {cell(data.get('name', name))}", "", cell(data.get("description", "")), ""]
    lines += ["```yaml", f"uses: OWNER/mlscaffold/.github/actions/{name}@vX.Y.Z", "```", ""]
    inputs = _inputs_rows(data.get("inputs") or {}, typed=False)
    lines += table(["input", "required", "default", "description"], inputs) if inputs else ["No inputs."]
    outputs = [
        [code(n), cell((s or {}).get("description", ""))] for n, s in (data.get("outputs") or {}).items()
    ]
    lines += [""] + (table(["output", "description"], outputs) if outputs else ["No outputs."])
    return lines


def workflows_page(root: Path) -> str:
    """Return `docs/reference/workflows.md`: inputs, secrets, outputs of the reusable workflows and actions."""
    from mlscaffold.yamlio import load_path

    github = root / ".github"
    reusable = []
    for path in _yaml_files(github / "workflows", "*"):
        data = load_path(path)
        triggers = data.get("on") if isinstance(data, Mapping) else None
        if isinstance(triggers, Mapping) and "workflow_call" in triggers:
            reusable.append((path, data))
    actions = [(path, load_path(path)) for path in _yaml_files(github / "actions", "*/action.*")]
    callers = _generated_callers(root)
    lines = [
        "# Reusable workflows and actions reference",
        "",
        generated_from("the YAML files under `.github/workflows/` and `.github/actions/`"),
        "",
        "Generated projects do not copy CI logic: their workflows call these, pinned to the exact release",
        "that generated or last upgraded them (`@vX.Y.Z`; `mlscaffold upgrade` moves the ref). `OWNER` is",
        "`mlscaffold` unless a platform team's fork changes the template's hidden `mlscaffold_repo` setting.",
        "A reusable workflow refers to the composite actions by the same full path, never `./.github/...`,",
        "which would resolve inside the caller's repository.",
        "",
        "## Reusable workflows",
    ]
    if not reusable:
        lines += ["", "None yet: no workflow under `.github/workflows/` is triggered by `workflow_call`."]
    for path, data in reusable:
        lines += _workflow_section(path, data, callers.get(path.name, []))
    lines += ["", "## Composite actions"]
    if not actions:
        lines += ["", "None yet: no `.github/actions/*/action.yml`."]
    for path, data in actions:
        lines += _action_section(path, data)
    return "\n".join(lines) + "\n"
