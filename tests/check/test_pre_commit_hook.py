"""The `mlscaffold-check` pre-commit hook: a valid manifest, and a real run with `pre-commit try-repo`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.check_repos import SCOPING, commit_all, write_files

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def test_pre_commit_hooks_manifest_is_valid() -> None:
    proc = subprocess.run(
        [*PRE_COMMIT, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_pre_commit_try_repo_runs_the_check(good_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    # pre-commit installs mlscaffold from this checkout into its own environment (from PyPI).
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.getbasetemp() / "pre-commit-home")}

    def try_repo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*PRE_COMMIT, "try-repo", str(ROOT), "mlscaffold-check", "--all-files", "--verbose"],
            cwd=good_repo,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )

    passing = try_repo()
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "mlscaffold check" in passing.stdout
    assert "Passed" in passing.stdout
    write_files(good_repo, {"docs/scoping.md": SCOPING.replace("## Risks", "## Later")})
    commit_all(good_repo)
    failing = try_repo()
    assert failing.returncode == 1
    assert "FAIL  MLS102  Scoping document has every required section" in failing.stdout
    assert "`docs/scoping.md` has no section for: Risks." in failing.stdout
