"""What copier lets through and mlscaffold refuses in an answer: loose yes/no and numbers, control codes."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "refuse_control_characters", "refuse_loose_answer"]

TRUE_WORDS = frozenset({"y", "yes", "true", "t", "on", "1"})
FALSE_WORDS = frozenset({"n", "no", "false", "f", "off", "0"})


def refuse_loose_answer(kind: str, value: Any) -> None:
    """Raise ValueError when VALUE is not plainly of KIND: copier takes any text as a yes and `True` as 1."""
    if (
        kind == "bool"
        and not isinstance(value, bool)
        and str(value).strip().lower() not in TRUE_WORDS | FALSE_WORDS
    ):
        raise ValueError(f"{value!r} is not yes or no")
    if kind == "int" and (isinstance(value, bool) or not re.fullmatch(r"[+-]?\d+", str(value).strip())):
        raise ValueError(f"{value!r} is not a whole number")


# Characters no answer may hold: C0 and C1 controls (NUL, escape, carriage return...), DEL,
# Unicode line and paragraph separators, and the bidirectional overrides that hide text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile(r"[\t\n]")


def refuse_control_characters(value: Any, *, one_line: bool) -> None:
    """Raise ValueError when a text VALUE holds a control character (or, if ONE_LINE, a line break)."""
    if not isinstance(value, str):
        return
    found = _CONTROL.search(value)
    if found:
        raise ValueError(f"it holds the control character {found.group()!r}: answers are plain text")
    found = _LINE_BREAK.search(value) if one_line else None
    if found:
        raise ValueError(f"it holds {found.group()!r}: this answer is one line of plain text")
