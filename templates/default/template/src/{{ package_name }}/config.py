"""Where the pipeline reads and writes, and the parameters it runs with (params.yaml)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

PARAMS_FILE = Path("params.yaml")
RAW_DATA = Path("data/raw/dataset.csv")
TRAIN_DATA = Path("data/processed/train.csv")
TEST_DATA = Path("data/processed/test.csv")
MODEL_FILE = Path("models/model.joblib")
MODEL_METADATA = Path("models/model.json")
METRICS_FILE = Path("reports/metrics.json")
SLICES_FILE = Path("reports/slices.json")
FAIRNESS_FILE = Path("reports/fairness.json")
IMPORTANCE_FILE = Path("reports/importance.json")
MODEL_CARD_METRICS = Path("reports/model_card_metrics.md")
PREDICTIONS_PLOT = Path("reports/plots/predictions.csv")
DRIFT_REPORT = Path("reports/drift.json")


def load_params(path: Path = PARAMS_FILE) -> dict[str, Any]:
    """Return the parameters in `path`, a mapping of stage names to their settings."""
    with path.open(encoding="utf-8") as handle:
        params = yaml.safe_load(handle)
    if not isinstance(params, dict):
        raise ValueError(f"{path} must map each stage name to its parameters, as dvc.yaml expects")
    return params


# The `new:` line under `data:` in params.yaml, e.g. `  new: []  # a comment`.
_NEW_DATA = re.compile(
    r"^(?P<key>  new:[ \t]*)(?P<list>\[.*?\])?(?P<rest>[ \t]*(#.*)?)$", re.MULTILINE
)


def add_new_data(file: Path, path: Path = PARAMS_FILE) -> bool:
    """Add `file` to the `data.new` list of `path`, keeping its comments; False if already there."""
    params = load_params(path)
    listed = [str(entry) for entry in (params.get("data") or {}).get("new") or []]
    if file.as_posix() in listed:
        return False
    text = path.read_text(encoding="utf-8")
    match = _NEW_DATA.search(text)
    if match is None or match["list"] is None:
        raise ValueError(f"{path} has no `new: [...]` line under `data:`: add `  new: []` there")
    entries = ", ".join(json.dumps(entry) for entry in [*listed, file.as_posix()])
    line = f"{match['key']}[{entries}]{match['rest']}"
    path.write_text(text[: match.start()] + line + text[match.end() :], encoding="utf-8")
    return True
