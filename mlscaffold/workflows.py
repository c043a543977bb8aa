"""What a reusable GitHub workflow or composite action declares to its callers.

`parse_callee` reads a callee's interface: its inputs, secrets, outputs and the
token permissions its jobs ask for (a caller must grant them all: GitHub refuses
a called job that asks for more than its caller gave). The generated README's
"Workflow settings" is derived from it; the test suite's contract checker
(tests/support/workflow_contract.py) holds every caller to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlscaffold.yamlio import load_text

__all__ = [
    "ALL_SCOPES",
    "LEVELS",
    "Callee",
    "granted_level",
    "needed_permissions",
    "parse_callee",
    "token_grants",
]

LEVELS = {"none": 0, "read": 1, "write": 2}
ALL_SCOPES = "*"  # `read-all` / `write-all`: every scope


@dataclass(frozen=True)
class Callee:
    """What a reusable workflow or composite action declares: inputs, secrets and outputs."""

    inputs: Mapping[str, Mapping[str, Any]]
    secrets: Mapping[str, Mapping[str, Any]] | None
    outputs: frozenset[str]
    is_action: bool
    # The union of the token permissions the workflow's jobs ask for: scope -> (level, first job asking).
    permissions: Mapping[str, tuple[str, str]] = field(default_factory=dict)


def parse_callee(text: str) -> Callee:
    """Read the interface of a reusable workflow (`on.workflow_call`) or an action (`action.yml`)."""
    data = load_text(text) or {}
    if "runs" in data:
        return Callee(
            dict(data.get("inputs") or {}), None, frozenset((data.get("outputs") or {}).keys()), is_action=True
        )
    triggers = data.get("on") or {}
    call = triggers.get("workflow_call") if isinstance(triggers, Mapping) else None
    if call is None and triggers != "workflow_call" and "workflow_call" not in (triggers or []):
        raise ValueError("not a reusable workflow: it has no `on: workflow_call`")
    call = call or {}
    return Callee(
        {k: dict(v or {}) for k, v in (call.get("inputs") or {}).items()},
        {k: dict(v or {}) for k, v in (call.get("secrets") or {}).items()},
        frozenset((call.get("outputs") or {}).keys()),
        is_action=False,
        permissions=needed_permissions(data),
    )


def token_grants(permissions: Any) -> dict[str, str]:
    """Return a `permissions:` value as {scope: level}; `read-all`/`write-all` as the scope `*`."""
    if isinstance(permissions, str):
        level = permissions.removesuffix("-all")
        return {ALL_SCOPES: level if level in LEVELS else "none"}
    if isinstance(permissions, Mapping):
        return {str(scope): str(level) for scope, level in permissions.items()}
    return {}


def granted_level(grants: Mapping[str, str], scope: str) -> str:
    """Return the level GRANTS (from `token_grants`) give SCOPE."""
    return grants.get(scope, grants.get(ALL_SCOPES, "none"))


def needed_permissions(workflow: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Return what a reusable WORKFLOW's jobs ask of the token: {scope: (highest level, job asking it)}.

    A job without `permissions:` takes the workflow's; with neither it takes the caller's and asks for nothing.
    """
    needed: dict[str, tuple[str, str]] = {}
    for name, job in (workflow.get("jobs") or {}).items():
        if not isinstance(job, Mapping) or "uses" in job:
            continue
        asked = job["permissions"] if "permissions" in job else workflow.get("permissions")
        for scope, level in token_grants(asked).items():
            if LEVELS.get(level, 0) > LEVELS.get(needed.get(scope, ("none", ""))[0], 0):
                needed[scope] = (level, str(name))
    return needed
