"""Killing `mlscaffold upgrade` at any moment: the repository is as before or fully upgraded.

A timed run of the real command (`python -m mlscaffold upgrade`) gives the phases:
rendering until the "Merging" line, merging until the "Writing" line, then the final
step until exit. SIGINT (to the process group, as Ctrl-C), SIGTERM and SIGKILL (to the
process, as `kill` does) take turns at 22 delays: 8 over rendering from the first
instant mlscaffold handles signals, 4 over merging from the "Merging" line, and 10,
the finest, from the "Writing" line to past the end.
The project has a conflicting edit and an ignored file where the template adds
one, so the final step writes unmerged entries and a file beside. After each:
`git fsck --full` passes; the repository (work tree with its ignored
files, index, HEAD, refs: everything but git's object store) is byte-identical to
before, or equal to the result of an uninterrupted run; the message printed says
which; the private temporary directory is gone (unless SIGKILL took the chance to
clean it); and a second `upgrade` succeeds.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from support.git_worlds import git
from support.interrupted_runs import (
    SIGNALS,
    assert_left_sound,
    copy_for_run,
    outcome_of,
    rerun,
    result_state,
    state,
    stop_at,
    timed_run,
)
from support.upgrade_template import ProjectAt

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to time signals")

MERGING = "Merging the template's changes"
WRITING = "Writing "
# Fractions of each phase: rendering (from the start), merging (from the "Merging" line) and
# the final write (from the "Writing" line; finest, and on past the end).
COARSE = (0.0, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.97)
MERGE = (0.0, 0.3, 0.6, 0.9)
WRITE = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.65, 0.8, 1.0, 1.3)


def objects(project: Path) -> set[str]:
    """Return the names of the files in PROJECT's object store."""
    return {str(p.relative_to(project)) for p in (project / ".git" / "objects").rglob("*")}


def users_project(project: Path) -> None:
    """Make the project a team's: an edit that merges, one that conflicts, ignored files, one in the way."""
    readme = (project / "README.md").read_text(encoding="utf-8").replace("Nothing yet.", "Our notes.")
    readme = readme.replace("Run the thing.", "Run the thing our way.")
    (project / "README.md").write_text(readme, encoding="utf-8")
    with (project / ".gitignore").open("a", encoding="utf-8") as handle:
        handle.write("data/\n.venv/\nCONTRIBUTING.md\n")
    git("add", "-A", cwd=project)
    git("commit", "-qm", "team work", cwd=project)
    (project / "data").mkdir()
    (project / "data" / "raw.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (project / ".venv").mkdir()
    (project / ".venv" / "marker").write_text("env\n", encoding="utf-8")
    (project / "CONTRIBUTING.md").write_text("our private draft\n", encoding="utf-8")


@pytest.fixture
def team_project(project_at: ProjectAt) -> Path:
    project = project_at("v1.0.0")
    users_project(project)
    return project


def test_upgrade_killed_at_any_moment_leaves_repository_before_or_after(
    team_project: Path, tmp_path: Path
) -> None:
    before, stored = state(team_project), objects(team_project)
    template = tmp_path / "template-copy"
    subprocess.run(["cp", "-a", str(team_project), str(template)], check=True)

    # A timed, uninterrupted run: its phases and its result.
    (tmp_path / "tmp-timed").mkdir()
    (merging, writing), total, timed = timed_run(
        ["upgrade", str(team_project)], tmp_path / "tmp-timed", [MERGING, WRITING]
    )
    assert timed.returncode == 3, timed.stderr  # README.md conflicts; CONTRIBUTING.md is in the way
    assert "UU README.md" in git("status", "--porcelain", cwd=team_project).splitlines()
    after = result_state(team_project)
    assert after != result_state(template)

    cases: list[tuple[str | None, float]] = [(None, f * merging) for f in COARSE]
    cases += [(MERGING, f * (writing - merging)) for f in MERGE]
    cases += [(WRITING, f * (total - writing)) for f in WRITE]
    outcomes = []
    for i, (anchor, delay) in enumerate(cases):
        number = SIGNALS[i % len(SIGNALS)]
        project, tmpdir = copy_for_run(template, tmp_path, i, "demo-app")
        result = stop_at(["upgrade", str(project)], tmpdir, anchor, number, delay)
        code = result.returncode
        case = (anchor, round(delay, 3), number.name, code, result.stderr)

        assert_left_sound(project, tmpdir, number, result, case)
        outcome = outcome_of(
            result, number, project, before, after, written="the upgrade was written", case=case
        )
        if outcome == "before" and objects(project) == stored and i:
            # Exactly the repository the timed run upgraded: a second run is that run again.
            outcomes.append((anchor, round(delay, 2), number.name, code, outcome))
            continue
        second = rerun(["upgrade", str(project)])
        # From before: the whole upgrade, conflicts listed (3); from after: nothing left to do (0).
        assert second.returncode == (3 if outcome == "before" else 0), (case, second.stderr)
        assert result_state(project) == after, case
        outcomes.append((anchor, round(delay, 2), number.name, code, outcome))
    # The spread reached both sides: interrupted before the write, and after it.
    assert {o[-1] for o in outcomes} == {"before", "after"}, outcomes
    print(f"phases: merging at {merging:.2f}s, writing at {writing:.2f}s, done at {total:.2f}s")
    print(f"outcomes: {outcomes}")
