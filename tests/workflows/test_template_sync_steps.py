"""The template-sync workflow's steps, run for real: upgrade, commit, push, open or update one pull request.

mlscaffold runs from a wheel built from this checkout, installed by the pinned requirement
`mlscaffold-cli==VERSION` (as `uvx --from` installs it in CI, the wheel found through
UV_FIND_LINKS); `origin` is a bare repository and the GitHub API a loopback server. With the
default input (`newest`), the newest release is resolved from a find-links directory of wheels
of this checkout built at made-up versions, then installed by its exact pin.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mlscaffold import __version__
from mlscaffold.generate import create_project
from mlscaffold.template import BUNDLE_ENV

from support.fake_github import FakeGitHub, serve_github
from support.git_worlds import git
from support.step_runner import Runner, StepFailedError, our_action
from support.wheels import build_wheel
from support.workflow_projects import using_bundle

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "template-sync.yml"
BRANCH = "mlscaffold/template-sync"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def mlscaffold_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a wheel of this checkout."""
    out = tmp_path_factory.mktemp("sync-wheel")
    subprocess.run(
        [sys.executable, "-m", "uv", "build", "--wheel", "--out-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = out.glob("mlscaffold_cli-*.whl")
    return wheel


@pytest.fixture
def old_project_origin(template_bundle: Path, tmp_path: Path) -> Path:
    """Return a bare origin of a project generated at v0.1.0 whose user also wrote a ci.yml of their own."""
    work = tmp_path / "seed"
    with using_bundle(template_bundle):
        create_project(work, vcs_ref="v0.1.0", use_defaults=True)
    (work / ".github" / "workflows").mkdir(parents=True)
    (work / ".github" / "workflows" / "ci.yml").write_text("name: Our own CI\n", encoding="utf-8")
    git("add", "-A", cwd=work)
    git("commit", "-qm", "our CI", cwd=work)
    origin = tmp_path / "origin.git"
    git("clone", "-q", "--bare", str(work), str(origin), cwd=tmp_path)
    return origin


def sync_runner(
    origin: Path,
    work: Path,
    api: FakeGitHub,
    wheels: Path,
    bundle: Path,
    *,
    secrets: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> Runner:
    """Return a runner for the job on a fresh clone of ORIGIN; uv finds mlscaffold-cli in WHEELS."""
    git("clone", "-q", str(origin), str(work), cwd=origin.parent)
    github = {
        "repository": "my-org/demo",
        "api_url": api.url,
        "ref_name": "main",
        "event": {"repository": {"default_branch": "main"}},
    }
    runner = Runner(
        work,
        work.parent / f"{work.name}-temp",
        github,
        our_action,
        secrets={"token": "write-token"} if secrets is None else secrets,
    )
    runner.base_env |= {
        BUNDLE_ENV: str(bundle),
        "UV_PYTHON": sys.executable,
        "UV_FIND_LINKS": str(wheels if wheels.is_dir() else wheels.parent),
    } | (env or {})
    runner.path_prefix = [str(Path(sys.executable).parent)]
    return runner


def run_sync(
    origin: Path,
    work: Path,
    api: FakeGitHub,
    wheel: Path,
    bundle: Path,
    *,
    secrets: dict[str, str] | None = None,
    inputs: dict[str, str] | None = None,
    mlscaffold: str | None = f"mlscaffold-cli=={__version__}",
) -> tuple[Runner, dict[str, str]]:
    """Do what the job does on a fresh clone of ORIGIN: every step (MLSCAFFOLD None: the input's default)."""
    runner = sync_runner(origin, work, api, wheel, bundle, secrets=secrets)
    given = {"python-version": ""} | ({} if mlscaffold is None else {"mlscaffold": mlscaffold}) | (inputs or {})
    outputs = runner.run_job(WORKFLOW, "sync", given)
    return runner, outputs


def test_template_sync_opens_one_pull_request_and_reruns_idempotently(
    old_project_origin: Path, mlscaffold_wheel: Path, template_bundle: Path, newest_version: str, tmp_path: Path
) -> None:
    api = FakeGitHub()
    api.add_repository("my-org/demo", BRANCH)
    with serve_github(api):
        runner, outputs = run_sync(
            old_project_origin, tmp_path / "run1", api, mlscaffold_wheel, template_bundle
        )
        assert outputs == {"pull-request": "https://github.example/my-org/demo/pull/1", "conflicts": "1"}
        [pull] = api.pulls["my-org/demo"]
        assert pull["title"] == f"Upgrade the mlscaffold template from v0.1.0 to {newest_version} (1 conflict)"
        assert (pull["head"]["ref"], pull["base"]["ref"]) == (BRANCH, "main")
        assert "- [ ] `.github/workflows/ci.yml`" in pull["body"]
        pushed = git("rev-parse", BRANCH, cwd=old_project_origin)
        tree = git("ls-tree", "-r", "--name-only", BRANCH, cwd=old_project_origin).splitlines()
        assert ".github/workflows/template-sync.yml" in tree
        ci = git("show", f"{BRANCH}:.github/workflows/ci.yml", cwd=old_project_origin)
        assert "name: Our own CI" in ci and "<<<<<<<" in ci  # the user's line kept, the conflict marked
        answers = git("show", f"{BRANCH}:.copier-answers.yml", cwd=old_project_origin)
        assert f"_commit: {newest_version}" in answers
        assert "Opened pull request #1" in runner.summary.read_text(encoding="utf-8")

        # A week later, nothing new: same branch commit, same pull request, nothing edited.
        rerun, outputs = run_sync(old_project_origin, tmp_path / "run2", api, mlscaffold_wheel, template_bundle)
    assert outputs["pull-request"] == "https://github.example/my-org/demo/pull/1"
    assert git("rev-parse", BRANCH, cwd=old_project_origin) == pushed
    assert len(api.pulls["my-org/demo"]) == 1
    assert [m for m, _, _ in api.requests].count("POST") == 1
    assert "PATCH" not in [m for m, _, _ in api.requests]
    assert "Up to date: pull request #1" in rerun.summary.read_text(encoding="utf-8")


def test_template_sync_does_nothing_when_current(
    template_bundle: Path, mlscaffold_wheel: Path, tmp_path: Path
) -> None:
    work = tmp_path / "seed"
    with using_bundle(template_bundle):
        create_project(work, use_defaults=True)
    origin = tmp_path / "origin.git"
    git("clone", "-q", "--bare", str(work), str(origin), cwd=tmp_path)
    api = FakeGitHub()
    api.add_repository("my-org/demo", BRANCH)
    with serve_github(api):
        runner, outputs = run_sync(origin, tmp_path / "run", api, mlscaffold_wheel, template_bundle)
    assert outputs == {"pull-request": "", "conflicts": "0"}
    assert api.requests == []
    assert "Push the upgrade branch" in runner.skipped
    assert "newest template version" in runner.summary.read_text(encoding="utf-8")
    assert git("branch", "--list", BRANCH, cwd=origin) == ""


WRITE_STEPS = {"Push the upgrade branch", "Open or update the pull request"}


def steps_holding(runner: Runner, secret: str) -> set[str]:
    """Return the names of the steps whose env (job and step `env:`) carried SECRET."""
    return {name for name, env in runner.step_env.items() if any(secret in value for value in env.values())}


def test_template_sync_without_write_access_ends_green_with_a_notice(
    old_project_origin: Path, mlscaffold_wheel: Path, template_bundle: Path, tmp_path: Path
) -> None:
    before = git("for-each-ref", cwd=old_project_origin)
    api = FakeGitHub()
    api.add_repository("my-org/demo", BRANCH)
    with serve_github(api):
        runner, outputs = run_sync(
            old_project_origin, tmp_path / "run", api, mlscaffold_wheel, template_bundle, secrets={}
        )
    assert outputs == {"pull-request": "", "conflicts": ""}
    [notice] = [line for out in runner.stdout.values() for line in out.splitlines() if line.startswith("::")]
    assert notice.startswith("::notice title=mlscaffold template sync::Template sync skipped: no write token.")
    assert "secret MLSCAFFOLD_SYNC_TOKEN" in notice and "MLSCAFFOLD_SYNC_APP_PRIVATE_KEY" in notice
    assert "secret MLSCAFFOLD_SYNC_TOKEN" in runner.summary.read_text(encoding="utf-8")
    assert {"mlscaffold upgrade", "Push the upgrade branch", "Open or update the pull request"} <= set(
        runner.skipped
    )
    assert api.requests == []
    assert git("for-each-ref", cwd=old_project_origin) == before


def test_template_sync_with_an_app_id_but_no_key_names_the_missing_secret(
    old_project_origin: Path, mlscaffold_wheel: Path, template_bundle: Path, tmp_path: Path
) -> None:
    runner, _ = run_sync(
        old_project_origin,
        tmp_path / "run",
        FakeGitHub(),
        mlscaffold_wheel,
        template_bundle,
        secrets={},
        inputs={"app-id": "Iv23liExample"},
    )
    [notice] = [line for out in runner.stdout.values() for line in out.splitlines() if line.startswith("::")]
    assert (
        "skipped: the GitHub App Iv23liExample (input app-id) has no private key (secret app-private-key)."
        in notice
    )


def test_template_sync_mints_an_app_token_for_the_write_steps_only(
    old_project_origin: Path, mlscaffold_wheel: Path, template_bundle: Path, tmp_path: Path
) -> None:
    api = FakeGitHub()
    api.tokens["app-token"] = "write"
    api.add_repository("my-org/demo", BRANCH)
    work = tmp_path / "run"
    with serve_github(api):
        git("clone", "-q", str(old_project_origin), str(work), cwd=tmp_path)
        github = {
            "repository": "my-org/demo",
            "api_url": api.url,
            "ref_name": "main",
            "event": {"repository": {"default_branch": "main"}},
        }
        runner = Runner(work, tmp_path / "temp", github, our_action, secrets={"app-private-key": "PRIVATE KEY"})
        # Stands in for actions/create-github-app-token (it needs GitHub): the token it would mint.
        runner.action_outputs = {"app": {"token": "app-token"}}
        runner.base_env |= {
            BUNDLE_ENV: str(template_bundle),
            "UV_PYTHON": sys.executable,
            "UV_FIND_LINKS": str(mlscaffold_wheel.parent),
        }
        runner.path_prefix = [str(Path(sys.executable).parent)]
        outputs = runner.run_job(
            WORKFLOW,
            "sync",
            {"mlscaffold": f"mlscaffold-cli=={__version__}", "python-version": "", "app-id": "Iv23liExample"},
        )
    assert outputs["pull-request"] == "https://github.example/my-org/demo/pull/1"
    assert any(s.startswith("actions/create-github-app-token@") for s in runner.skipped)
    assert steps_holding(runner, "app-token") == WRITE_STEPS
    assert steps_holding(runner, "PRIVATE KEY") == set()  # only the minting action gets the key
    assert "app-token" not in (work / ".git" / "config").read_text(encoding="utf-8")


def test_template_sync_token_reaches_only_the_write_steps(
    old_project_origin: Path, mlscaffold_wheel: Path, template_bundle: Path, tmp_path: Path
) -> None:
    api = FakeGitHub()
    api.add_repository("my-org/demo", BRANCH)
    with serve_github(api):
        runner, outputs = run_sync(old_project_origin, tmp_path / "run", api, mlscaffold_wheel, template_bundle)
    assert outputs["pull-request"] == "https://github.example/my-org/demo/pull/1"
    assert "mlscaffold upgrade" in runner.ran
    assert steps_holding(runner, "write-token") == WRITE_STEPS
    assert "write-token" not in (tmp_path / "run" / ".git" / "config").read_text(encoding="utf-8")


def test_template_sync_workflow_gives_secrets_to_the_write_steps_only() -> None:
    """Read as GitHub does: checkout keeps no credentials; secrets appear in three steps only."""
    from mlscaffold.yamlio import load_text

    job = load_text(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["sync"]
    assert "secrets." not in str(job.get("env"))
    holders = {}
    for step in job["steps"]:
        name = step.get("name") or step["uses"].split("@")[0]
        text = str(dict(step))
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
            assert "token" not in step["with"]
        if "secrets." in text or "steps.app.outputs.token" in text:
            holders[name] = sorted(
                key
                for key, value in {**(step.get("env") or {}), **(step.get("with") or {})}.items()
                if "secrets." in str(value) or "outputs.token" in str(value)
            )
    assert holders == {
        "Write access": ["HAS_APP_KEY", "HAS_TOKEN"],  # whether each is set, as 'true'/'false'
        "actions/create-github-app-token": ["private-key"],
        "Push the upgrade branch": ["TOKEN"],
        "Open or update the pull request": ["GITHUB_TOKEN"],
    }


# --- which mlscaffold: the newest release on the index, installed by its exact pin ----------------


@pytest.fixture(scope="session")
def release_wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return wheels of this checkout built as made-up releases, by version."""
    out = tmp_path_factory.mktemp("release-wheels")
    work = tmp_path_factory.mktemp("release-wheel-build")
    return {version: build_wheel(version, out, work) for version in ("0.3.0", "9.1.0", "9.2.0rc1")}


def find_links(wheels: dict[str, Path], versions: list[str], where: Path) -> Path:
    """Return a find-links directory WHERE holding the wheels of VERSIONS only."""
    where.mkdir()
    for version in versions:
        shutil.copy2(wheels[version], where)
    return where


def error_lines(runner: Runner) -> list[str]:
    """Return every `::error`/`::warning` workflow command any step printed."""
    return [
        line
        for out in runner.stdout.values()
        for line in out.splitlines()
        if line.startswith(("::error", "::warning"))
    ]


def test_template_sync_installs_the_newest_release_exactly(
    old_project_origin: Path,
    release_wheels: dict[str, Path],
    template_bundle: Path,
    newest_version: str,
    tmp_path: Path,
) -> None:
    links = find_links(release_wheels, ["0.3.0", "9.1.0"], tmp_path / "links")
    api = FakeGitHub()
    api.add_repository("my-org/demo", BRANCH)
    with serve_github(api):
        runner, outputs = run_sync(
            old_project_origin, tmp_path / "run", api, links, template_bundle, mlscaffold=None
        )
    assert outputs["pull-request"] == "https://github.example/my-org/demo/pull/1"
    summary = runner.summary.read_text(encoding="utf-8")
    assert "installs mlscaffold-cli==9.1.0, the newest release on the package index" in summary
    assert "mlscaffold 9.1.0\n" in summary  # what `mlscaffold --version` said: that release ran
    assert runner.step_env["mlscaffold upgrade"]["REQUIREMENT"] == "mlscaffold-cli==9.1.0"
    assert runner.step_env["Open or update the pull request"]["REQUIREMENT"] == "mlscaffold-cli==9.1.0"
    message = git("log", "-1", "--format=%B", BRANCH, cwd=old_project_origin)
    assert f"from v0.1.0 to {newest_version}" in message and "With mlscaffold-cli==9.1.0." in message
    assert error_lines(runner) == []


def run_until_failure(origin: Path, links: Path, bundle: Path, work: Path, env: dict[str, str]) -> Runner:
    """Run the job with the workflow's default input, expecting a step to fail; return the runner."""
    api = FakeGitHub()
    runner = sync_runner(origin, work, api, links, bundle, env=env)
    with serve_github(api), pytest.raises(StepFailedError):
        runner.run_job(WORKFLOW, "sync", {"python-version": ""})
    assert api.requests == []  # nothing was pushed or proposed
    assert "mlscaffold upgrade" not in runner.ran  # nothing was installed
    return runner


def test_template_sync_refuses_an_index_with_only_a_pre_release(
    old_project_origin: Path, release_wheels: dict[str, Path], template_bundle: Path, tmp_path: Path
) -> None:
    links = find_links(release_wheels, ["9.2.0rc1"], tmp_path / "links")
    # Offline, the find-links directory is the whole index: no final release anywhere.
    runner = run_until_failure(
        old_project_origin, links, template_bundle, tmp_path / "run", {"UV_OFFLINE": "1"}
    )
    [line] = error_lines(runner)
    assert line.startswith("::error::no final mlscaffold-cli release found on the package index;")


def closed_port() -> int:
    """Return a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_template_sync_fails_with_one_error_when_the_index_cannot_be_reached(
    old_project_origin: Path, template_bundle: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "no-wheels"
    empty.mkdir()
    env = {"UV_INDEX_URL": f"http://127.0.0.1:{closed_port()}/simple", "UV_HTTP_RETRIES": "0"}
    runner = run_until_failure(old_project_origin, empty, template_bundle, tmp_path / "run", env)
    [line] = error_lines(runner)
    assert line.startswith(
        "::error::could not reach the package index to find the newest mlscaffold-cli release"
    )


def run_resolve_step(
    value: str, env: dict[str, str], tmp_path: Path
) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run the resolving step's `run:` text alone with input VALUE; return the result and its outputs."""
    from mlscaffold.yamlio import load_text

    [step] = [
        s
        for s in load_text(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["sync"]["steps"]
        if s.get("id") == "tool"
    ]
    outputs = tmp_path / "outputs"
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", str(step["run"])],
        env={
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
            "HOME": str(tmp_path),
            "UV_PYTHON": sys.executable,
            "MLSCAFFOLD": value,
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
            "RUNNER_TEMP": str(tmp_path),
        }
        | env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return result, outputs.read_text(encoding="utf-8") if outputs.exists() else ""


def test_resolve_step_takes_the_last_final_release_over_a_newer_pre_release(
    release_wheels: dict[str, Path], tmp_path: Path
) -> None:
    links = find_links(release_wheels, ["0.3.0", "9.2.0rc1"], tmp_path / "links")
    result, outputs = run_resolve_step("newest", {"UV_FIND_LINKS": str(links), "UV_OFFLINE": "1"}, tmp_path)
    assert (result.returncode, result.stdout, outputs) == (0, "", "requirement=mlscaffold-cli==0.3.0\n")


@pytest.mark.parametrize(
    "value", ["mlscaffold-cli==9.2.0rc1", "git+https://github.com/mlscaffold/mlscaffold@v0.4.0"]
)
def test_resolve_step_keeps_a_pin_as_given(value: str, tmp_path: Path) -> None:
    # No uv on PATH is needed: a pin is not resolved (the first step checked it).
    result, outputs = run_resolve_step(value, {"PATH": "/usr/bin:/bin"}, tmp_path)
    assert (result.returncode, outputs) == (0, f"requirement={value}\n")


@pytest.mark.parametrize(
    "answer",
    [
        "mlscaffold-cli==9.2.0rc1",
        "mlscaffold==1.0.0",
        "mlscaffold-cli @ https://evil.example/x.whl",
        "",
        "mlscaffold-cli==1.0.0\nother==1",
    ],
)
def test_resolve_step_installs_nothing_but_one_final_release(answer: str, tmp_path: Path) -> None:
    # Whatever the resolver prints (a stand-in `uv` here), only `mlscaffold-cli==X.Y.Z` is passed on.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "uv"
    fake.write_text(f"#!/bin/sh\ncat > /dev/null\nprintf '%s\\n' '{answer}'\n", encoding="utf-8")
    fake.chmod(0o755)
    result, outputs = run_resolve_step("", {"PATH": f"{bin_dir}:/usr/bin:/bin"}, tmp_path)
    assert (result.returncode, outputs) == (1, "")
    [line] = result.stdout.splitlines()
    assert line.startswith("::error::the package index answered '") and "pin one with input mlscaffold" in line
