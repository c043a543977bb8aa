"""Every rule of `mlscaffold check`, in family and ID order."""

from __future__ import annotations

from mlscaffold.check._rule import FAMILIES, RULE_ID, Rule, rule_id
from mlscaffold.check.rules import _ci, _container, _docs, _security, _sync, _testing, _versioning

__all__ = ["ALL_RULES"]

_MODULES = (_docs, _versioning, _testing, _container, _ci, _security, _sync)


def _collect() -> tuple[type[Rule], ...]:
    found = [
        value
        for module in _MODULES
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Rule) and RULE_ID.match(value.__name__)
    ]
    return tuple(sorted(set(found), key=lambda rule: (FAMILIES[rule.family].order, rule_id(rule))))


ALL_RULES: tuple[type[Rule], ...] = _collect()
