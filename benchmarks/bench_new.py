"""Measure `mlscaffold new` and `mlscaffold --version` side by side with the bare tools.

    python benchmarks/bench_new.py [--runs 7]

Pairs, each run interleaved so machine noise hits both sides alike:
- `mlscaffold new --defaults --no-git` vs `copier copy --defaults` of the same
  template version from the same bundle (the work both do: render);
- `mlscaffold new --defaults` (render + git init + first commit) vs the same copier copy
  followed by `git init`, `git add --all` and `git commit` (the same work by hand);
- `mlscaffold --version` vs `python -c "import typer"` (the floor of any typer CLI).
Both `new` runs pass `--no-lock`: locking is uv's network-bound work, which copier does not do.
Prints medians and ratios of wall time and of CPU time (user + system of the command and
everything it ran, such as git), which a machine busy with other work disturbs far less.
The README records a run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlscaffold.bundle import list_versions  # noqa: E402
from mlscaffold.template import CANONICAL_URL  # noqa: E402

BIN = Path(sys.executable).parent
BUNDLE = ROOT / "mlscaffold" / "templates" / "default.bundle"


Timing = tuple[float, float]  # wall seconds, CPU seconds


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str], cwd: Path) -> Timing:
    cpu, start = _cpu(), time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start, _cpu() - cpu


def compare(name: str, ours: Callable[[int], Timing], theirs: Callable[[int], Timing], runs: int) -> None:
    mine, bare = [], []
    for i in range(runs):
        mine.append(ours(i))
        bare.append(theirs(i))
    for kind, index in (("wall", 0), ("CPU", 1)):
        m = statistics.median(t[index] for t in mine)
        b = statistics.median(t[index] for t in bare)
        print(f"{name:<52} {kind:>4} {m:7.3f}s vs {b:7.3f}s   ratio {m / b:5.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    version = list_versions(BUNDLE)[-1]
    work = Path(tempfile.mkdtemp(prefix="mlscaffold-bench-"))
    # Users run from installed bytecode: let Python write .pyc files, then warm up once.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MLSCAFFOLD_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": f"url.{BUNDLE}.insteadOf",
            "GIT_CONFIG_VALUE_0": CANONICAL_URL,
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.com",
        }
    )
    # Bare copier caches remote templates, mlscaffold the parsed copier.yml of each version:
    # keep both caches out of the real home (the warm-up run fills them, as a first use does).
    env["COPIER_CACHE_DIR"] = str(work / "copier-cache")
    env["XDG_CACHE_HOME"] = str(work / "cache")
    mlscaffold, copier = str(BIN / "mlscaffold"), str(BIN / "copier")

    def copier_copy(i: int) -> Timing:
        return timed(
            [copier, "copy", "--quiet", "--defaults", "--vcs-ref", version, CANONICAL_URL, f"c{i}"], env, work
        )

    timed([mlscaffold, "new", "warm", "--defaults", "--no-lock"], env, work)
    copier_copy(-1)
    print(f"template {version}, {args.runs} runs each, medians (mlscaffold vs bare tool)")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    compare(
        "new --defaults --no-git  vs  copier copy --defaults",
        lambda i: timed([mlscaffold, "new", f"n{i}", "--defaults", "--no-git", "--no-lock"], env, work),
        copier_copy,
        args.runs,
    )

    def copier_copy_and_commit(i: int) -> Timing:
        # What a team does by hand for the same result: render, then init and commit it.
        script = (
            f'"{copier}" copy --quiet --defaults --vcs-ref {version} {CANONICAL_URL} "$1" && cd "$1"'
            ' && git init --quiet && git add --all && git commit --quiet --no-verify -m "Initial commit"'
        )
        return timed(["sh", "-c", script, "sh", f"cg{i}"], env, work)

    compare(
        "new --defaults  vs  copier copy + git init, add, commit",
        lambda i: timed([mlscaffold, "new", f"g{i}", "--defaults", "--no-lock"], env, work),
        copier_copy_and_commit,
        args.runs,
    )
    compare(
        "mlscaffold --version  vs  python -c 'import typer'",
        lambda i: timed([mlscaffold, "--version"], env, work),
        lambda i: timed([sys.executable, "-c", "import typer"], env, work),
        args.runs,
    )
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
