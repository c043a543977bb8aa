"""The default template renders real, working projects for every kind of answer."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from mlscaffold.answers_file import read_project_answers
from mlscaffold.generate import create_project

from support.git_worlds import ROOT, TEMPLATE_COMBINATIONS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

COMBINATIONS = list(TEMPLATE_COMBINATIONS.values())
COMBINATION_IDS = list(TEMPLATE_COMBINATIONS)


def render(tmp_path: Path, **data: Any) -> Path:
    target = tmp_path / "project"
    create_project(target, data={k: str(v) for k, v in data.items()}, use_defaults=True)
    return target


def rendered_files(project: Path) -> list[Path]:
    return [p for p in project.rglob("*") if p.is_file() and ".git" not in p.relative_to(project).parts]


@pytest.mark.parametrize("data", COMBINATIONS, ids=COMBINATION_IDS)
def test_render_is_complete_and_parses(tmp_path: Path, template_bundle: Path, data: dict[str, Any]) -> None:
    project = render(tmp_path, **data)
    recorded = read_project_answers(project)
    assert recorded is not None
    answers = dict(recorded.answers)
    for key, value in data.items():
        assert str(answers[key]) == str(value)
    for path in rendered_files(project):
        text = path.read_text(encoding="utf-8")
        # GitHub expressions (`${{ ... }}`) in workflows are meant to survive rendering.
        assert not re.search(r"(?<!\$)\{\{", text) and "{%" not in text, path
        assert ".jinja" not in path.name
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    package = answers["package_name"]
    assert pyproject["project"]["requires-python"] == f">={answers['python_version']}"
    assert pyproject["project"]["authors"][0]["email"] == answers["author_email"]
    assert (project / "src" / package / "__init__.py").is_file()


@pytest.mark.parametrize(
    ("license_id", "marker"),
    [
        ("MIT", "Permission is hereby granted, free of charge"),
        ("Apache-2.0", "Apache License\n                           Version 2.0, January 2004"),
        ("BSD-3-Clause", "Neither the name of the copyright holder"),
        ("Proprietary", "All rights reserved."),
    ],
)
def test_license_text_matches_choice(
    tmp_path: Path, template_bundle: Path, license_id: str, marker: str
) -> None:
    project = render(tmp_path, license=license_id, author_name="Ada Lovelace")
    text = (project / "LICENSE").read_text(encoding="utf-8")
    assert marker in text
    # One final newline: pre-commit's end-of-file-fixer fails CI on a blank last line.
    assert text.endswith("\n")
    assert not text.endswith("\n\n")
    if license_id != "Apache-2.0":
        assert "Ada Lovelace" in text


def test_scoping_document_has_every_section_prefilled(tmp_path: Path, template_bundle: Path) -> None:
    project = render(
        tmp_path,
        project_name="Fraud Detector",
        problem_type="regression",
        deployment="batch",
        description="Flags fraudulent card payments.",
        author_name="Risk ML",
    )
    scoping = (project / "docs" / "scoping.md").read_text(encoding="utf-8")
    for heading in (
        "## Problem statement",
        "## Is ML needed?",
        "## Data sources and quality",
        "## Accuracy versus inference speed",
        "## Deployment",
        "## Success metrics",
        "## Risks",
        "## Roles",
        "## Timeline",
    ):
        assert heading in scoping
    assert scoping.startswith("# Scoping: Fraud Detector\n")
    assert "Flags fraudulent card payments." in scoping
    assert "always predicting the mean of the training target" in scoping
    assert "**batch**" in scoping
    assert "GDPR" in scoping and "HIPAA" in scoping
    assert "| Project owner and ML lead | Risk ML |" in scoping


def test_online_classification_scoping(tmp_path: Path, template_bundle: Path) -> None:
    scoping = (render(tmp_path) / "docs" / "scoping.md").read_text(encoding="utf-8")
    assert "most frequent class" in scoping
    assert "F1 score" in scoping
    assert "**online**" in scoping


def test_working_tree_template_renders_unversioned(tmp_path: Path) -> None:
    """Template developers render templates/default directly: no tag, so workflows follow main."""
    target = tmp_path / "project"
    result = create_project(target, template=str(ROOT / "templates" / "default"), use_defaults=True)
    assert result.version is None
    ci = (target / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert "/.github/workflows/project-ci.yml@main" in ci
    # No version to pin: no `mlscaffold` input, so the reusable workflow's own pinned default
    # (mlscaffold-cli==<its release>) applies; never the bare name, which is another project's.
    assert "      mlscaffold:" not in ci
