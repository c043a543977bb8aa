"""Small repositories for `mlscaffold check` tests: one that meets the standard, and ways to break it."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from mlscaffold.template import CANONICAL_URL

from support.git_worlds import git

SHA = "11bfc7c4e1f45c1c4b1ca3e2a3ef19a5e0f7a2b1"

SCOPING = """\
# Scoping: churn model

## Problem statement

Predict which customers cancel next month so the retention team can call them first.

## Is ML needed?

A rule on contract age catches a third of churners; the model must beat that baseline.

## Data sources and quality

The billing warehouse, refreshed nightly; labels come from cancellations and are reliable.

## Accuracy versus inference speed

Scores are computed in a nightly batch, so a slower but more accurate model is fine.

## Deployment

A batch job writes scores to the warehouse; an API serves single lookups.

## Success metrics

Recall at the top decile above the rule's, and fewer cancellations among called customers.

## Risks

Bias across regions is measured per slice; personal data stays pseudonymised (GDPR).

## Roles

Ada owns the model, Grace owns the data, and the platform team runs the service.

## Timeline

Baseline in March, first model in April, production in June of this year.
"""

MODEL_CARD = """\
# Model card

## Intended use

Rank customers by churn risk for the retention team; not for pricing decisions.

## Metrics

Recall at the top decile and F1 on a held-out month, reported per region.

## Limitations

Trained on one country's customers; new products are not represented yet.
"""

RUNBOOK = """\
# Runbook

## Monitoring

Latency, traffic and errors on the Prometheus endpoint; drift weekly.

## Alerts

Error rate above one percent pages the on-call engineer.

## Retraining

Retrain when the drift check fails or every quarter, through the training workflow.

## Rollback

Redeploy the previous image tag and restore the previous model with dvc checkout.
"""

DVC_CONFIG = """\
[core]
    remote = storage
['remote "storage"']
    url = ../churn-dvc-storage
"""

DVC_YAML = """\
stages:
  train:
    cmd: python -m churn.train
    deps: [data/processed]
    params: [train]
    outs: [models/model.joblib]
"""

PYPROJECT = """\
[project]
name = "churn"
version = "0.1.0"
dependencies = ["scikit-learn", "fastapi"]

[dependency-groups]
dev = ["pytest>=8", "ruff"]

[tool.pytest.ini_options]
testpaths = ["tests"]
"""

DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim AS build
RUN pip install uv
COPY . /src
RUN uv build /src --out-dir /dist

FROM python:3.12-slim
COPY --from=build /dist /dist
RUN pip install /dist/*.whl \\
    && useradd --create-home --uid 10001 app
USER app
HEALTHCHECK --interval=30s CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"
CMD ["uvicorn", "churn.api:app", "--host", "0.0.0.0"]
"""

SINGLE_STAGE_DOCKERFILE = """\
FROM python:3.12-slim
RUN useradd --create-home app
USER app
HEALTHCHECK CMD curl -f http://localhost:8000/health
"""


def ci_workflow(version: str, extra_step: str = "", top_permissions: str = "permissions: {}\n") -> str:
    """Return a CI workflow calling mlscaffold's reusable workflow at VERSION."""
    return (
        "name: CI\non:\n  push:\n  pull_request:\n"
        + top_permissions
        + f"""\
jobs:
  ci:
    permissions:
      contents: read
    uses: my-org/mlscaffold/.github/workflows/ci.yml@{version}
  extra:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@{SHA} # v4.2.2
        with:
          persist-credentials: false
{extra_step}"""
    )


ZIZMOR = """\
rules:
  unpinned-uses:
    config:
      policies:
        "my-org/mlscaffold/*": ref-pin
        "*": hash-pin
"""


def pre_commit(hooks: tuple[str, ...] = ("detect-secrets", "check-added-large-files")) -> str:
    """Return a pre-commit configuration with local HOOKS."""
    lines = ["repos:", "  - repo: local", "    hooks:"]
    for hook in hooks:
        lines += [
            f"      - id: {hook}",
            f"        name: {hook}",
            f"        entry: {hook}",
            "        language: system",
        ]
    return "\n".join(lines) + "\n"


def answers(version: str) -> str:
    """Return an answers file recording the default template at VERSION."""
    return f"_commit: {version}\n_src_path: {CANONICAL_URL}\nproject_name: churn\npackage_name: churn\n"


def good_files(version: str) -> dict[str, str]:
    """Return the files of a small repository that passes every rule, on template VERSION."""
    return {
        "docs/scoping.md": SCOPING,
        "docs/model_card.md": MODEL_CARD,
        "docs/runbook.md": RUNBOOK,
        ".dvc/config": DVC_CONFIG,
        ".dvc/.gitignore": "/config.local\n/tmp\n/cache\n",
        ".dvcignore": "",
        "dvc.yaml": DVC_YAML,
        "params.yaml": "train:\n  seed: 42\n  quality_gate: 0.7\n",
        "pyproject.toml": PYPROJECT,
        "src/churn/__init__.py": "",
        "tests/test_data.py": "def test_loader_returns_rows():\n    assert [1]\n",
        "tests/test_model.py": "def test_training_is_seeded():\n    assert 42\n",
        "tests/test_api.py": "def test_health():\n    assert 'ok'\n",
        "Dockerfile": DOCKERFILE,
        ".dockerignore": ".git\n.env*\ndata/\nmodels/\n",
        ".github/workflows/ci.yml": ci_workflow(version),
        ".github/zizmor.yml": ZIZMOR,
        ".pre-commit-config.yaml": pre_commit(),
        "LICENSE": "MIT License\n\nCopyright (c) the churn team\n",
        ".copier-answers.yml": answers(version),
        ".gitignore": "/data/\n/models/\n.env\n",
    }


def write_files(root: Path, files: dict[str, str | bytes | None]) -> None:
    """Write FILES under ROOT (bytes as is); None deletes a file or folder."""
    for rel, content in files.items():
        path = root / rel
        if content is None:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_repo(root: Path, files: dict[str, str | bytes | None], *, commit: bool = True) -> Path:
    """Create a git repository at ROOT holding FILES, committed unless COMMIT is false."""
    root.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=root)
    write_files(root, files)
    if commit:
        commit_all(root)
    return root


def commit_all(root: Path) -> None:
    """Stage and commit everything in ROOT."""
    git("add", "-A", cwd=root)
    git("commit", "-qm", "change", "--allow-empty", cwd=root)


@dataclass(frozen=True)
class Breakage:
    """A change to the good repository that makes RULE fail (and exactly ALSO fail or wait besides)."""

    rule: str
    files: dict[str, str | bytes | None]
    also: frozenset[str] = field(default_factory=frozenset)


def breakages(version: str) -> list[Breakage]:
    """Return one failing fixture per rule, each a small edit of the good repository."""
    scoping_no_timeline = SCOPING.split("## Timeline", maxsplit=1)[0]
    return [
        Breakage("MLS101", {"docs/scoping.md": None}, frozenset({"MLS102", "MLS103"})),
        Breakage("MLS102", {"docs/scoping.md": scoping_no_timeline}),
        Breakage(
            "MLS103", {"docs/scoping.md": SCOPING.replace("Bias across regions", "TODO: bias across regions")}
        ),
        Breakage("MLS104", {"docs/model_card.md": MODEL_CARD.split("## Limitations", maxsplit=1)[0]}),
        Breakage("MLS105", {"docs/runbook.md": RUNBOOK.split("## Rollback", maxsplit=1)[0]}),
        Breakage("MLS201", {".dvc/config": None}, frozenset({"MLS205"})),
        Breakage("MLS202", {"dvc.yaml": "stages:\n  train:\n    deps: [data]\n"}),
        Breakage("MLS203", {"params.yaml": "- seed\n- 42\n"}),
        Breakage("MLS204", {"exports/customers.csv": "id,churned\n" + "1,0\n" * 300_000}),
        Breakage("MLS205", {".dvc/config": "[core]\n    autostage = true\n"}),
        Breakage(
            "MLS301",
            {"tests": None, "test_everything.py": "def test_x():\n    assert 1\n"},
            frozenset({"MLS302", "MLS303", "MLS304"}),
        ),
        Breakage("MLS302", {"tests/test_data.py": None}),
        Breakage("MLS303", {"tests/test_model.py": None}),
        Breakage("MLS304", {"tests/test_api.py": None}),
        Breakage("MLS305", {"pyproject.toml": PYPROJECT.split("[dependency-groups]", maxsplit=1)[0]}),
        Breakage("MLS401", {"Dockerfile": SINGLE_STAGE_DOCKERFILE}),
        Breakage("MLS402", {"Dockerfile": DOCKERFILE.replace("USER app", "USER app\nUSER root")}),
        Breakage("MLS403", {"Dockerfile": re.sub(r"^HEALTHCHECK .*\n", "", DOCKERFILE, flags=re.MULTILINE)}),
        Breakage("MLS404", {".dockerignore": ".git\ndata/\n"}),
        # A workflow without jobs: the rules that read workflows wait until it is fixed.
        Breakage(
            "MLS501",
            {".github/workflows/notes.yml": "name: notes\npermissions: {}\n"},
            frozenset({"MLS502", "MLS503"}),
        ),
        Breakage(
            "MLS502",
            {
                ".github/workflows/ci.yml": ci_workflow(version, top_permissions="").replace(
                    "    permissions:\n      contents: read\n    steps", "    steps"
                )
            },
        ),
        Breakage(
            "MLS503",
            {".github/workflows/ci.yml": ci_workflow(version, "      - uses: actions/setup-python@v5\n")},
        ),
        Breakage("MLS504", {".github/workflows/ci.yml": ci_workflow("main")}),
        Breakage("MLS601", {".pre-commit-config.yaml": pre_commit(("check-added-large-files", "ruff"))}),
        Breakage("MLS602", {".pre-commit-config.yaml": pre_commit(("detect-secrets", "ruff"))}),
        Breakage("MLS603", {".env": "API_TOKEN=abc\n", ".gitignore": "/data/\n"}),
        Breakage("MLS604", {"LICENSE": None}),
        Breakage(
            "MLS701",
            {".copier-answers.yml": answers("v0.0.9"), ".github/workflows/ci.yml": ci_workflow("v0.0.9")},
        ),
    ]
