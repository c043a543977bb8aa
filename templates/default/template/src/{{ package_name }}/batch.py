"""Batch prediction: score a CSV file of records with the trained model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .data import FEATURE_SCHEMA, FEATURES, validate


def predict(model: Any, records: pd.DataFrame) -> pd.DataFrame:
    """Return `records` validated, with a `prediction` column added."""
    frame = validate(records, FEATURE_SCHEMA)
    result = frame.copy()
    result["prediction"] = model.predict(frame[FEATURES])
    return result


def predict_file(model: Any, source: Path, destination: Path) -> int:
    """Write the records in `source` with their predictions to `destination`; return the count."""
    if not source.is_file():
        raise FileNotFoundError(f"{source} does not exist: pass INPUT=path/to/records.csv")
    result = predict(model, pd.read_csv(source))
    destination.parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(destination, index=False)
    return len(result)
