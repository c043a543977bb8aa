"""All YAML reading and writing, on ruamel.yaml's round-trip mode.

Round-trip mode keeps comments, quoting and key order, and reads a workflow's
`on:` key as the string "on" (PyYAML's loader turns it into `True`).
Indentation is guessed per document so that loading and dumping an unedited
file gives back the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

__all__ = [
    "Document",
    "YAMLError",
    "dump_text",
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
    """A parsed YAML document that dumps back in the layout it was read in."""

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
