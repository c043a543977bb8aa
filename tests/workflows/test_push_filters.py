"""scripts/push_filters.py: GitHub's tag filter patterns, on the examples of GitHub's cheat sheet."""

from __future__ import annotations

import pytest

from support.git_worlds import load_script

filters = load_script("push_filters")


@pytest.mark.parametrize(
    ("patterns", "name", "expected"),
    [
        (["v2*"], "v2", True),
        (["v2*"], "v2.0", True),
        (["v2*"], "v1.9", False),
        (["v[12].[0-9]+.[0-9]+"], "v1.10.1", True),
        (["v[12].[0-9]+.[0-9]+"], "v2.0.0", True),
        (["v[12].[0-9]+.[0-9]+"], "v3.0.0", False),
        (["v[12].[0-9]+.[0-9]+"], "v1.x.0", False),
        (["feature/*"], "feature/my-branch", True),
        (["feature/*"], "feature/your/branch", False),
        (["feature/**"], "feature/your/branch", True),
        (["*ature"], "creature", True),
        (["*ature"], "feature/ature", False),
        (["*.jsx?"], "page.js", True),
        (["*.jsx?"], "page.jsx", True),
        (["releases/**", "!releases/**-alpha"], "releases/10", True),
        (["releases/**", "!releases/**-alpha"], "releases/10-alpha", False),
        (["m#production#[0-9]+"], "m#production#12", True),
        (["m#production#[0-9]+"], "m#production#", False),
        (["m#production#[0-9]+"], "m#production#1x", False),
        (["m#production#[0-9]+"], "m#production!#1", False),
        (["m#production#[0-9]+"], "xm#production#1", False),
        (["\\*"], "*", True),
        (["\\*"], "a", False),
    ],
)
def test_a_pattern_matches_as_github_documents(patterns: list[str], name: str, expected: bool) -> None:
    assert filters.matches(patterns, name) is expected


def test_a_tag_push_starts_a_workflow_by_its_push_filters() -> None:
    assert filters.tag_push_triggers({"push": {"tags": ["v*"]}}, "v1")
    assert not filters.tag_push_triggers({"push": {"tags": ["v*"]}}, "w1")
    assert not filters.tag_push_triggers({"push": {"branches": ["main"]}}, "v1")  # branches only: no tag
    assert filters.tag_push_triggers({"push": {"tags-ignore": ["w*"]}}, "v1")
    assert not filters.tag_push_triggers({"push": {"tags-ignore": ["v*"]}}, "v1")
    assert filters.tag_push_triggers({"push": None}, "v1")
    assert filters.tag_push_triggers("push", "v1") and filters.tag_push_triggers(["push"], "v1")
    assert not filters.tag_push_triggers({"workflow_dispatch": None}, "v1")


def test_a_pattern_github_would_refuse_is_an_error() -> None:
    with pytest.raises(ValueError, match="unclosed"):
        filters.pattern_regex("v[12")
    with pytest.raises(ValueError, match="letters, digits and ranges"):
        filters.pattern_regex("v[.]")
