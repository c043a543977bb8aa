"""What accuracy costs: prediction latency on this machine, and global feature importance."""

from __future__ import annotations

import os
import platform
import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance

WARMUP_CALLS = 5
BATCH_REPEATS = 10
MAX_REPEATS = 1000
# scikit-learn's scorer for each gate metric (higher is better for every scorer).
SCORERS = {
    "accuracy": "accuracy",
    "f1_macro": "f1_macro",
    "roc_auc": "roc_auc",
    "mae": "neg_mean_absolute_error",
    "rmse": "neg_root_mean_squared_error",
    "r2": "r2",
}


def _timed_ms(predict: Any, frame: pd.DataFrame) -> float:
    started = time.perf_counter()
    predict(frame)
    return (time.perf_counter() - started) * 1000.0


def latency(model: Any, features: pd.DataFrame, repeats: int = 50) -> dict[str, Any]:
    """Return p50/p95 milliseconds of one-record and whole-batch predictions on this machine.

    A few warm-up calls come first; `repeats` (at most 1000) one-record calls are timed,
    each on the next row of `features`, then BATCH_REPEATS calls on all of `features`.
    """
    if features.empty:
        raise ValueError("latency needs at least one record to time")
    repeats = max(1, min(int(repeats), MAX_REPEATS))
    rows = [features.iloc[[index % len(features)]] for index in range(repeats)]
    for row in rows[:WARMUP_CALLS]:
        model.predict(row)
    single = np.array([_timed_ms(model.predict, row) for row in rows])
    batch = np.array([_timed_ms(model.predict, features) for _ in range(BATCH_REPEATS)])
    return {
        "single_p50_ms": round(float(np.percentile(single, 50)), 3),
        "single_p95_ms": round(float(np.percentile(single, 95)), 3),
        "batch_p50_ms": round(float(np.percentile(batch, 50)), 3),
        "batch_p95_ms": round(float(np.percentile(batch, 95)), 3),
        "batch_rows": float(len(features)),
        "single_repeats": float(repeats),
        "batch_repeats": float(BATCH_REPEATS),
        "cpu_count": float(os.cpu_count() or 1),
        "machine": platform.machine() or "unknown",
    }


def importance(
    model: Any, features: pd.DataFrame, target: pd.Series, metric: str, seed: int = 0
) -> dict[str, Any]:
    """Return permutation importance: how much `metric` drops when each input column is shuffled."""
    scoring = SCORERS[metric]
    found = permutation_importance(
        model, features, target, scoring=scoring, n_repeats=5, random_state=seed, n_jobs=1
    )
    ranked = sorted(
        zip(features.columns, found.importances_mean, found.importances_std, strict=True),
        key=lambda item: -item[1],
    )
    return {
        "scoring": scoring,
        "n_repeats": 5,
        "features": [
            {"feature": str(name), "mean": round(float(mean), 6), "std": round(float(std), 6)}
            for name, mean, std in ranked
        ],
    }
