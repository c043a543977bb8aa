"""Wheels of this checkout at any version, for tests that resolve or install `mlscaffold-cli` offline."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build_wheel(version: str, out: Path, work: Path) -> Path:
    """Build a wheel of this checkout whose version is VERSION into OUT."""
    tree = work / f"checkout-{version}"
    tree.mkdir(parents=True)
    shutil.copy2(ROOT / "pyproject.toml", tree)
    shutil.copy2(ROOT / "README.md", tree)
    shutil.copytree(ROOT / "mlscaffold", tree / "mlscaffold", ignore=shutil.ignore_patterns("__pycache__"))
    init = tree / "mlscaffold" / "__init__.py"
    init.write_text(
        re.sub(r'__version__ = "[^"]*"', f'__version__ = "{version}"', init.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    subprocess.run(
        [sys.executable, "-m", "uv", "build", "--quiet", "--wheel", "--out-dir", str(out), str(tree)],
        check=True,
        capture_output=True,
    )
    [wheel] = out.glob(f"*-{version}-*.whl")
    return wheel
