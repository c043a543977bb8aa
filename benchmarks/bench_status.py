"""Measure `mlscaffold status` as the fleet grows: 50, 100 and 200 repositories.

    python benchmarks/bench_status.py [--runs 3] [--sizes 50,100,200] [--latency 0.05]

Local paths: two projects are generated with `mlscaffold new` (the oldest and the
newest bundled version) and cloned with git into a fleet; `status PATH ...` is
timed with and without its `check` summaries, beside the bare way to read the
same versions (`git show HEAD:.copier-answers.yml` in each repository, one after
another). Organisation: the loopback GitHub API of the tests serves the fleet,
each answer delayed by LATENCY seconds as a distant API would be; `status --org`
is timed beside a plain sequential `requests` loop asking the same three things
(listing pages, answers file, sync pull request). Prints medians; docs/benchmarks.md
records a run.
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
sys.path.insert(0, str(ROOT / "tests"))

from fleet_worlds import answers_text  # noqa: E402

from mlscaffold.bundle import list_versions  # noqa: E402

from support.fake_github import FakeGitHub, serve_github  # noqa: E402

BIN = Path(sys.executable).parent
ORG = "bench-org"


def timed(command: list[str], env: dict[str, str], ok: tuple[int, ...] = (0, 3)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(
            f"{' '.join(command[:4])} ... failed ({proc.returncode}): {proc.stderr.decode()[-800:]}"
        )
    return elapsed


def bare_local(paths: list[Path], env: dict[str, str]) -> float:
    start = time.perf_counter()
    for path in paths:
        subprocess.run(
            ["git", "-C", str(path), "show", "HEAD:.copier-answers.yml"],
            env=env,
            capture_output=True,
            check=True,
        )
    return time.perf_counter() - start


# The bare client: a fresh interpreter importing requests, one request after another.
BARE_ORG = """
import sys, requests
url, org, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
with requests.Session() as session:
    session.headers["Authorization"] = "Bearer write-token"
    names = []
    for page in range(1, size // 100 + 2):
        answer = session.get(f"{url}/orgs/{org}/repos", params={"per_page": "100", "page": str(page)})
        names += [entry["name"] for entry in answer.json()]
    for name in names:
        session.get(f"{url}/repos/{org}/{name}/contents/.copier-answers.yml", params={"ref": "main"})
        session.get(f"{url}/repos/{org}/{name}/pulls", params={"state": "open"})
"""


def bare_org(api: FakeGitHub, size: int, env: dict[str, str]) -> float:
    return timed([sys.executable, "-c", BARE_ORG, api.url, ORG, str(size)], env, (0,))


def make_fleet(work: Path, versions: list[str], size: int, env: dict[str, str]) -> list[Path]:
    sources = []
    for version in (versions[0], versions[-1]):
        target = work / f"source-{version}"
        timed([str(BIN / "mlscaffold"), "new", str(target), "--defaults", "--vcs-ref", version], env, (0,))
        sources.append(target)
    fleet = []
    for index in range(size):
        target = work / "fleet" / f"repo-{index:03d}"
        source = sources[0] if index % 3 == 0 else sources[1]
        subprocess.run(["git", "clone", "--quiet", str(source), str(target)], env=env, check=True)
        fleet.append(target)
    return fleet


def fill_org(api: FakeGitHub, versions: list[str], size: int) -> None:
    api.owners.clear()
    for index in range(size):
        version = versions[0] if index % 3 == 0 else versions[-1]
        api.add_org_repository(f"{ORG}/repo-{index:03d}", {".copier-answers.yml": answers_text(version)})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="50,100,200")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--bundle", type=Path, default=ROOT / "mlscaffold" / "templates" / "default.bundle")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    versions = list_versions(args.bundle)
    work = Path(tempfile.mkdtemp(prefix="mlscaffold-bench-status-"))
    home = work / "home"
    home.mkdir()
    # Bytecode is written and reused, as on a real install (the dev shell may forbid writing it).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "GITHUB_", "GH_", "CI")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        {
            "HOME": str(home),
            "MLSCAFFOLD_TEMPLATE_BUNDLE": str(args.bundle.resolve()),
            "MLSCAFFOLD_LOCK": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.com",
            "GITHUB_TOKEN": "write-token",
        }
    )
    status = [str(BIN / "mlscaffold"), "status", "--format", "json"]
    try:
        fleet = make_fleet(work, versions, max(sizes), env)
        print(f"{versions[0]} and {versions[-1]}, medians of {args.runs} runs; latency {args.latency:g} s")
        print(f"{'repositories':>12} {'local':>8} {'no-check':>9} {'git show':>9} {'org':>8} {'requests':>9}")
        results: dict[int, list[float]] = {}
        with serve_github(FakeGitHub(latency=args.latency)) as api:
            env["GITHUB_API_URL"] = api.url
            timed([*status, "--no-check", *map(str, fleet[:5])], env)  # warm caches and bytecode
            for size in sizes:
                paths = [str(path) for path in fleet[:size]]
                fill_org(api, versions, size)
                rows = [
                    [timed([*status, *paths], env) for _ in range(args.runs)],
                    [timed([*status, "--no-check", *paths], env) for _ in range(args.runs)],
                    [bare_local(fleet[:size], env) for _ in range(args.runs)],
                    [timed([*status, "--org", ORG], env) for _ in range(args.runs)],
                    [bare_org(api, size, env) for _ in range(args.runs)],
                ]
                medians = [statistics.median(row) for row in rows]
                print(f"{size:>12} " + " ".join(f"{m:8.2f}s" for m in medians), flush=True)
                results[size] = medians
        if len(sizes) > 1:
            low, high = min(sizes), max(sizes)
            slopes = [(b - a) / (high - low) * 1000 for a, b in zip(results[low], results[high], strict=True)]
            print(f"{'ms/repo':>12} " + " ".join(f"{m:8.1f} " for m in slopes))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
