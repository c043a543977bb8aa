"""YAML round trips and the byte-exact `uses:` ref bump."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from mlscaffold import yamlio

WORKFLOW = """\
# Keep this comment.
name: CI
on:   # odd spacing stays
  push:
    branches: [main]
permissions: {}
jobs:
  ci:
    uses: "acme/mlscaffold/.github/workflows/ci.yml@v0.1.0"   # quoted, with comment
    with: {python-version: '3.12'}
  train:
      uses: acme/mlscaffold/.github/workflows/train.yml@v0.1.0
      secrets: inherit
  other:
    runs-on: ubuntu-latest
    steps:
    -   uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
    -   uses: 'acme/mlscaffold/.github/actions/setup@v0.1.0'
    -   run: 'echo "uses: acme/mlscaffold/x@v0.1.0 stays, it is a string"'
"""


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]


def test_bump_changes_only_the_refs() -> None:
    after, changed = yamlio.bump_uses_refs(WORKFLOW, r"acme/mlscaffold/.*", "v0.2.0")
    assert [(u.line, u.ref) for u in changed] == [(8, "v0.1.0"), (11, "v0.1.0"), (17, "v0.1.0")]
    assert changed_lines(WORKFLOW, after) == [
        '-    uses: "acme/mlscaffold/.github/workflows/ci.yml@v0.1.0"   # quoted, with comment',
        '+    uses: "acme/mlscaffold/.github/workflows/ci.yml@v0.2.0"   # quoted, with comment',
        "-      uses: acme/mlscaffold/.github/workflows/train.yml@v0.1.0",
        "+      uses: acme/mlscaffold/.github/workflows/train.yml@v0.2.0",
        "-    -   uses: 'acme/mlscaffold/.github/actions/setup@v0.1.0'",
        "+    -   uses: 'acme/mlscaffold/.github/actions/setup@v0.2.0'",
    ]
    assert after.replace("@v0.2.0", "@v0.1.0") == WORKFLOW


def test_bump_is_idempotent_and_ignores_other_targets() -> None:
    once, _ = yamlio.bump_uses_refs(WORKFLOW, r"acme/mlscaffold/.*", "v0.2.0")
    twice, changed = yamlio.bump_uses_refs(once, r"acme/mlscaffold/.*", "v0.2.0")
    assert (twice, changed) == (once, [])
    untouched, changed = yamlio.bump_uses_refs(WORKFLOW, r"other/repo/.*", "v9")
    assert (untouched, changed) == (WORKFLOW, [])


def test_find_uses_refs_lists_targets() -> None:
    targets = [(u.target, u.ref) for u in yamlio.find_uses_refs(WORKFLOW)]
    assert ("actions/checkout", "11bd71901bbe5b1630ceea73d27597364c9af683") in targets
    assert len(targets) == 4


# A dump can only reproduce consistently indented files (WORKFLOW mixes 2 and 4
# spaces): that is why `bump_uses_refs` edits characters in place instead.
def test_load_helpers() -> None:
    assert yamlio.load_text("on: [push]\n") == {"on": ["push"]}
    assert yamlio.load_all_text("a: 1\n---\nb: 2\n") == [{"a": 1}, {"b": 2}]


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(6)
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (BOMB, "aliases expand"),
        ("x" * (yamlio.MAX_BYTES + 1), "larger than"),
        ("[" * 10_000, "nested deeper"),
        ("".join(" " * i + "k:\n" for i in range(yamlio.MAX_DEPTH + 5)), "nested deeper"),
        ("".join(f"- {i}\n" for i in range(yamlio.MAX_NODES + 5)), "more than"),
    ],
    ids=["alias-bomb", "too-big", "deep-flow", "deep-block", "too-many-values"],
)
def test_load_refuses_hostile_yaml(text: str, reason: str) -> None:
    for load in (yamlio.load_text, yamlio.load_all_text):
        with pytest.raises(yamlio.UnsafeYAMLError, match=reason):
            load(text)


def test_load_keeps_small_alias_use() -> None:
    text = "base: &base {runs-on: ubuntu-latest}\njobs:\n  a: *base\n  b:\n    <<: *base\n    name: b\n"
    data = yamlio.load_text(text)
    assert data["jobs"]["a"]["runs-on"] == data["jobs"]["b"]["runs-on"] == "ubuntu-latest"


def test_read_text_refuses_what_is_not_a_small_regular_file(tmp_path: Path) -> None:
    with pytest.raises(yamlio.UnsafeYAMLError, match="not a regular file"):
        yamlio.read_text(Path("/dev/zero"))
    big = tmp_path / "big.yml"
    big.write_bytes(b"#" * (yamlio.MAX_BYTES + 1))
    with pytest.raises(yamlio.UnsafeYAMLError, match="larger than"):
        yamlio.read_text(big)
    small = tmp_path / "small.yml"
    small.write_text("a: 1\n", encoding="utf-8")
    assert yamlio.load_path(small) == {"a": 1}
