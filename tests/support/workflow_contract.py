"""The calling contract between GitHub workflows and the reusable workflows and actions they call.

For every job that calls a reusable workflow (and every step that uses a
composite action) this checks what GitHub only finds at run time: the callee
exists, each `with:` key is a declared input of the right type, each required
input is given, each secret is declared (or `secrets: inherit`), each
`needs.JOB.outputs.NAME` names an output the job has, and the calling job grants
the token every permission the callee's jobs ask for (GitHub refuses a called
job that asks for more than its caller gave). A caller that declares no
`permissions:` at all gets the repository's default, which no file shows: that
is not checked. Callees are read by `mlscaffold.workflows.parse_callee`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mlscaffold.workflows import ALL_SCOPES, LEVELS, Callee, granted_level, token_grants
from mlscaffold.yamlio import load_text

__all__ = ["ContractViolation", "check_calls"]

_EXPRESSION = re.compile(r"^\s*\$\{\{.*\}\}\s*$", re.S)
_NEEDS_OUTPUT = re.compile(r"needs\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)")
_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "boolean": (bool,), "number": (int, float)}
_SCOPES = (
    "actions", "attestations", "checks", "contents", "deployments", "discussions", "issues", "models",
    "packages", "pages", "pull-requests", "security-events", "statuses",
)  # fmt: skip


@dataclass(frozen=True)
class ContractViolation:
    """One broken promise between a caller and its callee."""

    caller: str
    job: str
    message: str

    def __str__(self) -> str:
        return f"{self.caller}: job {self.job}: {self.message}"


def _check_permissions(
    granted: Any, callee: Callee, target: str, caller: str, job: str
) -> Iterator[ContractViolation]:
    grants = token_grants(granted)
    for scope, (level, asking) in sorted(callee.permissions.items()):
        if scope == ALL_SCOPES:
            short = [s for s in _SCOPES if LEVELS.get(granted_level(grants, s), 0) < LEVELS.get(level, 0)]
            if short:
                yield ContractViolation(
                    caller,
                    job,
                    f"grants `{short[0]}: {granted_level(grants, short[0])}`, but {target} job {asking} "
                    f"asks for `{level}-all`",
                )
            continue
        given = granted_level(grants, scope)
        if LEVELS.get(given, 0) < LEVELS.get(level, 0):
            yield ContractViolation(
                caller, job, f"grants `{scope}: {given}`, but {target} job {asking} needs `{scope}: {level}`"
            )


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and bool(_EXPRESSION.match(value))


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def _check_with(
    given: Mapping[str, Any], callee: Callee, target: str, caller: str, job: str
) -> Iterator[ContractViolation]:
    for key, value in given.items():
        declared = callee.inputs.get(key)
        if declared is None:
            yield ContractViolation(caller, job, f"`with: {key}` is not an input of {target}")
            continue
        kind = "string" if callee.is_action else str(declared.get("type", ""))
        if _is_expression(value) or kind not in _TYPES:
            continue
        # Actions take every input as a string; YAML scalars there are fine as written.
        if callee.is_action and isinstance(value, (str, bool, int, float)):
            continue
        if (isinstance(value, bool) and kind == "number") or not isinstance(value, _TYPES[kind]):
            yield ContractViolation(
                caller, job, f"`with: {key}` is {_kind_of(value)} ({value!r}), but {target} declares {kind}"
            )
    for key, declared in callee.inputs.items():
        required = bool(declared.get("required", False))
        if required and "default" not in declared and key not in given:
            yield ContractViolation(caller, job, f"required input `{key}` of {target} is not given")


def _check_secrets(
    passed: Any, callee: Callee, target: str, caller: str, job: str
) -> Iterator[ContractViolation]:
    if passed == "inherit":
        return
    declared = callee.secrets or {}
    given = passed if isinstance(passed, Mapping) else {}
    for key in given:
        if key not in declared:
            yield ContractViolation(caller, job, f"secret `{key}` is not declared by {target}")
    for key, spec in declared.items():
        if spec.get("required", False) and key not in given:
            yield ContractViolation(caller, job, f"required secret `{key}` of {target} is not passed")


def _job_outputs(job: Mapping[str, Any], resolve: Callable[[str], Callee | None]) -> frozenset[str] | None:
    if isinstance(job.get("uses"), str):
        callee = resolve(job["uses"])
        return callee.outputs if callee is not None else None
    return frozenset((job.get("outputs") or {}).keys())


def _walk_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk_strings(key)
            yield from _walk_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_strings(item)


def _check_call(
    workflow: Mapping[str, Any], name: str, job: Mapping[str, Any], callee: Callee | None, caller: str
) -> Iterator[ContractViolation]:
    uses = job["uses"]
    if callee is None or callee.is_action:
        yield ContractViolation(caller, name, f"calls {uses}, which is not a reusable workflow")
        return
    yield from _check_with(job.get("with") or {}, callee, uses, caller, name)
    yield from _check_secrets(job.get("secrets"), callee, uses, caller, name)
    if "permissions" in job or "permissions" in workflow:
        granted = job["permissions"] if "permissions" in job else workflow["permissions"]
        yield from _check_permissions(granted, callee, uses, caller, name)


def check_calls(
    text: str, resolve: Callable[[str], Callee | None], *, caller: str, is_ours: Callable[[str], bool]
) -> list[ContractViolation]:
    """Check every call of a workflow TEXT whose target IS_OURS against what RESOLVE says the callee declares.

    RESOLVE takes a `uses:` value and returns the callee's interface, or None when it does not exist.
    """
    data = load_text(text) or {}
    jobs: Mapping[str, Any] = data.get("jobs") or {}
    found: list[ContractViolation] = []
    for name, job in jobs.items():
        uses = job.get("uses")
        if isinstance(uses, str) and is_ours(uses):
            found += _check_call(data, name, job, resolve(uses), caller)
        for step in job.get("steps") or []:
            step_uses = step.get("uses")
            if isinstance(step_uses, str) and is_ours(step_uses):
                action = resolve(step_uses)
                if action is None or not action.is_action:
                    found.append(ContractViolation(caller, name, f"uses {step_uses}, which is not an action"))
                else:
                    found += _check_with(step.get("with") or {}, action, step_uses, caller, name)
        needs = job.get("needs") or []
        needs = [needs] if isinstance(needs, str) else list(needs)
        for string in _walk_strings({k: v for k, v in job.items() if k != "needs"}):
            for needed, output in _NEEDS_OUTPUT.findall(string):
                if needed not in needs:
                    found.append(ContractViolation(caller, name, f"reads needs.{needed} but does not need it"))
                    continue
                outputs = _job_outputs(jobs.get(needed) or {}, resolve)
                if outputs is not None and output not in outputs:
                    found.append(
                        ContractViolation(
                            caller, name, f"reads needs.{needed}.outputs.{output}, which {needed} lacks"
                        )
                    )
    return found
