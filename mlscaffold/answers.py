"""Questions of a copier template, and answers checked against them before anything is written.

Each answer goes through copier's own `Question` (types, choices, `when`,
rendered defaults, `validator`). Kept here is what copier lacks: unknown
questions refused, plain yes/no and whole numbers, no control characters,
git-identity and inferred defaults, prompts. All of it runs before a file is
written, so a bad answer costs one clear line and no files.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import FileSystemLoader
from jinja2 import TemplateError as JinjaError

from mlscaffold.answer_values import refuse_control_characters, refuse_loose_answer
from mlscaffold.errors import (
    InvalidAnswerError,
    MissingAnswersError,
    TemplateError,
    UnknownQuestionError,
)

__all__ = ["AskFunction", "Question", "Questionnaire", "parse_questions"]

# The `_envops` a template may set: plain strings and flags, never a loader or a callable.
_ENVOPS = frozenset(
    [f"{kind}_{end}_string" for kind in ("block", "variable", "comment") for end in ("start", "end")]
    + ["line_statement_prefix", "line_comment_prefix", "trim_blocks", "lstrip_blocks", "autoescape"]
    + ["newline_sequence", "keep_trailing_newline"]
)
# What a cast failure of each of copier's types means, in words.
_NOT_A = {"bool": "yes or no", "int": "a whole number", "float": "a number", "json": "valid JSON"}
_NOT_A.update(yaml="valid YAML", str="text")
_ANSWER_ERRORS = (TypeError, ValueError, KeyError)
_NOT_IN = re.compile(r"^(?P<answer>.*) is not in (?P<valid>\[.*\])$", re.S)


@dataclass(frozen=True)
class Question:
    """One copier question, as declared in copier.yml (what prompts and the docs show of it)."""

    name: str
    type: str = "str"
    default: Any = None
    help: str = ""
    choices: tuple[tuple[str, Any], ...] = ()
    validator: str | None = None
    when: Any = True
    secret: bool = False
    multiline: bool = False
    # The declaration as written, handed to copier's own `Question`.
    spec: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def choice_values(self) -> list[Any]:
        """Return the values a choice question accepts."""
        return [value for _, value in self.choices]

    def copier_details(self) -> dict[str, Any]:
        """Return the keyword arguments of copier's `Question` for this question."""
        from copier._types import MISSING

        details = {key: value for key, value in self.spec.items() if key in _COPIER_FIELDS}
        details.update(type=self.type, when=self.when, secret=self.secret, multiline=self.multiline)
        details["default"] = MISSING if self.default is None else self.default
        details["validator"] = self.validator or ""
        if self.choices and "choices" not in details:  # a question built in code, not read
            details["choices"] = [[label, value] for label, value in self.choices]
        return details


_COPIER_FIELDS = frozenset({"choices", "multiselect", "help", "placeholder", "ask"})

# (question, default, check) -> checked answer. `check` raises InvalidAnswerError.
AskFunction = Callable[[Question, Any, Callable[[Any], Any]], Any]


def _parse_choices(name: str, raw: Any) -> tuple[tuple[str, Any], ...]:
    if raw is None or isinstance(raw, str):
        return ()  # a Jinja string: copier renders and checks it
    if isinstance(raw, Mapping):
        pairs = [(str(label), value) for label, value in raw.items()]
    elif isinstance(raw, list):
        pairs = [(str(i[0]), i[1]) if isinstance(i, list) and len(i) == 2 else (str(i), i) for i in raw]
    else:
        raise TemplateError(f"Question {name} has malformed choices: fix the template's copier.yml.")
    # copier allows `{label: {value: ..., validator: ...}}`; only the value is shown.
    return tuple(
        (label, value["value"] if isinstance(value, Mapping) and "value" in value else value)
        for label, value in pairs
    )


def _infer_type(default: Any) -> str:
    # copier's rule: the default's Python type, when it is one of copier's types, else YAML.
    for python_type, name in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str")):
        if isinstance(default, python_type):
            return name
    return "str" if default is None else "yaml"


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
        questions.append(
            Question(
                name=str(name),
                type=str(spec.get("type") or _infer_type(default)),
                default=default,
                help=str(spec.get("help") or "").strip(),
                choices=_parse_choices(str(name), spec.get("choices")),
                validator=spec.get("validator"),
                when=spec.get("when", True),
                secret=bool(spec.get("secret", False)),
                multiline=spec.get("multiline") is True,
                spec=dict(spec),
            )
        )
    return questions


def _said(error: BaseException, name: str) -> str:
    """Return what copier says is wrong with an answer to NAME, without its own prefixes."""
    text = " ".join(str(error).split())
    for prefix in (f"Invalid choice for '{name}': ", f"Validation error for question '{name}': "):
        text = text.removeprefix(prefix)
    match = _NOT_IN.match(text)
    if match:
        try:
            valid = ast.literal_eval(match.group("valid"))
        except (ValueError, SyntaxError):
            return text
        return f"{match.group('answer')} is not one of {', '.join(str(v) for v in valid)}"
    return text


class Questionnaire:
    """Resolve and validate a full set of answers for a template's questions, with copier's `Question`."""

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
        safe_envops = {key: value for key, value in (envops or {}).items() if key in _ENVOPS}
        from copier._jinja_ext import SandboxedEnvironment  # copier's sandbox, as copier renders

        try:
            # The template's files are the search path, as in copier (extensions find their modules).
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
        return self._guarded(lambda: self.env.from_string(value).render({**self.context, **answers}))

    @staticmethod
    def _guarded(call: Callable[[], Any], answer_errors: tuple[type[Exception], ...] = ()) -> Any:
        """Return CALL(), turning a failure of the template's Jinja into a `TemplateError`."""
        from copier.errors import UserMessageError

        try:
            return call()
        except (JinjaError, UserMessageError) as error:
            raise TemplateError(f"The template's copier.yml does not render ({error}): fix it.") from error
        except answer_errors:
            raise  # what copier says of an answer: the caller words it
        except Exception as error:  # a template's Jinja extension (`--trust`) may raise anything
            raise TemplateError(
                f"A Jinja extension of the template failed on copier.yml ({type(error).__name__}: {error}): "
                "fix the template."
            ) from error

    def _copier(self, question: Question, answers: Mapping[str, Any]) -> Any:
        """Return copier's `Question` for QUESTION given the answers so far."""
        from copier._user_data import AnswersMap
        from copier._user_data import Question as CopierQuestion
        from copier.errors import InvalidTypeError
        from pydantic import ValidationError

        try:
            made = CopierQuestion(
                var_name=question.name,
                answers=AnswersMap(),
                context={**self.context, **answers},
                jinja_env=self.env,
                **question.copier_details(),
            )
            self._guarded(made.get_type_name, (InvalidTypeError,))
        except InvalidTypeError as error:
            detail = str(error)
        except ValidationError as error:
            detail = error.errors()[0].get("msg", "invalid") if error.errors() else "invalid"
        else:
            return made
        raise TemplateError(f"Question {question.name} is malformed ({detail}): fix the template's copier.yml.")

    def default(self, question: Question, answers: Mapping[str, Any]) -> Any:
        """Return QUESTION's default given the answers so far, rendered but not checked."""
        return self.render(question.default, answers)

    def is_asked(self, question: Question, answers: Mapping[str, Any]) -> bool:
        """Tell whether QUESTION applies, given the answers so far (its `when`)."""
        return bool(self._guarded(self._copier(question, answers).get_when))

    def check(
        self, question: Question, raw: Any, answers: Mapping[str, Any], *, is_default: bool = False
    ) -> Any:
        """Return RAW converted for QUESTION by copier, or raise InvalidAnswerError saying what to pass."""
        hint = f"pass --data {question.name}=VALUE"
        try:
            # YAML and JSON answers, questions declared `multiline: true`, and a template's own
            # defaults (its author's text, not the user's) may span lines.
            one_line = question.type == "str" and not question.multiline and not is_default
            refuse_control_characters(raw, one_line=one_line)
            refuse_loose_answer(question.type, raw)
        except ValueError as error:
            raise InvalidAnswerError(f"Invalid answer for {question.name}: {error}; {hint}.") from None
        copier_question = self._copier(question, answers)
        raw = str(raw) if isinstance(raw, str) else raw  # copier keeps ruamel's string types, which leak
        try:
            self._guarded(lambda: copier_question.cast_answer(raw), _ANSWER_ERRORS)
        except (TypeError, ValueError):
            detail = f"{raw!r} is not {_NOT_A.get(question.type, 'a ' + question.type)}"
            raise InvalidAnswerError(f"Invalid answer for {question.name}: {detail}; {hint}.") from None
        try:
            value = self._guarded(lambda: copier_question.parse_answer(raw), _ANSWER_ERRORS)
            self._guarded(lambda: copier_question.validate_answer(value), _ANSWER_ERRORS)
        except _ANSWER_ERRORS as error:
            said = _said(error, question.name)
            raise InvalidAnswerError(f"Invalid answer for {question.name}: {said}; {hint}.") from None
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
            elif use_defaults and default is None:
                missing.append(question.name)
            elif use_defaults:
                answers[question.name] = self.check(question, default, answers, is_default=True)
            elif ask is not None:
                answers[question.name] = ask(question, default, self._checker(question, answers))
            else:
                missing.append(question.name)
                answers[question.name] = default
        if missing and use_defaults:
            raise MissingAnswersError(
                f"The template gives no default for {', '.join(missing)}: pass --data {missing[0]}=VALUE."
            )
        if missing:
            raise MissingAnswersError(
                f"No answer for {', '.join(missing)} and no terminal to ask on: "
                "pass --defaults to take the defaults, or --data KEY=VALUE."
            )
        return answers
