"""What a repository must set up for its workflows, derived from the workflows themselves.

For each calling workflow (a generated `.github/workflows/*.yml`) and the reusable
workflows it calls, this lists the GitHub environments the called jobs run in, the
secrets and variables the caller passes (described by the callee's own
`on.workflow_call` declarations), and the repository settings that the token
permissions the callee asks for depend on. The generated README lists the same,
and a test holds the two equal for every option combination.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlscaffold.workflows import parse_callee
from mlscaffold.yamlio import load_text

__all__ = ["WorkflowSettings", "derive_settings", "render_markdown"]

_SECRET = re.compile(r"secrets\.([A-Za-z_][A-Za-z0-9_]*)")
_VARIABLE = re.compile(r"vars\.([A-Za-z_][A-Za-z0-9_]*)")
_INPUT = re.compile(r"^\$\{\{\s*inputs\.([A-Za-z_][\w-]*)\s*\}\}$")
# Inputs that name a cloud identity to assume by OIDC (a role, a workload identity pool, an app).
_IDENTITY_INPUT = re.compile(r"(^|-)(aws-role|role-to-assume|workload-identity-provider|azure-client-id)")

# The repository settings a token permission depends on, beyond granting it.
PERMISSION_SETTINGS: dict[tuple[str, str], str] = {
    ("packages", "write"): (
        "for an image on ghcr.io: once the package exists, its settings must give this repository "
        "write access (Package settings > Manage Actions access)"
    ),
    ("pull-requests", "write"): (
        "Settings > Actions > General > Workflow permissions: allow GitHub Actions to create and "
        "approve pull requests"
    ),
    ("pages", "write"): "Settings > Pages > Source: GitHub Actions",
    ("id-token", "write"): (
        "a cloud identity provider (AWS, Google Cloud, Azure) that trusts this repository's GitHub OIDC "
        "tokens, for the identity above; see the docs of the workflow"
    ),
}
_REVIEWED = {"production"}  # environments to protect with required reviewers


@dataclass
class WorkflowSettings:
    """What one calling workflow needs: environments, secrets and variables (name -> text), settings."""

    workflow: str
    environments: list[str] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    settings: list[str] = field(default_factory=list)
    uses_oidc: bool = False  # a cloud identity is assumed by OIDC (the caller passes one)


def _describe(spec: Mapping[str, Any]) -> str:
    return " ".join(str(spec.get("description") or "").split())


def _environment_of(job: Mapping[str, Any], given: Mapping[str, Any], inputs: Mapping[str, Any]) -> str | None:
    environment = job.get("environment")
    name = environment.get("name") if isinstance(environment, Mapping) else environment
    if not isinstance(name, str):
        return None
    match = _INPUT.match(name.strip())
    if match is None:
        return name
    key = match.group(1)
    value = given.get(key, (inputs.get(key) or {}).get("default"))
    return str(value) if value not in (None, "") else None


def _add_call(found: WorkflowSettings, job: Mapping[str, Any], callee_text: str) -> None:
    callee = parse_callee(callee_text)
    callee_data = load_text(callee_text) or {}
    given = job.get("with") or {}
    for callee_job in (callee_data.get("jobs") or {}).values():
        environment = _environment_of(callee_job, given, callee.inputs)
        if environment and environment not in found.environments:
            found.environments.append(environment)
    passed = job.get("secrets")
    declared = callee.secrets or {}
    pairs = (
        [(key, f"${{{{ secrets.{key} }}}}") for key in declared]
        if passed == "inherit"
        else list((passed or {}).items())
    )
    for key, value in pairs:
        for name in _SECRET.findall(str(value)):
            spec = declared.get(key) or {}
            found.secrets.setdefault(name, _describe(spec))
    for key, value in given.items():
        for name in _VARIABLE.findall(str(value)):
            found.variables.setdefault(name, _describe(callee.inputs.get(key) or {}))
        if value and _IDENTITY_INPUT.search(str(key)):
            found.uses_oidc = True
    for (scope, level), text in PERMISSION_SETTINGS.items():
        wanted = callee.permissions.get(scope, ("none", ""))[0] == level
        if wanted and _applies(scope, found, given) and text not in found.settings:
            found.settings.append(text)


def _applies(scope: str, found: WorkflowSettings, given: Mapping[str, Any]) -> bool:
    """Tell whether a permission's setting concerns this caller, not only some caller of the callee.

    `id-token: write` signs attestations with nothing to set up; a cloud login by OIDC is
    what needs a provider, and the caller names its identity (a role, a pool, an app).
    `packages: write` concerns GHCR only: the default image, or one the caller puts there.
    """
    if scope == "id-token":
        return found.uses_oidc
    if scope == "packages":
        image = str(given.get("image") or "")
        return not image or image.startswith("ghcr.io/")
    return True


def derive_settings(workflow: str, text: str, read_callee: Callable[[str], str | None]) -> WorkflowSettings:
    """Return what the calling WORKFLOW (its TEXT) needs; READ_CALLEE returns a `uses:` target's text."""
    found = WorkflowSettings(workflow)
    data = load_text(text) or {}
    for job in (data.get("jobs") or {}).values():
        uses = job.get("uses") if isinstance(job, Mapping) else None
        callee_text = read_callee(uses) if isinstance(uses, str) else None
        if callee_text is not None:
            _add_call(found, job, callee_text)
    return found


def render_markdown(all_settings: list[WorkflowSettings]) -> str:
    """Return the README's list: one item per workflow, one sub-item per thing to set up."""
    lines = []
    for item in sorted(all_settings, key=lambda s: s.workflow):
        needs = [
            f"environment `{name}` (Settings > Environments"
            + ("; protect it with required reviewers)" if name in _REVIEWED else ")")
            for name in item.environments
        ]
        needs += [f"secret `{name}`: {text}" for name, text in sorted(item.secrets.items())]
        needs += [f"variable `{name}`: {text}" for name, text in sorted(item.variables.items())]
        needs += item.settings
        if not needs:
            lines.append(f"- `{item.workflow}`: nothing to set up.")
            continue
        lines.append(f"- `{item.workflow}`:")
        lines += [f"  - {need}" for need in needs]
    return "\n".join(lines) + "\n"
