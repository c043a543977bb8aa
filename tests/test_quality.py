"""Repository-wide bars: lint, types, layers, module size, and the README/CI contract."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MAX_MODULE_LINES = 400


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "cmd",
    [
        (sys.executable, "-m", "ruff", "check", "."),
        (sys.executable, "-m", "ruff", "format", "--check", "."),
        (sys.executable, "-m", "mypy"),
        (str(BIN / "lint-imports"),),
    ],
    ids=["ruff", "ruff-format", "mypy-strict", "import-layers"],
)
def test_static_checks_pass(cmd: tuple[str, ...]) -> None:
    proc = run(*cmd)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_import_linter_keeps_at_least_three_contracts() -> None:
    """The layers, plus the contracts inside `check/` and `cli/` (issue 17): none dropped quietly."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        declared = tomllib.load(handle)["tool"]["importlinter"]["contracts"]
    proc = run(str(BIN / "lint-imports"))
    kept = re.search(r"Contracts: (\d+) kept, 0 broken", proc.stdout)
    assert kept is not None, proc.stdout + proc.stderr
    assert int(kept.group(1)) == len(declared) >= 3


def test_no_module_is_a_god_object() -> None:
    for module in [*(ROOT / "mlscaffold").rglob("*.py"), *(ROOT / "scripts").rglob("*.py")]:
        lines = len(module.read_text(encoding="utf-8").splitlines())
        assert lines <= MAX_MODULE_LINES, f"{module.relative_to(ROOT)} has {lines} lines"


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick_start)


def test_readme_quick_start_has_exactly_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2, commands
    install, test = commands
    assert "mlscaffold new" in install
    assert "--defaults" in install
    assert "pytest" in test


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_every_template_file_is_tracked_by_git() -> None:
    listed = set(run("git", "ls-files", "--", "templates/").stdout.splitlines())
    on_disk = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "templates").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert on_disk <= listed, sorted(on_disk - listed)
