"""Template sync: the project records its template version and keeps up with it (MLS7xx)."""

from __future__ import annotations

from mlscaffold.answers import ANSWERS_FILE
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

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Keep the project on the newest template: `mlscaffold upgrade` merges what changed
        since the recorded version (conflicts are listed, nothing is lost). A repository that
        did not come from mlscaffold can adopt it by generating a project with `mlscaffold new`
        and moving its code in. This rule only warns.
        """
        if not ml_repo.is_file(ANSWERS_FILE):
            return cls.fail(f"`{ANSWERS_FILE}` is missing: no template version is recorded.")
        if not isinstance(load_yaml(ml_repo.text(ANSWERS_FILE)), dict):
            unreadable = ml_repo.invalid(ANSWERS_FILE, "a YAML mapping")
            return cls.fail(f"{unreadable} Restore it with `git checkout -- {ANSWERS_FILE}`.", ANSWERS_FILE)
        detail = _out_of_date(ml_repo)
        return cls.fail(detail, ANSWERS_FILE) if detail else True


def _out_of_date(ml_repo: RepoView) -> str | None:
    """Say how the recorded template version falls short, or None when it is the newest."""
    from mlscaffold.versions import list_template_versions

    try:
        report = list_template_versions(ml_repo.root)
    except MlscaffoldError as error:
        return str(error)
    if report.foreign_source is not None:
        return f"`{ANSWERS_FILE}` records another template ({report.foreign_source})."
    if report.current is None:
        return f"`{ANSWERS_FILE}` records no template version (`_commit`)."
    if report.current not in report.versions:
        return f"The project is on {report.current}, which this mlscaffold does not ship: install a newer one."
    if report.is_behind:
        return f"The project is on {report.current}; {report.newest} is available."
    return None
