"""Tolerant parsers for what rules read: TOML, YAML, Dockerfiles and Markdown sections.

Each returns None (or an empty result) for content it cannot parse, instead of
raising: rules report unparseable files as failures with a fix.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from mlscaffold import yamlio

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "Instruction",
    "Section",
    "dockerfile_stages",
    "load_toml",
    "load_yaml",
    "markdown_sections",
    "walk_key",
]

# Deeper nesting than this is not a real workflow or config; walks stop there.
MAX_DEPTH = 64


def load_toml(text: str | None) -> dict[str, Any] | None:
    """Parse TOML TEXT, or return None when it is missing or invalid."""
    if text is None:
        return None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return None
    return data


class _Invalid:
    """Marks YAML that did not parse (distinct from an empty document, which is None)."""


INVALID = _Invalid()


def load_yaml(text: str | None) -> Any:
    """Parse YAML TEXT (round-trip, with line numbers), or return `INVALID`.

    Hostile documents (too big, too deep, alias bombs) are refused by yamlio's limits
    before ruamel composes them.
    """
    if text is None:
        return INVALID
    try:
        return yamlio.load_text(text)
    # ruamel raises many error types for hostile input (bad characters, recursion, huge
    # numbers); any of them means the same thing to a rule: this file is not valid YAML.
    except Exception:  # noqa: BLE001
        return INVALID


def walk_key(node: Any, key: str, depth: int = 0) -> Iterator[tuple[Any, int | None]]:
    """Yield every value stored under KEY anywhere in NODE, with its 1-based line when known.

    Aliases that refer back to their own ancestors and absurd nesting are cut off at MAX_DEPTH.
    """
    if depth > MAX_DEPTH:
        return
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key:
                line = None
                if isinstance(node, CommentedMap):
                    try:
                        line = node.lc.value(name)[0] + 1
                    except (KeyError, TypeError, AttributeError):
                        line = None
                yield value, line
            else:
                yield from walk_key(value, key, depth + 1)
    elif isinstance(node, (list, CommentedSeq)):
        for item in node:
            yield from walk_key(item, key, depth + 1)


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: its keyword (upper case), arguments and 1-based line."""

    keyword: str
    args: str
    line: int


_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)", re.IGNORECASE)


def _instructions(text: str) -> Iterator[Instruction]:
    lines = text.splitlines()
    escape = "\\"
    for line in lines[:5]:
        match = _DIRECTIVE.match(line.strip())
        if match:
            escape = match.group(1)
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped by Docker
        if not buffer:
            start = number
        if stripped.endswith(escape):
            buffer.append(stripped[: -len(escape)])
            continue
        buffer.append(stripped)
        keyword, _, args = " ".join(buffer).partition(" ")
        buffer = []
        yield Instruction(keyword.upper(), args.strip(), start)
    if buffer:
        keyword, _, args = " ".join(buffer).partition(" ")
        yield Instruction(keyword.upper(), args.strip(), start)


def dockerfile_stages(text: str | None) -> list[list[Instruction]]:
    """Split a Dockerfile into build stages, each starting with its FROM instruction."""
    stages: list[list[Instruction]] = []
    for instruction in _instructions(text or ""):
        if instruction.keyword == "FROM":
            stages.append([instruction])
        elif stages:
            stages[-1].append(instruction)
    return stages


@dataclass(frozen=True)
class Section:
    """A Markdown section: its heading text, level, 1-based line and body (up to the next heading)."""

    heading: str
    level: int
    line: int
    body: str


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def markdown_sections(text: str | None) -> list[Section]:
    """Split Markdown TEXT into its ATX-heading sections (headings in code fences are not headings).

    A section's body runs to the next heading of the same or a higher level, so it
    includes its subsections.
    """
    lines = (text or "").splitlines()
    headings: list[tuple[int, int, str]] = []
    in_fence = False
    for index, raw in enumerate(lines):
        if _FENCE.match(raw):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(raw)
        if match and match.group(2):
            headings.append((index, len(match.group(1)), match.group(2)))
    sections = []
    for position, (index, level, heading) in enumerate(headings):
        end = next((i for i, lvl, _ in headings[position + 1 :] if lvl <= level), len(lines))
        sections.append(Section(heading, level, index + 1, "\n".join(lines[index + 1 : end])))
    return sections
