"""Callers and callees agree: generated callers and ci.yml call only what mlscaffold's workflows declare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlscaffold.answers_file import read_project_answers
from mlscaffold.workflows import parse_callee
from mlscaffold.yamlio import find_uses_refs, load_text

from support.workflow_contract import check_calls
from support.workflow_projects import FORKS, OURS, ROOT, WORKFLOW_COMBINATIONS, is_mlscaffold, resolver_for


def repository_of(name: str) -> str:
    return FORKS.get(name, OURS)


def violations_of(text: str, repository: str = OURS) -> list[str]:
    found = check_calls(text, resolver_for(repository), caller="caller.yml", is_ours=is_mlscaffold(repository))
    return [str(v) for v in found]


@pytest.mark.parametrize("name", list(WORKFLOW_COMBINATIONS))
def test_generated_callers_keep_the_contract(workflow_projects: dict[str, Path], name: str) -> None:
    project = workflow_projects[name]
    repository = repository_of(name)
    calls = 0
    for caller in sorted((project / ".github" / "workflows").glob("*.yml")):
        text = caller.read_text(encoding="utf-8")
        assert violations_of(text, repository) == [], caller.name
        calls += sum(1 for ref in find_uses_refs(text) if ref.target.startswith(repository))
    assert calls >= 5


@pytest.mark.parametrize("name", list(WORKFLOW_COMBINATIONS))
def test_generated_callers_pin_the_exact_template_tag(workflow_projects: dict[str, Path], name: str) -> None:
    project = workflow_projects[name]
    recorded = read_project_answers(project)
    assert recorded is not None
    tag = recorded.commit
    assert tag is not None and tag.startswith("v")
    for caller in (project / ".github" / "workflows").glob("*.yml"):
        for ref in find_uses_refs(caller.read_text(encoding="utf-8")):
            assert ref.target.startswith(f"{repository_of(name)}/.github/workflows/"), ref
            assert ref.ref == tag, (caller.name, ref)


def test_repository_workflows_keep_the_contract() -> None:
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert {"ci.yml", "release.yml"} <= {p.name for p in workflows}
    for workflow in workflows:
        assert violations_of(workflow.read_text(encoding="utf-8")) == [], workflow.name
    assert "uses: ./.github/workflows/lint-workflows.yml" in (
        ROOT / ".github" / "workflows" / "ci.yml"
    ).read_text(encoding="utf-8")


def test_reusable_workflows_never_use_local_actions() -> None:
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        text = workflow.read_text(encoding="utf-8")
        if "workflow_call" not in text:
            continue
        for ref in find_uses_refs(text):
            assert not ref.target.startswith("./"), (workflow.name, ref)
        assert "./.github/actions" not in text, workflow.name


CALLER = """\
name: Caller
on: push
permissions: {}
jobs:
  drift:
    permissions:
      contents: read
      actions: write
      id-token: write
    uses: mlscaffold/mlscaffold/.github/workflows/drift.yml@v9.9.9
    with:
      python-version: "3.12"
      retrain-workflow: train.yml
    secrets:
      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
  report:
    needs: drift
    runs-on: ubuntu-latest
    steps:
      - run: echo "$DRIFT"
        env:
          DRIFT: ${{ needs.drift.outputs.drift-detected }}
  sync:
    permissions:
      contents: read
    uses: mlscaffold/mlscaffold/.github/workflows/template-sync.yml@v9.9.9
    secrets: inherit
"""


def test_contract_holds_for_a_correct_caller() -> None:
    assert violations_of(CALLER) == []


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "drift.yml@v9.9.9",
            "drifts.yml@v9.9.9",
            "calls mlscaffold/mlscaffold/.github/workflows/drifts.yml@v9.9.9, which is not a reusable workflow",
        ),
        (
            "retrain-workflow: train.yml",
            "retrain-workflows: train.yml",
            "`with: retrain-workflows` is not an input",
        ),
        (
            'python-version: "3.12"',
            "python-version: 3.12",
            "`with: python-version` is a number (3.12), but "
            "mlscaffold/mlscaffold/.github/workflows/drift.yml@v9.9.9 declares string",
        ),
        ("AWS_ACCESS_KEY_ID: ${{", "AWS_KEY: ${{", "secret `AWS_KEY` is not declared"),
        (
            "drift.outputs.drift-detected",
            "drift.outputs.drifted",
            "reads needs.drift.outputs.drifted, which drift lacks",
        ),
        ("    needs: drift\n", "", "reads needs.drift but does not need it"),
        (
            "      actions: write\n",
            "",
            "job drift: grants `actions: none`, but mlscaffold/mlscaffold/.github/workflows/drift.yml@v9.9.9 "
            "job retrain needs `actions: write`",
        ),
        (
            "    permissions:\n      contents: read\n    uses: mlscaffold/mlscaffold/.github/workflows/t",
            "    uses: mlscaffold/mlscaffold/.github/workflows/t",
            "job sync: grants `contents: none`, but",  # the workflow's `permissions: {}` applies
        ),
    ],
    ids=[
        "missing-callee",
        "unknown-input",
        "wrong-type",
        "undeclared-secret",
        "missing-output",
        "not-needed",
        "missing-permission",
        "workflow-permissions",
    ],
)
def test_contract_catches_a_broken_caller(old: str, new: str, message: str) -> None:
    assert old in CALLER
    found = violations_of(CALLER.replace(old, new, 1))
    assert len(found) == 1, found
    assert message in found[0]


def test_contract_catches_a_required_secret_not_passed() -> None:
    # No mlscaffold workflow requires a secret today (template sync ends with a notice without
    # one), so the callee here is a stand-in that does.
    callee = parse_callee(
        "on:\n  workflow_call:\n    secrets:\n      token:\n        required: true\n"
        "jobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n"
    )
    caller = "on: push\njobs:\n  sync:\n    uses: mlscaffold/mlscaffold/.github/workflows/sync.yml@v9.9.9\n"
    found = [str(v) for v in check_calls(caller, lambda _: callee, caller="caller.yml", is_ours=lambda _: True)]
    assert len(found) == 1, found
    assert (
        "required secret `token` of mlscaffold/mlscaffold/.github/workflows/sync.yml@v9.9.9 is not passed"
        in (found[0])
    )
    passed = caller + "    secrets:\n      token: ${{ secrets.T }}\n"
    assert check_calls(passed, lambda _: callee, caller="caller.yml", is_ours=lambda _: True) == []


def test_contract_catches_a_missing_required_input_and_a_bad_action_input() -> None:
    callee = parse_callee(
        "on:\n  workflow_call:\n    inputs:\n      need:\n        type: number\n        required: true\n"
    )
    assert "need" in callee.inputs
    text = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: mlscaffold/mlscaffold/.github/actions/setup-project@v1
        with:
          python-versions: "3.12"
      - uses: mlscaffold/mlscaffold/.github/actions/no-such-action@v1
"""
    found = violations_of(text)
    assert found == [
        "caller.yml: job build: `with: python-versions` is not an input of "
        "mlscaffold/mlscaffold/.github/actions/setup-project@v1",
        "caller.yml: job build: uses mlscaffold/mlscaffold/.github/actions/no-such-action@v1, "
        "which is not an action",
    ]
    required = check_calls(
        "on: push\njobs:\n  a:\n    uses: o/r/.github/workflows/x.yml@v1\n    with:\n      need: true\n",
        lambda _uses: callee,
        caller="c.yml",
        is_ours=lambda _uses: True,
    )
    assert [v.message for v in required] == [
        "`with: need` is a boolean (True), but o/r/.github/workflows/x.yml@v1 declares number"
    ]
    missing = check_calls(
        "on: push\njobs:\n  a:\n    uses: o/r/.github/workflows/x.yml@v1\n",
        lambda _uses: callee,
        caller="c.yml",
        is_ours=lambda _uses: True,
    )
    assert [v.message for v in missing] == [
        "required input `need` of o/r/.github/workflows/x.yml@v1 is not given"
    ]


def test_parse_callee_refuses_a_workflow_that_cannot_be_called() -> None:
    with pytest.raises(ValueError, match="not a reusable workflow"):
        parse_callee("on: push\njobs: {}\n")


def lowered(job: dict[str, Any], scope: str, level: str) -> dict[str, Any]:
    """Return JOB granting SCOPE one level below LEVEL (write -> read, read -> nothing)."""
    permissions = dict(job["permissions"])
    if level == "write":
        permissions[scope] = "read"
    else:
        permissions.pop(scope, None)
    return {**job, "permissions": permissions}


@pytest.mark.parametrize("name", list(WORKFLOW_COMBINATIONS))
def test_generated_callers_grant_what_the_callees_need_and_a_lowered_grant_fails(
    workflow_projects: dict[str, Path], name: str
) -> None:
    repository = repository_of(name)
    resolve = resolver_for(repository)
    lowered_grants = []
    for caller in sorted((workflow_projects[name] / ".github" / "workflows").glob("*.yml")):
        data = load_text(caller.read_text(encoding="utf-8"))
        for job_name, job in data["jobs"].items():
            callee = resolve(job.get("uses", ""))
            if callee is None:
                continue
            assert "permissions" in job, (
                caller.name,
                job_name,
            )  # least privilege: every call says what it gives
            for scope, (level, _) in callee.permissions.items():
                broken = {**data, "jobs": {**data["jobs"], job_name: lowered(job, scope, level)}}
                found = violations_of(json.dumps(broken, default=str), repository)
                assert len(found) == 1, (caller.name, job_name, scope, found)
                assert (
                    f"job {job_name}: grants `{scope}: " in found[0] and f"needs `{scope}: {level}`" in found[0]
                )
                lowered_grants.append(f"{caller.name}:{job_name}:{scope}")
    # Every caller's needs were lowered once, the drift caller's dispatch of retraining among them.
    assert "drift.yml:drift:actions" in lowered_grants, lowered_grants
    assert "deploy.yml:staging:packages" in lowered_grants, lowered_grants


def test_needed_permissions_follow_github_inheritance() -> None:
    callee = parse_callee(
        "on: workflow_call\npermissions:\n  contents: read\njobs:\n"
        "  a:\n    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n"
        "  b:\n    permissions:\n      contents: write\n      id-token: write\n"
        "    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n"
        "  c:\n    permissions: read-all\n    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n"
    )
    assert callee.permissions == {"contents": ("write", "b"), "id-token": ("write", "b"), "*": ("read", "c")}

    def check(grants: str) -> list[str]:
        text = f"on: push\n{grants}jobs:\n  x:\n    uses: o/r/.github/workflows/x.yml@v1\n"
        return [v.message for v in check_calls(text, lambda _: callee, caller="c.yml", is_ours=lambda _: True)]

    assert check("permissions: write-all\n") == []
    assert check("permissions: read-all\n") == [
        "grants `contents: read`, but o/r/.github/workflows/x.yml@v1 job b needs `contents: write`",
        "grants `id-token: read`, but o/r/.github/workflows/x.yml@v1 job b needs `id-token: write`",
    ]
    assert check("permissions:\n  contents: write\n  id-token: write\n") == [
        "grants `actions: none`, but o/r/.github/workflows/x.yml@v1 job c asks for `read-all`"
    ]
    assert check("") == []  # no `permissions:` anywhere: the repository's default, which no file shows
