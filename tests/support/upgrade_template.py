"""A small template with three versions whose changes cover every upgrade case.

v1.0.0 -> v1.1.0: README paragraph changed, params.yaml value changed and key added,
core.py function appended, old_name.py renamed to new_name.py (with a `git mv`
migration) and edited, docs/obsolete.md deleted, assets/logo.bin changed,
CONTRIBUTING.md added, question `coverage` added, local.toml changed but declared
`_skip_if_exists` (users own it once it exists).
v1.1.0 -> v1.2.0: the CI workflow gains a job, README's title line changes,
question `legacy_flag` is removed.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

from mlscaffold.bundle import append_version

# The `project_at` fixture: copies the small project generated at a version into the test.
ProjectAt = Callable[[str], Path]

VERSIONS = ("v1.0.0", "v1.1.0", "v1.2.0")

COPIER_V1 = """\
_subdirectory: template
_answers_file: .copier-answers.yml
project_name:
  type: str
  default: "{{ _folder_name }}"
  help: Project name
package_name:
  type: str
  default: "{{ project_name | lower | regex_replace('[^a-z0-9]+', '_') }}"
  help: Package
legacy_flag:
  type: bool
  default: true
  help: A question later versions drop
mlscaffold_repo:
  type: str
  default: mlscaffold/mlscaffold
  when: false
"""

COVERAGE_QUESTION = """\
coverage:
  type: int
  default: 80
  help: Minimum coverage
  validator: "{% if coverage < 0 or coverage > 100 %}coverage is a percentage{% endif %}"
"""

MIGRATION = """\
_skip_if_exists: [local.toml]
_migrations:
  - version: v1.1.0
    command: git mv src/{{ package_name }}/old_name.py src/{{ package_name }}/new_name.py
"""

ANSWERS = "{{ _copier_answers | to_nice_yaml -}}\n"

_README = (
    "# {{ project_name }}{title}\n\nIntro paragraph.\n\n"
    "## Usage\n\n{usage}\nThen stop.\n\n## Notes\n\nNothing yet.\n"
)
README = {
    "v1.0.0": _README.format(title="", usage="Run the thing."),
    "v1.1.0": _README.format(title="", usage="Run the thing with care."),
    "v1.2.0": _README.format(title=" (standard)", usage="Run the thing with care."),
}
PARAMS_V1 = "train:\n  seed: 42\n  n_estimators: 100\n  max_depth: 5\nevaluate:\n  min_score: 0.7\n"
PARAMS_V2 = PARAMS_V1.replace("n_estimators: 100", "n_estimators: 200").replace(
    "max_depth: 5\n", "max_depth: 5\n  learning_rate: 0.1\n"
)
CORE_V1 = "def one() -> int:\n    return 1\n\n\ndef two() -> int:\n    return 2\n"
CORE_V2 = CORE_V1 + "\n\ndef three() -> int:\n    return 3\n"
OLD_NAME = "# helpers\n\n\ndef helper(x):\n    return x\n\n\ndef other(y):\n    return y * 2\n"
NEW_NAME = OLD_NAME.replace("# helpers", "# helpers, renamed")
WORKFLOW_V1 = """\
name: CI
on:
  push:
    branches: [main]
permissions: {}
jobs:
  ci:
    uses: {{ mlscaffold_repo }}/.github/workflows/ci.yml@{{ _copier_answers._commit }}
"""
WORKFLOW_V3 = (
    WORKFLOW_V1
    + """\
  train:
    needs: ci
    uses: {{ mlscaffold_repo }}/.github/workflows/train.yml@{{ _copier_answers._commit }}
"""
)
LOGO = {"v1.0.0": b"\x89PNG\r\n\x1a\n\x00logo-one", "v1.1.0": b"\x89PNG\r\n\x1a\n\x00logo-two"}


def _write(root: Path, relpath: str, content: str | bytes) -> None:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def write_version(root: Path, version: str) -> None:
    """Write the template files of VERSION into ROOT (emptied first)."""
    if root.exists():
        shutil.rmtree(root)
    index = VERSIONS.index(version)
    copier = COPIER_V1
    if index >= 1:
        copier += COVERAGE_QUESTION + MIGRATION
    if index >= 2:
        copier = copier.replace(
            "legacy_flag:\n  type: bool\n  default: true\n  help: A question later versions drop\n", ""
        )
    _write(root, "copier.yml", copier)
    t = "template/"
    _write(root, t + "{{ _copier_conf.answers_file }}.jinja", ANSWERS)
    _write(root, t + "README.md.jinja", README[version])
    _write(root, t + "params.yaml", PARAMS_V1 if index == 0 else PARAMS_V2)
    _write(root, t + "src/{{ package_name }}/core.py", CORE_V1 if index == 0 else CORE_V2)
    _write(root, t + "src/{{ package_name }}/__init__.py", "")
    if index == 0:
        _write(root, t + "src/{{ package_name }}/old_name.py", OLD_NAME)
        _write(root, t + "docs/obsolete.md", "# Obsolete\n\nThis goes away.\n")
    else:
        _write(root, t + "src/{{ package_name }}/new_name.py", NEW_NAME)
        _write(root, t + "CONTRIBUTING.md.jinja", "Keep coverage above {{ coverage }}%.\n")
    _write(root, t + "assets/logo.bin", LOGO["v1.0.0" if index == 0 else "v1.1.0"])
    _write(root, t + ".github/workflows/ci.yml.jinja", WORKFLOW_V3 if index == 2 else WORKFLOW_V1)
    _write(root, t + ".gitignore", "__pycache__/\n")
    _write(root, t + "local.toml", "threads = 1\n" if index == 0 else "threads = 4\n")


def build_bundle(workdir: Path) -> Path:
    """Build a bundle holding every version of the small template; return its path."""
    bundle = workdir / "small.bundle"
    source = workdir / "small-template"
    for i, version in enumerate(VERSIONS):
        write_version(source, version)
        append_version(bundle if i else None, source, version, bundle)
    return bundle


def snapshot(root: Path) -> dict[str, str]:
    """Return {relative path: sha256} of every file under ROOT, .git included."""
    result = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            result[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result
