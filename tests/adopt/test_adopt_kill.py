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

import subprocess
from pathlib import Path

import pytest

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

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to time signals")

COMPARING = "Comparing the template"
WRITING = "Writing "
RENDER = (0.0, 0.6)
COMPARE = (0.5,)
WRITE = (0.0, 0.2, 0.5, 1.0, 1.4)
# adopt creates refs/mlscaffold: like the template ref in it, its entry is left out of the result.
VARYING = (".git/refs/mlscaffold",)


def test_adopt_killed_at_any_moment_leaves_repository_before_or_after(
    conflicting_repo: Path, template_bundle: Path, tmp_path: Path
) -> None:
    before = state(conflicting_repo)
    pristine = tmp_path / "pristine"
    subprocess.run(["cp", "-a", str(conflicting_repo), str(pristine)], check=True)

    (tmp_path / "tmp-timed").mkdir()
    args = ["adopt", str(conflicting_repo), "--defaults"]
    (comparing, writing), total, timed = timed_run(args, tmp_path / "tmp-timed", [COMPARING, WRITING])
    assert timed.returncode == 3, timed.stderr
    after = result_state(conflicting_repo, VARYING)
    assert after != result_state(pristine, VARYING)

    cases: list[tuple[str | None, float]] = [(None, f * comparing) for f in RENDER]
    cases += [(COMPARING, f * (writing - comparing)) for f in COMPARE]
    cases += [(WRITING, f * (total - writing)) for f in WRITE]
    outcomes = []
    for i, (anchor, delay) in enumerate(cases):
        number = SIGNALS[i % len(SIGNALS)]
        repo, tmpdir = copy_for_run(pristine, tmp_path, i, conflicting_repo.name)
        result = stop_at(["adopt", str(repo), "--defaults"], tmpdir, anchor, number, delay)
        code = result.returncode
        case = (anchor, round(delay, 3), number.name, code, result.stderr)

        assert_left_sound(repo, tmpdir, number, result, case)
        outcome = outcome_of(
            result, number, repo, before, after, written="the adoption was written", case=case, varying=VARYING
        )
        second = rerun(["adopt", str(repo), "--defaults"])
        if outcome == "before":
            assert second.returncode == 3, (case, second.stderr)
        else:
            assert second.returncode == 1, (case, second.stderr)
            assert "run `mlscaffold upgrade`" in second.stderr, case
        assert result_state(repo, VARYING) == after, case
        outcomes.append((anchor, round(delay, 2), number.name, code, outcome))
    assert {o[-1] for o in outcomes} == {"before", "after"}, outcomes
    print(f"phases: comparing at {comparing:.2f}s, writing at {writing:.2f}s, done at {total:.2f}s")
    print(f"outcomes: {outcomes}")
