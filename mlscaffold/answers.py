"""Questions of a copier template, and answers checked against them before anything is written.

copier validates `--data` answers but not defaults (a package name derived
from a project name like "3d-vision" is not a Python identifier), and it
ignores answers to questions it does not ask. mlscaffold resolves every
answer itself first, with copier's Jinja setup, so a bad answer costs one
clear line and no files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from mlscaffold.answer_values import CASTS, FALSE_WORDS, refuse_control_characters
from mlscaffold.errors import (
    AnswersFileError,
    InvalidAnswerError,
    MissingAnswersError,
    TemplateError,
    UnknownQuestionError,
    UsageError,
)

__all__ = [
    "ANSWERS_FILE",
    "AskFunction",
    "ProjectAnswers",
    "Question",
    "Questionnaire",
    "load_answers_file",
    "parse_data_options",
    "parse_questions",
    "read_project_answers",
]

ANSWERS_FILE = ".copier-answers.yml"
_ENVOPS = frozenset(
    {
        "block_start_string",
        "block_end_string",
        "variable_start_string",
        "variable_end_string",
        "comment_start_string",
        "comment_end_string",
        "line_statement_prefix",
        "line_comment_prefix",
        "trim_blocks",
        "lstrip_blocks",
        "newline_sequence",
        "keep_trailing_newline",
        "autoescape",
    }
)


@dataclass(frozen=True)
class Question:
    """One copier question, as declared in copier.yml."""

    name: str
    type: str = "str"
    default: Any = None
    help: str = ""
    choices: tuple[tuple[str, Any], ...] = ()
    validator: str | None = None
    when: Any = True
    secret: bool = False
    multiline: bool = False

    @property
    def choice_values(self) -> list[Any]:
        """Return the values a choice question accepts."""
        return [value for _, value in self.choices]


# (question, default, check) -> checked answer. `check` raises InvalidAnswerError.
AskFunction = Callable[[Question, Any, Callable[[Any], Any]], Any]


def _parse_choices(name: str, raw: Any) -> tuple[tuple[str, Any], ...]:
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        pairs = [(str(label), value) for label, value in raw.items()]
    elif isinstance(raw, list):
        pairs = []
        for item in raw:
            if isinstance(item, list) and len(item) == 2:
                pairs.append((str(item[0]), item[1]))
            else:
                pairs.append((str(item), item))
    else:
        raise TemplateError(f"Question {name} has malformed choices: fix the template's copier.yml.")
    # copier allows `{label: {value: ..., validator: ...}}`; only the value matters here.
    return tuple(
        (label, value["value"] if isinstance(value, Mapping) and "value" in value else value)
        for label, value in pairs
    )


def _infer_type(default: Any) -> str:
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    if isinstance(default, (list, dict)):
        return "yaml"
    return "str"


def parse_questions(config: Mapping[str, Any]) -> list[Question]:
    """Return the questions of a copier configuration, in the order copier asks them."""
    questions = []
    for name, spec in config.items():
        if str(name).startswith("_"):
            continue
        if not isinstance(spec, Mapping):
            # Shorthand `name: default`.
            questions.append(Question(str(name), _infer_type(spec), spec))
            continue
        default = spec.get("default")
        qtype = str(spec.get("type") or _infer_type(default))
        if qtype not in CASTS:
            qtype = "str"
        questions.append(
            Question(
                name=str(name),
                type=qtype,
                default=default,
                help=str(spec.get("help") or "").strip(),
                choices=_parse_choices(str(name), spec.get("choices")),
                validator=spec.get("validator"),
                when=spec.get("when", True),
                secret=bool(spec.get("secret", False)),
                multiline=spec.get("multiline") is True,
            )
        )
    return questions


def _cast(question: Question, value: Any) -> Any:
    """Convert VALUE to the question's type, or raise ValueError saying why not."""
    return CASTS[question.type](value)


def _falsy(value: Any) -> bool:
    if isinstance(value, str):
        text = value.strip().lower()
        return text in FALSE_WORDS or text in {"", "none", "null", "~"}
    return not value


class Questionnaire:
    """Resolve and validate a full set of answers for a template's questions."""

    def __init__(
        self,
        questions: Iterable[Question],
        context: Mapping[str, Any] | None = None,
        envops: Mapping[str, Any] | None = None,
        extensions: Iterable[str] = (),
        search_path: Iterable[str] = (),
    ) -> None:
        self.questions = list(questions)
        self.names = [q.name for q in self.questions]
        self.context = dict(context or {})
        # Only settings that are plain strings and flags: a template cannot hand Jinja a
        # loader, a finalize callable or more extensions through `_envops`.
        safe_envops = {key: value for key, value in (envops or {}).items() if key in _ENVOPS}
        try:
            # The template's own files are the loader's search path, as in copier: extensions
            # such as copier-template-extensions' loader find their modules there.
            self.env = SandboxedEnvironment(
                loader=FileSystemLoader(list(search_path)) if search_path else None,
                extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension", *extensions],
                **safe_envops,
            )
        except Exception as error:  # a template's extension module may raise anything
            first = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise TemplateError(
                f"The template needs a Jinja setup mlscaffold cannot load ({first}): "
                "install its extensions alongside mlscaffold."
            ) from error

    def render(self, value: Any, answers: Mapping[str, Any]) -> Any:
        """Render VALUE as copier would: strings are Jinja templates, the rest is literal."""
        if not isinstance(value, str):
            return value
        try:
            return self.env.from_string(value).render({**self.context, **answers})
        except JinjaError as error:
            raise TemplateError(f"The template's copier.yml does not render ({error}): fix it.") from error
        except Exception as error:  # a template's Jinja extension (`--trust`) may raise anything
            raise TemplateError(
                f"A Jinja extension of the template failed on copier.yml ({type(error).__name__}: {error}): "
                "fix the template."
            ) from error

    def default(self, question: Question, answers: Mapping[str, Any]) -> Any:
        """Return QUESTION's default given the answers so far."""
        return self.render(question.default, answers)

    def is_asked(self, question: Question, answers: Mapping[str, Any]) -> bool:
        """Tell whether QUESTION applies, given the answers so far (its `when`)."""
        return not _falsy(self.render(question.when, answers))

    def check(
        self, question: Question, raw: Any, answers: Mapping[str, Any], *, is_default: bool = False
    ) -> Any:
        """Return RAW converted for QUESTION, or raise InvalidAnswerError saying what to pass."""
        hint = f"pass --data {question.name}=VALUE"
        try:
            # YAML and JSON answers, questions declared `multiline: true`, and a template's own
            # defaults (its author's text, not the user's) may span lines.
            one_line = question.type == "str" and not question.multiline and not is_default
            refuse_control_characters(raw, one_line=one_line)
            value = _cast(question, raw)
        except ValueError as error:
            raise InvalidAnswerError(f"Invalid answer for {question.name}: {error}; {hint}.") from None
        if question.choices:
            allowed = [_cast(question, choice) for choice in question.choice_values]
            if value not in allowed:
                listed = ", ".join(str(choice) for choice in allowed)
                raise InvalidAnswerError(
                    f"Invalid answer for {question.name}: {value!r} is not one of {listed}; {hint}."
                )
        if question.validator:
            message = str(self.render(question.validator, {**answers, question.name: value}))
            message = " ".join(message.split())
            if message:
                raise InvalidAnswerError(f"Invalid answer for {question.name}: {message}; {hint}.")
        return value

    def _checker(self, question: Question, answers: Mapping[str, Any]) -> Callable[[Any], Any]:
        """Return a one-argument check of QUESTION against a snapshot of ANSWERS."""
        snapshot = dict(answers)
        return lambda raw: self.check(question, raw, snapshot)

    def resolve(
        self,
        given: Mapping[str, Any],
        *,
        use_defaults: bool,
        ask: AskFunction | None = None,
        defaults: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Return the answer to every applicable question; raise on the first bad one."""
        unknown = sorted(set(given) - set(self.names))
        if unknown:
            raise UnknownQuestionError(
                f"The template asks no question named {', '.join(unknown)}: use one of {', '.join(self.names)}."
            )
        answers: dict[str, Any] = {}
        missing: list[str] = []
        for question in self.questions:
            if not self.is_asked(question, answers):
                continue
            if defaults and question.name in defaults:
                default = defaults[question.name]
            else:
                default = self.default(question, answers)
            if question.name in given:
                answers[question.name] = self.check(question, given[question.name], answers)
            elif use_defaults:
                answers[question.name] = self.check(question, default, answers, is_default=True)
            elif ask is not None:
                answers[question.name] = ask(question, default, self._checker(question, answers))
            else:
                missing.append(question.name)
                answers[question.name] = default
        if missing:
            raise MissingAnswersError(
                f"No answer for {', '.join(missing)} and no terminal to ask on: "
                "pass --defaults to take the defaults, or --data KEY=VALUE."
            )
        return answers


def parse_data_options(options: Iterable[str]) -> dict[str, str]:
    """Turn repeated `--data KEY=VALUE` options into a mapping; the last one wins."""
    data: dict[str, str] = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--data takes KEY=VALUE, not {option!r}: for example --data python_version=3.12.")
        data[key.strip()] = value
    return data


def load_answers_file(path: Path) -> dict[str, Any]:
    """Read answers (a YAML mapping) from PATH, dropping copier's private `_` keys."""
    from mlscaffold import yamlio  # ruamel loads only when YAML is read

    try:
        text = yamlio.read_text(path)
    except yamlio.UnsafeYAMLError as error:
        raise AnswersFileError(f"Cannot read answers file {path} ({error}): check the path.") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise AnswersFileError(f"Cannot read answers file {path} ({reason}): check the path.") from None
    try:
        data = yamlio.load_text(text)
    except yamlio.UnsafeYAMLError as error:
        raise AnswersFileError(
            f"Answers file {path} is refused ({error}): pass answers with --data instead."
        ) from None
    except (yamlio.YAMLError, RecursionError) as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise AnswersFileError(
            f"Answers file {path} is not valid YAML{where}: fix it or pass answers with --data."
        ) from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise AnswersFileError(f"Answers file {path} is not a mapping of question: answer; fix it.")
    return {str(key): value for key, value in data.items() if not str(key).startswith("_")}


@dataclass(frozen=True)
class ProjectAnswers:
    """What a generated project's answers file records."""

    path: Path
    src_path: str | None
    commit: str | None
    answers: Mapping[str, Any] = field(default_factory=dict)


def read_project_answers(project: Path) -> ProjectAnswers | None:
    """Return the answers recorded in PROJECT, or None when it has no answers file."""
    from mlscaffold import yamlio  # ruamel loads only when YAML is read

    path = project / ANSWERS_FILE
    if not path.is_file():
        return None
    try:
        data = yamlio.load_text(yamlio.read_text(path))
    except (OSError, UnicodeDecodeError, yamlio.YAMLError, RecursionError):
        data = "unreadable"
    if not isinstance(data, Mapping):
        raise AnswersFileError(
            f"{path} is corrupt (not a YAML mapping): restore it with `git checkout -- {ANSWERS_FILE}`."
        )
    src = data.get("_src_path")
    commit = data.get("_commit")
    answers = {str(k): v for k, v in data.items() if not str(k).startswith("_")}
    return ProjectAnswers(
        path, None if src is None else str(src), None if commit is None else str(commit), answers
    )
