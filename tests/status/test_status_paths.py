"""`mlscaffold status PATH ...`: versions, upgrades and check summaries of local repositories."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from mlscaffold import cli
from mlscaffold.cli import _status
from mlscaffold.template import CANONICAL_URL

runner = CliRunner()
SCHEMA = json.loads(resources.files("mlscaffold").joinpath("status.schema.json").read_text(encoding="utf-8"))


def status(*args: str) -> Any:
    result = runner.invoke(cli.app, ["status", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_status_of_50_local_repositories_gives_each_its_version(
    local_fleet: dict[Path, str], fleet_versions: tuple[str, str]
) -> None:
    older, newest = fleet_versions
    result = status("--format", "json", *map(str, local_fleet))
    assert result.exit_code == 3, result.output
    assert result.stderr == ""  # no progress bar off a terminal
    data = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(data, SCHEMA)
    assert [entry["name"] for entry in data["repositories"]] == list(map(str, local_fleet))
    for entry, which in zip(data["repositories"], local_fleet.values(), strict=True):
        assert entry["template"] == "default"
        assert entry["version"] == (older if which == "older" else newest)
        assert entry["state"] == ("behind" if which == "older" else "current")
        assert entry["upgrade_available"] is (which == "older")
        assert entry["newest"] == newest
        assert entry["check"]["failed"] == 0, entry
        assert entry["check"]["passed"] > 20
    behind = sum(1 for which in local_fleet.values() if which == "older")
    assert data["summary"] == {
        "total": 50,
        "current": 50 - behind,
        "behind": behind,
        "unknown": 0,
        "not-generated": 0,
        "error": 0,
        "check_failed": 0,
        "archived": 0,
    }


def test_status_exits_0_when_every_repository_is_current(
    local_fleet: dict[Path, str], fleet_versions: tuple[str, str]
) -> None:
    current = [str(path) for path, which in local_fleet.items() if which == "newest"][:3]
    result = status(*current)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    for path, line in zip(current, lines[:-1], strict=True):
        assert line.startswith(path)
        assert f"current; {fleet_versions[1]}; check: " in line
    assert lines[-1] == f"3 repositories: 3 current (newest template: {fleet_versions[1]})"


def test_status_text_names_the_upgrade_and_markdown_is_a_table(
    local_fleet: dict[Path, str], fleet_versions: tuple[str, str]
) -> None:
    older = next(str(path) for path, which in local_fleet.items() if which == "older")
    text = status("--no-check", older)
    assert text.exit_code == 3
    assert (
        text.stdout.splitlines()[0] == f"{older}  upgrade available; {fleet_versions[0]} -> {fleet_versions[1]}"
    )
    markdown = status("--no-check", "--format", "markdown", older)
    assert markdown.exit_code == 3
    assert "| Repository | Version | Status | Sync PR | Check | Notes |" in markdown.stdout
    assert "| upgrade available | - | - | - |" in markdown.stdout


def test_status_reports_paths_that_are_not_projects_without_stopping(
    local_fleet: dict[Path, str], tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    subprocess.run(["git", "init", "--quiet", str(plain)], check=True)
    corrupt = tmp_path / "corrupt"
    shutil.copytree(next(iter(local_fleet)), corrupt, symlinks=True)
    (corrupt / ".copier-answers.yml").write_text("- not\n- a mapping\n", encoding="utf-8")
    foreign = tmp_path / "foreign"
    shutil.copytree(next(iter(local_fleet)), foreign, symlinks=True)
    text = (foreign / ".copier-answers.yml").read_text(encoding="utf-8")
    (foreign / ".copier-answers.yml").write_text(text.replace(CANONICAL_URL, "gh:acme/their-template"), "utf-8")
    current = next(str(path) for path, which in local_fleet.items() if which == "newest")
    missing = tmp_path / "missing"
    result = status("--format", "json", current, str(plain), str(corrupt), str(foreign), str(missing))
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    states = {Path(entry["name"]).name: entry for entry in data["repositories"]}
    assert states[Path(current).name]["state"] == "current"
    assert states["plain"]["state"] == "not-generated"
    assert states["plain"]["check"]["failed"] > 0  # check audits any repository
    assert states["corrupt"]["state"] == "error"
    assert "is corrupt (not a YAML mapping)" in states["corrupt"]["message"]
    assert states["foreign"]["state"] == "unknown"
    assert states["foreign"]["template"] == "gh:acme/their-template"
    assert states["missing"]["state"] == "error"
    assert states["missing"]["check"] is None
    assert result.exit_code == 3  # plain fails check
    assert "Traceback" not in result.output


def test_status_exits_1_when_a_path_cannot_be_read_and_nothing_waits(
    local_fleet: dict[Path, str], tmp_path: Path
) -> None:
    current = next(str(path) for path, which in local_fleet.items() if which == "newest")
    result = status("--no-check", current, str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'missing'}  error; " in result.stdout
    assert "1 current, 1 error" in result.stdout


def test_status_defaults_to_the_current_directory(
    local_fleet: dict[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    current = next(path for path, which in local_fleet.items() if which == "newest")
    monkeypatch.chdir(current)
    result = status("--no-check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(".  current; ")


def test_status_refuses_dispatch_without_org_and_paths_with_org(tmp_path: Path) -> None:
    alone = status("--dispatch-sync", str(tmp_path))
    assert alone.exit_code == 2
    assert alone.stderr == "error: --dispatch-sync starts workflows on GitHub: give it with --org OWNER.\n"
    both = status("--org", "acme", str(tmp_path))
    assert both.exit_code == 2
    assert both.stderr == "error: give local PATHs or --org OWNER, not both.\n"


def test_progress_bar_draws_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    monkeypatch.delenv("CI", raising=False)
    draw = _status._progress_bar()
    assert draw is not None
    draw(1, 4)
    draw(4, 4)
    assert "[#######.......................] 1/4 repositories" in screen.getvalue()
    assert screen.getvalue().endswith("4/4 repositories\r\x1b[K")
    monkeypatch.setenv("CI", "true")
    assert _status._progress_bar() is None
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert _status._progress_bar() is None
