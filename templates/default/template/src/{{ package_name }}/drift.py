"""Drift detection: compare new data with the training reference, feature by feature.

Numeric features use the two-sample Kolmogorov-Smirnov test, categorical ones the
chi-squared test of their counts. The p-value threshold is Bonferroni-corrected for
the number of features, so an unchanged sample rarely raises a false alarm.

New data is not validated against the schema first: what the schema would reject is
drift to report, not a crash. A feature also drifts when the new data has nulls (or
values that are not numbers), numbers outside the schema's range, categories the
reference never had, or no such column at all.

Each check also writes its outcome as Prometheus metrics (`to_prometheus`): a text file
for node_exporter's textfile collector, or pushed to a Pushgateway, so an alert
(`ModelDriftDetected` in monitoring/alerts.yml) fires on it.
"""

from __future__ import annotations

import urllib.request
from dataclasses import asdict, dataclass, field

import pandas as pd
from scipy.stats import chi2_contingency, ks_2samp

from .data import CATEGORICAL_FEATURES, NUMERIC_FEATURES, NUMERIC_RANGE


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    test: str
    statistic: float | None
    p_value: float | None
    drift: bool
    nulls: int = 0
    out_of_range: int = 0
    new_categories: list[str] = field(default_factory=list)
    missing: bool = False

    def reasons(self) -> list[str]:
        """Return why this feature drifted, in words (empty when it did not)."""
        found = []
        if self.missing:
            found.append("column missing")
        if self.nulls:
            found.append(f"{self.nulls} null or non-numeric values")
        if self.out_of_range:
            found.append(f"{self.out_of_range} values outside {list(NUMERIC_RANGE)}")
        if self.new_categories:
            found.append(f"new categories {self.new_categories}")
        if self.p_value is not None and self.drift and not found:
            found.append(f"{self.test} p-value {self.p_value:.2g}")
        return found


@dataclass(frozen=True)
class DriftReport:
    drift_detected: bool
    threshold: float
    reference_rows: int
    current_rows: int
    features: list[FeatureDrift]

    def to_dict(self) -> dict[str, object]:
        report = asdict(self)
        for entry, result in zip(report["features"], self.features, strict=True):
            entry["reasons"] = result.reasons()
        return report


def _numeric(name: str, reference: pd.Series, current: pd.Series, threshold: float) -> FeatureDrift:
    values = pd.to_numeric(current, errors="coerce")
    nulls = int(values.isna().sum())
    valid = values.dropna()
    low, high = NUMERIC_RANGE
    out_of_range = int(((valid < low) | (valid > high)).sum())
    if valid.empty:
        return FeatureDrift(name, "kolmogorov-smirnov", None, None, True, nulls, out_of_range)
    statistic, p = ks_2samp(pd.to_numeric(reference), valid)
    drifted = bool(p < threshold) or nulls > 0 or out_of_range > 0
    return FeatureDrift(
        name, "kolmogorov-smirnov", float(statistic), float(p), drifted, nulls, out_of_range
    )


def _categorical(
    name: str, reference: pd.Series, current: pd.Series, threshold: float
) -> FeatureDrift:
    nulls = int(current.isna().sum())
    valid = current.dropna().astype(str)
    known = set(reference.astype(str))
    new = sorted(set(valid) - known)
    if valid.empty:
        return FeatureDrift(name, "chi-squared", None, None, True, nulls, new_categories=new)
    both = [reference.astype(str).value_counts(), valid.value_counts()]
    counts = pd.concat(both, axis=1).fillna(0)
    statistic, p, _, _ = chi2_contingency(counts.to_numpy().T + 1)
    drifted = bool(p < threshold) or nulls > 0 or bool(new)
    return FeatureDrift(
        name, "chi-squared", float(statistic), float(p), drifted, nulls, new_categories=new
    )


def detect(reference: pd.DataFrame, current: pd.DataFrame, p_value: float) -> DriftReport:
    """Return the drift report of `current` against `reference` at significance `p_value`.

    `reference` is the validated training data; `current` is taken as it comes.
    """
    threshold = p_value / len(NUMERIC_FEATURES + CATEGORICAL_FEATURES)
    results = []
    for name in NUMERIC_FEATURES + CATEGORICAL_FEATURES:
        test = "kolmogorov-smirnov" if name in NUMERIC_FEATURES else "chi-squared"
        if name not in current.columns:
            results.append(FeatureDrift(name, test, None, None, True, missing=True))
        elif name in NUMERIC_FEATURES:
            results.append(_numeric(name, reference[name], current[name], threshold))
        else:
            results.append(_categorical(name, reference[name], current[name], threshold))
    return DriftReport(
        drift_detected=any(result.drift for result in results),
        threshold=threshold,
        reference_rows=len(reference),
        current_rows=len(current),
        features=results,
    )


def to_prometheus(report: DriftReport, checked_at: float) -> str:
    """Return `report` as Prometheus text exposition: what alerts and dashboards read."""
    drifted = [result.feature for result in report.features if result.drift]
    lines = [
        "# HELP model_drift_detected 1 when the last drift check found drift, else 0.",
        "# TYPE model_drift_detected gauge",
        f"model_drift_detected {int(report.drift_detected)}",
        "# HELP model_drift_features Features the last drift check flagged.",
        "# TYPE model_drift_features gauge",
        f"model_drift_features {len(drifted)}",
        "# HELP model_drift_current_rows Rows of new data the last drift check read.",
        "# TYPE model_drift_current_rows gauge",
        f"model_drift_current_rows {report.current_rows}",
        "# HELP model_drift_check_timestamp_seconds When the last drift check ran (Unix time).",
        "# TYPE model_drift_check_timestamp_seconds gauge",
        f"model_drift_check_timestamp_seconds {checked_at:.0f}",
    ]
    return "\n".join(lines) + "\n"


def push(metrics: str, gateway: str, job: str, timeout: float = 10) -> None:
    """Replace the metrics of `job` on the Pushgateway at `gateway` (http:// or https://)."""
    if not gateway.startswith(("http://", "https://")):
        raise ValueError("PUSHGATEWAY_URL must start with http:// or https://")
    request = urllib.request.Request(
        f"{gateway.rstrip('/')}/metrics/job/{job}",
        data=metrics.encode(),
        method="PUT",
        headers={"content-type": "text/plain; version=0.0.4"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            pass
    except OSError as error:
        # The URL may hold credentials: the message names the setting, never its value.
        raise ValueError(f"could not push the drift metrics to PUSHGATEWAY_URL: {error}") from None
