"""`upgrade` never writes a template's file through a symlink out of the repository.

The template adds `data/raw/new.txt`; the team's `data` is an ignored symlink to a
directory elsewhere. The template's file would go beside "theirs", through the link:
the upgrade is refused instead, undone, and nothing is written outside.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlscaffold import cli
from mlscaffold.bundle import append_version
from mlscaffold.generate import create_project
from mlscaffold.template import BUNDLE_ENV

from hostile.user_trees import snapshot
from support.git_worlds import git

runner = CliRunner()


def test_upgrade_refuses_to_write_beside_through_an_ignored_symlink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, bundle = tmp_path / "template", tmp_path / "t.bundle"
    (source / "template").mkdir(parents=True)
    (source / "copier.yml").write_text("_subdirectory: template\nproject_name: demo\n", encoding="utf-8")
    (source / "template" / "{{ _copier_conf.answers_file }}.jinja").write_text(
        "{{ _copier_answers | to_nice_yaml }}", encoding="utf-8"
    )
    (source / "template" / "README.md").write_text("v1\n", encoding="utf-8")
    append_version(None, source, "v1.0.0", bundle)
    (source / "template" / "data" / "raw").mkdir(parents=True)
    (source / "template" / "data" / "raw" / "new.txt").write_text("v2\n", encoding="utf-8")
    append_version(bundle, source, "v1.1.0", bundle)
    monkeypatch.setenv(BUNDLE_ENV, str(bundle))
    project = tmp_path / "proj"
    create_project(project, vcs_ref="v1.0.0", use_defaults=True)
    (project / ".gitignore").write_text("/data\n", encoding="utf-8")
    git("add", "-A", cwd=project)
    git("commit", "-qm", "ignore data", cwd=project)
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "data").symlink_to(outside)
    before = {k: v for k, v in snapshot(project).items() if not k.startswith(".git/objects/")}

    result = runner.invoke(cli.app, ["upgrade", str(project)])
    assert result.exit_code == 1, result.output
    assert "is a symlink or a file where the template writes data/raw/new.txt" in result.stderr
    assert "nothing was changed" in result.stderr
    assert list(outside.iterdir()) == []
    assert {k: v for k, v in snapshot(project).items() if not k.startswith(".git/objects/")} == before
