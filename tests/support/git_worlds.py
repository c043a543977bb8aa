"""Builders for the small git worlds tests run in."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from mlscaffold.lock import find_uv

ROOT = Path(__file__).resolve().parents[2]

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
}


def git(*args: str, cwd: Path) -> str:
    """Run git in CWD with a fixed identity and return its output."""
    proc = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_IDENTITY},
    )
    return proc.stdout.strip()


def make_git_template(root: Path, readmes: dict[str, str]) -> Path:
    """Create a copier template repository with one tagged commit per README text."""
    (root / "template").mkdir(parents=True, exist_ok=True)
    (root / "copier.yml").write_text(
        "_subdirectory: template\nproject_name:\n  type: str\n  default: demo\n", encoding="utf-8"
    )
    git("init", "-q", "-b", "main", cwd=root)
    for tag, text in readmes.items():
        (root / "template" / "README.md").write_text(text + "\n", encoding="utf-8")
        git("add", "-A", cwd=root)
        git("commit", "-qm", tag, cwd=root)
        git("tag", tag, cwd=root)
    return root


# Answer sets that together cover every value of every question of the default template (by id).
TEMPLATE_COMBINATIONS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "regression-batch": {
        "problem_type": "regression",
        "deployment": "batch",
        "license": "Apache-2.0",
        "dvc_remote": "none",
        "sensitive_features": "",
    },
    "everything-on": {
        "deployment": "both",
        "license": "BSD-3-Clause",
        "dvc_remote": "s3",
        "dvc_remote_url": "s3://bucket/p",
        "kubernetes": True,
        "notebooks": True,
        "experiment_tracking": "mlflow",
        "container_registry": "registry.example.com:5000/ml-team",
        "ingress_host": "churn.ml.example.com",
        "api_auth": True,
    },
    "gcs-py310": {
        "license": "Proprietary",
        "dvc_remote": "gcs",
        "dvc_remote_url": "gs://bucket/p",
        "python_version": "3.10",
    },
    "azure": {
        "dvc_remote": "azure",
        "dvc_remote_url": "azure://container/p",
        "project_name": "Churn Model v2",
        "python_version": "3.13",
    },
    # The longest names the validators allow: generated code must still lint.
    "longest-names": {
        "project_name": "A" + "b" * 63,
        "problem_type": "regression",
        "deployment": "both",
        "kubernetes": True,
        "experiment_tracking": "mlflow",
        "api_auth": True,
    },
    "batch-k8s-notebooks": {
        "deployment": "batch",
        "kubernetes": True,
        "notebooks": True,
        "python_version": "3.11",
    },
}


def project_env() -> dict[str, str]:
    """Return the environment a generated project's commands run in: uv on PATH, a shared uv cache."""
    uv = find_uv()
    assert uv is not None, "uv is a test dependency"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_"))}
    env.update(
        {
            "PATH": f"{Path(uv).parent}{os.pathsep}{env['PATH']}",
            "UV_CACHE_DIR": str(ROOT / ".cache" / "uv"),
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_PYTHON": sys.executable,
            "MLSCAFFOLD_LOCK": "1",
        }
    )
    return env


def load_script(name: str) -> ModuleType:
    """Import `scripts/NAME.py` (scripts are not a package) and return the module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(command: list[str], *, cwd: Path, env: dict[str, str], probe_url: str, log: Path) -> Iterator[None]:
    """Run COMMAND (a server on loopback) until PROBE_URL answers; stop its whole process group after."""
    import signal
    import time
    import urllib.error
    import urllib.request

    import pytest

    with log.open("wb") as output:
        server = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"{command[0]} exited {server.returncode}: {log.read_text(encoding='utf-8')}")
            try:
                with urllib.request.urlopen(probe_url, timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        else:
            pytest.fail(f"the service did not answer {probe_url} within 60 seconds")
        yield
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
