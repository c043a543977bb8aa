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

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hostile.test_interrupts import _catches_sigterm
from hostile.user_trees import snapshot
from support.git_worlds import git
from support.upgrade_template import ProjectAt

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to time signals")

MERGING = "Merging the template's changes"
WRITING = "Writing "
# Fractions of each phase: rendering (from the start), merging (from the "Merging" line) and
# the final write (from the "Writing" line; finest, and on past the end).
COARSE = (0.0, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.97)
MERGE = (0.0, 0.3, 0.6, 0.9)
WRITE = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.65, 0.8, 1.0, 1.3)
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)


def state(project: Path) -> dict[str, object]:
    """Return what an upgrade may change: every entry but git's object store."""
    return {k: v for k, v in snapshot(project).items() if not k.startswith(".git/objects")}


def result_state(project: Path) -> dict[str, object]:
    """Return the state of an upgraded project, comparable across runs.

    The index by its entries (its stat data differs per run) and the kept template
    version by its tree (its commit records the time it was made).
    """
    varying = {".git/index", ".git/refs/mlscaffold/template"}
    files = {k: v for k, v in state(project).items() if k not in varying}
    kept = subprocess.run(
        ["git", "rev-parse", "-q", "--verify", "refs/mlscaffold/template^{tree}"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return {**files, "index": git("ls-files", "-s", cwd=project), "template": kept}


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


def start(project: Path, tmpdir: Path) -> subprocess.Popen[str]:
    """Start `mlscaffold upgrade` in its own process group; return once it handles signals."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlscaffold", "upgrade", str(project)],
        env={**os.environ, "TMPDIR": str(tmpdir)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not _catches_sigterm(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.002)
    return proc


def lines_until(proc: subprocess.Popen[str], marker: str) -> Iterator[str]:
    """Yield stderr lines up to and including the one starting with MARKER."""
    assert proc.stderr is not None
    for line in proc.stderr:
        yield line
        if line.startswith(marker):
            return


def stop(proc: subprocess.Popen[str], number: signal.Signals, delay: float, seen: str) -> tuple[int, str]:
    """Send NUMBER after DELAY; return the exit status and all of stderr (SEEN: what was read)."""
    time.sleep(delay)
    try:
        if number == signal.SIGINT:
            os.killpg(proc.pid, number)
        else:
            proc.send_signal(number)
    except ProcessLookupError:
        pass  # finished already
    _, rest = proc.communicate(timeout=120)
    return proc.returncode, seen + rest


def wait_for_final_step(project: Path) -> None:
    """Wait until no process is still working on PROJECT (the detached final step outlives a SIGKILL)."""
    needle = f"\0upgrade\0{project}\0".encode()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        busy = False
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    busy = busy or needle in (entry / "cmdline").read_bytes() + b"\0"
                except OSError:
                    continue
        if not busy:
            return
        time.sleep(0.02)
    raise AssertionError(f"a process still works on {project}")


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
    started = time.monotonic()
    proc = start(team_project, tmp_path / "tmp-timed")
    list(lines_until(proc, MERGING))
    merging = time.monotonic() - started
    list(lines_until(proc, WRITING))
    writing = time.monotonic() - started
    _, err = proc.communicate(timeout=120)
    total = time.monotonic() - started
    assert proc.returncode == 3, err  # README.md conflicts; CONTRIBUTING.md is in the way
    assert "UU README.md" in git("status", "--porcelain", cwd=team_project).splitlines()
    after = result_state(team_project)
    assert after != result_state(template)

    cases = [("start", f * merging) for f in COARSE]
    cases += [(MERGING, f * (writing - merging)) for f in MERGE]
    cases += [(WRITING, f * (total - writing)) for f in WRITE]
    outcomes = []
    for i, (anchor, delay) in enumerate(cases):
        number = SIGNALS[i % len(SIGNALS)]
        project, tmpdir = tmp_path / f"run{i}" / "demo-app", tmp_path / f"tmp{i}"
        project.parent.mkdir()
        tmpdir.mkdir()
        subprocess.run(["cp", "-a", str(template), str(project)], check=True)
        proc = start(project, tmpdir)
        seen = "".join(lines_until(proc, anchor)) if anchor != "start" else ""
        code, err = stop(proc, number, delay, seen)
        wait_for_final_step(project)
        case = (anchor, round(delay, 3), number.name, code, err)

        fsck = subprocess.run(
            ["git", "fsck", "--full"], cwd=project, capture_output=True, text=True, check=False
        )
        assert fsck.returncode == 0, (case, fsck.stderr)
        assert "Traceback" not in err, case
        if number != signal.SIGKILL:
            assert list(tmpdir.iterdir()) == [], case
        errors = [line for line in err.splitlines() if line.startswith("error: ")]
        if code == 3:  # it finished: conflicts listed
            outcome = "after"
            assert errors == [], case
        elif number == signal.SIGKILL:
            assert code == -signal.SIGKILL, case
            assert errors == [], case
            outcome = "before" if state(project) == before else "after"
        else:
            assert code == 130, case
            assert len(errors) == 1, case
            outcome = "before" if "nothing was changed" in errors[0] else "after"
            if outcome == "after":
                assert "the upgrade was written" in errors[0], case
        if outcome == "before":
            assert state(project) == before, case
        else:
            assert result_state(project) == after, case
        if outcome == "before" and objects(project) == stored and i:
            # Exactly the repository the timed run upgraded: a second run is that run again.
            outcomes.append((anchor, round(delay, 2), number.name, code, outcome))
            continue
        second = subprocess.run(
            [sys.executable, "-m", "mlscaffold", "upgrade", str(project)],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        # From before: the whole upgrade, conflicts listed (3); from after: nothing left to do (0).
        assert second.returncode == (3 if outcome == "before" else 0), (case, second.stderr)
        assert result_state(project) == after, case
        outcomes.append((anchor, round(delay, 2), number.name, code, outcome))
    # The spread reached both sides: interrupted before the write, and after it.
    assert {o[-1] for o in outcomes} == {"before", "after"}, outcomes
    print(f"phases: merging at {merging:.2f}s, writing at {writing:.2f}s, done at {total:.2f}s")
    print(f"outcomes: {outcomes}")
