"""Stop a real `python -m mlscaffold` run at a chosen moment, then judge what it left.

The kill tests (tests/hostile/test_interrupts.py for `new`, tests/adopt/test_adopt_kill.py,
tests/upgrade/test_upgrade_kill.py and tests/upgrade/test_foreign_template.py) share one way
of working, here:

- `timed_run`: one uninterrupted run, with the moments its phase lines appear, to spread
  signals over;
- `start`: the command in its own process group with a private TMPDIR, returned once
  mlscaffold handles signals (so a delay of 0 hits the first instant it could react);
- `lines_until`: read stderr up to a phase's line, the anchor a delay counts from;
- `stop`: send a signal after a delay as a user would: SIGINT to the process group
  (a terminal's Ctrl-C), any other signal to the process (`kill`, a closed terminal);
- `stop_at`: all of the above on a repository, then `wait_for_final_step` (the detached final
  step outlives a SIGKILL);
- `rerun`: the same command again, to its end, as a user would after the stop;
- `state`, `result_state`: a repository before and after, comparable across runs;
- `copy_for_run`, `assert_left_sound`: a fresh copy a case, and what every stopped run must
  leave (`git fsck --full` passes, no traceback, the private TMPDIR emptied unless SIGKILL);
- `outcome_of`: for a command whose final step is all-or-nothing, which side the repository
  is on and whether its exit status and message say so.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from hostile.user_trees import snapshot
from support.git_worlds import git

# What the repository tests take turns sending: Ctrl-C, `kill`, `kill -9`.
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)


def catches_sigterm(pid: int) -> bool:
    """Tell whether PID has installed its SIGTERM handler (or has already exited)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except (FileNotFoundError, ProcessLookupError):
        return True
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)))


def start(args: Sequence[str], tmpdir: Path, cwd: Path | None = None) -> subprocess.Popen[str]:
    """Start `mlscaffold ARGS` in its own process group; return once it handles signals."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlscaffold", *args],
        cwd=cwd,
        env={**os.environ, "TMPDIR": str(tmpdir)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not catches_sigterm(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.002)
    return proc


def lines_until(proc: subprocess.Popen[str], marker: str) -> Iterator[str]:
    """Yield stderr lines up to and including the one starting with MARKER."""
    assert proc.stderr is not None
    for line in proc.stderr:
        yield line
        if line.startswith(marker):
            return


def stop(
    proc: subprocess.Popen[str], number: signal.Signals, delay: float, seen: str = ""
) -> subprocess.CompletedProcess[str]:
    """Send NUMBER after DELAY and wait for the end; stderr is SEEN (what was read already) and the rest."""
    time.sleep(delay)
    try:
        if number == signal.SIGINT:
            os.killpg(proc.pid, number)
        else:
            proc.send_signal(number)
    except ProcessLookupError:
        pass  # finished already
    out, rest = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, seen + rest)


def timed_run(
    args: Sequence[str],
    tmpdir: Path,
    markers: Sequence[str] = (),
    cwd: Path | None = None,
    timeout: float = 120,
) -> tuple[list[float], float, subprocess.CompletedProcess[str]]:
    """Run `mlscaffold ARGS` uninterrupted; return when each of MARKERS' lines came, the end, the result.

    Seconds from just before the start (so they include the wait for mlscaffold to handle signals).
    """
    started = time.monotonic()
    proc = start(args, tmpdir, cwd=cwd)
    moments = []
    for marker in markers:
        list(lines_until(proc, marker))
        moments.append(time.monotonic() - started)
    out, err = proc.communicate(timeout=timeout)
    total = time.monotonic() - started
    return moments, total, subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def wait_for_final_step(command: str, repo: Path) -> None:
    """Wait until no process runs `COMMAND REPO` (the detached final step outlives a SIGKILL)."""
    needle = f"\0{command}\0{repo}\0".encode()
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


def stop_at(
    args: Sequence[str], tmpdir: Path, anchor: str | None, number: signal.Signals, delay: float
) -> subprocess.CompletedProcess[str]:
    """Run `mlscaffold COMMAND REPO ...` (ARGS); send NUMBER DELAY seconds after ANCHOR's line.

    ANCHOR None counts from the first instant mlscaffold handles signals. Returns once no
    process works on REPO any more.
    """
    proc = start(args, tmpdir)
    seen = "".join(lines_until(proc, anchor)) if anchor is not None else ""
    result = stop(proc, number, delay, seen)
    wait_for_final_step(args[0], Path(args[1]))
    return result


def rerun(args: Sequence[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `mlscaffold ARGS` to its end, as a user would after a stop; return what it did."""
    return subprocess.run(
        [sys.executable, "-m", "mlscaffold", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def state(repo: Path) -> dict[str, object]:
    """Return what a command may change in REPO: every entry but git's object store."""
    return {k: v for k, v in snapshot(repo).items() if not k.startswith(".git/objects")}


def result_state(repo: Path, varying: Iterable[str] = ()) -> dict[str, object]:
    """Return the state of a repository after a run, comparable across runs.

    The index by its entries (its stat data differs per run), the kept template version
    by its tree (its commit records the time it was made), and the entries named in
    VARYING left out.
    """
    left_out = {".git/index", ".git/refs/mlscaffold/template", *varying}
    files = {k: v for k, v in state(repo).items() if k not in left_out}
    kept = subprocess.run(
        ["git", "rev-parse", "-q", "--verify", "refs/mlscaffold/template^{tree}"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return {**files, "index": git("ls-files", "-s", cwd=repo), "template": kept}


def copy_for_run(pristine: Path, where: Path, i: int, name: str) -> tuple[Path, Path]:
    """Copy PRISTINE to WHERE/run{I}/NAME for case I; return the copy and an empty TMPDIR for it."""
    repo, tmpdir = where / f"run{i}" / name, where / f"tmp{i}"
    repo.parent.mkdir()
    tmpdir.mkdir()
    subprocess.run(["cp", "-a", str(pristine), str(repo)], check=True)
    return repo, tmpdir


def assert_left_sound(
    repo: Path, tmpdir: Path, number: signal.Signals, result: subprocess.CompletedProcess[str], case: object
) -> None:
    """Assert what any stopped run leaves: a sound repository, no traceback, TMPDIR emptied unless SIGKILL."""
    fsck = subprocess.run(["git", "fsck", "--full"], cwd=repo, capture_output=True, text=True, check=False)
    assert fsck.returncode == 0, (case, fsck.stderr)
    assert "Traceback" not in result.stderr, case
    if number != signal.SIGKILL:
        assert list(tmpdir.iterdir()) == [], case


def outcome_of(
    result: subprocess.CompletedProcess[str],
    number: signal.Signals,
    repo: Path,
    before: dict[str, object],
    after: dict[str, object],
    *,
    written: str,
    case: object,
    varying: Iterable[str] = (),
) -> str:
    """Return "before" or "after": where a stopped run left REPO, asserting all it says agrees.

    Finished (exit 3, conflicts listed): after, no error. SIGKILL: no message; the state
    decides. SIGINT or SIGTERM: exit 130 and one error line, saying "nothing was changed"
    (before) or WRITTEN (after). Then REPO is byte-identical to BEFORE, or its
    `result_state` (VARYING left out) equals AFTER. CASE names the case in failures.
    """
    code = result.returncode
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    if code == 3:  # it finished: conflicts listed
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
            assert written in errors[0], case
    if outcome == "before":
        assert state(repo) == before, case
    else:
        assert result_state(repo, varying) == after, case
    return outcome
