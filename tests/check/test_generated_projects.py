"""A repository generated with any answers passes every rule of `mlscaffold check`."""

from __future__ import annotations

import re
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
    # The scoping draft (MLS103) is ignored until the team fills it in: a fresh project's CI is green.
    expected = {"MLS103"}
    expected |= {"MLS205"} if data.get("dvc_remote") == "none" else set()
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


def test_untouched_scoping_draft_fails_mls103_once_its_ignore_line_is_deleted(
    generated_project: Path,
) -> None:
    pyproject = generated_project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    (line,) = [line for line in text.splitlines() if line.startswith("MLS103 =")]
    assert "fill it in, then delete this line" in line
    scoping = generated_project / "docs" / "scoping.md"
    assert "delete that line" in scoping.read_text(encoding="utf-8").split("## ", 1)[0]
    pyproject.write_text(text.replace(line + "\n", ""), encoding="utf-8")

    results = {r.id: r for r in run_checks(generated_project).results}
    assert results["MLS103"].status is Status.FAILED
    assert "Section 'Success metrics' still holds the placeholder `to be agreed`" in results["MLS103"].message

    # Filled in by the team: people named, dates agreed.
    draft = scoping.read_text(encoding="utf-8")
    filled = draft.replace("to be agreed with the business owner", "5% fewer churned customers")
    filled = filled.replace("| to be named |", "| Ana Ortiz |").replace("| to be agreed |", "| 2027-03-01 |")
    assert not re.search(
        r"\bto be (named|agreed)", re.sub(r"<!--.*?-->", "", filled, flags=re.DOTALL)
    )  # comments are not read
    scoping.write_text(filled, encoding="utf-8")
    results = {r.id: r for r in run_checks(generated_project).results}
    assert results["MLS103"].status is Status.PASSED, results["MLS103"].message
    # One blank left is enough to fail.
    scoping.write_text(filled.replace("| Ana Ortiz |", "| to be named |", 1), encoding="utf-8")
    results = {r.id: r for r in run_checks(generated_project).results}
    assert results["MLS103"].status is Status.FAILED
    assert "Section 'Roles' still holds the placeholder `to be named`" in results["MLS103"].message
