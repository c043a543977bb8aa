"""Unit tests of `status.classify` and the answers-file parsing: one pass and one fail per branch."""

from __future__ import annotations

import pytest

from mlscaffold.errors import MlscaffoldError, TemplateNotFoundError
from mlscaffold.origin import VersionBook
from mlscaffold.status import DefaultOnly, State, classify, parse_answers, printable
from mlscaffold.template import CANONICAL_URL

VERSIONS = ("v0.1.0", "v0.2.0", "v0.3.0")


class Book(VersionBook):
    """Versions by template source, without reading any template."""

    def __init__(self, **by_source: tuple[str, ...]) -> None:
        super().__init__()
        self.by_source = {CANONICAL_URL: VERSIONS, **by_source}

    def of(self, src: str) -> tuple[tuple[str, ...], str | None]:
        if src not in self.by_source:
            raise TemplateNotFoundError(f"Template {src} does not exist on this machine")
        found = self.by_source[src]
        return found, next((v for v in reversed(found) if "rc" not in v), found[-1] if found else None)


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
            "on 0f3c2a1, which is no version this mlscaffold ships",
        ),
        (CANONICAL_URL, None, State.ERROR, "records no template version (_commit)"),
        (None, "v0.1.0", State.ERROR, "records no template source (_src_path)"),
        ("/srv/tpl", "v1.0.0", State.BEHIND, "upgrade to v1.1.0 available"),
        ("/srv/tpl", "v1.1.0", State.CURRENT, None),
        ("/srv/tpl", "v2.0.0rc1", State.CURRENT, None),  # a pre-release after the newest release
        ("/srv/tpl", "v3.0.0", State.UNKNOWN, "on v3.0.0, newer than its template has"),
        ("/gone/tpl", "v1.0.0", State.UNKNOWN, "does not exist on this machine"),
    ],
)
def test_classify_each_state(src: str | None, commit: str | None, state: State, message: str | None) -> None:
    status = classify("repo", src, commit, Book(**{"/srv/tpl": ("v1.0.0", "v1.1.0", "v2.0.0rc1")}))
    assert status.state is state
    if message is None:
        assert status.message is None
    else:
        assert status.message is not None
        assert message in status.message
    assert status.needs_action is (state is State.BEHIND)


def test_classify_without_shipped_versions_is_unknown() -> None:
    assert classify("repo", CANONICAL_URL, "v0.1.0", Book(**{CANONICAL_URL: ()})).state is State.UNKNOWN


def test_org_status_reads_no_other_template() -> None:
    status = classify("repo", "https://attacker.example/tpl.git", "v1.0.0", DefaultOnly())
    assert status.state is State.UNKNOWN
    assert status.message is not None and "run `mlscaffold status` on a clone" in status.message


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
