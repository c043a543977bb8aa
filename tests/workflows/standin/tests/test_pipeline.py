"""The stand-in pipeline's own test, run by `make test`."""

from pathlib import Path

import pipeline


def test_drift_found_for_shifted_data(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("data/raw").mkdir(parents=True)
    Path("data/raw/data.txt").write_text("0.0\n0.1\n")
    Path("shifted.txt").write_text("3.0\n3.1\n")
    assert pipeline.drift("shifted.txt") == 1
    assert pipeline.drift("data/raw/data.txt") == 0
