"""All YAML reading and writing, on ruamel.yaml's round-trip mode.

Round-trip mode keeps comments, quoting and key order, and reads a workflow's
`on:` key as the string "on" (PyYAML's loader turns it into `True`).
Indentation is guessed per document so that loading and dumping an unedited
file gives back the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

__all__ = [
    "Document",
    "UsesRef",
    "YAMLError",
    "bump_uses_refs",
    "dump_text",
    "find_uses_refs",
    "load_all_text",
    "load_path",
    "load_text",
    "parse_document",
]


def _round_trip(mapping: int = 2, sequence: int = 2, offset: int = 0) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    # Never re-wrap long lines (a `run:` script or a description).
    yaml.width = 4096
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


@dataclass
class Document:
    """A parsed YAML document that dumps back in the layout it was read in.

    The layout is guessed from the file: one indentation width for mappings and
    one for sequences. A file that mixes widths loses that mix on dump; edits
    that must keep every other byte use `bump_uses_refs`-style in-place edits.
    """

    data: Any
    sequence_indent: int
    sequence_offset: int
    explicit_start: bool

    def dump(self) -> str:
        """Serialize the (possibly edited) document in its original layout."""
        yaml = _round_trip(2, self.sequence_indent, self.sequence_offset)
        yaml.explicit_start = self.explicit_start
        stream = io.StringIO()
        yaml.dump(self.data, stream)
        return stream.getvalue()


def parse_document(text: str) -> Document:
    """Parse TEXT as one round-trip YAML document, guessing its indentation."""
    _, indent, block_seq_indent = load_yaml_guess_indent(text)
    sequence = indent or 2
    offset = block_seq_indent or 0
    if offset >= sequence:
        # `- ` items indented under their key: ruamel needs sequence > offset.
        sequence = offset + 2
    yaml = _round_trip(2, sequence, offset)
    data = yaml.load(text)
    explicit_start = text.lstrip().startswith("---")
    return Document(data, sequence, offset, explicit_start)


def load_text(text: str) -> Any:
    """Parse YAML TEXT into round-trip data (dicts and lists behave as usual)."""
    return _round_trip().load(text)


def load_all_text(text: str) -> list[Any]:
    """Parse every document of a multi-document YAML TEXT."""
    return list(_round_trip().load_all(text))


def load_path(path: Path) -> Any:
    """Parse the YAML file at PATH."""
    return load_text(path.read_text(encoding="utf-8"))


def dump_text(data: Any) -> str:
    """Serialize DATA as block-style YAML."""
    stream = io.StringIO()
    _round_trip().dump(data, stream)
    return stream.getvalue()


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
