"""Template sync: the project records its template version and keeps up with it (MLS7xx)."""

from __future__ import annotations

from typing import Any

from mlscaffold.answers_file import ANSWERS_FILE
from mlscaffold.check._model import Severity
from mlscaffold.check._parse import load_yaml
from mlscaffold.check._repo import RepoView
from mlscaffold.check._rule import Rule
from mlscaffold.errors import MlscaffoldError

__all__ = ["MLS701"]


class Sync(Rule):
    """Template sync rules."""

    family = "sync"
    severity = Severity.WARNING


class MLS701(Sync):
    """Template answers recorded and not behind the newest template version"""

    audits = (".copier-answers.yml",)

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Keep the project on the newest template: `mlscaffold upgrade` merges what changed
        since the recorded version (conflicts are listed, nothing is lost), from mlscaffold's
        template or your own. A repository no template made comes under one with
        `mlscaffold adopt`. This rule only warns.
        """
        if not ml_repo.is_file(ANSWERS_FILE) and ml_repo.outside(ANSWERS_FILE) is None:
            absent = f"`{ANSWERS_FILE}` is missing: no template version is recorded."
            return cls.fail(absent, missing=ml_repo.missing(ANSWERS_FILE))
        # Read through the repository guard (never `answers_file.read_project_answers`, which
        # would follow a symlink out of the repository).
        data = load_yaml(ml_repo.text(ANSWERS_FILE))
        if not isinstance(data, dict):
            unreadable = ml_repo.invalid(ANSWERS_FILE, "a YAML mapping")
            return cls.fail(f"{unreadable} Restore it with `git checkout -- {ANSWERS_FILE}`.", ANSWERS_FILE)
        detail = _out_of_date(data)
        return cls.fail(detail, ANSWERS_FILE) if detail else True


def _out_of_date(answers: dict[str, Any]) -> str | None:
    """Say how the template version recorded in ANSWERS falls short, or None when it is the newest."""
    from mlscaffold.origin import open_origin
    from mlscaffold.template import CANONICAL_URL, is_remote

    source, current = answers.get("_src_path"), answers.get("_commit")
    if not source or current is None:
        missing = "template (`_src_path`)" if not source else "template version (`_commit`)"
        return f"`{ANSWERS_FILE}` records no {missing}."
    source, current = str(source), str(current)
    if source != CANONICAL_URL and is_remote(source):
        # Auditing must not make this machine reach an address a repository names.
        return (
            f"The project comes from {source}: `mlscaffold upgrade --check` compares {current} with its tags."
        )
    try:
        with open_origin(source, render=False) as origin:
            versions, newest = origin.versions, origin.newest
    except MlscaffoldError as error:
        return str(error)
    ships = (
        "this mlscaffold does not ship: install a newer one"
        if source == CANONICAL_URL
        else "its template lacks"
    )
    if current not in versions:
        return f"The project is on {current}, which {ships}."
    if newest is not None and current != newest:
        return f"The project is on {current}; {newest} is available."
    return None
