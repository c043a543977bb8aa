"""`mlscaffold versions`: a template's versions, and the one a project is on.

The default template's versions are those in the bundle (offline). A project
made from another template lists that template's version tags: read in place
for a local repository, with `git ls-remote` for a remote one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlscaffold.answers_file import read_project_answers
from mlscaffold.origin import open_origin
from mlscaffold.template import CANONICAL_URL

__all__ = ["VersionsReport", "list_template_versions"]


@dataclass(frozen=True)
class VersionsReport:
    """A template's versions, and where the project at hand stands among them."""

    versions: tuple[str, ...]
    project: Path | None
    current: str | None
    foreign_source: str | None
    newest: str | None = None

    @property
    def is_behind(self) -> bool:
        """Tell whether the project is on an older version than the newest."""
        return self.current is not None and self.current != self.newest and self.current in self.versions


def list_template_versions(project: Path | None = None) -> VersionsReport:
    """Return the versions of PROJECT's template (the default one without a project) and its version."""
    recorded = read_project_answers(project) if project is not None else None
    source = recorded.src_path if recorded is not None and recorded.src_path else CANONICAL_URL
    with open_origin(source, render=False) as origin:
        versions, newest = origin.versions, origin.newest
    if recorded is None:
        return VersionsReport(versions, None, None, None, newest)
    foreign = None if source == CANONICAL_URL else source
    return VersionsReport(versions, project, recorded.commit, foreign, newest)
