"""The model card's numbers (reports/model_card_metrics.md), written by each evaluation.

docs/model_card.md links to this file instead of copying numbers into the team's text,
so an evaluation never overwrites what people wrote.
"""

from __future__ import annotations

from typing import Any


def _value(value: Any) -> str:
    return "n/a" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)


def model_card_metrics(result: Any, params: dict[str, Any]) -> str:
    """Return the Markdown summary of an `evaluate.Evaluation` against the gate in `params`."""
    lines = [
        "# Model card: measured numbers",
        "",
        "Written by `make pipeline` (the evaluate stage); do not edit: the next run replaces it.",
        "",
        "## Metrics",
        "",
        "| Metric | Model | Baseline |",
        "| --- | --- | --- |",
    ]
    for name, value in result.metrics.items():
        lines.append(f"| {name} | {_value(value)} | {_value(result.baseline.get(name))} |")
    latency = result.latency
    budget = params.get("latency_budget_ms", "none")
    lines += [
        "",
        "## Inference speed (this machine)",
        "",
        f"- one record: p50 {latency['single_p50_ms']:.2f} ms,"
        f" p95 {latency['single_p95_ms']:.2f} ms (budget: {budget} ms,"
        " `evaluate.latency_budget_ms`)",
        f"- a batch of {int(latency['batch_rows'])} records: p50 {latency['batch_p50_ms']:.2f} ms,"
        f" p95 {latency['batch_p95_ms']:.2f} ms",
        "",
        "## Fairness (reports/fairness.json)",
        "",
    ]
    groups = result.fairness.get("sensitive_features") or {}
    if not groups:
        lines.append(
            "No sensitive feature is named (`evaluate.sensitive_features` in params.yaml):"
            " no per-group analysis was made."
        )
    metric = params["metric"]
    for feature, entry in groups.items():
        gap = entry["gap"].get(metric)
        lines += [
            f"### {feature}: largest gap in {metric} {_value(gap)}"
            f" (limit `evaluate.max_group_gap`: {_value(params.get('max_group_gap'))})",
            "",
            "| Group | " + " | ".join(entry["overall"]) + " |",
            "| --- | " + " | ".join("---" for _ in entry["overall"]) + " |",
        ]
        for group, values in entry["by_group"].items():
            lines.append(f"| {group} | " + " | ".join(_value(v) for v in values.values()) + " |")
        lines.append("")
    lines += ["## Most important features (reports/importance.json)", ""]
    for item in result.importance.get("features", [])[:10]:
        lines.append(f"- {item['feature']}: {item['mean']:.4f} ± {item['std']:.4f}")
    verdict = "passed" if result.passed else "failed: " + "; ".join(result.failures)
    lines += ["", f"Quality gate: {verdict}", ""]
    return "\n".join(lines)
