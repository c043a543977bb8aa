"""Every rule passes on a repository that meets the standard and fails on one edit that breaks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlscaffold.check import ALL_RULES, CheckReport, Status, fix_text, rule_id, run_checks

from support.check_repos import Breakage, breakages, commit_all, write_files

RULE_IDS = [rule_id(rule) for rule in ALL_RULES]
BREAKAGES = {b.rule: b for b in breakages("vX")}


def not_passed(report: CheckReport) -> dict[str, Status]:
    return {r.id: r.status for r in report.results if r.status is not Status.PASSED}


def test_rules_have_stable_ids_descriptions_and_fixes() -> None:
    assert sorted(RULE_IDS, key=lambda i: (i[3], i)) == RULE_IDS
    assert len(RULE_IDS) >= 25
    assert len(set(RULE_IDS)) == len(RULE_IDS)
    for rule in ALL_RULES:
        assert rule.__doc__ and "\n" not in rule.__doc__.strip(), rule
        assert len(fix_text(rule)) > 60, rule
        assert rule_id(rule)[3] == str(
            ["scoping", "versioning", "testing", "container", "ci", "security", "sync"].index(rule.family) + 1
        )


def test_every_rule_has_a_failing_fixture() -> None:
    assert sorted(BREAKAGES) == RULE_IDS


def test_good_repository_passes_every_rule(good_repo: Path) -> None:
    report = run_checks(good_repo)
    assert [r.id for r in report.results] == RULE_IDS
    assert not_passed(report) == {}
    assert not report.has_failures


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_fails_on_its_breaking_fixture(good_repo: Path, newest_version: str, rule: str) -> None:
    breakage: Breakage = {b.rule: b for b in breakages(newest_version)}[rule]
    write_files(good_repo, breakage.files)
    commit_all(good_repo)
    report = run_checks(good_repo)
    failing = not_passed(report)
    assert set(failing) == {rule} | breakage.also
    result = next(r for r in report.results if r.id == rule)
    expected = Status.WARNING if rule == "MLS701" else Status.FAILED
    assert result.status is expected
    rule_class = next(r for r in ALL_RULES if rule_id(r) == rule)
    assert fix_text(rule_class) in result.message


def test_empty_repository_fails_every_rule_with_its_fix(tmp_path: Path) -> None:
    from support.check_repos import make_repo

    report = run_checks(make_repo(tmp_path / "empty", {}, commit=False))
    # Only rules that look for something that must be absent pass in a repository with nothing.
    absent_is_good = {"MLS204", "MLS603"}
    owners: dict[str, str] = {}
    for result, rule in zip(report.results, ALL_RULES, strict=True):
        if result.id in absent_is_good:
            assert result.status is Status.PASSED
            continue
        if rule.requires:
            assert result.status is Status.SKIPPED, result
            assert result.message == f"Skipped until {', '.join(sorted(rule.requires))} passes: fix that first."
            continue
        if result.missing in owners:
            assert result.status is Status.SKIPPED, result
            owner = owners[result.missing]
            assert result.message == f"Skipped: `{result.missing}` is missing (reported by {owner})."
            continue
        if result.missing:
            owners[result.missing] = result.id
        assert result.status is (Status.WARNING if rule.family == "sync" else Status.FAILED), result
        assert fix_text(rule) in result.message
        assert result.message.index(fix_text(rule)) > 0, "a detail precedes the fix"
    assert report.has_failures


@pytest.mark.parametrize(
    ("cause", "rule"),
    [("`docs/scoping.md`", "MLS101"), ("`.dvc/config`", "MLS201"), ("No `.github/workflows/", "MLS501")],
)
def test_one_missing_file_is_reported_once(tmp_path: Path, cause: str, rule: str) -> None:
    from support.check_repos import make_repo

    report = run_checks(make_repo(tmp_path / "empty", {}, commit=False))
    saying = [r.id for r in report.results if r.status is Status.FAILED and cause in r.message.split("\n\n")[0]]
    assert saying == [rule]


def test_a_rule_runs_when_the_one_it_builds_on_is_ignored(tmp_path: Path) -> None:
    from support.check_repos import make_repo

    report = run_checks(make_repo(tmp_path / "empty", {}, commit=False), ignore=["MLS101"])
    status = {r.id: r.status for r in report.results}
    assert "MLS101" not in status
    assert status["MLS102"] is Status.FAILED
