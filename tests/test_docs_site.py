"""The documentation site builds with `mkdocs build --strict`: no broken link, no warning."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_site(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def copy_site_sources(target: Path) -> Path:
    shutil.copytree(ROOT / "docs", target / "docs")
    for name in ("mkdocs.yml", "CHANGELOG.md"):
        shutil.copy2(ROOT / name, target / name)
    return target


def test_docs_site_builds_strictly(tmp_path: Path) -> None:
    proc = build_site(ROOT, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr
    assert (tmp_path / "site" / "reference" / "cli" / "index.html").is_file()
    # The changelog page includes CHANGELOG.md itself.
    changelog = (tmp_path / "site" / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Keep a Changelog" in changelog


def test_docs_site_build_fails_on_a_broken_link(tmp_path: Path) -> None:
    root = copy_site_sources(tmp_path / "src")
    page = root / "docs" / "tutorial.md"
    page.write_text(
        page.read_text(encoding="utf-8") + "\nSee [the missing page](missing.md).\n", encoding="utf-8"
    )
    proc = build_site(root, tmp_path / "site")
    assert proc.returncode == 1
    assert "missing.md" in proc.stderr


def test_docs_site_build_fails_on_a_page_left_out_of_the_nav(tmp_path: Path) -> None:
    root = copy_site_sources(tmp_path / "src")
    (root / "docs" / "orphan.md").write_text("# Orphan\n", encoding="utf-8")
    proc = build_site(root, tmp_path / "site")
    assert proc.returncode == 1
    assert "orphan.md" in proc.stderr
