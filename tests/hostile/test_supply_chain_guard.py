"""The reusable workflows refuse to install anything but our own package at one exact release.

The `mlscaffold` input of project-ci.yml and template-sync.yml is a requirement `uvx --from`
installs; the guard step runs before anything is installed (in template sync, before any
token is used) and fails with one `::error::` line unless the value is `mlscaffold-cli==X.Y.Z`
or a `git+https://` URL at a release tag or a 40-hex commit (template sync also takes `newest`,
its default, or empty: a later step resolves the newest release and installs exactly that
version; see tests/workflows/test_template_sync_steps.py). The value reaches the step through
`env:` only, so no value can become shell code; the error line shows it cut and sanitised, so
no value can add a workflow command (`::add-mask::`, `::set-output::`) either.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mlscaffold.yamlio import load_text

ROOT = Path(__file__).resolve().parents[2]
GUARDED = {"project-ci.yml": "check", "template-sync.yml": "sync"}
GUARD = "The mlscaffold requirement is pinned"
SHA = "0123456789abcdef0123456789abcdef01234567"

GOOD = [
    "mlscaffold-cli==0.4.0",
    "mlscaffold-cli==0.4.0.dev0",
    "mlscaffold-cli==1.0.0rc1",
    "git+https://github.com/mlscaffold/mlscaffold@v0.4.0",
    f"git+https://github.com/my-fork/mlscaffold@{SHA}",
    f"mlscaffold-cli @ git+https://git.example.com:8443/team/mlscaffold.git@{SHA}",
]
# Template sync's own default (empty means the default, like its other inputs); not a requirement.
NEWEST = ["newest", ""]
BAD = [
    "mlscaffold",
    "mlscaffold==0.3.0",
    "mlscaffold-cli",
    "mlscaffold-cli>=0.3",
    "mlscaffold-cli==0.3.*",
    "mlscaffold-cli==0.4.0 ; python_version>'3'",
    "mlscaffold-cli==0.4.0\n::add-mask::x",
    "git+https://github.com/mlscaffold/mlscaffold",
    "git+https://github.com/mlscaffold/mlscaffold@main",
    "git+http://github.com/mlscaffold/mlscaffold@v0.4.0",
    f"git+https://github.com/mlscaffold/mlscaffold@{SHA[:12]}",
    "git+ssh://git@github.com/mlscaffold/mlscaffold@v0.4.0",
    "./dist/mlscaffold_cli-0.4.0-py3-none-any.whl",
    "$(touch /tmp/pwned)",
    "mlscaffold-cli==0.4.0 --index-url https://evil.example/simple",
    "newest ",
    "Newest",
    "latest",
    "mlscaffold-cli==newest",
]


def guard_script(workflow: str) -> tuple[str, str]:
    """Return the guard step's `run:` text and the expression its job passes as MLSCAFFOLD."""
    job = load_text((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))["jobs"][
        GUARDED[workflow]
    ]
    [step] = [s for s in job["steps"] if s.get("name") == GUARD]
    assert job["steps"][0] is step  # first: nothing is installed or checked out before it
    return str(step["run"]), str(job["env"]["MLSCAFFOLD"])


def run_guard(workflow: str, value: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script, _ = guard_script(workflow)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env={"PATH": os.environ["PATH"], "MLSCAFFOLD": value},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("workflow", list(GUARDED))
def test_guard_reads_the_input_through_env(workflow: str) -> None:
    script, passed = guard_script(workflow)
    assert passed == "${{ inputs.mlscaffold }}"
    assert "${{" not in script


@pytest.mark.parametrize("value", GOOD)
@pytest.mark.parametrize("workflow", list(GUARDED))
def test_guard_accepts_an_exact_pin(workflow: str, value: str, tmp_path: Path) -> None:
    result = run_guard(workflow, value, tmp_path)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr


@pytest.mark.parametrize("value", NEWEST)
def test_guard_lets_template_sync_resolve_the_newest_release(value: str, tmp_path: Path) -> None:
    result = run_guard("template-sync.yml", value, tmp_path)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr


@pytest.mark.parametrize(
    ("workflow", "value"),
    [(w, v) for w in GUARDED for v in BAD] + [("project-ci.yml", v) for v in NEWEST],
)
def test_guard_refuses_what_could_be_someone_elses_package(workflow: str, value: str, tmp_path: Path) -> None:
    result = run_guard(workflow, value, tmp_path)
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    assert line.startswith("::error::input mlscaffold must be ") and "mlscaffold-cli==X.Y.Z" in line
    # One line: a newline in the value cannot start a workflow command (`::add-mask::`) of its own.
    assert "\n" not in value or "?::add-mask::x" in line
    assert list(tmp_path.iterdir()) == []  # nothing ran: `$(touch ...)` stays text
