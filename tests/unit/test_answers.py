"""The questionnaire: the default template's questions, their defaults and every validation branch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlscaffold.answers import Question, Questionnaire, parse_questions
from mlscaffold.answers_file import load_answers_file, parse_data_options, read_project_answers
from mlscaffold.errors import (
    AnswersFileError,
    InvalidAnswerError,
    MissingAnswersError,
    TemplateError,
    UnknownQuestionError,
    UsageError,
)
from mlscaffold.template import load_config

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "default"


@pytest.fixture(scope="module")
def default_questions() -> Questionnaire:
    config = load_config(TEMPLATE)
    return Questionnaire(
        parse_questions(config),
        context={"_folder_name": "my-project"},
        envops=config.get("_envops"),
    )


def resolve(q: Questionnaire, **given: Any) -> dict[str, Any]:
    return q.resolve(given, use_defaults=True)


def test_default_template_every_question_has_a_working_default(default_questions: Questionnaire) -> None:
    answers = resolve(default_questions)
    assert answers == {
        "project_name": "my-project",
        "package_name": "my_project",
        "description": "my-project: a machine learning model and the service that runs it.",
        "author_name": "ML Team",
        "author_email": "ml-team@example.com",
        "github_owner": "my-org",
        "python_version": "3.12",
        "license": "MIT",
        "problem_type": "classification",
        "deployment": "online",
        "dvc_remote": "local",
        "dvc_remote_url": "../my_project-dvc-storage",
        "experiment_tracking": "none",
        "api_auth": False,
        "sensitive_features": "segment",
        "container_registry": "ghcr.io/my-org",
        "kubernetes": False,
        "notebooks": False,
    }


def test_default_template_questions_all_have_help_and_default() -> None:
    for question in parse_questions(load_config(TEMPLATE)):
        assert question.help, question.name
        assert question.default is not None, question.name


@pytest.mark.parametrize(
    ("project_name", "package_name"),
    [
        ("Fraud Detector", "fraud_detector"),
        ("churn--model.v2", "churn_model_v2"),
        ("Churn Model v2_", "churn_model_v2"),
    ],
)
def test_package_name_derived_from_project_name(
    default_questions: Questionnaire, project_name: str, package_name: str
) -> None:
    assert resolve(default_questions, project_name=project_name)["package_name"] == package_name


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"project_name": "   "}, "the project name is empty"),
        ({"project_name": "3d-vision"}, "must start with a letter"),
        ({"project_name": "a" * 65}, "longer than 64"),
        ({"package_name": ""}, "the package name is empty"),
        ({"package_name": "class"}, "is a Python keyword"),
        ({"package_name": "import"}, "is a Python keyword"),
        ({"package_name": "9lives"}, "not a valid Python package name"),
        ({"package_name": "My-Pkg"}, "not a valid Python package name"),
        ({"description": " "}, "the description is empty"),
        ({"description": "two\nlines"}, "one line of plain text"),
        ({"author_name": ""}, "the author name is empty"),
        ({"author_email": "nobody"}, "is not an email address"),
        ({"author_email": "a@b"}, "is not an email address"),
        ({"github_owner": "-bad"}, "is not a GitHub owner name"),
        ({"github_owner": "a--b"}, "is not a GitHub owner name"),
        ({"github_owner": "x" * 40}, "is not a GitHub owner name"),
        ({"python_version": "3.9"}, "is not one of 3.10, 3.11, 3.12, 3.13"),
        ({"license": "GPL"}, "is not one of MIT"),
        ({"problem_type": "clustering"}, "is not one of classification, regression"),
        ({"deployment": "edge"}, "is not one of online, batch, both"),
        ({"dvc_remote": "hdfs"}, "is not one of none, local, s3, gcs, azure"),
        ({"dvc_remote": "s3"}, "an s3 remote needs a URL like s3://BUCKET/PATH"),
        ({"dvc_remote": "s3", "dvc_remote_url": "gs://bucket/x"}, "an s3 remote needs a URL"),
        ({"dvc_remote": "gcs", "dvc_remote_url": "s3://bucket"}, "a gcs remote needs a URL like gs://"),
        ({"dvc_remote": "azure", "dvc_remote_url": "https://x"}, "an azure remote needs a URL like azure://"),
        ({"dvc_remote": "local", "dvc_remote_url": "  "}, "a local remote needs a directory path"),
        ({"dvc_remote": "local", "dvc_remote_url": "s3://bucket"}, "takes a directory path, not a URL"),
        ({"experiment_tracking": "wandb"}, "is not one of none, mlflow"),
        ({"sensitive_features": "segment; rm -rf"}, "is not a comma-separated list of column names"),
        ({"sensitive_features": "segment,,region"}, "is not a comma-separated list of column names"),
        ({"sensitive_features": "1st"}, "is not a comma-separated list of column names"),
        ({"sensitive_features": "segment\nregion"}, "this answer is one line of plain text"),
        ({"container_registry": "https://ghcr.io/x"}, "is not a registry path like ghcr.io/my-org"),
        ({"container_registry": "ghcr.io/My-Org"}, "is not a registry path"),
        ({"container_registry": "ghcr.io/team/"}, "is not a registry path"),
        ({"kubernetes": "maybe"}, "'maybe' is not yes or no"),
        ({"notebooks": "2"}, "'2' is not yes or no"),
    ],
)
def test_default_template_rejects_invalid_answer(
    default_questions: Questionnaire, given: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidAnswerError, match="Invalid answer for") as caught:
        resolve(default_questions, **given)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert "pass --data" in text


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        ("s3", "s3://my-bucket/ml/data"),
        ("gcs", "gs://my_bucket.data/x"),
        ("azure", "azure://container-1/path"),
        ("local", "/srv/dvc"),
    ],
)
def test_dvc_remote_accepts_well_formed_url(default_questions: Questionnaire, remote: str, url: str) -> None:
    answers = resolve(default_questions, dvc_remote=remote, dvc_remote_url=url)
    assert answers["dvc_remote_url"] == url


def test_dvc_remote_none_skips_the_url_question(default_questions: Questionnaire) -> None:
    assert "dvc_remote_url" not in resolve(default_questions, dvc_remote="none")


@pytest.mark.parametrize(("raw", "value"), [("yes", True), ("No", False), ("1", True), ("off", False)])
def test_bool_answers_parse_from_text(default_questions: Questionnaire, raw: str, value: bool) -> None:
    assert resolve(default_questions, kubernetes=raw)["kubernetes"] is value


def test_unknown_question_is_named(default_questions: Questionnaire) -> None:
    with pytest.raises(UnknownQuestionError, match="no question named colour"):
        resolve(default_questions, colour="blue")


def test_missing_answers_without_terminal_name_the_flags(default_questions: Questionnaire) -> None:
    with pytest.raises(MissingAnswersError, match="--defaults") as caught:
        default_questions.resolve({"project_name": "x"}, use_defaults=False)
    assert "project_name" not in str(caught.value).split(" and no terminal")[0]
    assert "package_name" in str(caught.value)


def test_ask_callback_receives_default_and_check(default_questions: Questionnaire) -> None:
    seen: list[tuple[str, Any]] = []

    def ask(question: Question, default: Any, check: Any) -> Any:
        seen.append((question.name, default))
        if question.name == "package_name":
            with pytest.raises(InvalidAnswerError):
                check("class")
            return check("fine_name")
        return check(default)

    answers = default_questions.resolve({"project_name": "Demo"}, use_defaults=False, ask=ask)
    assert answers["package_name"] == "fine_name"
    assert ("package_name", "demo") in seen
    assert "project_name" not in dict(seen)


def test_git_identity_defaults_override_template_defaults(default_questions: Questionnaire) -> None:
    answers = default_questions.resolve(
        {}, use_defaults=True, defaults={"author_name": "Ada", "author_email": "ada@example.org"}
    )
    assert (answers["author_name"], answers["author_email"]) == ("Ada", "ada@example.org")


def test_question_types_cast_and_fail_clearly() -> None:
    questions = [
        Question("count", "int", 1),
        Question("ratio", "float", 0.5),
        Question("blob", "json", "{}"),
        Question("conf", "yaml", "a: 1"),
    ]
    q = Questionnaire(questions)
    assert q.resolve({"count": "3", "ratio": "2.5", "blob": '{"a": 1}'}, use_defaults=True) == {
        "count": 3,
        "ratio": 2.5,
        "blob": {"a": 1},
        "conf": {"a": 1},
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({"count": "x"}, "not a whole number"),
        ({"count": True}, "not a whole number"),
        ({"ratio": "x"}, "not a number"),
        ({"blob": "{"}, "not valid JSON"),
        ({"conf": "a: [1"}, "not valid YAML"),
    ]
    for given, message in cases:
        with pytest.raises(InvalidAnswerError, match=message):
            q.resolve(given, use_defaults=True)


def test_parse_questions_shorthand_choices_and_private_keys() -> None:
    questions = parse_questions(
        {
            "_subdirectory": "template",
            "flag": True,
            "size": 3,
            "pick": {"choices": [["Label A", "a"], "b"], "default": "a"},
            "mapped": {"choices": {"One": {"value": 1}}, "type": "int", "default": 1},
            "odd": {"type": "unknown-type", "default": "x"},
        }
    )
    by_name = {q.name: q for q in questions}
    assert [q.name for q in questions] == ["flag", "size", "pick", "mapped", "odd"]
    assert (by_name["flag"].type, by_name["size"].type) == ("bool", "int")
    assert by_name["pick"].choices == (("Label A", "a"), ("b", "b"))
    assert by_name["mapped"].choice_values == [1]
    # copier, not mlscaffold, refuses a type it does not know, when the question is asked.
    with pytest.raises(TemplateError, match=r'odd is malformed .*Unsupported type "unknown-type"'):
        Questionnaire([by_name["odd"]]).resolve({}, use_defaults=True)


def test_malformed_choices_are_a_template_error() -> None:
    with pytest.raises(TemplateError, match="malformed choices"):
        parse_questions({"pick": {"choices": 5}})


def test_templated_choices_are_rendered_and_checked_by_copier() -> None:
    q = Questionnaire(
        parse_questions({"big": True, "pick": {"choices": "{{ '[a, b, c]' if big else '[a]' }}"}})
    )
    assert q.resolve({"pick": "c"}, use_defaults=True) == {"big": True, "pick": "c"}
    with pytest.raises(InvalidAnswerError, match=r"^Invalid answer for pick: 'c' is not one of a; pass --data"):
        q.resolve({"big": "no", "pick": "c"}, use_defaults=True)


def test_broken_jinja_in_copier_yml_is_a_template_error() -> None:
    q = Questionnaire([Question("x", default="{{ oops(")])
    with pytest.raises(TemplateError, match="does not render"):
        q.resolve({}, use_defaults=True)


def test_missing_jinja_extension_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="install its extensions"):
        Questionnaire([], extensions=["no_such_module.Extension"])


def test_when_false_question_is_skipped() -> None:
    q = Questionnaire([Question("a", "bool", False), Question("b", default="x", when="{{ a }}")])
    assert q.resolve({}, use_defaults=True) == {"a": False}
    assert q.resolve({"a": "yes"}, use_defaults=True) == {"a": True, "b": "x"}


@pytest.mark.parametrize(
    ("options", "expected"),
    [(["a=1", "b=x=y", "a=2"], {"a": "2", "b": "x=y"}), (["empty="], {"empty": ""}), ([], {})],
)
def test_parse_data_options(options: list[str], expected: dict[str, str]) -> None:
    assert parse_data_options(options) == expected


@pytest.mark.parametrize("option", ["novalue", "=x", " =x"])
def test_parse_data_options_rejects_malformed(option: str) -> None:
    with pytest.raises(UsageError, match="KEY=VALUE"):
        parse_data_options([option])


def test_load_answers_file_drops_private_keys(tmp_path: Path) -> None:
    path = tmp_path / "a.yml"
    path.write_text("_commit: v1\nproject_name: x\nkubernetes: true\n", encoding="utf-8")
    assert load_answers_file(path) == {"project_name": "x", "kubernetes": True}
    path.write_text("", encoding="utf-8")
    assert load_answers_file(path) == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [("a: [1\n", "not valid YAML at line"), ("- a\n- b\n", "not a mapping"), (b"\xff\xfe", "Cannot read")],
)
def test_load_answers_file_rejects_corrupt(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "a.yml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(AnswersFileError, match=message):
        load_answers_file(path)


def test_load_answers_file_missing(tmp_path: Path) -> None:
    with pytest.raises(AnswersFileError, match="No such file"):
        load_answers_file(tmp_path / "nope.yml")


def test_read_project_answers(tmp_path: Path) -> None:
    assert read_project_answers(tmp_path) is None
    (tmp_path / ".copier-answers.yml").write_text("_commit: v0.1.0\n_src_path: s\nx: 1\n", encoding="utf-8")
    recorded = read_project_answers(tmp_path)
    assert recorded is not None
    assert (recorded.commit, recorded.src_path, dict(recorded.answers)) == ("v0.1.0", "s", {"x": 1})
    (tmp_path / ".copier-answers.yml").write_text("[broken", encoding="utf-8")
    with pytest.raises(AnswersFileError, match="corrupt"):
        read_project_answers(tmp_path)


def test_control_characters_refused_newlines_only_where_one_line_is_expected() -> None:
    questions = parse_questions(
        {
            "title": {"type": "str", "default": "Line one\nline two"},
            "notes": {"type": "str", "multiline": True, "default": ""},
            "extra": {"type": "yaml", "default": "{}"},
        }
    )
    q = Questionnaire(questions)
    # A template's own default may span lines; the user's answers to one-line questions may not.
    assert q.resolve({}, use_defaults=True)["title"] == "Line one\nline two"
    with pytest.raises(InvalidAnswerError, match=r"Invalid answer for title: it holds '\\n'"):
        q.resolve({"title": "a\nb"}, use_defaults=True)
    assert q.resolve({"notes": "a\nb", "extra": "a: 1\nb: 2\n"}, use_defaults=True)["notes"] == "a\nb"
    for bad in ("a\x1bb", "a\x00", "a\rb", "a\u2028b", "a\u202eb"):
        with pytest.raises(InvalidAnswerError, match="control character"):
            q.resolve({"notes": bad}, use_defaults=True)


def test_envops_reach_jinja_only_as_plain_settings() -> None:
    q = Questionnaire([], envops={"keep_trailing_newline": True, "finalize": "os.system", "loader": "x"})
    assert q.env.keep_trailing_newline is True
    assert q.env.finalize is None


def test_a_question_without_default_under_defaults_names_the_data_to_pass() -> None:
    q = Questionnaire(parse_questions({"team": {"type": "str", "help": "Your team"}}))
    with pytest.raises(
        MissingAnswersError, match=r"^The template gives no default for team: pass --data team=VALUE\.$"
    ):
        q.resolve({}, use_defaults=True)
    assert q.resolve({"team": "ml"}, use_defaults=True) == {"team": "ml"}


def test_copier_refuses_a_default_its_validator_rejects_in_one_line() -> None:
    q = Questionnaire(
        parse_questions(
            {
                "name": "3d-vision",
                "slug": {
                    "default": "{{ name }}",
                    "validator": "{% if not slug[0].isalpha() %}start with a letter{% endif %}",
                },
            }
        )
    )
    with pytest.raises(InvalidAnswerError) as caught:
        q.resolve({}, use_defaults=True)
    assert str(caught.value) == "Invalid answer for slug: start with a letter; pass --data slug=VALUE."
    assert q.resolve({"slug": "vision"}, use_defaults=True)["slug"] == "vision"


def test_an_answer_read_from_yaml_comes_back_as_a_plain_string(default_questions: Questionnaire) -> None:
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    answers = resolve(default_questions, description=SingleQuotedScalarString("team-app: a model."))
    assert type(answers["description"]) is str
