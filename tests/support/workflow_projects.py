"""Answer combinations that change a generated project's `.github/`, and where workflows live."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mlscaffold.template import BUNDLE_ENV
from mlscaffold.workflows import Callee, parse_callee

ROOT = Path(__file__).resolve().parents[2]

# Each changes the rendered .github/: the image workflow (deployment, and its login
# by container_registry: GHCR, ECR, GAR, ACR, other), the DVC secrets passed to
# train, drift and image (dvc_remote), the Python version, the fork.
WORKFLOW_COMBINATIONS: dict[str, dict[str, str]] = {
    "online-local": {},
    "batch-none": {"deployment": "batch", "dvc_remote": "none", "python_version": "3.10"},
    "both-s3": {
        "deployment": "both",
        "dvc_remote": "s3",
        "dvc_remote_url": "s3://bucket/p",
        "container_registry": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml",
    },
    "batch-gcs": {
        "deployment": "batch",
        "dvc_remote": "gcs",
        "dvc_remote_url": "gs://bucket/p",
        "container_registry": "europe-west1-docker.pkg.dev/my-project/ml",
    },
    "online-azure": {
        "dvc_remote": "azure",
        "dvc_remote_url": "azure://container/p",
        "python_version": "3.13",
        "container_registry": "myteam.azurecr.io/ml",
    },
    # Kubernetes (deploy.yml passes KUBE_CONFIG) and a registry other than GHCR (its login secrets).
    "both-k8s-registry": {
        "deployment": "both",
        "kubernetes": "true",
        "experiment_tracking": "mlflow",
        "container_registry": "registry.example.com/ml",
    },
    # A platform team's fork of mlscaffold changes the hidden question's default.
    "fork": {"container_registry": "registry.example.com:5000/team"},
}
FORKS = {"fork": "acme-platform/ml-scaffold"}
OURS = "mlscaffold/mlscaffold"


def resolver_for(repository: str) -> Callable[[str], Callee | None]:
    """Resolve `uses:` values naming REPOSITORY (or `./`) to this checkout's workflows and actions."""

    def resolve(uses: str) -> Callee | None:
        target = uses.split("@", 1)[0]
        if target.startswith(("./", "$/")):  # `$/`: the repository and commit of the calling workflow
            path = target[2:]
        elif target.startswith(f"{repository}/"):
            path = target[len(repository) + 1 :]
        else:
            return None
        file = ROOT / path
        if file.is_dir():
            file = file / "action.yml"
        if not file.is_file():
            return None
        return _parsed(file.read_text(encoding="utf-8"))

    return resolve


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> Callee:
    """Parse a callee once per content: the contract tests resolve the same files hundreds of times."""
    return parse_callee(text)


def is_mlscaffold(repository: str) -> Callable[[str], bool]:
    """Tell whether a `uses:` value calls mlscaffold's own workflows or actions."""
    return lambda uses: uses.startswith((f"{repository}/", "./.github/", "$/.github/"))


@contextmanager
def using_bundle(bundle: Path) -> Iterator[None]:
    """Render from BUNDLE inside the block, whatever another fixture left in the environment."""
    saved = os.environ.get(BUNDLE_ENV)
    os.environ[BUNDLE_ENV] = str(bundle)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(BUNDLE_ENV, None)
        else:
            os.environ[BUNDLE_ENV] = saved
