"""A repository generated with any answers passes every rule of `mlscaffold check`."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest

from mlscaffold.check import Status, rule_id, run_checks
from mlscaffold.check.rules import ALL_RULES
from mlscaffold.generate import create_project

from support.git_worlds import TEMPLATE_COMBINATIONS


@pytest.mark.parametrize("data", list(TEMPLATE_COMBINATIONS.values()), ids=list(TEMPLATE_COMBINATIONS))
def test_generated_project_passes_every_rule(
    tmp_path: Path, template_bundle: Path, newest_version: str, data: dict[str, Any]
) -> None:
    project = tmp_path / "churn-model"
    create_project(project, data={k: str(v) for k, v in data.items()}, use_defaults=True)
    report = run_checks(project)
    failing = {r.id: r.message for r in report.results if r.status is not Status.PASSED}
    assert failing == {}
    # Rules the project opts out of are recorded with a reason, and only where its answers call for it.
    expected = {"MLS205"} if data.get("dvc_remote") == "none" else set()
    expected |= {"MLS403"} if data.get("deployment") == "batch" else set()
    assert {ignored.id for ignored in report.ignored} == expected
    assert all(ignored.reason for ignored in report.ignored)


def test_every_file_a_rule_audits_is_one_the_template_writes(tmp_path: Path, template_bundle: Path) -> None:
    # The docs' "which rules audit this file" column comes from `audits`: a glob that matches
    # nothing the template writes would silently drop a rule from it.
    project = tmp_path / "churn-model"
    data = TEMPLATE_COMBINATIONS["everything-on"]
    create_project(project, data={k: str(v) for k, v in data.items()}, use_defaults=True)
    files = [
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file() and path.relative_to(project).parts[0] != ".git"
    ]
    unmatched = [
        f"{rule_id(rule)}: {glob}"
        for rule in ALL_RULES
        for glob in rule.audits
        if not any(fnmatch(file, glob) for file in files)
    ]
    assert unmatched == []
    assert all(rule.audits for rule in ALL_RULES if rule_id(rule) != "MLS603")  # MLS603 reads every file
