"""A secret committed to a generated project is stopped by its pre-commit scan, offline.

The project's detect-secrets hook runs against the `.secrets.baseline` the template
renders: a fresh project passes (tests/template/test_generated_content.py, for every
combination), and each secret planted here makes the hook exit non-zero, naming it.
The secrets are assembled at run time so that no scanner flags this repository.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

BIN = Path(sys.executable).parent

PLANTED = {
    "aws-access-key": ("AWS Access Key", 'S3_KEY_ID = "AKIA' + "Q3EGRIT7Z4BMX2LD" + '"\n'),
    "github-token": ("GitHub Token", 'token = "ghp_' + "a1B2c3D4e5F6g7H8i9J0" + 'k1L2m3N4o5P6q7R8"\n'),
    "private-key": ("Private Key", "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEow\n-----END RSA KEY-----\n"),
    "password-keyword": ("Secret Keyword", 'db_password = "' + "c0rrect-h0rse-" + 'battery-staple"\n'),
}


def hook_args(project: Path) -> list[str]:
    config = YAML(typ="safe").load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [hook] = [hook for repo in config["repos"] for hook in repo["hooks"] if hook["id"] == "detect-secrets"]
    return list(hook.get("args", []))


@pytest.mark.parametrize(("kind", "planted"), list(PLANTED.values()), ids=list(PLANTED))
def test_secret_scan_stops_a_planted_secret(generated_project: Path, kind: str, planted: str) -> None:
    assert (generated_project / ".secrets.baseline").is_file(), "the template renders the scan's baseline"
    assert hook_args(generated_project) == ["--baseline", ".secrets.baseline"]
    leak = generated_project / "src" / "demo_project" / "settings.py"
    leak.write_text(planted, encoding="utf-8")
    proc = subprocess.run(
        [str(BIN / "detect-secrets-hook"), *hook_args(generated_project), "src/demo_project/settings.py"],
        cwd=generated_project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert f"Secret Type: {kind}" in proc.stdout + proc.stderr
    assert "src/demo_project/settings.py:1" in proc.stdout + proc.stderr
