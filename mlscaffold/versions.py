"""`mlscaffold versions`: the default template's versions available offline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlscaffold.answers import read_project_answers
from mlscaffold.bundle import list_versions
from mlscaffold.template import CANONICAL_URL, bundled_template

__all__ = ["VersionsReport", "list_template_versions"]


@dataclass(frozen=True)
class VersionsReport:
    """The bundled versions, and where the project at hand stands among them."""

    versions: tuple[str, ...]
    project: Path | None
    current: str | None
    foreign_source: str | None

    @property
    def newest(self) -> str | None:
        """Return the newest available version."""
        return self.versions[-1] if self.versions else None

    @property
    def is_behind(self) -> bool:
        """Tell whether the project is on an older version than the newest."""
        return self.current is not None and self.current != self.newest and self.current in self.versions


def list_template_versions(project: Path | None = None) -> VersionsReport:
    """Return the offline versions and, when PROJECT was generated from them, its version."""
    with bundled_template() as bundle:
        versions = tuple(list_versions(bundle))
    recorded = read_project_answers(project) if project is not None else None
    if recorded is None:
        return VersionsReport(versions, None, None, None)
    if recorded.src_path != CANONICAL_URL:
        return VersionsReport(versions, project, None, recorded.src_path or "unknown")
    return VersionsReport(versions, project, recorded.commit, None)
