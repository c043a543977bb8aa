"""One missing file, one finding: the first rule that finds a file missing reports it, later ones skip.

Acceptance of issue 17: `mlscaffold check --format json` on an empty git repository reports
each missing file once. A file that is present but flawed still gets every rule's finding.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from typer.testing import CliRunner

from mlscaffold import cli

from support.check_repos import commit_all, make_repo, write_files

runner = CliRunner()
SCHEMA = json.loads(
    resources.files("mlscaffold.check").joinpath("report.schema.json").read_text(encoding="utf-8")
)
MISSING = re.compile(r"^`([^`]+)` is missing\.")
SKIPPED = re.compile(r"^Skipped: `([^`]+)` is missing \(reported by (MLS\d{3})\)\.$")
# What the empty repository lacks, each with the one rule that must report it (the first in report order).
OWNERS = {
    "docs/scoping.md": "MLS101",
    "docs/model_card.md": "MLS104",
    "docs/runbook.md": "MLS105",
    ".dvc/config": "MLS201",
    "dvc.yaml": "MLS202",
    "params.yaml": "MLS203",
    "tests/test_*.py": "MLS301",
    "Dockerfile": "MLS401",
    ".dockerignore": "MLS404",
    ".github/workflows/*.yml": "MLS501",
    ".pre-commit-config.yaml": "MLS601",
    "LICENSE": "MLS604",
    ".copier-answers.yml": "MLS701",
}
SINGLE_STAGE_ROOT = 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "-m", "app"]\n'


def check_json(repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """Run `mlscaffold check REPO --format json ARGS` in-process through the real CLI."""
    result = runner.invoke(cli.app, ["check", str(repo), "--format", "json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in report["results"]}


def reported_missing(result: dict[str, Any]) -> str | None:
    """Return the path a failed (or warning) result says is missing, from its message and its field."""
    first = result["message"].split("\n\n")[0]
    said = MISSING.match(first)
    return result["missing"] if said is None else said.group(1)


def test_empty_repository_reports_each_missing_file_once(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "empty", {}, commit=False)
    # The installed command in its own process: what a user runs.
    done = subprocess.run(
        [sys.executable, "-m", "mlscaffold", "check", "--format", "json"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert done.stderr == ""
    report = json.loads(done.stdout)
    jsonschema.validate(report, SCHEMA)
    results = by_id(report)
    reporting: dict[str, list[str]] = {}
    for result in report["results"]:
        if result["status"] in ("failed", "warning") and result["missing"] is not None:
            assert reported_missing(result) == result["missing"], result
            reporting.setdefault(result["missing"], []).append(result["id"])
    assert reporting == {path: [owner] for path, owner in OWNERS.items()}
    # No failure repeats another's "is missing" without saying so through `missing`.
    said = [reported_missing(r) for r in report["results"] if r["status"] == "failed"]
    said = [path for path in said if path is not None]
    assert len(said) == len(set(said)), said
    # The rules that would have repeated a missing file are skipped, naming the owner.
    for rule, path in {"MLS402": "Dockerfile", "MLS403": "Dockerfile", "MLS504": ".github/workflows/*.yml",
                       "MLS602": ".pre-commit-config.yaml"}.items():  # fmt: skip
        assert results[rule]["status"] == "skipped"
        assert results[rule]["missing"] == path
        assert results[rule]["message"] == f"Skipped: `{path}` is missing (reported by {OWNERS[path]})."
        assert results[rule]["location"] is None
    # Real prerequisites keep their own message.
    for rule in ("MLS302", "MLS303", "MLS304"):
        assert results[rule]["message"] == "Skipped until MLS301 passes: fix that first."
    for result in report["results"]:
        skipped = SKIPPED.match(result["message"])
        if skipped:
            assert OWNERS[skipped.group(1)] == skipped.group(2)
    assert report["summary"] == {"passed": 2, "failed": 13, "warning": 1, "skipped": 12}
    assert report["passed"] is False


def test_text_and_github_outputs_show_the_skips_and_agree_on_counts(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "empty", {}, commit=False)
    _, report = check_json(repo)
    counts = report["summary"]
    line = (
        f"28 rules: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['warning']} warning{'' if counts['warning'] == 1 else 's'}, {counts['skipped']} skipped."
    )
    text = runner.invoke(cli.app, ["check", str(repo)])
    assert text.exit_code == 3
    assert line in text.stdout
    assert "  SKIP  MLS402  Container runs as a non-root user\n        Skipped: `Dockerfile` is missing " \
        "(reported by MLS401).\n" in text.stdout  # fmt: skip
    assert text.stdout.count("`Dockerfile` is missing.") == 1
    github = runner.invoke(cli.app, ["check", str(repo), "--format", "github"])
    assert github.exit_code == 3
    annotations = [a for a in github.stdout.splitlines() if a.startswith("::")]
    assert len(annotations) == counts["failed"] + counts["warning"]
    assert sum("`Dockerfile` is missing." in a for a in annotations) == 1
    assert not any("title=MLS402" in a or "title=MLS602" in a for a in annotations)
    assert github.stdout.endswith(f"mlscaffold check: {line}\n")


def test_ignoring_the_owner_moves_the_finding_to_the_next_rule(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "empty", {}, commit=False)
    code, report = check_json(repo, "--ignore", "MLS401,MLS601")
    results = by_id(report)
    assert code == 3
    assert "MLS401" not in results
    assert results["MLS402"]["status"] == "failed"
    assert results["MLS402"]["message"].startswith("`Dockerfile` is missing.")
    assert results["MLS403"]["message"] == "Skipped: `Dockerfile` is missing (reported by MLS402)."
    assert results["MLS602"]["status"] == "failed"
    # Selecting one dependant alone: it reports the missing file itself.
    _, alone = check_json(repo, "--select", "MLS403")
    assert [(r["id"], r["status"], r["missing"]) for r in alone["results"]] == [
        ("MLS403", "failed", "Dockerfile")
    ]
    # Without MLS301 the first topic rule reports the missing test modules, the others skip.
    _, tests = check_json(repo, "--select", "testing", "--ignore", "MLS301")
    results = by_id(tests)
    assert results["MLS302"]["status"] == "failed"
    assert results["MLS303"]["message"] == "Skipped: `tests/test_*.py` is missing (reported by MLS302)."
    assert results["MLS304"]["message"] == "Skipped: `tests/test_*.py` is missing (reported by MLS302)."


def test_a_flawed_dockerfile_keeps_every_finding(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "flawed", {"Dockerfile": SINGLE_STAGE_ROOT, "tests/test_util.py": "x = 1\n"})
    code, report = check_json(repo)
    results = by_id(report)
    assert code == 3
    assert results["MLS401"]["message"].startswith("`Dockerfile` has 1 stage.")
    assert results["MLS402"]["message"].startswith("The final stage of `Dockerfile` sets no `USER`")
    assert results["MLS403"]["message"].startswith("The final stage of `Dockerfile` has no `HEALTHCHECK`.")
    for rule in ("MLS401", "MLS402", "MLS403"):
        assert results[rule]["status"] == "failed"
        assert results[rule]["missing"] is None
        assert results[rule]["location"]["path"] == "Dockerfile"
    # Test modules exist, none about a topic: each topic rule says so.
    for rule in ("MLS302", "MLS303", "MLS304"):
        assert results[rule]["status"] == "failed", results[rule]


def test_a_broken_workflow_next_to_a_valid_one_still_gets_mls504(tmp_path: Path) -> None:
    # MLS501 fails on the broken file; MLS504 must still judge the valid one (why it has no `requires`).
    workflow = "on: push\njobs:\n  ci:\n    uses: mlscaffold/mlscaffold/.github/workflows/ci.yml@main\n"
    repo = make_repo(
        tmp_path / "wf",
        {".github/workflows/ci.yml": workflow, ".github/workflows/broken.yml": "on: push\n"},
    )
    _, report = check_json(repo)
    results = by_id(report)
    assert results["MLS501"]["status"] == "failed"
    assert results["MLS504"]["status"] == "failed"
    assert "is not pinned to a release" in results["MLS504"]["message"]


def test_unreadable_files_are_not_missing(tmp_path: Path) -> None:
    # A broken symlink, a directory or a symlink out of the repository is each rule's own finding.
    outside = tmp_path / "secret"
    outside.write_text("FROM scratch\n", encoding="utf-8")
    repo = make_repo(tmp_path / "odd", {".pre-commit-config.yaml/x": "y\n"}, commit=False)
    (repo / "Dockerfile").symlink_to(outside)
    (repo / ".dockerignore").symlink_to("nowhere")
    _, report = check_json(repo)
    results = by_id(report)
    for rule in ("MLS401", "MLS402", "MLS403", "MLS601", "MLS602"):
        assert results[rule]["status"] == "failed", results[rule]
        assert results[rule]["missing"] is None
    assert "leads outside the repository" in results["MLS402"]["message"]
    assert results["MLS404"]["message"].startswith("`.dockerignore` is a broken symlink.")
    assert results["MLS601"]["message"].startswith("`.pre-commit-config.yaml` is a directory.")


def test_a_generated_project_still_passes(generated_project: Path) -> None:
    commit_all(generated_project)
    code, report = check_json(generated_project)
    assert code == 0, [r for r in report["results"] if r["status"] != "passed"]
    assert all(r["status"] == "passed" and r["missing"] is None for r in report["results"])
    # Remove the Dockerfile: one failure, and the other container rules say who reports it.
    write_files(generated_project, {"Dockerfile": None})
    commit_all(generated_project)
    code, report = check_json(generated_project)
    results = by_id(report)
    assert code == 3
    failed = [r["id"] for r in report["results"] if r["status"] == "failed"]
    assert failed == ["MLS401"]
    assert results["MLS402"]["message"] == "Skipped: `Dockerfile` is missing (reported by MLS401)."


def test_a_warning_never_absorbs_a_failure(tmp_path: Path) -> None:
    # Were a failure skipped because a warning reported its file, the run would pass (exit 0).
    from mlscaffold.check import Rule, Severity, run_checks

    class Gone(Rule):
        family = "sync"

        @classmethod
        def check(cls) -> str:
            """Restore `gone.txt`."""
            return cls.fail("`gone.txt` is missing.", missing="gone.txt")

    class MLS997(Gone):
        """A warning about gone.txt"""

        severity = Severity.WARNING

    class MLS998(Gone):
        """A failure about gone.txt"""

    class MLS999(Gone):
        """Another failure about gone.txt"""

    class MLS996(Gone):
        """A later warning about gone.txt"""

        severity = Severity.WARNING

    repo = make_repo(tmp_path / "empty", {}, commit=False)
    report = run_checks(repo, rules=(MLS997, MLS998, MLS999, MLS996))
    statuses = [(r.id, r.status.value, r.message.split("\n\n")[0]) for r in report.results]
    assert statuses == [
        ("MLS997", "warning", "`gone.txt` is missing."),
        ("MLS998", "failed", "`gone.txt` is missing."),
        ("MLS999", "skipped", "Skipped: `gone.txt` is missing (reported by MLS998)."),
        ("MLS996", "skipped", "Skipped: `gone.txt` is missing (reported by MLS998)."),
    ]
    assert report.has_failures
