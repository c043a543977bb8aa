"""Stand-in pipeline: make data, train a one-number model, evaluate it, check drift."""

import json
import random
import statistics
import sys
from pathlib import Path


def params() -> dict[str, float]:
    values = {}
    for line in Path("params.yaml").read_text().splitlines():
        key, _, value = line.partition(":")
        if value.strip():
            values[key.strip()] = float(value)
    return values


def read(path: str) -> list[float]:
    return [float(v) for v in Path(path).read_text().split()]


def make_data() -> None:
    rng = random.Random(int(params()["seed"]))
    Path("data/raw").mkdir(parents=True, exist_ok=True)
    values = [rng.gauss(0, 1) for _ in range(int(params()["rows"]))]
    Path("data/raw/data.txt").write_text("\n".join(f"{v:.6f}" for v in values) + "\n")


def train() -> None:
    values = read("data/raw/data.txt")
    model = {"mean": statistics.fmean(values) * params()["scale"]}
    Path("models").mkdir(exist_ok=True)
    Path("models/model.json").write_text(json.dumps(model))
    Path("reports").mkdir(exist_ok=True)
    metrics = {"rows": len(values), "score": round(1 - abs(model["mean"]), 4)}
    Path("reports/metrics.json").write_text(json.dumps(metrics))


def drift(current: str) -> int:
    shift = abs(statistics.fmean(read(current)) - statistics.fmean(read("data/raw/data.txt")))
    Path("reports").mkdir(exist_ok=True)
    Path("reports/drift.json").write_text(json.dumps({"shift": round(shift, 4), "drift": shift > 0.5}))
    return 1 if shift > 0.5 else 0


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "data":
        make_data()
    elif command == "train":
        train()
    else:
        sys.exit(drift(sys.argv[2]))
