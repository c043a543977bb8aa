"""The upgrade guarantee, on many random edit scenarios: no user line is ever lost.

Each scenario edits a project generated at one version (change lines, add lines,
add files, delete files, change a binary file, rename a file), commits, and
upgrades to a newer version. Every line the user wrote must still be in its
file afterwards (a conflicted file keeps both sides and is listed), files the
user deleted stay deleted, and the user's binary files keep their bytes.
A failure prints the seed and the scenario; rerun one with SEED=<n>.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from upgrade_worlds import VERSIONS
from worlds import git

from mlscaffold.upgrade import upgrade_project

PAIRS = [(a, b) for i, a in enumerate(VERSIONS) for b in VERSIONS[i + 1 :]]
SEEDS = [int(os.environ["SEED"])] if os.environ.get("SEED") else list(range(24))
# The template's own renames (the v1.1.0 migration): user lines follow the file.
TEMPLATE_RENAMES = {"src/demo_app/old_name.py": "src/demo_app/new_name.py"}
CONFLICT_MARK = "<<<<<<< yours"


@dataclass
class Expectations:
    lines: dict[str, list[str]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    binaries: dict[str, bytes] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)

    def add_line(self, path: str, line: str) -> None:
        self.lines.setdefault(path, []).append(line)


def text_files(project: Path) -> list[str]:
    tracked = git("ls-files", cwd=project).splitlines()
    return sorted(
        p for p in tracked if p != ".copier-answers.yml" and not p.endswith(".bin") and (project / p).is_file()
    )


def apply_scenario(project: Path, rng: random.Random, seed: int) -> Expectations:
    expect = Expectations()
    for n in range(rng.randint(2, 6)):
        marker = f"# USER-EDIT-{seed}-{n}"
        files = [p for p in text_files(project) if p not in expect.deleted]
        op = rng.choice(["edit_line", "append", "prepend", "add_file", "delete", "binary", "rename"])
        path = rng.choice(files)
        target = project / path
        expect.steps.append(f"{op} {path}")
        if op in ("edit_line", "append", "prepend"):
            lines = target.read_text(encoding="utf-8").splitlines()
            if op == "edit_line" and lines:
                lines[rng.randrange(len(lines))] = marker
            elif op == "append":
                lines += [marker, marker + "-b"]
                expect.add_line(path, marker + "-b")
            else:
                lines.insert(0, marker)
            target.write_text("\n".join(lines) + "\n", encoding="utf-8")
            expect.add_line(path, marker)
        elif op == "add_file":
            new = f"user/file_{seed}_{n}.txt"
            (project / new).parent.mkdir(exist_ok=True)
            (project / new).write_text(marker + "\n", encoding="utf-8")
            expect.add_line(new, marker)
        elif op == "delete":
            target.unlink()
            expect.deleted.add(path)
            expect.lines.pop(path, None)
        elif op == "binary":
            content = b"\x00user-binary-" + str(seed).encode()
            (project / "assets/logo.bin").write_bytes(content)
            expect.binaries["assets/logo.bin"] = content
        elif op == "rename":
            new = path + ".renamed"
            target.rename(project / new)
            expect.lines[new] = expect.lines.pop(path, [])
            with (project / new).open("a", encoding="utf-8") as handle:
                handle.write(marker + "\n")
            expect.add_line(new, marker)
            expect.deleted.add(path)
    git("add", "-A", cwd=project)
    git("commit", "-qm", f"scenario {seed}", cwd=project)
    return expect


def followed(path: str) -> str:
    return TEMPLATE_RENAMES.get(path, path)


@pytest.mark.parametrize("seed", SEEDS)
def test_upgrade_never_loses_user_work(project_at, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    start, end = rng.choice(PAIRS)
    project = project_at(start)
    expect = apply_scenario(project, rng, seed)
    scenario = f"seed {seed}: {start} -> {end}: " + "; ".join(expect.steps)

    result = upgrade_project(project, to=end)
    conflicted = {c.path for c in result.conflicts}
    for path, lines in expect.lines.items():
        final = project / followed(path)
        assert final.is_file(), f"{scenario}: {followed(path)} is gone"
        text = final.read_text(encoding="utf-8")
        for line in lines:
            assert line in text, f"{scenario}: lost {line!r} from {followed(path)}"
    for path in expect.deleted:
        assert not (project / path).exists(), f"{scenario}: deleted {path} came back"
        if followed(path) != path:
            assert not (project / followed(path)).exists(), f"{scenario}: deleted {path} came back renamed"
    for path, content in expect.binaries.items():
        assert (project / path).read_bytes() == content, f"{scenario}: binary {path} was replaced"
    for path in git("ls-files", cwd=project).splitlines():
        file = project / path
        if file.is_file() and not path.endswith(".bin") and CONFLICT_MARK in file.read_text(encoding="utf-8"):
            assert path in conflicted, f"{scenario}: {path} has conflict markers but is not listed"
    assert git("show", ":.copier-answers.yml", cwd=project).count(f"_commit: {end}") == 1, scenario
