"""Where the pipeline reads and writes, and the parameters it runs with (params.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PARAMS_FILE = Path("params.yaml")
RAW_DATA = Path("data/raw/dataset.csv")
TRAIN_DATA = Path("data/processed/train.csv")
TEST_DATA = Path("data/processed/test.csv")
MODEL_FILE = Path("models/model.joblib")
METRICS_FILE = Path("reports/metrics.json")
SLICES_FILE = Path("reports/slices.json")
PREDICTIONS_PLOT = Path("reports/plots/predictions.csv")
DRIFT_REPORT = Path("reports/drift.json")


def load_params(path: Path = PARAMS_FILE) -> dict[str, Any]:
    """Return the parameters in `path`, a mapping of stage names to their settings."""
    with path.open(encoding="utf-8") as handle:
        params = yaml.safe_load(handle)
    if not isinstance(params, dict):
        raise ValueError(f"{path} must map each stage name to its parameters, as dvc.yaml expects")
    return params
