"""`mlscaffold.overlay`: laying a tree over a directory, and undoing it to the byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlscaffold.overlay import lay_over


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _contents(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): (f"-> {p.readlink()}" if p.is_symlink() else p.read_text(encoding="utf-8"))
        for p in sorted(root.rglob("*"))
        if p.is_symlink() or p.is_file()
    }


@pytest.fixture
def worlds(tmp_path: Path) -> tuple[Path, Path]:
    source = _tree(tmp_path / "source", {"README.md": "new\n", "docs/a.md": "A\n", "b": "dir in source\n"})
    target = _tree(tmp_path / "target", {"README.md": "ours\n", "docs/notes.md": "N\n", "b/kept": "K\n"})
    (target / "link").symlink_to("README.md")
    return source, target


def test_lay_over_merges_directories_and_replaces_entries(worlds: tuple[Path, Path]) -> None:
    source, target = worlds
    lay_over(source, target).commit()
    assert _contents(target) == {
        "README.md": "new\n",
        "b": "dir in source\n",
        "docs/a.md": "A\n",
        "docs/notes.md": "N\n",
        "link": "-> README.md",
    }


def test_lay_over_undo_restores_the_target(worlds: tuple[Path, Path]) -> None:
    source, target = worlds
    before = _contents(target)
    lay_over(source, target).undo()
    assert _contents(target) == before


def test_lay_over_failing_part_way_undoes_what_it_moved(
    worlds: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = worlds
    before = _contents(target)
    real_move = shutil.move

    def move_then_fail(src: str, dst: str) -> object:
        if Path(src).name == "a.md":
            raise OSError(30, "Read-only file system")
        return real_move(src, dst)

    monkeypatch.setattr("mlscaffold.overlay.shutil.move", move_then_fail)
    with pytest.raises(OSError, match="Read-only"):
        lay_over(source, target)
    assert _contents(target) == before


def test_lay_over_aside_name_skips_a_user_file_of_that_name(worlds: tuple[Path, Path]) -> None:
    source, target = worlds
    (target / ".README.md.mlscaffold-aside-0").write_text("also ours\n", encoding="utf-8")
    before = _contents(target)
    lay_over(source, target).undo()
    assert _contents(target) == before
