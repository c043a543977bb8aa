"""`new` into places it cannot or must not write: one line, exit 1, nothing left behind.

And `new --force` that fails part-way: the target is put back byte for byte.
Each case runs `python -m mlscaffold` as a real process with TMPDIR pointing at a
directory the test owns, which must be empty afterwards.

Tests run as root here, and root ignores permission bits: a read-only place is a
read-only tmpfs mount when the test may mount (root), a chmod 0o555 directory when
it runs as an ordinary user (CI), and skipped when it can do neither.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from hostile.conftest import assert_one_line_error, run_cli
from hostile.user_trees import snapshot, users_project


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make the existing directory PATH read-only for the process under test, contents kept."""
    if os.geteuid() != 0:
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(0o755)
        return
    saved = {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(path)], check=False)
    if mounted.returncode != 0:
        pytest.skip("root cannot mount here, and permission bits do not stop root")
    try:
        for name, content in saved.items():
            (path / name).write_bytes(content)
        subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(path)], check=True)


@pytest.fixture
def scratch_tmp(tmp_path: Path) -> Path:
    """Return an empty directory the process under test uses as TMPDIR."""
    path = tmp_path / "tmpdir"
    path.mkdir()
    return path


def run_new(where: Path, tmpdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("new", *args, "--defaults", "--no-lock", cwd=where, env={"TMPDIR": str(tmpdir)})


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """Return a directory with a regular file and a dangling symlink in it."""
    where = tmp_path / "place"
    where.mkdir()
    (where / "a-file").write_text("mine\n", encoding="utf-8")
    (where / "dangling").symlink_to("nowhere")
    return where


BAD_TARGETS = {
    "proc-self": ("/proc/self/mlscaffold-x", "/proc/self"),
    "proc": ("/proc/mlscaffold-x", "/proc/mlscaffold-x"),
    "sys": ("/sys/mlscaffold-x", "/sys/mlscaffold-x"),
    "file-as-parent": ("a-file/child", "is not a directory"),
    "file-as-grandparent": ("a-file/child/grandchild", "is not a directory"),
    "name-256-chars": ("n" * 256, "256 bytes long"),
    "dangling-symlink": ("dangling", "symlink to nowhere, which does not exist"),
    "existing-file": ("a-file", "exists and is not a directory"),
}


@pytest.mark.parametrize(("target", "words"), BAD_TARGETS.values(), ids=BAD_TARGETS.keys())
def test_new_into_bad_target_is_one_line_exit_1(
    target: str, words: str, place: Path, scratch_tmp: Path
) -> None:
    before = snapshot(place)
    line = assert_one_line_error(run_new(place, scratch_tmp, target), 1)
    assert words in line, line
    assert snapshot(place) == before
    assert list(scratch_tmp.iterdir()) == []


def test_new_under_read_only_directory_is_one_line_exit_1(place: Path, scratch_tmp: Path) -> None:
    locked = place / "locked"
    locked.mkdir()
    with read_only(locked):
        line = assert_one_line_error(run_new(place, scratch_tmp, "locked/deeper/project"), 1)
    assert "is not writable" in line, line
    assert sorted(p.name for p in place.iterdir()) == ["a-file", "dangling", "locked"]
    assert list(locked.iterdir()) == []
    assert list(scratch_tmp.iterdir()) == []


def test_new_force_failing_part_way_restores_the_target(tmp_path: Path, scratch_tmp: Path) -> None:
    # The template writes docs/scoping.md; the user's docs/ is read-only, and sorts after
    # many entries the template has already put in place by then (.github, Makefile, README.md).
    target = tmp_path / "proj"
    users_project(target)
    with read_only(target / "docs"):
        before = snapshot(target)
        line = assert_one_line_error(run_new(tmp_path, scratch_tmp, "proj", "--force"), 1)
        after = snapshot(target)
    assert after == before, sorted(set(after) ^ set(before))
    assert "was put back as it was" in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj", "tmpdir"]
    assert list(scratch_tmp.iterdir()) == []


def test_new_force_over_user_files_keeps_theirs_and_adds_the_project(tmp_path: Path, scratch_tmp: Path) -> None:
    target = tmp_path / "proj"
    users_project(target)
    result = run_new(tmp_path, scratch_tmp, "proj", "--force")
    assert result.returncode == 0, result.stderr
    assert (target / "docs" / "notes.md").read_text(encoding="utf-8") == "notes\n"
    assert (target / "docs" / "scoping.md").is_file()
    assert (target / "src" / "ours.py").is_file()
    assert (target / "latest").is_symlink()
    assert (target / "README.md").read_text(encoding="utf-8") != "# Ours\n"  # --force overwrites
    assert not list(target.rglob("*mlscaffold-aside*"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj", "tmpdir"]
    assert list(scratch_tmp.iterdir()) == []
