"""Answers are checked as whole values: no trailing newline, no control character gets through.

Answers come from an answers file here (YAML double-quoted escapes can say NUL, which a
command line cannot).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from mlscaffold.answers import Questionnaire
from mlscaffold.errors import InvalidAnswerError
from mlscaffold.render import load_template_config

from hostile.conftest import assert_one_line_error, run_cli

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "default"

# (question, a valid value, extra answers the question needs to be asked)
ONE_LINE_QUESTIONS = [
    ("project_name", "Demo", {}),
    ("package_name", "demo", {}),
    ("description", "A model.", {}),
    ("author_name", "Ada", {}),
    ("author_email", "ada@example.org", {}),
    ("github_owner", "acme", {}),
    ("container_registry", "ghcr.io/acme", {}),
    ("sensitive_features", "segment, region", {}),
    ("python_version", "3.12", {}),
    ("dvc_remote_url", "s3://bucket/path", {"dvc_remote": "s3"}),
    ("dvc_remote_url", "../storage", {"dvc_remote": "local"}),
    ("ingress_host", "model.example.com", {"kubernetes": "true"}),
]


def _new_with_answers(
    tmp_path: Path, answers: Mapping[str, object]
) -> tuple[subprocess.CompletedProcess[str], Path]:
    # JSON is YAML: its escapes (\u0000, \n, \u001b) survive into the answers file exactly.
    path = tmp_path / "answers.yml"
    path.write_text(json.dumps(answers), encoding="utf-8")
    out = tmp_path / "out"
    return run_cli("new", str(out), "--defaults", "--no-lock", "--answers-file", str(path), cwd=tmp_path), out


@pytest.fixture(scope="module")
def default_questions() -> Questionnaire:
    return load_template_config(TEMPLATE).questionnaire(Path("/tmp/demo"))


@pytest.mark.parametrize(("question", "value", "extra"), ONE_LINE_QUESTIONS, ids=lambda v: str(v)[:20])
@pytest.mark.parametrize("suffix", ["\n", "\r", "\x1b[31m", "\x00", "\nextra = 1", "\u2028"], ids=repr)
def test_answers_control_characters_are_refused(
    default_questions: Questionnaire, question: str, value: str, extra: dict[str, str], suffix: str
) -> None:
    with pytest.raises(InvalidAnswerError, match=f"Invalid answer for {question}: .*--data {question}="):
        default_questions.resolve({**extra, question: value + suffix}, use_defaults=True)
    # The same value without the suffix is fine: the refusal is about the characters.
    default_questions.resolve({**extra, question: value}, use_defaults=True)


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        ({"author_name": "Ada\u0000"}, "author_name"),
        ({"description": "line one\nline two"}, "description"),
        ({"dvc_remote": "s3", "dvc_remote_url": "s3://bucket/p\n[cache]\ntype = symlink"}, "dvc_remote_url"),
        ({"package_name": "demo\n"}, "package_name"),
        ({"author_email": 'x",license="evil@x.co'}, "author_email"),
    ],
    ids=["nul", "newline", "ini-section", "trailing-newline", "toml-injection"],
)
def test_answers_file_control_characters_end_to_end(
    tmp_path: Path, answers: dict[str, str], question: str
) -> None:
    result, out = _new_with_answers(tmp_path, answers)
    line = assert_one_line_error(result, 1)
    assert f"Invalid answer for {question}" in line
    assert "\x00" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("question", "bad", "good", "extra"),
    [
        # Each matched `^...$` before: `$` also matches before a final newline.
        ("package_name", "demo\n", "demo", {}),
        ("github_owner", "acme\n", "acme", {}),
        ("container_registry", "ghcr.io/acme\n", "ghcr.io/acme", {}),
        ("dvc_remote_url", "s3://bucket/p\n", "s3://bucket/p", {"dvc_remote": "s3"}),
        ("dvc_remote_url", "gs://bucket/p\n", "gs://bucket/p", {"dvc_remote": "gcs"}),
        ("dvc_remote_url", "azure://box/p\n", "azure://box/p", {"dvc_remote": "azure"}),
        ("project_name", "Demo\n", "Demo", {}),
        ("author_email", "a@b.co\n", "a@b.co", {}),
        ("mlscaffold_repo", "acme/mlscaffold\n", "acme/mlscaffold", {}),
        # Free text had no check for control characters at all.
        ("author_name", "Ada\x1b[2J", "Ada", {}),
        ("description", "A model.\r", "A model.", {}),
        ("dvc_remote_url", "../store\n[cache]", "../store", {"dvc_remote": "local"}),
        # The host lands in YAML (the Ingress) and in TLS names: a host name, nothing else.
        ("ingress_host", "model.example.com\n", "model.example.com", {"kubernetes": "true"}),
        ("ingress_host", "https://model.example.com", "model.example.com", {"kubernetes": "true"}),
        ("ingress_host", "model.example.com/predict", "model.example.com", {"kubernetes": "true"}),
        ("ingress_host", 'a.co"\n  evil: 1', "a.co", {"kubernetes": "true"}),
        ("ingress_host", "Model.Example.com", "model.example.com", {"kubernetes": "true"}),
        ("ingress_host", "-model.example.com", "", {"kubernetes": "true"}),
    ],
    ids=lambda v: repr(v)[:24],
)
def test_answers_template_validators_match_whole_values(
    default_questions: Questionnaire, question: str, bad: str, good: str, extra: dict[str, str]
) -> None:
    """copier runs the template's validators itself too: alone, they refuse what mlscaffold refuses."""
    spec = next(q for q in default_questions.questions if q.name == question)
    assert spec.validator
    answers = {"package_name": "demo", "project_name": "demo", **extra, question: bad}
    assert str(default_questions.render(spec.validator, answers)).strip()
    answers[question] = good
    assert not str(default_questions.render(spec.validator, answers)).strip()


def test_answers_free_text_with_quotes_is_accepted(tmp_path: Path) -> None:
    result, out = _new_with_answers(
        tmp_path,
        {"author_name": 'O\'Brien "Bob" \\ Jr.', "description": 'Say "hi" \\ it\'s # not a comment'},
    )
    assert result.returncode == 0, result.stderr
    assert out.is_dir()
