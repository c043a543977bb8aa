"""A foreign template runs none of its code (Jinja extensions, tasks, migrations) before `--trust`.

mlscaffold renders question defaults and validators itself before copier runs, with the
template's Jinja setup: the trust check has to come before that, not only inside copier.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlscaffold.errors import UntrustedTemplateError
from mlscaffold.render import require_trust
from mlscaffold.template import TemplateSource

from hostile.conftest import assert_one_line_error, run_cli
from support.git_worlds import git

# A module shipped inside the template that leaves a marker when it is imported.
EVIL_MODULE = """\
from pathlib import Path

Path({marker!r}).write_text("imported")

from jinja2.ext import Extension


class Evil(Extension):
    pass
"""


def make_template(root: Path, config: str, files: dict[str, str] | None = None) -> Path:
    """Create a one-version git template at ROOT whose copier.yml is `_subdirectory` plus CONFIG."""
    (root / "template").mkdir(parents=True)
    (root / "copier.yml").write_text(
        "_subdirectory: template\nproject_name:\n  type: str\n  default: demo\n" + config, encoding="utf-8"
    )
    (root / "template" / "README.md.jinja").write_text("# {{ project_name }}\n", encoding="utf-8")
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    git("init", "-q", "-b", "main", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-qm", "v1", cwd=root)
    git("tag", "v1.0.0", cwd=root)
    return root


def test_trust_builtin_callable_extension_is_refused_before_it_is_called(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl", "_jinja_extensions:\n  - builtins.print\n")
    result = run_cli("new", str(tmp_path / "out"), "--template", str(template), "--defaults", cwd=tmp_path)
    line = assert_one_line_error(result, 1)
    assert "Jinja extensions" in line and "--trust" in line
    assert "SandboxedEnvironment" not in result.stdout + result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_trust_extension_module_in_template_is_never_imported(tmp_path: Path) -> None:
    marker = tmp_path / "imported.marker"
    template = make_template(
        tmp_path / "tpl",
        "_jinja_extensions:\n  - evil_ext.Evil\n",
        {"evil_ext.py": EVIL_MODULE.format(marker=str(marker))},
    )
    # `python -m` puts the working directory on sys.path: run from inside the template.
    result = run_cli("new", str(tmp_path / "out"), "--template", str(template), "--defaults", cwd=template)
    line = assert_one_line_error(result, 1)
    assert "--trust" in line
    assert not marker.exists()
    assert not (tmp_path / "out").exists()


def test_trust_tasks_are_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "task.marker"
    template = make_template(tmp_path / "tpl", f"_tasks:\n  - touch {marker}\n")
    result = run_cli("new", str(tmp_path / "out"), "--template", str(template), "--defaults", cwd=tmp_path)
    line = assert_one_line_error(result, 1)
    assert "tasks" in line and "--trust" in line
    assert not marker.exists()
    assert not (tmp_path / "out").exists()


def test_trust_migrations_never_run_on_new(tmp_path: Path) -> None:
    # Migrations run only on update (and `upgrade` refuses foreign templates): a copy needs no trust.
    marker = tmp_path / "migration.marker"
    template = make_template(
        tmp_path / "tpl", f"_migrations:\n  - version: v1.0.0\n    command: touch {marker}\n"
    )
    result = run_cli("new", str(tmp_path / "out"), "--template", str(template), "--defaults", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()


def test_trust_migrations_are_refused_when_updating(tmp_path: Path) -> None:
    source = TemplateSource(str(tmp_path), "v1.0.0", is_default=False)
    config = {"_migrations": [{"version": "v1.0.0", "command": "true"}]}
    require_trust(source, config, trust=False)
    with pytest.raises(UntrustedTemplateError, match=r"uses migrations, .*pass --trust"):
        require_trust(source, config, trust=False, updating=True)
    require_trust(source, config, trust=True, updating=True)
    require_trust(TemplateSource("default", "v1.0.0", is_default=True), config, trust=False, updating=True)


def test_trust_refusal_names_every_feature_before_reading_answers(tmp_path: Path) -> None:
    marker = tmp_path / "task.marker"
    template = make_template(
        tmp_path / "tpl",
        f"_jinja_extensions:\n  - builtins.print\n_tasks:\n  - touch {marker}\n",
    )
    # No --defaults and no terminal: the refusal comes first, not "no answer for ...".
    result = run_cli("new", str(tmp_path / "out"), "--template", str(template), cwd=tmp_path)
    line = assert_one_line_error(result, 1)
    assert "Jinja extensions" in line and "tasks" in line
    assert not marker.exists()


def test_trust_given_lets_a_harmless_extension_work(tmp_path: Path) -> None:
    template = make_template(
        tmp_path / "tpl",
        "_jinja_extensions: [jinja2.ext.do]\n",
        {"template/NOTE.md.jinja": "{% set parts = [] %}{% do parts.append(project_name) %}{{ parts[0] }}\n"},
    )
    out = tmp_path / "out"
    result = run_cli("new", str(out), "--template", str(template), "--defaults", "--trust", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (out / "NOTE.md").read_text(encoding="utf-8") == "demo\n"


def test_trust_given_runs_tasks(tmp_path: Path) -> None:
    marker = tmp_path / "task.marker"
    template = make_template(tmp_path / "tpl", f"_tasks:\n  - touch {marker}\n")
    out = tmp_path / "out"
    result = run_cli("new", str(out), "--template", str(template), "--defaults", "--trust", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert marker.exists()


def test_trust_default_template_needs_no_trust(tmp_path: Path) -> None:
    # The bundled template has migrations: it is ours, so it never asks for --trust.
    result = run_cli("new", str(tmp_path / "out"), "--defaults", "--no-lock", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_trust_extension_in_an_included_file_is_refused(tmp_path: Path) -> None:
    template = make_template(
        tmp_path / "tpl",
        "--- !include more.yml\n",
        {"more.yml": "_jinja_extensions: [builtins.print]\nextra:\n  default: x\n"},
    )
    result = run_cli("new", str(tmp_path / "out"), "--template", str(template), "--defaults", cwd=tmp_path)
    line = assert_one_line_error(result, 1)
    assert "Jinja extensions" in line and "--trust" in line
    assert "SandboxedEnvironment" not in result.stdout + result.stderr


def test_trust_extension_list_is_merged_across_documents(tmp_path: Path) -> None:
    # copier extends `_jinja_extensions` across documents: an empty list later does not hide one.
    template = make_template(
        tmp_path / "tpl", "_jinja_extensions: [builtins.print]\n---\n_jinja_extensions: []\n"
    )
    result = run_cli("new", str(tmp_path / "out"), "--template", str(template), "--defaults", cwd=tmp_path)
    line = assert_one_line_error(result, 1)
    assert "Jinja extensions" in line
    assert "SandboxedEnvironment" not in result.stdout + result.stderr


def test_trust_included_questions_are_asked(tmp_path: Path) -> None:
    template = make_template(
        tmp_path / "tpl",
        "--- !include questions/*.yml\n",
        {
            "questions/extra.yml": "extra:\n  type: str\n  default: included\n",
            "template/EXTRA.md.jinja": "{{ extra }}\n",
        },
    )
    out = tmp_path / "out"
    result = run_cli(
        "new", str(out), "--template", str(template), "--defaults", "--data", "extra=given", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (out / "EXTRA.md").read_text(encoding="utf-8") == "given\n"
