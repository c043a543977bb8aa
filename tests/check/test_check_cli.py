"""`mlscaffold check` through the CLI: exit codes, the four formats, selection and configuration."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from mlscaffold import cli

from support.check_repos import PYPROJECT, SCOPING, commit_all, make_repo, write_files

runner = CliRunner()
SCHEMA = json.loads(
    resources.files("mlscaffold.check").joinpath("report.schema.json").read_text(encoding="utf-8")
)


def check(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def break_scoping(repo: Path) -> None:
    write_files(repo, {"docs/scoping.md": SCOPING.replace("## Timeline", "## Later")})
    commit_all(repo)


def test_check_cli_exits_0_when_every_rule_passes(good_repo: Path) -> None:
    code, out, err = check(str(good_repo))
    assert code == 0, out
    assert "28 rules: 28 passed, 0 failed, 0 warnings, 0 skipped." in out
    assert err == ""


def test_check_cli_exits_3_and_groups_by_family_when_a_rule_fails(good_repo: Path) -> None:
    break_scoping(good_repo)
    code, out, _ = check(str(good_repo))
    assert code == 3
    scoping = out.index("\nScoping\n")
    assert scoping < out.index("FAIL  MLS102") < out.index("\nData and model versioning\n")
    assert "`docs/scoping.md` has no section for: Timeline." in out
    assert "1 failed" in out


def test_check_cli_exits_0_with_only_warnings(good_repo: Path) -> None:
    write_files(good_repo, {".copier-answers.yml": None})
    commit_all(good_repo)
    code, out, _ = check(str(good_repo), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["passed"] is True
    assert data["summary"] == {"passed": 27, "failed": 0, "warning": 1, "skipped": 0}


@pytest.mark.parametrize("where", ["missing", "plain-dir", "file"])
def test_check_cli_exits_1_when_path_is_not_a_repository(tmp_path: Path, where: str) -> None:
    target = tmp_path / "x"
    if where == "plain-dir":
        target.mkdir()
    elif where == "file":
        target.write_text("", encoding="utf-8")
    code, out, err = check(str(target))
    assert code == 1
    assert out == ""
    assert err.startswith("error: ") and "is not a git repository" in err
    assert len(err.strip().splitlines()) == 1


def test_check_cli_rejects_an_unknown_format(good_repo: Path) -> None:
    code, _, err = check(str(good_repo), "--format", "xml")
    assert code == 2
    assert "xml" in err


def test_check_json_validates_against_the_shipped_schema(good_repo: Path) -> None:
    break_scoping(good_repo)
    write_files(
        good_repo,
        {"pyproject.toml": PYPROJECT + '\n[tool.mlscaffold.check]\nignore = {MLS6 = "hooks run in CI"}\n'},
    )
    commit_all(good_repo)
    code, out, _ = check(str(good_repo), "--format", "json", "--ignore", "MLS701")
    assert code == 3
    data = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(data, SCHEMA)
    failed = [r for r in data["results"] if r["status"] == "failed"]
    assert [r["id"] for r in failed] == ["MLS102"]
    assert failed[0]["location"] == {"path": "docs/scoping.md", "line": None}
    assert failed[0]["url"].endswith("rules.md#MLS102")
    assert data["ignored"] == [
        {"id": "MLS601", "reason": "hooks run in CI"},
        {"id": "MLS602", "reason": "hooks run in CI"},
        {"id": "MLS603", "reason": "hooks run in CI"},
        {"id": "MLS604", "reason": "hooks run in CI"},
        {"id": "MLS701", "reason": ""},
    ]
    assert [f["key"] for f in data["families"]] == ["scoping", "versioning", "testing", "container", "ci"]


def test_check_json_schema_rejects_a_malformed_report(good_repo: Path) -> None:
    _, out, _ = check(str(good_repo), "--format", "json")
    data = json.loads(out)
    data["results"][0]["status"] = "fine"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_check_github_format_writes_escaped_annotations(good_repo: Path, newest_version: str) -> None:
    from support.check_repos import ci_workflow

    write_files(good_repo, {".github/workflows/ci.yml": ci_workflow(newest_version, "      - uses: a/b@v1\n")})
    write_files(good_repo, {".copier-answers.yml": None})
    commit_all(good_repo)
    code, out, _ = check(str(good_repo), "--format", "github")
    assert code == 3
    lines = out.splitlines()
    error = next(line for line in lines if line.startswith("::error "))
    title = "title=MLS503 Third-party actions pinned by full commit SHA::"
    assert error.startswith(f"::error file=.github/workflows/ci.yml,line=19,{title}")
    assert "%0A%0APin every third-party action" in error
    warning = next(line for line in lines if line.startswith("::warning "))
    assert warning.startswith("::warning title=MLS701 Template answers recorded")
    assert len([line for line in lines if line.startswith("::")]) == 2
    assert lines[-1] == "mlscaffold check: 28 rules: 26 passed, 1 failed, 1 warning, 0 skipped."


def test_check_markdown_format_summarises_for_the_job_summary(good_repo: Path) -> None:
    break_scoping(good_repo)
    code, out, _ = check(str(good_repo), "--format", "markdown")
    assert code == 3
    assert out.startswith("## mlscaffold check failed\n")
    assert "| ❌ | [MLS102](https://github.com/mlscaffold/mlscaffold/blob/main/docs/rules.md#MLS102) |" in out
    assert "| ✅ | [MLS101]" in out
    fixes = out.split("### How to fix", 1)[1]
    assert "#### ❌ MLS102 Scoping document has every required section" in fixes
    assert "MLS101" not in fixes


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--select", "MLS101"], ["MLS101"]),
        (["--select", "MLS1"], ["MLS101", "MLS102", "MLS103", "MLS104", "MLS105"]),
        (["--select", "container,sync"], ["MLS401", "MLS402", "MLS403", "MLS404", "MLS701"]),
        (["--select", "ci", "--ignore", "MLS503", "--ignore", "mls504"], ["MLS501", "MLS502"]),
    ],
)
def test_check_cli_select_and_ignore_by_id_prefix_or_family(
    good_repo: Path, args: list[str], expected: list[str]
) -> None:
    code, out, _ = check(str(good_repo), "--format", "json", *args)
    assert code == 0
    assert [r["id"] for r in json.loads(out)["results"]] == expected


def test_check_cli_ignore_hides_a_failure(good_repo: Path) -> None:
    break_scoping(good_repo)
    assert check(str(good_repo), "--ignore", "MLS102")[0] == 0


def test_check_cli_rejects_a_selector_naming_no_rule(good_repo: Path) -> None:
    code, out, err = check(str(good_repo), "--select", "MLS9")
    assert code == 1
    assert out == ""
    assert "--select: 'MLS9' names no rule" in err


def test_check_config_ignore_with_reason_is_honoured(good_repo: Path) -> None:
    break_scoping(good_repo)
    config = '\n[tool.mlscaffold.check]\nignore = { MLS102 = "our scoping lives in the wiki" }\n'
    write_files(good_repo, {"pyproject.toml": PYPROJECT + config})
    code, out, _ = check(str(good_repo))
    assert code == 0
    assert "Ignored MLS102: our scoping lives in the wiki" in out


def test_check_config_select_is_replaced_by_the_command_line(good_repo: Path) -> None:
    write_files(good_repo, {"pyproject.toml": PYPROJECT + '\n[tool.mlscaffold.check]\nselect = ["scoping"]\n'})
    _, out, _ = check(str(good_repo), "--format", "json")
    assert {r["family"] for r in json.loads(out)["results"]} == {"scoping"}
    _, out, _ = check(str(good_repo), "--format", "json", "--select", "MLS604")
    assert [r["id"] for r in json.loads(out)["results"]] == ["MLS604"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('ignore = ["MLS205"]', 'ignore must give a reason per rule, like ignore = { MLS205 = "why'),
        (
            'ignore = { MLS205 = "" }',
            'ignore.MLS205 needs a reason: write MLS205 = "why it does not apply here"',
        ),
        ("ignore = { MLS205 = 3 }", "ignore.MLS205 needs a reason"),
        ('ignore = { MLS999 = "x" }', "[tool.mlscaffold.check] ignore: 'MLS999' names no rule"),
        ('select = "MLS1"', "select must be a list of rule IDs or families"),
        ('select = ["nope"]', "[tool.mlscaffold.check] select: 'nope' names no rule"),
        ("skip = []", "has unknown key 'skip'"),
    ],
)
def test_check_bad_config_is_one_clear_error(good_repo: Path, table: str, message: str) -> None:
    write_files(good_repo, {"pyproject.toml": PYPROJECT + f"\n[tool.mlscaffold.check]\n{table}\n"})
    code, out, err = check(str(good_repo))
    assert code == 1
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_check_config_that_is_not_a_table_is_an_error(good_repo: Path) -> None:
    write_files(good_repo, {"pyproject.toml": PYPROJECT + "\n[tool.mlscaffold]\ncheck = 1\n"})
    code, _, err = check(str(good_repo))
    assert code == 1
    assert "[tool.mlscaffold.check] in pyproject.toml must be a table" in err


def test_check_cli_audits_a_subdirectory_project(tmp_path: Path, good_repo_template: Path) -> None:
    import shutil

    mono = make_repo(tmp_path / "mono", {"README.md": "monorepo\n"})
    shutil.copytree(good_repo_template, mono / "churn", ignore=shutil.ignore_patterns(".git"))
    commit_all(mono)
    code, out, _ = check(str(mono / "churn"), "--ignore", "MLS701")
    assert code == 0, out
