"""Unit tests of `status.classify` and the answers-file parsing: one pass and one fail per branch."""

from __future__ import annotations

import pytest

from mlscaffold.errors import MlscaffoldError
from mlscaffold.status import State, classify, parse_answers, printable
from mlscaffold.template import CANONICAL_URL

VERSIONS = ["v0.1.0", "v0.2.0", "v0.3.0"]


@pytest.mark.parametrize(
    ("src", "commit", "state", "message"),
    [
        (CANONICAL_URL, "v0.3.0", State.CURRENT, None),
        (CANONICAL_URL, "v0.1.0", State.BEHIND, "upgrade to v0.3.0 available"),
        (CANONICAL_URL, "v0.9.0", State.UNKNOWN, "on v0.9.0, newer than this mlscaffold ships"),
        (
            CANONICAL_URL,
            "0f3c2a1",
            State.UNKNOWN,
            "on 0f3c2a1, which is no template version this mlscaffold knows",
        ),
        (CANONICAL_URL, None, State.ERROR, "records no template version (_commit)"),
        (None, "v0.1.0", State.ERROR, "records no template source (_src_path)"),
        ("gh:acme/tpl", "v1.0.0", State.UNKNOWN, "made from another template"),
    ],
)
def test_classify_each_state(src: str | None, commit: str | None, state: State, message: str | None) -> None:
    status = classify("repo", src, commit, VERSIONS)
    assert status.state is state
    if message is None:
        assert status.message is None
    else:
        assert status.message is not None
        assert message in status.message
    assert status.needs_action is (state is State.BEHIND)


def test_classify_without_shipped_versions_is_unknown() -> None:
    assert classify("repo", CANONICAL_URL, "v0.1.0", []).state is State.UNKNOWN


def test_parse_answers_refuses_what_is_not_a_mapping() -> None:
    assert parse_answers("_commit: v0.1.0\n", "r")["_commit"] == "v0.1.0"
    with pytest.raises(MlscaffoldError, match="is not a YAML mapping"):
        parse_answers("- a\n", "r")
    with pytest.raises(MlscaffoldError, match="is not valid YAML"):
        parse_answers("a: [\n", "r")
    with pytest.raises(MlscaffoldError, match="is refused"):
        parse_answers("[" * 500, "r")


def test_printable_flattens_and_bounds_untrusted_text() -> None:
    assert printable("a\x1b[2J\nb\u202ec") == "a [2J b c"
    assert printable("x" * 500, 10) == "xxxxxxx..."
