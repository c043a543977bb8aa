"""Which rules run: `[tool.mlscaffold.check]` in pyproject.toml, and `--select` / `--ignore`.

    [tool.mlscaffold.check]
    select = ["MLS1", "container"]        # optional: IDs, ID prefixes or family keys
    ignore = { MLS205 = "data stays on the lab's machine by design" }

Every ignored rule needs a reason, so the exception is recorded where it is made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlscaffold.check._rule import FAMILIES, Rule, rule_id
from mlscaffold.errors import CheckConfigError

__all__ = ["CheckConfig", "matches", "read_config", "validate_selectors"]

TABLE = "[tool.mlscaffold.check]"


@dataclass(frozen=True)
class CheckConfig:
    """SELECT (empty: every rule) and IGNORE (selector: reason) as configured."""

    select: tuple[str, ...] = ()
    ignore: Mapping[str, str] = field(default_factory=dict)


def matches(rule: type[Rule], selector: str) -> bool:
    """Tell whether SELECTOR names RULE: its ID, a prefix of its ID (`MLS1`), or its family key."""
    name = rule_id(rule)
    return selector == rule.family or name.startswith(selector.upper())


def validate_selectors(selectors: Iterable[str], rules: Sequence[type[Rule]], where: str) -> None:
    """Raise `CheckConfigError` for a selector that names no rule."""
    for selector in selectors:
        if not selector or not any(matches(rule, selector) for rule in rules):
            families = ", ".join(FAMILIES)
            raise CheckConfigError(
                f"{where}: {selector!r} names no rule; use a rule ID (MLS101), an ID prefix (MLS1) "
                f"or a family ({families})."
            )


def read_config(pyproject: Mapping[str, Any], rules: Sequence[type[Rule]]) -> CheckConfig:
    """Return the `[tool.mlscaffold.check]` settings of PYPROJECT; raise `CheckConfigError` when malformed."""
    tool = pyproject.get("tool")
    mlscaffold = tool.get("mlscaffold") if isinstance(tool, dict) else None
    table = mlscaffold.get("check") if isinstance(mlscaffold, dict) else None
    if table is None:
        return CheckConfig()
    if not isinstance(table, dict):
        raise CheckConfigError(f"{TABLE} in pyproject.toml must be a table: fix it.")
    unknown = sorted(set(table) - {"select", "ignore"})
    if unknown:
        raise CheckConfigError(
            f"{TABLE} has unknown key {unknown[0]!r}: only `select` and `ignore` are read; fix pyproject.toml."
        )
    select = table.get("select", [])
    if not isinstance(select, list) or not all(isinstance(s, str) for s in select):
        raise CheckConfigError(
            f'{TABLE} select must be a list of rule IDs or families, like select = ["MLS1"].'
        )
    ignore = table.get("ignore", {})
    if not isinstance(ignore, dict):
        raise CheckConfigError(
            f'{TABLE} ignore must give a reason per rule, like ignore = {{ MLS205 = "why it does not apply" }}.'
        )
    for selector, reason in ignore.items():
        if not isinstance(reason, str) or not reason.strip():
            raise CheckConfigError(
                f'{TABLE} ignore.{selector} needs a reason: write {selector} = "why it does not apply here".'
            )
    validate_selectors(select, rules, f"{TABLE} select")
    validate_selectors(ignore, rules, f"{TABLE} ignore")
    return CheckConfig(tuple(select), {str(k): str(v).strip() for k, v in ignore.items()})
