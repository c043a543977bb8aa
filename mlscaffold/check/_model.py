"""The data a check run returns: one result per rule, grouped by family, and the report."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = [
    "CheckReport",
    "Family",
    "Finding",
    "IgnoredRule",
    "RuleResult",
    "Severity",
    "Status",
]


class Status(str, enum.Enum):
    """What happened to one rule."""

    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"
    SKIPPED = "skipped"


class Severity(str, enum.Enum):
    """How a rule that does not pass counts: a failure fails the run, a warning never does."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Family:
    """A group of rules shown together, in ORDER."""

    key: str
    name: str
    description: str
    order: int


class Finding(str):
    """A failure message that also says where the problem is.

    A `str` subclass, so a rule returning one still speaks repo-review's
    protocol (a string is a failure message); mlscaffold's own runner reads
    PATH and LINE for annotations, and MISSING (the file or folder the rule
    found missing, when that is why it failed) to report one missing file once.
    """

    path: str | None
    line: int | None
    missing: str | None

    def __new__(
        cls, message: str, path: str | None = None, line: int | None = None, *, missing: str | None = None
    ) -> Finding:
        """Make a message located at PATH (relative to the repository) and LINE (1-based)."""
        self = super().__new__(cls, message)
        self.path = path
        self.line = line
        self.missing = missing
        return self


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule: MESSAGE (Markdown) says what is wrong and how to fix it.

    MISSING names the file or folder whose absence made the rule fail, or (when skipped)
    the one an earlier rule already reported missing.
    """

    id: str
    family: str
    description: str
    status: Status
    message: str = ""
    path: str | None = None
    line: int | None = None
    url: str = ""
    missing: str | None = None


@dataclass(frozen=True)
class IgnoredRule:
    """A rule left out of the run, with the reason given in the configuration (empty from the CLI)."""

    id: str
    reason: str


@dataclass(frozen=True)
class CheckReport:
    """Everything a check run found, in family order."""

    root: str
    families: tuple[Family, ...]
    results: tuple[RuleResult, ...]
    ignored: tuple[IgnoredRule, ...] = field(default=())

    def count(self, status: Status) -> int:
        """Return how many rules ended with STATUS."""
        return sum(1 for result in self.results if result.status is status)

    @property
    def has_failures(self) -> bool:
        """Tell whether any rule failed (warnings do not count)."""
        return self.count(Status.FAILED) > 0

    def in_family(self, key: str) -> tuple[RuleResult, ...]:
        """Return the results of the family KEY, in rule order."""
        return tuple(result for result in self.results if result.family == key)
