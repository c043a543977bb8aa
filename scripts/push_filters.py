"""GitHub's `on.push` tag filters, which act 0.2.89 does not apply: does a pushed tag start a workflow?

Filter patterns as GitHub documents them ("Filter pattern cheat sheet"): `*` matches any
characters but `/`, `**` any characters, `?` and `+` make the preceding character optional
or repeatable, `[...]` matches one listed character or range, `\\` escapes, and a pattern
starting with `!` excludes what earlier patterns matched (the last matching pattern wins).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """Return the regular expression that matches what the filter PATTERN matches, whole."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char in "?+" and out:
            out.append(char)
        elif char == "[":
            end = pattern.find("]", index)
            if end < 0:
                raise ValueError(f"filter pattern {pattern!r} has an unclosed '['")
            members = pattern[index + 1 : end]
            if not re.fullmatch(r"[A-Za-z0-9-]+", members):
                raise ValueError(f"filter pattern {pattern!r}: [] takes letters, digits and ranges only")
            out.append(f"[{members}]")
            index = end
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out))


def matches(patterns: Sequence[str], name: str) -> bool:
    """Return whether NAME passes PATTERNS (in order; a `!pattern` excludes what it matches)."""
    passed = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if pattern_regex(pattern[1:] if negated else pattern).fullmatch(name):
            passed = not negated
    return passed


def tag_push_triggers(on: Any, tag: str) -> bool:
    """Return whether a push of TAG starts a workflow whose `on:` is ON (a parsed YAML value)."""
    if isinstance(on, str):
        return on == "push"
    if isinstance(on, list):
        return "push" in on
    if not isinstance(on, Mapping) or "push" not in on:
        return False
    push = on["push"] or {}
    if "tags" in push:
        return matches([str(item) for item in push["tags"] or []], tag)
    if "tags-ignore" in push:
        return not matches([str(item) for item in push["tags-ignore"] or []], tag)
    # Only branch filters: GitHub runs the workflow for no tag. No filter at all: every tag.
    return not ("branches" in push or "branches-ignore" in push)


def workflow_triggers(text: str) -> Any:
    """Return the `on:` of a workflow's TEXT (YAML 1.2: `on` is a key, not a boolean)."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(text)
    return data.get("on") if isinstance(data, Mapping) else None
