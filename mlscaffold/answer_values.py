"""Answers as values: the casts of copier's question types, and the characters no answer may hold."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

__all__ = ["CASTS", "FALSE_WORDS", "TRUE_WORDS", "refuse_control_characters"]

TRUE_WORDS = {"y", "yes", "true", "t", "on", "1"}
FALSE_WORDS = {"n", "no", "false", "f", "off", "0"}


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f"{value!r} is not yes or no")


def _to_int(value: Any) -> int:
    text = str(value).strip()
    # `True` is not the number 1 here.
    if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"{value!r} is not a whole number")
    return int(text)


def _to_float(value: Any) -> float:
    try:
        return float(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


def _to_json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error.msg})") from None


def _to_yaml(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    from mlscaffold import yamlio  # ruamel loads only when YAML is read

    try:
        return yamlio.load_text(value)
    except yamlio.YAMLError:
        raise ValueError("not valid YAML") from None


def _to_str(value: Any) -> str:
    return "" if value is None else str(value)


CASTS: dict[str, Callable[[Any], Any]] = {
    "bool": _to_bool,
    "int": _to_int,
    "float": _to_float,
    "json": _to_json,
    "yaml": _to_yaml,
    "str": _to_str,
}


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
