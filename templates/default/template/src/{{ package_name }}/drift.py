"""Drift detection: compare new data with the training reference, one statistical test per feature.

Numeric features use the two-sample Kolmogorov-Smirnov test, categorical ones the
chi-squared test of their counts. The p-value threshold is Bonferroni-corrected for
the number of features, so an unchanged sample rarely raises a false alarm.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd
from scipy.stats import chi2_contingency, ks_2samp

from .data import CATEGORICAL_FEATURES, NUMERIC_FEATURES


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    test: str
    statistic: float
    p_value: float
    drift: bool


@dataclass(frozen=True)
class DriftReport:
    drift_detected: bool
    threshold: float
    reference_rows: int
    current_rows: int
    features: list[FeatureDrift]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def detect(reference: pd.DataFrame, current: pd.DataFrame, p_value: float) -> DriftReport:
    """Return the drift report of `current` against `reference` at significance `p_value`."""
    threshold = p_value / len(NUMERIC_FEATURES + CATEGORICAL_FEATURES)
    results = []
    for name in NUMERIC_FEATURES:
        statistic, p = ks_2samp(reference[name], current[name])
        results.append(
            FeatureDrift(
                name, "kolmogorov-smirnov", float(statistic), float(p), bool(p < threshold)
            )
        )
    for name in CATEGORICAL_FEATURES:
        counts = pd.concat(
            [reference[name].value_counts(), current[name].value_counts()], axis=1
        ).fillna(0)
        statistic, p, _, _ = chi2_contingency(counts.to_numpy().T + 1)
        results.append(
            FeatureDrift(name, "chi-squared", float(statistic), float(p), bool(p < threshold))
        )
    return DriftReport(
        drift_detected=any(result.drift for result in results),
        threshold=threshold,
        reference_rows=len(reference),
        current_rows=len(current),
        features=results,
    )
