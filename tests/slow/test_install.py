"""The built wheel installs into a fresh environment and generates offline from its own bundle."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlscaffold import __version__
from mlscaffold.answers_file import read_project_answers
from mlscaffold.bundle import list_versions
from mlscaffold.template import BUNDLE_ENV, CANONICAL_URL

from support.git_worlds import git

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_BUNDLE = ROOT / "mlscaffold" / "templates" / "default.bundle"


def uv(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "uv", *args], check=True, capture_output=True)


@pytest.fixture(scope="session")
def installed_mlscaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the bin directory of a fresh venv with the wheel built from this checkout."""
    work = tmp_path_factory.mktemp("wheel")
    uv("build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT))
    wheels = list((work / "dist").glob("mlscaffold_cli-*.whl"))
    assert len(wheels) == 1
    uv("venv", "--quiet", "--python", sys.executable, str(work / "venv"))
    uv("pip", "install", "--quiet", "--python", str(work / "venv" / "bin" / "python"), str(wheels[0]))
    return work / "venv" / "bin"


def offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != BUNDLE_ENV}
    # git may read only local files: any attempt to fetch the template from the network fails.
    env["GIT_ALLOW_PROTOCOL"] = "file"
    return env


def test_wheel_new_with_defaults_offline(installed_mlscaffold: Path, tmp_path: Path) -> None:
    shipped = list_versions(SHIPPED_BUNDLE)
    assert shipped[-1] == f"v{__version__}"
    proc = subprocess.run(
        [str(installed_mlscaffold / "mlscaffold"), "new", "my-project", "--defaults"],
        cwd=tmp_path,
        env=offline_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    project = tmp_path / "my-project"
    recorded = read_project_answers(project)
    assert recorded is not None
    assert (recorded.src_path, recorded.commit) == (CANONICAL_URL, f"v{__version__}")
    assert git("rev-list", "--count", "HEAD", cwd=project) == "1"
    assert git("status", "--porcelain", cwd=project) == ""

    listing = subprocess.run(
        [str(installed_mlscaffold / "mlscaffold"), "versions", str(project)],
        env=offline_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for tag in shipped:
        assert f"  {tag}" in listing
    assert f"v{__version__}  (newest, {project} is on it)" in listing


def test_wheel_version_and_package_data(installed_mlscaffold: Path) -> None:
    out = subprocess.run(
        [str(installed_mlscaffold / "mlscaffold"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out == f"mlscaffold {__version__}\n"
    python = installed_mlscaffold / "python"
    typed = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.resources as r; print(r.files('mlscaffold').joinpath('py.typed').is_file())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert typed.strip() == "True"
