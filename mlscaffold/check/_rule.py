"""The shape of a rule (repo-review's): one class per rule, named by its ID.

The class docstring is the rule's one-line description; the docstring of its
`check()` is the failure message in Markdown and says how to fix it. `check()`
takes fixtures by parameter name (see `_fixtures.py`) and returns True (pass),
False (fail with the docstring), a string (fail with that message: use
`fail()` so the fix is included, with `missing=PATH` when the file it audits
does not exist, so the runner reports that file once) or None (skipped).
`requires` names rules that must pass before this one runs; `audits` names the
files it reads (globs over repository paths), from which the docs say which
rules audit a file.
"""

from __future__ import annotations

import inspect
import re
from typing import ClassVar

from mlscaffold.check._model import Family, Finding, Severity

__all__ = ["FAMILIES", "RULES_URL", "Rule", "describe", "fix_text", "rule_id"]

RULES_URL = "https://github.com/mlscaffold/mlscaffold/blob/main/docs/rules.md"
RULE_ID = re.compile(r"^MLS\d{3}$")

FAMILIES: dict[str, Family] = {
    family.key: family
    for family in (
        Family("scoping", "Scoping", "The project says what it is for, how it is run and by whom.", 1),
        Family("versioning", "Data and model versioning", "Data, models and the pipeline are versioned.", 2),
        Family("testing", "Testing", "Tests cover the data, the model and the prediction interface.", 3),
        Family("container", "Container", "The serving image is small, non-root and observable.", 4),
        Family("ci", "CI/CD", "Workflows are present, least-privileged and pinned.", 5),
        Family(
            "security", "Security and hygiene", "Secrets and large files stay out; the code is licensed.", 6
        ),
        Family("sync", "Template sync", "The project keeps up with the template it came from.", 7),
    )
}


class Rule:
    """Base of every rule; subclasses set `family` and implement `check()`."""

    family: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    requires: ClassVar[frozenset[str]] = frozenset()
    audits: ClassVar[tuple[str, ...]] = ()
    url: ClassVar[str] = RULES_URL + "#{name}"

    @classmethod
    def fail(
        cls, detail: str, path: str | None = None, line: int | None = None, *, missing: str | None = None
    ) -> Finding:
        """Return a failure: DETAIL (what is wrong here) followed by the rule's fix.

        MISSING names the file or folder the rule found missing when that is the whole
        failure (never for a file that is there but unreadable or malformed): a later rule
        failing for the same missing path is then skipped, naming this one.
        """
        return Finding(f"{detail}\n\n{fix_text(cls)}", path, line, missing=missing)


def rule_id(rule: type[Rule]) -> str:
    """Return the rule's stable ID (its class name)."""
    return rule.__name__


def describe(rule: type[Rule]) -> str:
    """Return the rule's one-line description."""
    return inspect.cleandoc(rule.__doc__ or "").format(self=rule, name=rule_id(rule))


def fix_text(rule: type[Rule]) -> str:
    """Return the rule's failure message with the fix (its `check()` docstring), as Markdown."""
    doc = getattr(rule, "check").__doc__ or "Check failed."  # noqa: B009 - subclasses define check
    return inspect.cleandoc(doc).format(self=rule, name=rule_id(rule))
