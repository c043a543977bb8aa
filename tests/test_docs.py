"""Generated documentation pages match a fresh build (scripts/gen_docs.py)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_are_up_to_date() -> None:
    generator = load_generator()
    assert generator.stale_pages() == [], "run: python scripts/gen_docs.py"


def test_generated_docs_drift_is_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generator = load_generator()
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
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
