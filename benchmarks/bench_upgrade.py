"""Measure `mlscaffold upgrade` side by side with bare `copier update` of the same two versions.

    python benchmarks/bench_upgrade.py [--runs 5] [--bundle PATH] [--extra-files 10000]

For the oldest and newest versions in the bundle (default: the shipped one), each
run generates a project at the old version with copier, commits it, and times
the upgrade to the new version by both tools on identical copies; then the
same on a project with EXTRA user files added, to show that mlscaffold's cost
follows the template's changes, not the repository's size. Prints medians and
ratios; the upgrade docs record a run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlscaffold.bundle import list_versions  # noqa: E402
from mlscaffold.template import CANONICAL_URL  # noqa: E402

BIN = Path(sys.executable).parent


def run(command: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}): {proc.stderr.decode()[-800:]}")
    return elapsed


def make_project(work: Path, name: str, old: str, extra: int, env: dict[str, str]) -> Path:
    project = work / name / "bench-project"
    project.parent.mkdir(parents=True)
    run(
        [str(BIN / "copier"), "copy", "--quiet", "--defaults", "--vcs-ref", old, CANONICAL_URL, str(project)],
        work,
        env,
    )
    for i in range(extra):
        folder = project / "user_data" / f"d{i // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:05d}.txt").write_text(f"user file {i}\n", encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "start"]):
        run(["git", *args], project, env)
    return project


def measure(
    work: Path, versions: tuple[str, str], extra: int, runs: int, env: dict[str, str]
) -> tuple[float, float]:
    old, new = versions
    mine, bare = [], []
    for i in range(runs):
        label = f"{extra}-{i}-{time.monotonic_ns()}"
        template = make_project(work, label, old, extra, env)
        ours = template.parent.parent / f"{label}-ours" / template.name
        shutil.copytree(template.parent, ours.parent, symlinks=True)
        mine.append(
            run([str(BIN / "mlscaffold"), "upgrade", "--to", new, "--defaults", str(ours)], work, env, (0, 3))
        )
        bare.append(
            run(
                [str(BIN / "copier"), "update", "--quiet", "--defaults", "--trust", "--vcs-ref", new],
                template,
                env,
                (0, 1, 2),
            )
        )
    return statistics.median(mine), statistics.median(bare)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, default=ROOT / "mlscaffold" / "templates" / "default.bundle")
    parser.add_argument("--extra-files", type=int, default=10_000)
    args = parser.parse_args()
    versions = list_versions(args.bundle)
    if len(versions) < 2:
        raise SystemExit(f"{args.bundle} holds only {versions}: an upgrade needs two versions.")
    old, new = versions[0], versions[-1]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        {
            "MLSCAFFOLD_TEMPLATE_BUNDLE": str(args.bundle.resolve()),
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": f"url.{args.bundle.resolve()}.insteadOf",
            "GIT_CONFIG_VALUE_0": CANONICAL_URL,
            # No background repacking while a project is being copied.
            "GIT_CONFIG_KEY_1": "gc.auto",
            "GIT_CONFIG_VALUE_1": "0",
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.com",
        }
    )
    work = Path(tempfile.mkdtemp(prefix="mlscaffold-bench-upgrade-"))
    # Bare copier caches remote templates: keep its cache out of the real home.
    env["COPIER_CACHE_DIR"] = str(work / "copier-cache")
    try:
        measure(work, (old, new), 0, 1, env)  # warm caches and bytecode
        print(f"upgrade {old} -> {new}, {args.runs} runs each, medians (mlscaffold vs copier update)")
        small = measure(work, (old, new), 0, args.runs, env)
        label = "template files only"
        print(f"{label:<36} {small[0]:7.3f}s vs {small[1]:7.3f}s   ratio {small[0] / small[1]:5.2f}")
        large = measure(work, (old, new), args.extra_files, args.runs, env)
        label = f"+{args.extra_files:,} user files"
        print(f"{label:<36} {large[0]:7.3f}s vs {large[1]:7.3f}s   ratio {large[0] / large[1]:5.2f}")
        print(
            f"mlscaffold's growth with the extra files: x{large[0] / small[0]:.2f}; "
            f"copier update's: x{large[1] / small[1]:.2f}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
