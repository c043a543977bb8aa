"""All YAML reading and writing, on ruamel.yaml's round-trip mode.

Round-trip mode keeps comments, quoting and key order, and reads a workflow's
`on:` key as the string "on" (PyYAML's loader turns it into `True`). Nothing is
dumped back: the one edit mlscaffold makes to a YAML file (moving `uses:` refs)
rewrites those bytes in place, so every other byte stays the team's.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
)

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "UnsafeYAMLError",
    "UsesRef",
    "YAMLError",
    "bump_uses_refs",
    "find_uses_refs",
    "load_all_text",
    "load_path",
    "load_text",
    "read_text",
]

# Limits for every YAML document mlscaffold reads, hostile ones included (answers files, a
# template's copier.yml, a repository's workflows). Real files stay far below them.
MAX_BYTES = 1_000_000
# Nesting deeper than this is no real configuration; ruamel's parser is quadratic in it.
MAX_DEPTH = 100
# Nodes that aliases may add when expanded: enough for anchors reused in a workflow, far too few
# for a "billion laughs" document that expands to gigabytes.
MAX_ALIAS_NODES = 100_000
# Values in one file: real ones hold a few thousand. ruamel needs about 0.1 ms for each.
MAX_NODES = 50_000
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class UnsafeYAMLError(YAMLError):
    """YAML refused before it is parsed: too big, too deep, aliases that explode, not a file."""


def read_text(path: Path) -> str:
    """Return the text of the YAML file at PATH, refusing what is not a small regular file.

    A FIFO or a device (`/dev/zero`) would block or never end, so the file type is checked
    before the file is opened, and at most MAX_BYTES are ever read.
    """
    if not stat.S_ISREG(path.stat().st_mode):
        raise UnsafeYAMLError("not a regular file")
    with open(path, "rb") as handle:  # noqa: PTH123 - the size cap needs a bounded read
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UnsafeYAMLError(f"larger than {MAX_BYTES // 1_000_000} MB")
    return data.decode("utf-8")


def _flow_depth(text: str) -> int:
    """Return the deepest nesting of brackets in TEXT (quotes ignored: an upper bound is enough)."""
    depth = deepest = 0
    for char in _NOT_BRACKET.sub("", text):
        depth = depth + 1 if char in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _check_limits(text: str) -> None:
    """Raise UnsafeYAMLError when TEXT is too big, too deep, or has aliases that expand too far.

    Streams parser events, so it stops as soon as a limit is passed: composing or
    constructing a hostile document first would already cost the time and memory it aims at.
    """
    if len(text) > MAX_BYTES:
        raise UnsafeYAMLError(f"larger than {MAX_BYTES // 1_000_000} MB")
    if _flow_depth(text) > MAX_DEPTH:
        # ruamel's scanner spends seconds on deep `[[[[` before the parser sees the first one.
        raise UnsafeYAMLError(f"nested deeper than {MAX_DEPTH} levels")
    _check_events(text)


def _check_events(text: str) -> None:
    """Walk the parser events of TEXT, counting depth, values and what each alias expands to."""
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for, aliases inside it expanded
    open_nodes: list[list[Any]] = []  # [anchor, nodes so far] per open collection
    expanded = 0
    for number, event in enumerate(YAML(typ="rt").parse(text)):
        if number > MAX_NODES:
            raise UnsafeYAMLError(f"it holds more than {MAX_NODES} values")
        if isinstance(event, CollectionStartEvent):
            open_nodes.append([event.anchor, 1])
            if len(open_nodes) > MAX_DEPTH:
                raise UnsafeYAMLError(f"nested deeper than {MAX_DEPTH} levels")
            continue
        if isinstance(event, CollectionEndEvent):
            anchor, count = open_nodes.pop()
        elif isinstance(event, AliasEvent):
            anchor, count = None, sizes.get(event.anchor, 1)
            expanded += count
            if expanded > MAX_ALIAS_NODES:
                raise UnsafeYAMLError(f"its aliases expand to more than {MAX_ALIAS_NODES} nodes")
        elif isinstance(event, NodeEvent):  # a scalar
            anchor, count = event.anchor, 1
        else:
            continue
        if anchor is not None:
            sizes[anchor] = count
        if open_nodes:
            open_nodes[-1][1] += count


def _round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    return yaml


def load_text(text: str) -> Any:
    """Parse YAML TEXT into round-trip data (dicts and lists behave as usual)."""
    _check_limits(text)
    return _round_trip().load(text)


def load_all_text(text: str) -> list[Any]:
    """Parse every document of a multi-document YAML TEXT."""
    _check_limits(text)
    return list(_round_trip().load_all(text))


def load_path(path: Path) -> Any:
    """Parse the YAML file at PATH (a small regular file; see `read_text`)."""
    return load_text(read_text(path))


@dataclass(frozen=True)
class UsesRef:
    """A `uses: TARGET@REF` value found in a workflow or action file (0-based position)."""

    line: int
    column: int
    target: str
    ref: str


def _walk_uses(node: Any) -> Iterator[tuple[int, int, str]]:
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if key == "uses" and isinstance(value, str):
                line, column = node.lc.value(key)
                yield line, column, value
            else:
                yield from _walk_uses(value)
    elif isinstance(node, CommentedSeq):
        for item in node:
            yield from _walk_uses(item)


def find_uses_refs(text: str) -> list[UsesRef]:
    """Return every `uses:` value of a workflow or action YAML TEXT that has an `@ref`."""
    found = []
    for line, column, value in _walk_uses(load_text(text)):
        target, sep, ref = value.partition("@")
        if sep:
            found.append(UsesRef(line, column, target, ref))
    return found


def bump_uses_refs(text: str, target_pattern: str, new_ref: str) -> tuple[str, list[UsesRef]]:
    """Point every `uses:` whose target matches TARGET_PATTERN (a regex) at NEW_REF.

    Only the characters of each ref change: comments, quoting, indentation and
    every other byte of TEXT stay as they were. Returns the new text and the
    references that changed.
    """
    pattern = re.compile(target_pattern)
    lines = text.splitlines(keepends=True)
    changed = []
    for uses in find_uses_refs(text):
        if not pattern.fullmatch(uses.target) or uses.ref == new_ref:
            continue
        line = lines[uses.line]
        # The scalar starts at `column`, possibly behind a quote; its ref follows the first "@".
        at = line.index("@", uses.column)
        end = at + 1 + len(uses.ref)
        if line[at + 1 : end] != uses.ref:
            raise ValueError(f"cannot locate ref {uses.ref!r} on line {uses.line + 1}")
        lines[uses.line] = line[: at + 1] + new_ref + line[end:]
        changed.append(uses)
    return "".join(lines), changed
