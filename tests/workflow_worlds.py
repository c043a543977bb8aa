"""Answer combinations that change a generated project's `.github/`, and where workflows live."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Each changes the rendered .github/: the image workflow (deployment), the DVC
# secrets passed to train and drift (dvc_remote), the Python version, the fork.
WORKFLOW_COMBINATIONS: dict[str, dict[str, str]] = {
    "online-local": {},
    "batch-none": {"deployment": "batch", "dvc_remote": "none", "python_version": "3.10"},
    "both-s3": {"deployment": "both", "dvc_remote": "s3", "dvc_remote_url": "s3://bucket/p"},
    "batch-gcs": {"deployment": "batch", "dvc_remote": "gcs", "dvc_remote_url": "gs://bucket/p"},
    "online-azure": {"dvc_remote": "azure", "dvc_remote_url": "azure://container/p", "python_version": "3.13"},
    "fork": {"mlscaffold_repo": "acme-platform/ml-scaffold"},
}
