"""Run the rules over a repository and return the report (never prints, never raises for content)."""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from mlscaffold.check._config import matches, read_config, validate_selectors
from mlscaffold.check._fixtures import FixtureCache
from mlscaffold.check._model import CheckReport, Finding, IgnoredRule, RuleResult, Severity, Status
from mlscaffold.check._rule import FAMILIES, Rule, describe, fix_text, rule_id
from mlscaffold.check.rules import ALL_RULES
from mlscaffold.errors import NotARepositoryError
from mlscaffold.git import is_work_tree

__all__ = ["run_checks"]


def _chosen(
    rules: Sequence[type[Rule]], select: Sequence[str], ignore: dict[str, str]
) -> tuple[list[type[Rule]], list[IgnoredRule]]:
    chosen, ignored = [], []
    for rule in rules:
        if select and not any(matches(rule, s) for s in select):
            continue
        reason = next((r for s, r in ignore.items() if matches(rule, s)), None)
        if reason is None:
            chosen.append(rule)
        else:
            ignored.append(IgnoredRule(rule_id(rule), reason))
    return chosen, ignored


def _result(rule: type[Rule], outcome: object) -> RuleResult:
    name, family, description = rule_id(rule), rule.family, describe(rule)
    url = rule.url.format(self=rule, name=name)
    if outcome is None:
        return RuleResult(name, family, description, Status.SKIPPED, url=url)
    if outcome is True or outcome == "":
        return RuleResult(name, family, description, Status.PASSED, url=url)
    status = Status.WARNING if rule.severity is Severity.WARNING else Status.FAILED
    message = outcome if isinstance(outcome, str) else fix_text(rule)
    path = outcome.path if isinstance(outcome, Finding) else None
    line = outcome.line if isinstance(outcome, Finding) else None
    missing = outcome.missing if isinstance(outcome, Finding) else None
    return RuleResult(name, family, description, status, str(message), path, line, url, missing)


def _run_one(rule: type[Rule], fixtures: FixtureCache) -> RuleResult:
    try:
        return _result(rule, fixtures.call(getattr(rule, "check")))  # noqa: B009 - subclasses define check
    # One broken rule must not stop the audit or show a traceback: it is reported and skipped.
    except Exception as error:  # noqa: BLE001
        message = (
            f"{rule_id(rule)} could not run ({type(error).__name__}: {error}). This is a bug in "
            "mlscaffold: please report it with the file that caused it."
        )
        return RuleResult(rule_id(rule), rule.family, describe(rule), Status.SKIPPED, message)


def _once_per_missing_path(results: Sequence[RuleResult]) -> tuple[RuleResult, ...]:
    """Report each missing file once: the first rule (in RESULTS' order) that found it missing owns it.

    A later rule failing only because the same path is missing is skipped, naming the owner.
    A warning never absorbs a failure (that would turn a failed run into a passing one).
    """
    owners: dict[str, RuleResult] = {}
    kept = []
    for result in results:
        owner = owners.get(result.missing) if result.missing else None
        if result.missing is None or result.status not in (Status.FAILED, Status.WARNING):
            kept.append(result)
        elif owner is not None and (owner.status is Status.FAILED or result.status is Status.WARNING):
            message = f"Skipped: `{result.missing}` is missing (reported by {owner.id})."
            kept.append(replace(result, status=Status.SKIPPED, message=message, path=None, line=None))
        else:
            owners[result.missing] = result
            kept.append(result)
    return tuple(kept)


def run_checks(
    root: Path,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    rules: Sequence[type[Rule]] = ALL_RULES,
) -> CheckReport:
    """Audit the repository at ROOT with RULES and return one result per rule run.

    SELECT (from the command line) replaces the configured selection; IGNORE adds to the
    configured ignores. Raise `NotARepositoryError` when ROOT is not in a git work tree and
    `CheckConfigError` when the configuration or a selector is malformed.
    """
    root = root.resolve() if root.exists() else root
    if not is_work_tree(root):
        raise NotARepositoryError(
            f"{root} is not a git repository: run `mlscaffold check` in one (or `git init` first)."
        )
    fixtures = FixtureCache(root)
    config = read_config(fixtures.get("pyproject"), rules)
    select, ignore = tuple(select), tuple(ignore)
    validate_selectors(select, rules, "--select")
    validate_selectors(ignore, rules, "--ignore")
    ignores = {**config.ignore, **{selector: "" for selector in ignore if selector not in config.ignore}}
    chosen, ignored = _chosen(rules, select or config.select, ignores)
    by_id = {rule_id(rule): rule for rule in chosen}
    graph = {name: {r for r in rule.requires if r in by_id} for name, rule in by_id.items()}
    results: dict[str, RuleResult] = {}
    for name in graphlib.TopologicalSorter(graph).static_order():
        rule = by_id[name]
        blocking = sorted(r for r in graph[name] if results[r].status is not Status.PASSED)
        if blocking:
            message = f"Skipped until {', '.join(blocking)} passes: fix that first."
            results[name] = RuleResult(name, rule.family, describe(rule), Status.SKIPPED, message)
        else:
            results[name] = _run_one(rule, fixtures)
    families = tuple(sorted({FAMILIES[r.family] for r in chosen}, key=lambda f: f.order))
    ordered = _once_per_missing_path([results[rule_id(rule)] for rule in chosen])
    return CheckReport(str(root), families, ordered, tuple(ignored))
