"""Template sources: the bundled default, local paths, git URLs, and the offline git setup."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mlscaffold.errors import TemplateError, TemplateNotFoundError, UnknownVersionError, UsageError
from mlscaffold.template import (
    CANONICAL_URL,
    TemplateSource,
    copier_environment,
    load_config,
    resolve_source,
    template_checkout,
)

from support.git_worlds import git, make_git_template


def test_default_source_is_canonical_url_at_newest(template_bundle: Path, newest_version: str) -> None:
    source = resolve_source(None, None, template_bundle)
    assert (source.src, source.ref, source.is_default) == (CANONICAL_URL, newest_version, True)
    assert source.label == f"the default template {newest_version}"


def test_default_source_unknown_version(template_bundle: Path) -> None:
    with pytest.raises(UnknownVersionError, match=r"v9\.9\.9 is not available offline"):
        resolve_source(None, "v9.9.9", template_bundle)


def test_moving_tag_never_reaches_copier(template_bundle: Path) -> None:
    with pytest.raises(UnknownVersionError, match="v0 is not available"):
        resolve_source(None, "v0", template_bundle)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("gh:acme/tpl", "https://github.com/acme/tpl.git"),
        ("gh:acme/tpl.git", "https://github.com/acme/tpl.git"),
        ("gl:acme/tpl/", "https://gitlab.com/acme/tpl.git"),
        ("https://example.com/t.git", "https://example.com/t.git"),
        ("git@example.com:t.git", "git@example.com:t.git"),
    ],
)
def test_remote_sources_expand(template_bundle: Path, given: str, expected: str) -> None:
    source = resolve_source(given, "v1", template_bundle)
    assert (source.src, source.ref, source.is_default) == (expected, "v1", False)


def test_local_sources(tmp_path: Path, template_bundle: Path) -> None:
    with pytest.raises(TemplateNotFoundError, match="not found"):
        resolve_source(str(tmp_path / "nope"), None, template_bundle)
    (tmp_path / "plain").mkdir()
    with pytest.raises(TemplateNotFoundError, match=r"no copier\.yml"):
        resolve_source(str(tmp_path / "plain"), None, template_bundle)
    (tmp_path / "plain" / "copier.yml").write_text("a: 1\n", encoding="utf-8")
    with pytest.raises(UsageError, match="--vcs-ref needs a git template"):
        resolve_source(str(tmp_path / "plain"), "v1", template_bundle)
    plain = resolve_source(str(tmp_path / "plain"), None, template_bundle)
    assert (plain.ref, plain.local_dir) == (None, (tmp_path / "plain").resolve())


def test_local_git_template_picks_newest_release_tag(tmp_path: Path, template_bundle: Path) -> None:
    repo = make_git_template(tmp_path / "tpl", {"v1.0.0": "one", "v1.2.0": "two", "v2.0.0rc1": "rc"})
    source = resolve_source(str(repo), None, template_bundle)
    assert source.ref == "v1.2.0"
    with template_checkout(source) as checkout:
        assert (checkout / "template" / "README.md").read_text(encoding="utf-8") == "two\n"


def test_checkout_of_unknown_ref_fails_clearly(tmp_path: Path, template_bundle: Path) -> None:
    repo = make_git_template(tmp_path / "tpl", {"v1.0.0": "one"})
    source = resolve_source(str(repo), "v7.0.0", template_bundle)
    with (
        pytest.raises(UnknownVersionError, match=r"has no version or ref v7\.0\.0"),
        template_checkout(source),
    ):
        pass


def test_checkout_of_unreachable_source_fails_clearly() -> None:
    source = TemplateSource("https://example.invalid/x.git", None, is_default=False)
    with pytest.raises(TemplateNotFoundError, match="Cannot fetch template"), template_checkout(source):
        pass


def test_copier_environment_maps_canonical_url_and_restores(template_bundle: Path, tmp_path: Path) -> None:
    os.environ["GIT_CONFIG_COUNT"] = "1"
    os.environ["GIT_CONFIG_KEY_0"] = "core.abbrev"
    os.environ["GIT_CONFIG_VALUE_0"] = "12"
    try:
        source = TemplateSource(CANONICAL_URL, None, is_default=True, bundle=template_bundle)
        with copier_environment(source):
            assert os.environ["GIT_CONFIG_COUNT"] == "2"
            heads = subprocess.run(
                ["git", "ls-remote", "--tags", CANONICAL_URL], capture_output=True, text=True, check=True
            ).stdout
            assert "refs/tags/v" in heads
            assert Path(os.environ["COPIER_CACHE_DIR"]).is_dir()
        assert os.environ["GIT_CONFIG_COUNT"] == "1"
        assert "COPIER_CACHE_DIR" not in os.environ
    finally:
        for key in ("GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0"):
            os.environ.pop(key, None)


def test_load_config_merges_documents_and_rejects_garbage(tmp_path: Path) -> None:
    (tmp_path / "copier.yaml").write_text("a: 1\n---\nb: 2\n---\n", encoding="utf-8")
    assert load_config(tmp_path) == {"a": 1, "b": 2}
    (tmp_path / "copier.yaml").write_text("- a\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="not a mapping"):
        load_config(tmp_path)
    (tmp_path / "copier.yaml").write_text("a: [\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="cannot be read"):
        load_config(tmp_path)
    (tmp_path / "copier.yaml").unlink()
    with pytest.raises(TemplateNotFoundError, match=r"no copier\.yml"):
        load_config(tmp_path)


def test_git_helper_sanity(tmp_path: Path) -> None:
    repo = make_git_template(tmp_path / "tpl", {"v1.0.0": "one"})
    assert git("tag", cwd=repo) == "v1.0.0"
