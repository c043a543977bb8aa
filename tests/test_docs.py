"""Generated documentation pages match a fresh build (scripts/gen_docs.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from support.git_worlds import load_script

ROOT = Path(__file__).resolve().parent.parent


def load_generator() -> ModuleType:
    return load_script("gen_docs")


def test_generated_docs_are_up_to_date() -> None:
    generator = load_generator()
    assert generator.stale_pages() == [], "run: python scripts/gen_docs.py"


def test_generated_docs_drift_is_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generator = load_generator()
    copy_checkout(tmp_path)
    monkeypatch.setattr(generator, "ROOT", tmp_path)
    assert generator.stale_pages() == []
    page = tmp_path / "docs" / "rules.md"
    page.write_text(page.read_text(encoding="utf-8").replace("MLS101", "MLS100", 1), encoding="utf-8")
    assert generator.stale_pages() == ["docs/rules.md"]
    page.unlink()
    assert generator.stale_pages() == ["docs/rules.md"]


def test_rules_page_documents_every_rule_with_its_fix() -> None:
    from mlscaffold.check import ALL_RULES, fix_text, rule_id

    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert f'<a id="{rule_id(rule)}"></a>' in page
        assert fix_text(rule) in page


def test_gen_docs_check_command_exits_0_when_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


# --- The pages built from code: CLI, template, workflows and actions, modules and layers --------------------

REUSABLE_WORKFLOW = """\
# Reusable training for a generated project.
#   uses: mlscaffold/mlscaffold/.github/workflows/train.yml@vX.Y.Z
name: Train

on:
  workflow_call:
    inputs:
      python-version:
        description: Python version to train with.
        type: string
        required: false
        default: "3.12"
      push:
        description: Push data and models to the DVC remote.
        type: boolean
        required: true
    secrets:
      AWS_ACCESS_KEY_ID:
        description: For an s3 DVC remote.
        required: false
    outputs:
      metrics:
        description: The metrics as JSON.
        value: ${{ jobs.train.outputs.metrics }}

permissions: {}

jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - run: make pipeline
"""

OWN_CI = """\
name: CI
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
"""

COMPOSITE_ACTION = """\
name: Set up a generated project
description: Install uv and Python, then make setup.
inputs:
  python-version:
    description: Python version to install.
    required: false
    default: ""
outputs:
  uv-sync-flags:
    description: The flags uv sync ran with.
    value: ${{ steps.setup.outputs.flags }}
runs:
  using: composite
  steps:
    - id: setup
      shell: bash
      run: echo "flags=" >> "$GITHUB_OUTPUT"
"""

CALLER = """\
name: Train
on:
  workflow_dispatch:
jobs:
  train:
    uses: {{ mlscaffold_repo }}/.github/workflows/train.yml@{{ _copier_answers._commit }}
    with:
      push: true
"""


def write_github_fixture(root: Path) -> None:
    """Write a small .github/ in issue 5's shape, and a generated-project caller in the template."""
    (root / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    (root / ".github" / "workflows" / "train.yml").write_text(REUSABLE_WORKFLOW, encoding="utf-8")
    (root / ".github" / "workflows" / "ci.yml").write_text(OWN_CI, encoding="utf-8")
    (root / ".github" / "actions" / "setup-project").mkdir(parents=True, exist_ok=True)
    (root / ".github" / "actions" / "setup-project" / "action.yml").write_text(
        COMPOSITE_ACTION, encoding="utf-8"
    )
    callers = root / "templates" / "default" / "template" / ".github" / "workflows"
    callers.mkdir(parents=True, exist_ok=True)
    (callers / "train.yml.jinja").write_text(CALLER, encoding="utf-8")


def copy_checkout(target: Path) -> Path:
    """Copy what scripts/gen_docs.py reads (package, template, docs, pyproject, .github) to TARGET."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("mlscaffold", "scripts", "docs", "templates"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    if (ROOT / ".github").is_dir():
        shutil.copytree(ROOT / ".github", target / ".github", ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def run_gen_docs(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "gen_docs.py"), *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def test_workflows_page_tables_inputs_secrets_outputs_of_reusable_workflows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generator = load_generator()
    write_github_fixture(tmp_path)
    monkeypatch.setattr(generator, "ROOT", tmp_path)
    page = generator.workflows_page()
    assert "### `train.yml`: Train" in page
    assert "Reusable training for a generated project." in page
    assert "uses: mlscaffold/mlscaffold" not in page  # the header's usage line is replaced by the OWNER form
    assert "| `python-version` | `string` | no | `3.12` | Python version to train with. |" in page
    assert "| `push` | `boolean` | yes | — | Push data and models to the DVC remote. |" in page
    assert "| `AWS_ACCESS_KEY_ID` | no | For an s3 DVC remote. |" in page
    assert "| `metrics` | The metrics as JSON. |" in page
    assert "Called by generated projects from `.github/workflows/train.yml`." in page
    # `on: push` is not a reusable workflow: a YAML reader that turned `on` into True would list nothing.
    assert "ci.yml" not in page
    assert "### `setup-project`: Set up a generated project" in page
    assert '| `python-version` | no | `""` | Python version to install. |' in page
    assert "| `uv-sync-flags` | The flags uv sync ran with. |" in page


def test_workflows_page_without_github_is_empty_but_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generator = load_generator()
    monkeypatch.setattr(generator, "ROOT", tmp_path)
    page = generator.workflows_page()
    assert "None yet: no workflow under `.github/workflows/` is triggered by `workflow_call`." in page
    assert "None yet: no `.github/actions/*/action.yml`." in page


def test_gen_docs_check_fails_when_a_workflow_input_changes(tmp_path: Path) -> None:
    root = copy_checkout(tmp_path / "checkout")
    write_github_fixture(root)
    assert run_gen_docs(root).returncode == 0
    assert run_gen_docs(root, "--check").returncode == 0
    workflow = root / ".github" / "workflows" / "train.yml"
    workflow.write_text(
        workflow.read_text(encoding="utf-8").replace('default: "3.12"', 'default: "3.13"'), encoding="utf-8"
    )
    proc = run_gen_docs(root, "--check")
    assert proc.returncode == 1
    assert proc.stderr == "docs/reference/workflows.md is out of date: run python scripts/gen_docs.py\n"


def test_gen_docs_check_fails_when_a_cli_option_changes(tmp_path: Path) -> None:
    root = copy_checkout(tmp_path / "checkout")
    assert run_gen_docs(root, "--check").returncode == 0
    command = root / "mlscaffold" / "cli" / "_new.py"
    text = command.read_text(encoding="utf-8")
    assert '"--force"' in text
    command.write_text(text.replace('"--force"', '"--overwrite"'), encoding="utf-8")
    proc = run_gen_docs(root, "--check")
    assert proc.returncode == 1
    assert proc.stderr == "docs/reference/cli.md is out of date: run python scripts/gen_docs.py\n"
    assert run_gen_docs(root).returncode == 0
    assert "| `--overwrite` | flag | off |" in (root / "docs" / "reference" / "cli.md").read_text(
        encoding="utf-8"
    )


def test_cli_page_documents_every_command_and_option() -> None:
    import typer.main
    from typer.core import TyperGroup

    from mlscaffold.cli import app

    page = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    for name, command in group.commands.items():
        assert f"## `{name}`" in page
        for param in command.params:
            if param.param_type_name == "option":
                assert f"`{', '.join(param.opts + param.secondary_opts)}`" in page, (name, param.opts)
    assert "| `UsageError` | 2 | The command line itself is malformed. |" in page


def test_template_page_documents_every_question_and_file() -> None:
    from mlscaffold.answers import parse_questions
    from mlscaffold.yamlio import load_path

    page = (ROOT / "docs" / "reference" / "template.md").read_text(encoding="utf-8")
    for question in parse_questions(load_path(ROOT / "templates" / "default" / "copier.yml")):
        assert f"`{question.name}`" in page
    assert "| `docs/scoping.md` | always |" in page
    assert "| `src/<package_name>/api.py` | `deployment != 'batch'` |" in page
    assert "| `deploy/base/hpa.yaml` | `kubernetes` and `deployment != 'batch'` |" in page
    assert "| `.copier-answers.yml` | always |" in page
    assert "'PACKAGE_NAME' is a Python keyword and cannot be imported" in page


def test_template_page_refuses_a_file_nobody_described(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generator = load_generator()
    shutil.copytree(ROOT / "templates" / "default", tmp_path / "templates" / "default")
    (tmp_path / "templates" / "default" / "template" / "mystery.cfg").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(generator, "ROOT", tmp_path)
    with pytest.raises(SystemExit, match=r"mystery\.cfg: add what it is for to FILE_STANDARDS"):
        generator.template_page()


@pytest.mark.parametrize(
    ("validator", "messages"),
    [
        (None, []),
        ("{% if not name %}the name is empty{% endif %}", ["the name is empty"]),
        (
            "{% set k = ['a'] %}\n{% if not x %}x is empty\n"
            "{% elif x in k %}'{{ x }}' is\n  reserved{% endif %}",
            ["x is empty", "'X' is reserved"],
        ),
    ],
    ids=["none", "one-branch", "set-and-elif"],
)
def test_validator_messages_are_the_branch_texts(validator: str | None, messages: list[str]) -> None:
    assert load_generator().validator_messages(validator) == messages


def test_modules_page_follows_the_layers_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generator = load_generator()
    page = generator.modules_page()
    assert "2. `mlscaffold.cli`" in page
    assert "1. `mlscaffold.check._runner`, `mlscaffold.check._plugin`" in page
    assert "| `mlscaffold.errors` |" in page
    for module in (ROOT / "mlscaffold").glob("*.py"):
        if module.stem not in {"__init__", "__main__"}:
            assert f"| `mlscaffold.{module.stem}` |" in page
    shutil.copytree(ROOT / "mlscaffold", tmp_path / "mlscaffold", ignore=shutil.ignore_patterns("__pycache__"))
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        pyproject.replace('  "cli",\n', '  "cli",\n  "report",\n', 1),
        encoding="utf-8",
    )
    monkeypatch.setattr(generator, "ROOT", tmp_path)
    assert "3. `mlscaffold.report`" in generator.modules_page()
