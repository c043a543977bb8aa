"""The upgrade guarantee, on many random edit scenarios: no user line is ever lost.

Each scenario edits a project generated at one version (change lines, add lines,
add files, delete files, change or add a binary file, rename a file, put an ignored
file where a newer version adds one, add the file a migration renames onto), commits,
and upgrades to a newer version. Every line the user wrote must still be in its
file afterwards (a conflicted file keeps both sides and is listed), files the
user deleted stay deleted, the user's binary and ignored files keep their bytes.
A failure prints the seed and the scenario; rerun one with SEED=<n>.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mlscaffold.merge import BESIDE_SUFFIX
from mlscaffold.upgrade import upgrade_project

from support.git_worlds import git
from support.upgrade_template import VERSIONS, ProjectAt

PAIRS = [(a, b) for i, a in enumerate(VERSIONS) for b in VERSIONS[i + 1 :]]
SEEDS = [int(os.environ["SEED"])] if os.environ.get("SEED") else list(range(24))
# The template's own renames (the v1.1.0 migration): user lines follow the file.
TEMPLATE_RENAMES = {"src/demo_app/old_name.py": "src/demo_app/new_name.py"}
CONFLICT_MARK = "<<<<<<< yours"
OLD_NAME, NEW_NAME = "src/demo_app/old_name.py", "src/demo_app/new_name.py"
OPS = (
    "edit_line",
    "append",
    "prepend",
    "add_file",
    "delete",
    "binary",
    "rename",
    "add_binary",
    "ignored",
    "collide",
)


@dataclass
class Expectations:
    lines: dict[str, list[str]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    binaries: dict[str, bytes] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)
    follows_renames: bool = True

    def add_line(self, path: str, line: str) -> None:
        self.lines.setdefault(path, []).append(line)


def text_files(project: Path) -> list[str]:
    tracked = git("ls-files", cwd=project).splitlines()
    return sorted(
        p for p in tracked if p != ".copier-answers.yml" and not p.endswith(".bin") and (project / p).is_file()
    )


def apply_untidy(op: str, project: Path, expect: Expectations, marker: str, n: int) -> None:
    """Apply one of the operations that leave the repository less than pristine."""
    if op == "add_binary":
        new = f"assets/user_{n}.bin"
        content = b"\x00\x01user-" + marker.encode()
        (project / new).write_bytes(content)
        expect.binaries[new] = content
    elif op == "ignored":
        # Ignored by the repository's own exclude file, so no edit to .gitignore can change it.
        with (project / ".git/info/exclude").open("a", encoding="utf-8") as handle:
            handle.write("/CONTRIBUTING.md\n")
        (project / "CONTRIBUTING.md").write_bytes(f"{marker}\n".encode())
        expect.binaries["CONTRIBUTING.md"] = f"{marker}\n".encode()
    else:  # collide: the user already has the file a migration renames onto
        (project / NEW_NAME).write_text(marker + "\n", encoding="utf-8")
        expect.add_line(NEW_NAME, marker)
        expect.follows_renames = False


def apply_scenario(project: Path, rng: random.Random, seed: int) -> Expectations:
    expect = Expectations()
    for n in range(rng.randint(2, 6)):
        marker = f"# USER-EDIT-{seed}-{n}"
        files = [p for p in text_files(project) if p not in expect.deleted]
        op = rng.choice(OPS)
        path = rng.choice(files)
        tracked = git("ls-files", cwd=project).splitlines()
        if op == "ignored" and "CONTRIBUTING.md" in tracked:
            op = "add_binary"  # the version already has it: nothing to be in the way of
        if op == "collide" and (OLD_NAME not in tracked or (project / NEW_NAME).exists()):
            op = "append"
        target = project / path
        expect.steps.append(f"{op} {path}")
        if op in ("edit_line", "append", "prepend"):
            lines = target.read_text(encoding="utf-8").splitlines()
            # An edit replaces a template line, never one of the user's own earlier lines.
            templated = [i for i, line in enumerate(lines) if "USER-EDIT" not in line]
            if op == "edit_line" and templated:
                lines[rng.choice(templated)] = marker
            elif op == "append":
                lines += [marker, marker + "-b"]
                expect.add_line(path, marker + "-b")
            else:  # prepend, or an edit of a file with no template line left
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
        elif op in ("add_binary", "ignored", "collide"):
            apply_untidy(op, project, expect, marker, n)
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


def followed(path: str, expect: Expectations) -> str:
    return TEMPLATE_RENAMES.get(path, path) if expect.follows_renames else path


@pytest.mark.parametrize("seed", SEEDS)
def test_upgrade_never_loses_user_work(project_at: ProjectAt, seed: int) -> None:
    rng = random.Random(seed)
    start, end = rng.choice(PAIRS)
    project = project_at(start)
    expect = apply_scenario(project, rng, seed)
    scenario = f"seed {seed}: {start} -> {end}: " + "; ".join(expect.steps)

    result = upgrade_project(project, to=end)
    conflicted = {c.path for c in result.conflicts}
    for path, lines in expect.lines.items():
        final = project / followed(path, expect)
        assert final.is_file(), f"{scenario}: {followed(path, expect)} is gone"
        text = final.read_text(encoding="utf-8")
        for line in lines:
            assert line in text, f"{scenario}: lost {line!r} from {followed(path, expect)}"
    for path in expect.deleted:
        assert not (project / path).exists(), f"{scenario}: deleted {path} came back"
        if expect.follows_renames and TEMPLATE_RENAMES.get(path, path) != path:
            assert not (project / followed(path, expect)).exists(), (
                f"{scenario}: deleted {path} came back renamed"
            )
    for path, content in expect.binaries.items():
        assert (project / path).read_bytes() == content, f"{scenario}: {path} (binary or ignored) was replaced"
    for path in git("ls-files", cwd=project).splitlines():
        file = project / path
        if file.is_file() and not path.endswith(".bin") and CONFLICT_MARK in file.read_text(encoding="utf-8"):
            assert path in conflicted, f"{scenario}: {path} has conflict markers but is not listed"
    for other in (project / p for p in git("ls-files", "-o", cwd=project).splitlines()):
        if other.name.endswith(BESIDE_SUFFIX):
            assert str(other.relative_to(project))[: -len(BESIDE_SUFFIX)] in conflicted, scenario
    assert git("show", ":.copier-answers.yml", cwd=project).count(f"_commit: {end}") == 1, scenario
