"""`mlscaffold check`: audit any repository against the ML project standard.

Rules live in `rules/`, one class per rule in repo-review's shape (see `_rule.py`);
`run_checks` returns a `CheckReport` and `render` turns it into text, JSON,
GitHub annotations or Markdown. The JSON format is described by
`report.schema.json`, shipped in this package.
"""

from __future__ import annotations

from mlscaffold.check._config import CheckConfig, read_config
from mlscaffold.check._model import CheckReport, Family, Finding, IgnoredRule, RuleResult, Severity, Status
from mlscaffold.check._render import FORMATS, SCHEMA_VERSION, render, report_to_dict
from mlscaffold.check._rule import FAMILIES, Rule, describe, fix_text, rule_id
from mlscaffold.check._runner import run_checks
from mlscaffold.check.rules import ALL_RULES

__all__ = [
    "ALL_RULES",
    "FAMILIES",
    "FORMATS",
    "SCHEMA_VERSION",
    "CheckConfig",
    "CheckReport",
    "Family",
    "Finding",
    "IgnoredRule",
    "Rule",
    "RuleResult",
    "Severity",
    "Status",
    "describe",
    "fix_text",
    "read_config",
    "render",
    "report_to_dict",
    "rule_id",
    "run_checks",
]
