"""Upgrades of the real default template: from every released version to the newest.

A team generates a project at an old version, works in it the way teams do (fills
in the docs, extends the README, adds code and tests, tunes params.yaml, edits
a workflow and the batch code, deletes a file it does not want), commits, and
upgrades. Every line it wrote must survive (or its file be listed as a conflict,
exit 3); its deletions stay; the project records the new version; the project's
own test suite passes afterwards (tests/slow/ runs it in a real environment).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlscaffold.answers_file import read_project_answers
from mlscaffold.bundle import append_version, list_versions
from mlscaffold.cli import app
from mlscaffold.template import BUNDLE_ENV

from support.git_worlds import ROOT, git
from support.team_work import PACKAGE, followed, generate, replace_line, runner, work_like_a_team


def released_before_newest(bundle: Path) -> list[str]:
    return list_versions(bundle)[:-1]


def newest(bundle: Path) -> str:
    return list_versions(bundle)[-1]


def test_upgrade_from_every_released_version_keeps_the_teams_work(
    template_bundle: Path, tmp_path: Path
) -> None:
    target = newest(template_bundle)
    sources = released_before_newest(template_bundle)
    assert len(sources) >= 2, f"the shipped history must hold at least three versions, not {[*sources, target]}"
    for version in sources:
        project = generate(tmp_path / version, version)
        edits = work_like_a_team(project)
        report = tmp_path / version / "report.json"
        result = runner.invoke(app, ["upgrade", str(project), "--report", str(report)])
        summary = json.loads(report.read_text(encoding="utf-8"))
        conflicts = set(summary["conflicts"])
        assert result.exit_code == (3 if conflicts else 0), result.output
        # These are the edits teams make every day: they must merge without a conflict.
        assert not conflicts, f"{version} -> {target}: {sorted(conflicts)}\n{result.output}"
        for path, lines in edits.lines.items():
            text = (project / followed(path)).read_text(encoding="utf-8")
            for line in lines:
                assert line in text, f"{version} -> {target}: lost {line!r} from {followed(path)}"
        for path in edits.deleted:
            assert not (project / path).exists(), f"{version} -> {target}: deleted {path} came back"
        recorded = read_project_answers(project)
        assert recorded is not None and recorded.commit == target
        assert (summary["from"], summary["to"]) == (version, target)
        if f"src/{PACKAGE}/predict.py" in git("ls-tree", "-r", "--name-only", "HEAD", cwd=project):
            assert not (project / f"src/{PACKAGE}/predict.py").exists()
            assert (
                f"src/{PACKAGE}/batch.py" in summary["added"] + summary["updated"]
                or (project / f"src/{PACKAGE}/batch.py").is_file()
            )
        git("commit", "-qm", f"Upgrade to {target}", cwd=project)
        check = runner.invoke(app, ["upgrade", str(project), "--check"])
        assert check.exit_code == 0, check.output


def after(bundle: Path, version: str) -> str:
    """Return the version released (or built) right after VERSION."""
    versions = list_versions(bundle)
    return versions[versions.index(version) + 1]


@pytest.mark.parametrize(
    ("data", "registry"),
    [
        ([], "ghcr.io/my-org"),
        (["--data", "container_registry=registry.example.com/ml"], "registry.example.com/ml"),
    ],
    ids=["default", "given"],
)
def test_upgrade_answers_the_new_question(
    template_bundle: Path, tmp_path: Path, data: list[str], registry: str
) -> None:
    project = generate(tmp_path, "v0.2.0")
    before = read_project_answers(project)
    assert before is not None and "container_registry" not in before.answers
    result = runner.invoke(app, ["upgrade", str(project), "--to", after(template_bundle, "v0.2.0"), *data])
    assert result.exit_code == 0, result.output
    recorded = read_project_answers(project)
    assert recorded is not None and recorded.answers["container_registry"] == registry
    deployment = (project / "deploy" / "deployment.yaml").read_text(encoding="utf-8")
    assert f"image: {registry}/churn-model:latest" in deployment


def test_upgrade_conflict_on_a_line_both_changed_is_listed_and_keeps_both(
    template_bundle: Path, tmp_path: Path
) -> None:
    project = generate(tmp_path, "v0.2.0")
    mine = "Build the image with our platform's make image target."
    # v0.3.0 rewrites this README line (the image name gained the registry).
    replace_line(project / "README.md", "`docker build -t", mine)
    git("commit", "-qam", "team edit", cwd=project)
    result = runner.invoke(app, ["upgrade", str(project), "--to", after(template_bundle, "v0.2.0")])
    assert result.exit_code == 3, result.output
    assert "README.md" in result.output
    text = (project / "README.md").read_text(encoding="utf-8")
    assert mine in text and "<<<<<<< " in text
    assert "docker build -t ghcr.io/my-org/churn-model:0.1.0 ." in text


def test_upgrade_keeps_workflow_edits_and_moves_every_pinned_ref(
    template_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the newest release to a next version whose CI workflow changes, as the next release will."""
    released = newest(template_bundle)
    upcoming = tmp_path / "template"
    shutil.copytree(ROOT / "templates" / "default", upcoming)
    ci_template = upcoming / "template" / ".github" / "workflows" / "ci.yml.jinja"
    ci_template.write_text(
        ci_template.read_text(encoding="utf-8").replace(
            "  pull_request:\n", "  pull_request:\n  merge_group:\n"
        ),
        encoding="utf-8",
    )
    bundle = tmp_path / "next.bundle"
    append_version(template_bundle, upcoming, "v9.0.0.dev0", bundle)
    monkeypatch.setenv(BUNDLE_ENV, str(bundle))

    project = generate(tmp_path / "made", released)
    workflows = project / ".github" / "workflows"
    replace_line(
        workflows / "drift.yml", '    - cron: "17 6 * * 1"', '    - cron: "0 3 * * *"  # nightly, team decision'
    )
    with (workflows / "ci.yml").open("a", encoding="utf-8") as handle:
        handle.write("# Team: required check for branch protection.\n")
    own = (
        "# Our own workflow, written by the team.\n"
        "on: {workflow_dispatch: {}}\n"
        "permissions: {}\n"
        "jobs:\n"
        "  retrain:\n"
        "    uses:   'mlscaffold/mlscaffold/.github/workflows/train.yml@" + released + "'   # pinned by us\n"
        "    permissions: {contents: read}\n"
    )
    (workflows / "nightly.yml").write_text(own, encoding="utf-8")
    git("add", "-A", cwd=project)
    git("commit", "-qm", "team workflow edits", cwd=project)

    result = runner.invoke(app, ["upgrade", str(project)])
    assert result.exit_code == 0, result.output
    ci = (workflows / "ci.yml").read_text(encoding="utf-8")
    assert "  merge_group:\n" in ci  # the template's change
    assert ci.endswith("# Team: required check for branch protection.\n")  # the team's
    assert "      mlscaffold: mlscaffold-cli==9.0.0.dev0\n" in ci  # our own package, the new version
    assert "mlscaffold==" not in ci  # never the other project's name
    assert '    - cron: "0 3 * * *"  # nightly, team decision' in (workflows / "drift.yml").read_text(
        encoding="utf-8"
    )
    # The team's own file: only the ref moved, every other byte is as they wrote it.
    assert (workflows / "nightly.yml").read_text(encoding="utf-8") == own.replace(released, "v9.0.0.dev0")
    for path in workflows.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert f"@{released}" not in text, path
        if "mlscaffold/mlscaffold/.github/workflows/" in text:
            assert "@v9.0.0.dev0" in text, path
