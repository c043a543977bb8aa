"""Scoping: the scoping document, the model card and the runbook (MLS1xx)."""

from __future__ import annotations

import re

from mlscaffold.check._parse import Section, markdown_sections
from mlscaffold.check._repo import RepoView
from mlscaffold.check._rule import Rule

__all__ = ["MLS101", "MLS102", "MLS103", "MLS104", "MLS105"]

SCOPING = "docs/scoping.md"
MODEL_CARDS = ("docs/model_card.md", "docs/model-card.md", "MODEL_CARD.md", "model_card.md")
RUNBOOKS = ("docs/runbook.md", "RUNBOOK.md", "runbook.md")

# (the heading to write, a pattern an existing heading may match instead)
SCOPING_SECTIONS = (
    ("Problem statement", r"problem"),
    ("Is ML needed?", r"\bml\b|machine learning|baseline"),
    ("Data sources and quality", r"\bdata\b"),
    ("Accuracy versus inference speed", r"accuracy|speed|latency|trade.?off"),
    ("Deployment", r"deploy"),
    ("Success metrics", r"success|metric|kpi"),
    ("Risks", r"risk"),
    ("Roles", r"role|team|owner"),
    ("Timeline", r"timeline|milestone|schedule"),
)
MODEL_CARD_SECTIONS = (
    ("Intended use", r"intended|use case|\buse\b"),
    ("Metrics", r"metric|evaluat|performance"),
    ("Limitations", r"limitation|caveat|ethic|bias"),
)
RUNBOOK_SECTIONS = (
    ("Monitoring", r"monitor"),
    ("Alerts", r"alert"),
    ("Retraining", r"retrain"),
    ("Rollback", r"roll.?back"),
)
# Text that marks a section as not written yet: unrendered template syntax, to-do markers,
# and the blanks a template leaves for people and dates ("to be named", "to be agreed").
PLACEHOLDER = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\b(TODO|TBD|TBA|TBC|FIXME|XXX)\b|lorem ipsum|\[(insert|fill|describe)[^\]]*\]"
    r"|<(insert|fill|describe)[^>]*>"
    r"|\bto be (named|agreed|decided|determined|confirmed|defined|filled in|written)\b",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _match(sections: list[Section], required: tuple[tuple[str, str], ...]) -> dict[str, Section | None]:
    return {
        title: next((s for s in sections if re.search(pattern, s.heading, re.IGNORECASE)), None)
        for title, pattern in required
    }


def _missing(sections: list[Section], required: tuple[tuple[str, str], ...]) -> list[str]:
    return [title for title, found in _match(sections, required).items() if found is None]


def _has_sections(
    rule: type[Rule], ml_repo: RepoView, path: str, required: tuple[tuple[str, str], ...], *, empty: bool
) -> bool | str:
    """Pass when PATH has a section for each REQUIRED topic; EMPTY: an empty file fails as missing."""
    text = ml_repo.text(path)
    if text is None or (empty and not text.strip()):
        return rule.fail(ml_repo.problem(path) + ".", missing=ml_repo.missing(path))
    missing = _missing(markdown_sections(text), required)
    if missing:
        return rule.fail(f"`{path}` has no section for: {', '.join(missing)}.", path)
    return True


def _is_blank(body: str) -> bool:
    words = re.findall(r"[A-Za-z]{2,}", _COMMENT.sub("", body))
    return len(words) < 3


class Scoping(Rule):
    """Scoping rules."""

    family = "scoping"


class MLS101(Scoping):
    """Scoping document present"""

    audits = ("docs/scoping.md",)

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Write `docs/scoping.md`: the problem, whether ML is needed (a simpler baseline to
        beat), data sources and quality, the accuracy versus inference-speed trade-off,
        deployment, success metrics tied to business goals, risks (bias, privacy,
        compliance), roles and timeline. `mlscaffold new` writes one pre-filled from your answers.
        """
        text = ml_repo.text(SCOPING)
        if text is None or not text.strip():
            return cls.fail(ml_repo.problem(SCOPING) + ".", missing=ml_repo.missing(SCOPING))
        return True


class MLS102(Scoping):
    """Scoping document has every required section"""

    audits = ("docs/scoping.md",)
    requires = frozenset({"MLS101"})

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Give `docs/scoping.md` one heading per topic: `## Problem statement`,
        `## Is ML needed?`, `## Data sources and quality`, `## Accuracy versus inference
        speed`, `## Deployment`, `## Success metrics`, `## Risks`, `## Roles` and
        `## Timeline` (any heading that names the topic counts).
        """
        return _has_sections(cls, ml_repo, SCOPING, SCOPING_SECTIONS, empty=False)


class MLS103(Scoping):
    """Scoping document is filled in, not template placeholders"""

    audits = ("docs/scoping.md",)
    requires = frozenset({"MLS101"})

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Write each section of `docs/scoping.md` in your own words: at least a sentence
        outside HTML comments, with no unrendered template syntax (`{{{{ ... }}}}`) and no
        `TODO`, `TBD`, `FIXME`, `[insert ...]`, "to be named" or "to be agreed" markers left.
        """
        text = ml_repo.text(SCOPING)
        if text is None:
            return cls.fail(ml_repo.problem(SCOPING) + ".", missing=ml_repo.missing(SCOPING))
        for title, section in _match(markdown_sections(text), SCOPING_SECTIONS).items():
            if section is None:
                continue
            body = _COMMENT.sub("", section.body)
            placeholder = PLACEHOLDER.search(body)
            if placeholder:
                detail = f"Section {section.heading!r} still holds the placeholder `{placeholder.group(0)}`."
                return cls.fail(detail, SCOPING, section.line)
            if _is_blank(body):
                return cls.fail(f"Section {section.heading!r} ({title}) is empty.", SCOPING, section.line)
        if PLACEHOLDER.search(_COMMENT.sub("", text)):
            found = PLACEHOLDER.search(_COMMENT.sub("", text))
            return cls.fail(f"`{SCOPING}` still holds the placeholder `{found.group(0) if found else ''}`.")
        return True


class MLS104(Scoping):
    """Model card present"""

    audits = ("docs/model_card.md",)

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Write `docs/model_card.md` with sections on the model's `## Intended use`, its
        `## Metrics` (how it was evaluated and how well it does) and its `## Limitations`
        (known failure cases, bias, ethical considerations), with no template placeholders.
        """
        path = ml_repo.first_file(*MODEL_CARDS) or MODEL_CARDS[0]
        sections = _has_sections(cls, ml_repo, path, MODEL_CARD_SECTIONS, empty=True)
        if sections is not True:
            return sections
        placeholder = PLACEHOLDER.search(_COMMENT.sub("", ml_repo.text(path) or ""))
        if placeholder:
            return cls.fail(f"`{path}` still holds the placeholder `{placeholder.group(0)}`.", path)
        return True


class MLS105(Scoping):
    """Runbook covers monitoring, alerts, retraining and rollback"""

    audits = ("docs/runbook.md",)

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Write `docs/runbook.md` for whoever is on call, with sections `## Monitoring`
        (what is watched and where), `## Alerts` (what fires and who answers),
        `## Retraining` (when and how) and `## Rollback` (how to go back to the previous model).
        """
        path = ml_repo.first_file(*RUNBOOKS) or RUNBOOKS[0]
        return _has_sections(cls, ml_repo, path, RUNBOOK_SECTIONS, empty=True)
