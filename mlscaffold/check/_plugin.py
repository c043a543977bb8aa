"""repo-review entry points, so `repo-review` (and sp-repo-review users) get mlscaffold's rules.

repo-review calls these with its own fixtures: `root` is the repository as a
Traversable. mlscaffold's rules read a local checkout (they use git), so only a
local path gives meaningful results. repo-review runs every rule itself, so
the runner's "one missing file, one finding" does not apply there: a missing
`Dockerfile` is reported by MLS401, MLS402 and MLS403 alike (`requires` is
honoured by repo-review too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlscaffold.check._repo import RepoView
from mlscaffold.check._rule import FAMILIES, Rule, rule_id
from mlscaffold.check.rules import ALL_RULES

__all__ = ["ml_repo", "repo_review_checks", "repo_review_families"]


def ml_repo(root: Any) -> RepoView:
    """Fixture: the repository under review (a local directory)."""
    return RepoView(Path(str(root)))


def repo_review_checks() -> dict[str, Rule]:
    """Return every rule, by ID, as repo-review expects."""
    return {rule_id(rule): rule() for rule in ALL_RULES}


def repo_review_families() -> dict[str, dict[str, Any]]:
    """Return the families' display names, order and descriptions."""
    return {
        key: {"name": family.name, "order": 100 + family.order, "description": family.description}
        for key, family in FAMILIES.items()
    }
