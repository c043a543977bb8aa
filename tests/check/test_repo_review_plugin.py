"""repo-review finds and runs mlscaffold's rules through the registered entry points."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlscaffold.check import ALL_RULES, rule_id

from support.check_repos import SCOPING, commit_all, write_files

processor = pytest.importorskip("repo_review.processor", reason="repo-review needs Python 3.11+")


def test_repo_review_runs_mlscaffold_rules(good_repo: Path) -> None:
    write_files(good_repo, {"docs/scoping.md": SCOPING.replace("## Roles", "## Later")})
    commit_all(good_repo)
    families, results = processor.process(good_repo)
    ours = {r.name: r for r in results if r.name.startswith("MLS")}
    assert sorted(ours) == sorted(rule_id(rule) for rule in ALL_RULES)
    assert families["scoping"]["name"] == "Scoping"
    assert ours["MLS102"].result is False
    assert "`docs/scoping.md` has no section for: Roles." in ours["MLS102"].err_msg
    assert ours["MLS101"].result is True
    assert ours["MLS102"].url.endswith("rules.md#MLS102")


def test_repo_review_reports_a_missing_file_under_every_rule(good_repo: Path) -> None:
    # As docs/check.md says: repo-review runs each rule itself, so the runner's "one missing
    # file, one finding" does not apply there; declared `requires` does.
    write_files(good_repo, {"Dockerfile": None, "tests": None})
    commit_all(good_repo)
    _, results = processor.process(good_repo)
    ours = {r.name: r for r in results if r.name.startswith("MLS")}
    for rule in ("MLS401", "MLS402", "MLS403"):
        assert ours[rule].result is False
        assert ours[rule].err_msg.startswith("`Dockerfile` is missing.")
    assert ours["MLS301"].result is False
    assert all(ours[rule].result is None for rule in ("MLS302", "MLS303", "MLS304"))
