"""repo-review entry points, so `repo-review` (and sp-repo-review users) get mlscaffold's rules.

repo-review calls these with its own fixtures: `root` is the repository as a
Traversable. mlscaffold's rules read a local checkout (they use git), so only a
local path gives meaningful results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlscaffold.check import _fixtures
from mlscaffold.check._repo import RepoView
from mlscaffold.check._rule import FAMILIES, Rule, rule_id
from mlscaffold.check.rules import ALL_RULES

__all__ = ["repo_review_checks", "repo_review_families", "repo_review_fixtures"]


def ml_repo(root: Any) -> RepoView:
    """Fixture: the repository under review (a local directory)."""
    return RepoView(Path(str(root)))


# repo-review resolves fixtures by name from one entry point per fixture.
repo_review_fixtures = {
    "ml_repo": ml_repo,
    "workflows": _fixtures.workflows,
    "actions": _fixtures.actions,
    "test_files": _fixtures.test_files,
}


def repo_review_checks() -> dict[str, Rule]:
    """Return every rule, by ID, as repo-review expects."""
    return {rule_id(rule): rule() for rule in ALL_RULES}


def repo_review_families() -> dict[str, dict[str, Any]]:
    """Return the families' display names, order and descriptions."""
    return {
        key: {"name": family.name, "order": 100 + family.order, "description": family.description}
        for key, family in FAMILIES.items()
    }
