"""The template bundle: deterministic, append-only release history."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlscaffold.bundle import (
    append_version,
    list_versions,
    sort_versions,
    tree_of_directory,
    tree_of_version,
)
from mlscaffold.errors import MlscaffoldError, UnknownVersionError

from support.bundles import export_version, file_at


def make_template(root: Path, readme: str) -> Path:
    (root / "template").mkdir(parents=True, exist_ok=True)
    (root / "copier.yml").write_text("_subdirectory: template\nname: demo\n", encoding="utf-8")
    (root / "template" / "README.md.jinja").write_text(readme, encoding="utf-8")
    # The template's own .gitignore must not hide template files from the release.
    (root / "template" / ".gitignore").write_text("data/\n", encoding="utf-8")
    (root / "template" / "data").mkdir(exist_ok=True)
    (root / "template" / "data" / ".gitkeep").write_text("", encoding="utf-8")
    (root / "template" / "__pycache__").mkdir(exist_ok=True)
    (root / "template" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    return root


@pytest.fixture
def template_repo_v1_v2(tmp_path: Path) -> tuple[Path, Path]:
    """Return a bundle with v0.1.0 and v0.2.0 and the template directory at v0.2.0."""
    source = make_template(tmp_path / "src", "# {{ name }} one\n")
    bundle = tmp_path / "t.bundle"
    append_version(None, source, "v0.1.0", bundle)
    make_template(source, "# {{ name }} two\n")
    append_version(bundle, source, "v0.2.0", bundle)
    return bundle, source


def test_versions_listed_oldest_first(template_repo_v1_v2: tuple[Path, Path]) -> None:
    bundle, _ = template_repo_v1_v2
    assert list_versions(bundle) == ["v0.1.0", "v0.2.0"]


def test_sort_versions_is_numeric() -> None:
    assert sort_versions(["v0.10.0", "v0.2.0", "v0.2.0.dev0", "v1.0.0"]) == [
        "v0.2.0.dev0",
        "v0.2.0",
        "v0.10.0",
        "v1.0.0",
    ]


def test_bundle_build_is_deterministic(tmp_path: Path) -> None:
    source = make_template(tmp_path / "src", "same\n")
    first = append_version(None, source, "v1.0.0", tmp_path / "a.bundle")
    second = append_version(None, source, "v1.0.0", tmp_path / "b.bundle")
    assert first == second


def test_each_version_keeps_its_own_files(template_repo_v1_v2: tuple[Path, Path], tmp_path: Path) -> None:
    bundle, _ = template_repo_v1_v2
    assert file_at(bundle, "v0.1.0", "template/README.md.jinja") == "# {{ name }} one\n"
    assert file_at(bundle, "v0.2.0", "template/README.md.jinja") == "# {{ name }} two\n"
    assert file_at(bundle, "v0.2.0", "template/data/.gitkeep") == ""
    assert file_at(bundle, "v0.2.0", "template/__pycache__/x.pyc") is None
    assert file_at(bundle, "v0.2.0", "nope.txt") is None
    export_version(bundle, "v0.1.0", tmp_path / "out")
    assert (tmp_path / "out" / "template" / "README.md.jinja").read_text(
        encoding="utf-8"
    ) == "# {{ name }} one\n"
    assert not (tmp_path / "out" / ".git").exists()


def test_tree_of_directory_matches_released_version(template_repo_v1_v2: tuple[Path, Path]) -> None:
    bundle, source = template_repo_v1_v2
    assert tree_of_directory(source) == tree_of_version(bundle, "v0.2.0")
    assert tree_of_directory(source) != tree_of_version(bundle, "v0.1.0")


def test_append_refuses_unchanged_template(template_repo_v1_v2: tuple[Path, Path]) -> None:
    bundle, source = template_repo_v1_v2
    with pytest.raises(MlscaffoldError, match=r"has not changed since v0\.2\.0"):
        append_version(bundle, source, "v0.3.0", bundle)


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("v0.2.0", "not newer"),
        ("v0.1.5", "not newer"),
        ("1.0", "not a version tag"),
        ("v1", "not a version tag"),
    ],
)
def test_append_refuses_bad_tag(template_repo_v1_v2: tuple[Path, Path], tag: str, message: str) -> None:
    bundle, source = template_repo_v1_v2
    before = bundle.read_bytes()
    with pytest.raises(MlscaffoldError, match=message):
        append_version(bundle, source, tag, bundle)
    assert bundle.read_bytes() == before


def test_unknown_version_is_named(template_repo_v1_v2: tuple[Path, Path]) -> None:
    bundle, _ = template_repo_v1_v2
    with pytest.raises(UnknownVersionError, match=r"v9\.0\.0 is not available \(known: v0\.1\.0, v0\.2\.0\)"):
        tree_of_version(bundle, "v9.0.0")


def test_missing_bundle_says_reinstall(tmp_path: Path) -> None:
    with pytest.raises(MlscaffoldError, match="reinstall mlscaffold"):
        list_versions(tmp_path / "missing.bundle")


def test_append_accepts_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_template(tmp_path / "src", "x\n")
    monkeypatch.chdir(tmp_path)
    append_version(None, Path("src"), "v1.0.0", Path("rel.bundle"))
    make_template(tmp_path / "src", "y\n")
    append_version(Path("rel.bundle"), Path("src"), "v1.1.0", Path("rel.bundle"))
    assert list_versions(tmp_path / "rel.bundle") == ["v1.0.0", "v1.1.0"]
