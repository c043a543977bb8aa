"""The generated CI's check job resolves the tool it asks for: our own wheel, not a stranger's.

A wheel of this checkout is built with the version of the template under test (in tests the
working tree is tagged like v0.4.0.dev0, as the release will tag it), and another at the
checkout's own version (project-ci.yml's default). The exact requirement strings the
generated `ci.yml` and project-ci.yml hand to `uvx --from` are resolved against a
local find-links directory holding only those wheels: they must resolve to `mlscaffold-cli`
(the name we own on PyPI), while the old `mlscaffold==0.3.0` must not resolve at all.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mlscaffold import __version__
from mlscaffold.yamlio import load_text

from support.wheels import build_wheel

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def find_links(newest_version: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a directory holding wheels of this checkout at the template's and the package's version."""
    out = tmp_path_factory.mktemp("find-links")
    work = tmp_path_factory.mktemp("wheel-build")
    for version in sorted({newest_version.removeprefix("v"), __version__}):
        build_wheel(version, out, work)
    return out


def resolve(requirement: str, find_links: Path) -> subprocess.CompletedProcess[str]:
    """Resolve REQUIREMENT as `uvx --from` would, but from FIND_LINKS only (no index, no network)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "pip",
            "compile",
            "-",
            "--no-index",
            "--find-links",
            str(find_links),
            "--no-deps",
            "--no-header",
            "--no-annotate",
            "--quiet",
        ],
        input=requirement + "\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_wheel_is_our_distribution_with_the_mlscaffold_command(find_links: Path) -> None:
    for wheel in find_links.glob("*.whl"):
        assert wheel.name.startswith("mlscaffold_cli-")
        with zipfile.ZipFile(wheel) as archive:
            [entry_points] = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
            assert "mlscaffold = mlscaffold.cli:main" in archive.read(entry_points).decode()


def test_generated_ci_check_job_resolves_the_tool(
    generated_project_template: Path, newest_version: str, find_links: Path
) -> None:
    ci = load_text(
        (generated_project_template / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    )
    requirement = ci["jobs"]["ci"]["with"]["mlscaffold"]
    result = resolve(requirement, find_links)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"mlscaffold-cli=={newest_version.removeprefix('v')}"]


def test_reusable_workflow_default_resolves_the_tool(find_links: Path) -> None:
    # Template sync defaults to `newest`, resolved in the job (tests/workflows/test_template_sync_steps.py).
    data = load_text((ROOT / ".github" / "workflows" / "project-ci.yml").read_text(encoding="utf-8"))
    requirement = data["on"]["workflow_call"]["inputs"]["mlscaffold"]["default"]
    result = resolve(requirement, find_links)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"mlscaffold-cli=={__version__}"]


@pytest.mark.parametrize("requirement", ["mlscaffold==0.3.0", "mlscaffold", "mlscaffold>=0"])
def test_old_name_does_not_resolve_to_our_wheel(requirement: str, find_links: Path) -> None:
    result = resolve(requirement, find_links)
    assert result.returncode != 0
    assert "mlscaffold was not found" in result.stderr
