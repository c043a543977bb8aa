"""Hostile `CURRENT` for the generated project's drift check: a path is data, never a command.

(`make predict`'s INPUT/OUTPUT and `make promote`'s STAGE/VERSION are held to the same rule.)

`make drift CURRENT=...` and the reusable drift workflow's `current-data` input reach the
drift command as one argument, whatever the value holds (`;`, `$(...)`, backticks, quotes,
newlines, make functions), and a path with spaces still works. A stand-in `uv` records the
arguments it is given, so these run in a second; one slow test runs the real drift check.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlscaffold.yamlio import load_text

from hostile.installed_project import PACKAGE, installed_project, run_in
from support.git_worlds import project_env
from support.step_runner import Runner

ROOT = Path(__file__).resolve().parents[2]
DRIFT_WORKFLOW = ROOT / ".github" / "workflows" / "drift.yml"
DEFAULT_CURRENT = "data/processed/test.csv"

# Each value tries one way out of being data; SENTINEL is the file a command would create.
HOSTILE = {
    "semicolon": "x.csv; touch SENTINEL",
    "command-substitution": "$(touch SENTINEL)",
    "backticks": "`touch SENTINEL`",
    "make-shell-function": "$(shell touch SENTINEL)",
    "make-escaped-dollar": "$$(touch SENTINEL)",
    "double-quote": '"; touch SENTINEL; echo "',
    "single-quote": "'; touch SENTINEL; echo '",
    "newline": "x.csv\ntouch SENTINEL",
    "variables": "$HOME ${HOME} $(HOME) SENTINEL",
    "spaces": "data/with  spaces/current data.csv",
    "leading-dash": "--help",
}


def stand_in_uv(bin_dir: Path, log: Path) -> None:
    """Write a `uv` that records its arguments, one JSON list a line, and succeeds."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    uv = bin_dir / "uv"
    uv.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"with open({str(log)!r}, 'a', encoding='utf-8') as out:\n"
        "    out.write(json.dumps(sys.argv[1:]) + '\\n')\n",
        encoding="utf-8",
    )
    uv.chmod(0o755)


def recorded(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


@pytest.fixture
def drift_world(generated_project: Path, tmp_path: Path) -> dict[str, Any]:
    """A generated default project and an environment whose `uv` only records its arguments."""
    log = tmp_path / "uv-args.jsonl"
    stand_in_uv(tmp_path / "bin", log)
    env = project_env()
    env["PATH"] = f"{tmp_path / 'bin'}:{env['PATH']}"
    return {
        "project": generated_project,
        "env": env,
        "bin": tmp_path / "bin",
        "log": log,
        "sentinel": tmp_path / "pwned",
    }


def drift_call(value: str) -> list[str]:
    """Return the arguments `make drift` must give uv: the value whole, as one argument."""
    return ["run", "python", "-m", "demo_project", "drift", f"--current={value}"]


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
def test_make_drift_passes_current_as_one_argument_and_runs_nothing(
    drift_world: dict[str, Any], value: str
) -> None:
    value = value.replace("SENTINEL", str(drift_world["sentinel"]))
    proc = subprocess.run(
        ["make", "--no-print-directory", "drift", f"CURRENT={value}"],
        cwd=drift_world["project"],
        env=drift_world["env"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert not drift_world["sentinel"].exists(), proc.stderr
    assert recorded(drift_world["log"]) == [drift_call(value)], proc.stderr


def test_make_drift_defaults_to_the_test_split(drift_world: dict[str, Any]) -> None:
    subprocess.run(
        ["make", "--no-print-directory", "drift"],
        cwd=drift_world["project"],
        env=drift_world["env"],
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert recorded(drift_world["log"]) == [drift_call(DEFAULT_CURRENT)]


def make_drift_step() -> dict[str, Any]:
    data = load_text(DRIFT_WORKFLOW.read_text(encoding="utf-8"))
    return next(step for step in data["jobs"]["drift"]["steps"] if step.get("name") == "make drift")


@pytest.mark.parametrize("value", [*HOSTILE.values(), ""], ids=[*HOSTILE, "empty-means-default"])
def test_drift_workflow_passes_current_data_as_one_argument_and_runs_nothing(
    drift_world: dict[str, Any], tmp_path: Path, value: str
) -> None:
    value = value.replace("SENTINEL", str(drift_world["sentinel"]))
    runner = Runner(
        drift_world["project"], tmp_path / "runner-temp", {"repository": "my-org/demo"}, lambda _: None
    )
    runner.path_prefix = [str(drift_world["bin"])]
    inputs = {"current-data": value, "working-directory": "."}
    # The step runs when the data could be reached (the step before says so).
    steps = {"data": {"outputs": {"available": "true"}}}
    context: dict[str, Any] = {"inputs": inputs, "steps": steps, "github": {}, "runner": {}}
    runner._steps([make_drift_step()], context, {}, None)
    assert not drift_world["sentinel"].exists()
    assert recorded(drift_world["log"]) == [drift_call(value or DEFAULT_CURRENT)]


@pytest.mark.slow
def test_make_drift_reads_a_path_with_spaces(
    tmp_path_factory: pytest.TempPathFactory, template_bundle: Path
) -> None:
    project = installed_project(tmp_path_factory)
    python = str(project / ".venv" / "bin" / "python")
    folder = project / "data" / "new  batch"
    shutil.rmtree(folder, ignore_errors=True)
    run_in(project, python, "-m", PACKAGE, "make-data", "--rows", "300", "--output", "data/processed/train.csv")
    run_in(
        project,
        python,
        "-m",
        PACKAGE,
        "make-data",
        "--rows",
        "300",
        "--seed",
        "7",
        "--output",
        "data/new  batch/current data.csv",
    )
    proc = run_in(project, "make", "--no-print-directory", "drift", "CURRENT=data/new  batch/current data.csv")
    assert "no drift in 300 rows" in proc.stdout


def test_make_predict_passes_input_and_output_as_one_argument_each(
    tmp_path: Path, drift_world: dict[str, Any]
) -> None:
    from mlscaffold.generate import create_project

    project = tmp_path / "batch-project"
    create_project(project, data={"deployment": "batch"}, use_defaults=True, init_git=False)
    sentinel = drift_world["sentinel"]
    source, target = f"in put.csv; touch {sentinel}", f"$(shell touch {sentinel})`touch {sentinel}`"
    subprocess.run(
        ["make", "--no-print-directory", "predict", f"INPUT={source}", f"OUTPUT={target}"],
        cwd=project,
        env=drift_world["env"],
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert not sentinel.exists()
    call = ["run", "python", "-m", "batch_project", "predict", f"--input={source}", f"--output={target}"]
    assert recorded(drift_world["log"]) == [call]


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
def test_make_promote_passes_stage_and_version_as_one_argument_each(
    drift_world: dict[str, Any], value: str
) -> None:
    value = value.replace("SENTINEL", str(drift_world["sentinel"]))
    proc = subprocess.run(
        ["make", "--no-print-directory", "promote", f"STAGE={value}", f"MODEL_VERSION={value}"],
        cwd=drift_world["project"],
        env=drift_world["env"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert not drift_world["sentinel"].exists(), proc.stderr
    call = ["run", "python", "-m", "demo_project", "promote", f"--stage={value}", f"--version={value}"]
    assert recorded(drift_world["log"]) == [call], proc.stderr


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
def test_retraining_dispatch_hands_current_data_on_as_data(
    drift_world: dict[str, Any], tmp_path: Path, value: str
) -> None:
    from support.fake_github import FakeGitHub, serve_github

    value = value.replace("SENTINEL", str(drift_world["sentinel"]))
    data = load_text(DRIFT_WORKFLOW.read_text(encoding="utf-8"))
    [step] = data["jobs"]["retrain"]["steps"]
    api = FakeGitHub()
    api.add_repository("my-org/demo")
    with serve_github(api):
        github = {"repository": "my-org/demo", "api_url": api.url, "ref_name": "main", "token": "write-token"}
        runner = Runner(drift_world["project"], tmp_path / "runner-temp", github, lambda _: None)
        inputs = {"current-data": value, "retrain-workflow": "train.yml"}
        runner._steps([step], {"inputs": inputs, "steps": {}, "github": github, "runner": {}}, {}, None)
    assert not drift_world["sentinel"].exists()
    assert [(d["ref"], d["inputs"]) for d in api.dispatches] == [("main", {"new-data": value})]
