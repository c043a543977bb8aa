"""Data and model versioning: DVC, the pipeline, params, large files and the remote (MLS2xx)."""

from __future__ import annotations

import re

from mlscaffold.check._parse import INVALID, load_yaml
from mlscaffold.check._repo import RepoView
from mlscaffold.check._rule import Rule

__all__ = ["MLS201", "MLS202", "MLS203", "MLS204", "MLS205"]

DVC_CONFIG = ".dvc/config"
# Any file this large does not belong in git; data and model formats get a lower bar.
MAX_TRACKED_BYTES = 10_000_000
MAX_DATA_BYTES = 1_000_000
DATA_SUFFIXES = (
    ".csv", ".tsv", ".parquet", ".feather", ".arrow", ".avro", ".orc", ".jsonl", ".xlsx", ".xls",
    ".pkl", ".pickle", ".joblib", ".h5", ".hdf5", ".npy", ".npz", ".onnx", ".pt", ".pth", ".ckpt",
    ".safetensors", ".pb", ".tflite", ".tfrecord", ".zip", ".gz", ".tar", ".db", ".sqlite",
)  # fmt: skip
_SECTION = re.compile(r"^\s*\[\s*(.+?)\s*\]\s*$")
_KEY = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s*=\s*(.*?)\s*$")


def dvc_config(text: str) -> dict[str, dict[str, str]]:
    """Parse DVC's INI-style config into {section: {key: value}}, with `'remote "x"'` as `remote x`."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        section = _SECTION.match(line)
        if section:
            name = " ".join(section.group(1).replace("'", " ").replace('"', " ").split())
            current = sections.setdefault(name, {})
            continue
        key = _KEY.match(line)
        if key and current is not None:
            current[key.group(1)] = key.group(2).strip("'\"")
    return sections


class Versioning(Rule):
    """Versioning rules."""

    family = "versioning"


class MLS201(Versioning):
    """DVC initialised"""

    audits = (".dvc/*", ".dvcignore")

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Run `dvc init` and commit `.dvc/config`, `.dvc/.gitignore` and `.dvcignore`, so data
        and models are versioned next to the code.
        """
        if ml_repo.text(DVC_CONFIG) is None:
            return cls.fail(ml_repo.problem(DVC_CONFIG) + ".", missing=ml_repo.missing(DVC_CONFIG))
        return True


class MLS202(Versioning):
    """Pipeline declared in dvc.yaml"""

    audits = ("dvc.yaml",)

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Declare the pipeline in `dvc.yaml`: a `stages:` mapping whose stages each have a
        `cmd` (for example make data, prepare, train, evaluate), so `dvc repro` rebuilds
        data, model and metrics from scratch.
        """
        data = load_yaml(ml_repo.text("dvc.yaml"))
        if data is INVALID:
            return cls.fail(ml_repo.invalid("dvc.yaml", "valid YAML"), missing=ml_repo.missing("dvc.yaml"))
        stages = data.get("stages") if isinstance(data, dict) else None
        if not isinstance(stages, dict) or not stages:
            return cls.fail("`dvc.yaml` declares no `stages:`.", "dvc.yaml")
        without_cmd = [
            str(name) for name, stage in stages.items() if not isinstance(stage, dict) or "cmd" not in stage
        ]
        if without_cmd:
            return cls.fail(f"Stages without a `cmd`: {', '.join(without_cmd)}.", "dvc.yaml")
        return True


class MLS203(Versioning):
    """Parameters in params.yaml"""

    audits = ("params.yaml",)

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Keep the pipeline's parameters (seed, split, hyperparameters, quality gate) in
        `params.yaml`, a YAML mapping that `dvc.yaml` stages read, so every run is reproducible.
        """
        data = load_yaml(ml_repo.text("params.yaml"))
        if data is INVALID:
            unusable = ml_repo.invalid("params.yaml", "valid YAML")
            return cls.fail(unusable, missing=ml_repo.missing("params.yaml"))
        if not isinstance(data, dict) or not data:
            return cls.fail("`params.yaml` is not a mapping of parameters.", "params.yaml")
        return True


class MLS204(Versioning):
    """No large data or model files committed to git"""

    audits = (".gitignore", "data/*/.gitignore", "models/.gitignore")

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Track data and models with DVC instead of git: `git rm --cached FILE`, then
        `dvc add FILE` (or make it a pipeline output) and commit the `.dvc` file. Files over
        10 MB, and data or model files (CSV, Parquet, pickle, ONNX ...) over 1 MB, must not be in git.
        """
        large = [
            tracked
            for tracked in ml_repo.tracked_files
            if tracked.size > MAX_TRACKED_BYTES
            or (tracked.size > MAX_DATA_BYTES and tracked.path.lower().endswith(DATA_SUFFIXES))
        ]
        if large:
            listed = ", ".join(f"`{t.path}` ({t.size / 1_000_000:.1f} MB)" for t in large[:10])
            more = f" and {len(large) - 10} more" if len(large) > 10 else ""
            return cls.fail(f"Committed to git: {listed}{more}.", large[0].path)
        return True


class MLS205(Versioning):
    """A DVC remote is configured"""

    audits = (".dvc/*",)
    requires = frozenset({"MLS201"})

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Configure a default remote so data and models can be shared and restored:
        `dvc remote add -d storage s3://BUCKET/PATH` (or `gs://`, `azure://`, a shared
        directory) and commit `.dvc/config`. If the data deliberately stays on one machine,
        ignore this rule with a reason in `[tool.mlscaffold.check]`.
        """
        text = ml_repo.text(DVC_CONFIG)
        if text is None:
            return cls.fail(ml_repo.problem(DVC_CONFIG) + ".", missing=ml_repo.missing(DVC_CONFIG))
        config = dvc_config(text)
        default = config.get("core", {}).get("remote")
        if not default:
            return cls.fail("`.dvc/config` sets no default remote (`remote =` under `[core]`).", DVC_CONFIG)
        if not config.get(f"remote {default}", {}).get("url"):
            return cls.fail(f"The default remote `{default}` has no `url` in `.dvc/config`.", DVC_CONFIG)
        return True
