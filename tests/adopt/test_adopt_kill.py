"""Killing `mlscaffold adopt` at any moment: the repository is as before or fully adopted.

As tests/upgrade/test_upgrade_kill.py does for `upgrade`: a timed run of the real
command gives the phases (rendering until the "Comparing" line, comparing until the
"Writing" line, then the final step until exit); SIGINT (to the process group, as
Ctrl-C), SIGTERM and SIGKILL take turns at delays spread over the three. The
repository has files both it and the template have (so the final step writes the
template's versions beside them) and an ignored file. After each: `git fsck` passes;
the repository (work tree with ignored files, index, HEAD, refs: all but git's object
store) is byte-identical to before, or equal to an uninterrupted run's result; the
message says which; the private temporary directory is gone (unless SIGKILL); and a
second `adopt` either adopts (from before) or refuses, pointing at `upgrade` (after).
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

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to time signals")

COMPARING = "Comparing the template"
WRITING = "Writing "
RENDER = (0.0, 0.6)
COMPARE = (0.5,)
WRITE = (0.0, 0.2, 0.5, 1.0, 1.4)
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)


def state(repo: Path) -> dict[str, object]:
    """Return what adopt may change: every entry but git's object store."""
    return {k: v for k, v in snapshot(repo).items() if not k.startswith(".git/objects")}


def result_state(repo: Path) -> dict[str, object]:
    """Return an adopted repository's state, comparable across runs (index by entries, ref by tree)."""
    varying = {".git/index", ".git/refs/mlscaffold/template", ".git/refs/mlscaffold"}
    files = {k: v for k, v in state(repo).items() if k not in varying}
    kept = subprocess.run(
        ["git", "rev-parse", "-q", "--verify", "refs/mlscaffold/template^{tree}"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return {**files, "index": git("ls-files", "-s", cwd=repo), "template": kept}


def start(repo: Path, tmpdir: Path) -> subprocess.Popen[str]:
    """Start `mlscaffold adopt` in its own process group; return once it handles signals."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlscaffold", "adopt", str(repo), "--defaults"],
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
        pass
    _, rest = proc.communicate(timeout=120)
    return proc.returncode, seen + rest


def wait_for_final_step(repo: Path) -> None:
    """Wait until no process works on REPO (the detached final step outlives a SIGKILL)."""
    needle = f"\0adopt\0{repo}\0".encode()
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
    raise AssertionError(f"a process still works on {repo}")


def test_adopt_killed_at_any_moment_leaves_repository_before_or_after(
    conflicting_repo: Path, template_bundle: Path, tmp_path: Path
) -> None:
    before = state(conflicting_repo)
    pristine = tmp_path / "pristine"
    subprocess.run(["cp", "-a", str(conflicting_repo), str(pristine)], check=True)

    (tmp_path / "tmp-timed").mkdir()
    started = time.monotonic()
    proc = start(conflicting_repo, tmp_path / "tmp-timed")
    list(lines_until(proc, COMPARING))
    comparing = time.monotonic() - started
    list(lines_until(proc, WRITING))
    writing = time.monotonic() - started
    _, err = proc.communicate(timeout=120)
    total = time.monotonic() - started
    assert proc.returncode == 3, err
    after = result_state(conflicting_repo)
    assert after != result_state(pristine)

    cases = [("start", f * comparing) for f in RENDER]
    cases += [(COMPARING, f * (writing - comparing)) for f in COMPARE]
    cases += [(WRITING, f * (total - writing)) for f in WRITE]
    outcomes = []
    for i, (anchor, delay) in enumerate(cases):
        number = SIGNALS[i % len(SIGNALS)]
        repo, tmpdir = tmp_path / f"run{i}" / conflicting_repo.name, tmp_path / f"tmp{i}"
        repo.parent.mkdir()
        tmpdir.mkdir()
        subprocess.run(["cp", "-a", str(pristine), str(repo)], check=True)
        proc = start(repo, tmpdir)
        seen = "".join(lines_until(proc, anchor)) if anchor != "start" else ""
        code, err = stop(proc, number, delay, seen)
        wait_for_final_step(repo)
        case = (anchor, round(delay, 3), number.name, code, err)

        fsck = subprocess.run(["git", "fsck", "--full"], cwd=repo, capture_output=True, text=True, check=False)
        assert fsck.returncode == 0, (case, fsck.stderr)
        assert "Traceback" not in err, case
        if number != signal.SIGKILL:
            assert list(tmpdir.iterdir()) == [], case
        errors = [line for line in err.splitlines() if line.startswith("error: ")]
        if code == 3:
            outcome = "after"
            assert errors == [], case
        elif number == signal.SIGKILL:
            assert code == -signal.SIGKILL, case
            assert errors == [], case
            outcome = "before" if state(repo) == before else "after"
        else:
            assert code == 130, case
            assert len(errors) == 1, case
            outcome = "before" if "nothing was changed" in errors[0] else "after"
            if outcome == "after":
                assert "the adoption was written" in errors[0], case
        if outcome == "before":
            assert state(repo) == before, case
        else:
            assert result_state(repo) == after, case
        second = subprocess.run(
            [sys.executable, "-m", "mlscaffold", "adopt", str(repo), "--defaults"],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if outcome == "before":
            assert second.returncode == 3, (case, second.stderr)
        else:
            assert second.returncode == 1, (case, second.stderr)
            assert "run `mlscaffold upgrade`" in second.stderr, case
        assert result_state(repo) == after, case
        outcomes.append((anchor, round(delay, 2), number.name, code, outcome))
    assert {o[-1] for o in outcomes} == {"before", "after"}, outcomes
    print(f"phases: comparing at {comparing:.2f}s, writing at {writing:.2f}s, done at {total:.2f}s")
    print(f"outcomes: {outcomes}")
