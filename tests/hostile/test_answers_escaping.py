"""Answers land in TOML, YAML, INI and Python files escaped for each: none adds a key or a section.

Two levels: the template's files rendered alone with hostile values (as if a validator were
missing: the escaping holds by itself), and `new` end to end with free text that must survive
exactly, read back with the parsers the tools use (tomllib, ruamel, configobj as DVC does).
"""

from __future__ import annotations

import ast
import io
import sys
from pathlib import Path
from typing import Any

import pytest
from configobj import ConfigObj
from jinja2 import FileSystemLoader

from mlscaffold import yamlio
from mlscaffold.generate import create_project
from mlscaffold.render import questionnaire_for
from mlscaffold.template import load_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "default"
FILES = TEMPLATE / "template"
API = FILES / "src" / "{{ package_name }}" / "{% if deployment != 'batch' %}api.py{% endif %}.jinja"

FREE_TEXT = {
    "author_name": 'O\'Brien "Bob" \\ Jr. # [x] = {y}',
    "description": 'Say "hi" \\n it\'s # not a comment, \'\'\' """ ü — done',
}
# Values only a missing validator would let through: each tries to add a key or a section.
INJECTIONS = [
    'x", license = "evil',
    "x\"\nlicense = 'evil'\n[tool.evil]\nx = \"",
    "x\\",
]


def _answers(**overrides: Any) -> dict[str, Any]:
    config = load_config(TEMPLATE)
    questions = questionnaire_for(config, Path("/tmp/demo"))
    return {**questions.resolve({}, use_defaults=True), **overrides}


def _render(path: Path, answers: dict[str, Any]) -> str:
    """Render one template file as copier does (its Jinja setup, includes from the template root)."""
    questions = questionnaire_for(load_config(TEMPLATE), Path("/tmp/demo"))
    env = questions.env
    env.loader = FileSystemLoader(TEMPLATE)
    return env.from_string(path.read_text(encoding="utf-8")).render({**answers, "_copier_answers": {}})


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("question", ["author_name", "author_email", "description"])
def test_escaping_pyproject_strings_cannot_add_keys(question: str, value: str) -> None:
    answers = _answers(**{question: value})
    data = tomllib.loads(_render(FILES / "pyproject.toml.jinja", answers))
    project = data["project"]
    assert "license" not in project and "evil" not in data.get("tool", {})
    author = project["authors"][0]
    got = {
        "author_name": author["name"],
        "author_email": author["email"],
        "description": project["description"],
    }
    assert got[question] == value
    assert set(author) == {"name", "email"}


@pytest.mark.parametrize("value", [*INJECTIONS, "demo\nextra: 1"])
def test_escaping_params_yaml_experiment_is_one_value(value: str) -> None:
    answers = _answers(project_name=value, experiment_tracking="mlflow")
    data = yamlio.load_text(_render(FILES / "params.yaml.jinja", answers))
    assert "extra" not in data
    experiment = next(v["experiment"] for v in data.values() if isinstance(v, dict) and "experiment" in v)
    assert experiment == value


@pytest.mark.parametrize("value", [*INJECTIONS, "demo\nimport os"])
def test_escaping_api_title_is_one_python_string(value: str) -> None:
    source = _render(API, _answers(project_name=value))
    titles = [
        node.value.value
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        and getattr(node.targets[0], "id", "") == "TITLE"
        and isinstance(node.value, ast.Constant)
    ]
    assert titles == [value]


@pytest.mark.parametrize(
    ("remote", "url", "expected"),
    [
        ("local", "my store # not a comment, nor a list", "../my store # not a comment, nor a list"),
        ("local", "/abs/it's [x] = y", "/abs/it's [x] = y"),
        ("local", "store ", "../store "),
        ("s3", "s3://bucket/a#b,c'd", "s3://bucket/a#b,c'd"),
        ("local", "../plain-store", "../../plain-store"),
    ],
)
def test_escaping_dvc_config_url_is_one_value(remote: str, url: str, expected: str) -> None:
    text = _render(FILES / ".dvc" / "config.jinja", _answers(dvc_remote=remote, dvc_remote_url=url))
    config = ConfigObj(io.StringIO(text))
    assert list(config) == ["core", 'remote "storage"'], text
    assert dict(config['remote "storage"']) == {"url": expected}, text


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        ("local", "../store\n[cache]\ntype = symlink"),
        ("local", 'store"'),
        ("s3", 's3://bucket/p"'),
        ("s3", "s3://bucket/p\n['remote \"evil\"']"),
    ],
)
def test_escaping_dvc_url_configobj_cannot_quote_is_refused(remote: str, url: str) -> None:
    """configobj has no escape for `"` or a line break: the template's validator refuses them."""
    config = load_config(TEMPLATE)
    questions = questionnaire_for(config, Path("/tmp/demo"))
    spec = next(q for q in questions.questions if q.name == "dvc_remote_url")
    answers = {**_answers(dvc_remote=remote), "dvc_remote_url": url}
    assert str(questions.render(spec.validator, answers)).strip()


def test_escaping_free_text_round_trips_through_new(tmp_path: Path) -> None:
    project = create_project(tmp_path / "p", data=FREE_TEXT, use_defaults=True, init_git=False).path
    data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["project"]["authors"] == [{"name": FREE_TEXT["author_name"], "email": "test@example.com"}]
    assert data["project"]["description"] == FREE_TEXT["description"]
    recorded = yamlio.load_path(project / ".copier-answers.yml")
    assert {key: recorded[key] for key in FREE_TEXT} == FREE_TEXT


# Formats where an answer could run a command or add a key; free text must not reach them at all.
FREE_TEXT_FREE = [
    "Makefile.jinja",
    "Dockerfile.jinja",
    "dvc.yaml.jinja",
    ".github/dependabot.yml.jinja",
    ".github/zizmor.yml.jinja",
    *(f".github/workflows/{path.name}" for path in (FILES / ".github" / "workflows").iterdir()),
    *(
        p.relative_to(FILES).as_posix()
        for p in sorted((FILES / "{% if kubernetes %}deploy{% endif %}").rglob("*.jinja"))
    ),
]


@pytest.mark.parametrize("name", FREE_TEXT_FREE)
def test_escaping_commands_and_workflows_hold_no_free_text(name: str) -> None:
    """Makefiles, Dockerfiles and workflows take only validated identifiers: free text cannot reach them."""
    benign = _answers(kubernetes=True, deployment="both", dvc_remote="s3", dvc_remote_url="s3://bucket/p")
    hostile = {
        **benign,
        "author_name": "$(touch /tmp/pwned) ${{ github.token }} # \" '",
        "author_email": "x$(id)@evil.example",
        "description": "`id`; $(id) ${{ secrets.X }} # \" ' \\",
        "dvc_remote_url": "s3://bucket/$(id)#x",
    }
    assert _render(FILES / name, hostile) == _render(FILES / name, benign)
