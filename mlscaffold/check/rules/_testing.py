"""Testing: tests for the data, the model and the prediction interface, and a runner (MLS3xx)."""

from __future__ import annotations

import re
from typing import Any

from mlscaffold.check._parse import load_toml
from mlscaffold.check._repo import RepoView
from mlscaffold.check._rule import Rule

__all__ = ["MLS301", "MLS302", "MLS303", "MLS304", "MLS305"]

# A test module counts for a topic when its path or its text says so.
DATA_NAMES = re.compile(r"data|schema|validat|feature", re.IGNORECASE)
DATA_TEXT = re.compile(r"\bpandera\b|great_expectations|\bschema\b", re.IGNORECASE)
MODEL_NAMES = re.compile(r"model|train|quality|evaluat|metric", re.IGNORECASE)
MODEL_TEXT = re.compile(r"\.fit\(|quality.gate|\bbaseline\b", re.IGNORECASE)
API_NAMES = re.compile(r"api|serv|endpoint|predict|batch|(?<![a-z])app(?![a-z])", re.IGNORECASE)
API_TEXT = re.compile(r"TestClient|AsyncClient|[\"']/predict|[\"']/health")
_PYTEST_REQUIREMENT = re.compile(r"^\s*pytest\b", re.IGNORECASE | re.MULTILINE)


def _covering(
    ml_repo: RepoView, test_files: tuple[str, ...], names: re.Pattern[str], text: re.Pattern[str]
) -> bool:
    for path in test_files:
        if names.search(path.split("/", 1)[-1]):
            return True
    return any(text.search(ml_repo.text(path) or "") for path in test_files)


# What a repository without test modules is missing (one key, so the absence is reported once).
TEST_MODULES = "tests/test_*.py"


def _no_tests(rule: type[Rule]) -> str:
    return rule.fail(f"No `{TEST_MODULES}` (or `test/`) modules found.", missing=TEST_MODULES)


class Testing(Rule):
    """Testing rules."""

    family = "testing"


class MLS301(Testing):
    """Tests present"""

    audits = ("tests/*.py",)

    @classmethod
    def check(cls, test_files: tuple[str, ...]) -> bool | str:
        """
        Add a `tests/` folder with pytest modules (`test_*.py`) that run offline right after
        checkout: unit tests for the code, and tests for the data, the model and the API.
        """
        if not test_files:
            return _no_tests(cls)
        return True


class MLS302(Testing):
    """Data has tests"""

    audits = ("tests/test_data.py",)

    # MLS301 is a real prerequisite: a test module can only be about a topic if one exists,
    # and MLS301 fails exactly when there is none. Run without MLS301 (ignored), the first
    # of these reports the missing test modules and the runner skips the others.
    requires = frozenset({"MLS301"})

    @classmethod
    def check(cls, ml_repo: RepoView, test_files: tuple[str, ...]) -> bool | str:
        """
        Add data-validation tests, for example `tests/test_data.py`: the loader returns the
        expected schema (column names, types, ranges, e.g. with pandera) and rejects bad rows.
        """
        if not test_files:
            return _no_tests(cls)
        if not _covering(ml_repo, test_files, DATA_NAMES, DATA_TEXT):
            return cls.fail("No test module is about the data (named `*data*`, `*schema*`, or using pandera).")
        return True


class MLS303(Testing):
    """Model has quality tests"""

    audits = ("tests/test_model.py",)

    requires = frozenset({"MLS301"})  # see MLS302

    @classmethod
    def check(cls, ml_repo: RepoView, test_files: tuple[str, ...]) -> bool | str:
        """
        Add model tests, for example `tests/test_model.py`: training is reproducible with a
        fixed seed and the trained model beats the baseline on held-out data.
        """
        if not test_files:
            return _no_tests(cls)
        if not _covering(ml_repo, test_files, MODEL_NAMES, MODEL_TEXT):
            return cls.fail("No test module is about the model (named `*model*`, `*train*`, `*quality*` ...).")
        return True


class MLS304(Testing):
    """Prediction interface (API or batch job) has tests"""

    audits = ("tests/test_api.py", "tests/test_predict.py")

    requires = frozenset({"MLS301"})  # see MLS302

    @classmethod
    def check(cls, ml_repo: RepoView, test_files: tuple[str, ...]) -> bool | str:
        """
        Test the way predictions leave the project: for a service, `tests/test_api.py`
        calling `/health` and `/predict` through FastAPI's `TestClient` (valid and invalid
        requests); for a batch job, `tests/test_predict.py` scoring a small input file.
        """
        if not test_files:
            return _no_tests(cls)
        if not _covering(ml_repo, test_files, API_NAMES, API_TEXT):
            return cls.fail("No test module exercises the API or the batch prediction.")
        return True


def _declares_pytest(pyproject: dict[str, Any]) -> bool:
    project = pyproject.get("project", {})
    groups: list[Any] = []
    if isinstance(project, dict) and isinstance(project.get("optional-dependencies"), dict):
        groups.extend(project["optional-dependencies"].values())
    if isinstance(pyproject.get("dependency-groups"), dict):
        groups.extend(pyproject["dependency-groups"].values())
    tool = pyproject.get("tool", {})
    if isinstance(tool, dict) and isinstance(tool.get("pytest"), dict):
        return True
    for group in groups:
        if isinstance(group, list) and any(isinstance(r, str) and _PYTEST_REQUIREMENT.match(r) for r in group):
            return True
    return False


class MLS305(Testing):
    """A test runner is configured"""

    audits = ("Makefile", "pyproject.toml")

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Declare pytest where the project's tools live, for example `pytest` in
        `[dependency-groups] dev` of `pyproject.toml` with settings under
        `[tool.pytest.ini_options]`, so `make test` (or `uv run pytest`) runs the suite the same way
        locally and in CI.
        """
        text = ml_repo.text("pyproject.toml")
        data = load_toml(text)
        if text is not None and data is None:
            return cls.fail("`pyproject.toml` is not valid TOML.", "pyproject.toml")
        if data is not None and _declares_pytest(data):
            return True
        if ml_repo.first_file("pytest.ini", "tox.ini", "noxfile.py"):
            return True
        for path in (
            "setup.cfg",
            "requirements.txt",
            "requirements-dev.txt",
            "requirements_dev.txt",
            "requirements/dev.txt",
        ):
            content = ml_repo.text(path) or ""
            if "[tool:pytest]" in content or _PYTEST_REQUIREMENT.search(content):
                return True
        return cls.fail("No pytest dependency or configuration found.")
