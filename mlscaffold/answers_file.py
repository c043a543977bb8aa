"""A generated project's answers file, and answers given on the command line or in a file.

`.copier-answers.yml` records the template (`_src_path`), its version (`_commit`) and the
answers; `--data KEY=VALUE` and `--answers-file PATH` give answers to `new`, `adopt` and
`upgrade`. Every reader refuses what it cannot trust in one line and never raises YAML's
own errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlscaffold.errors import AnswersFileError, UsageError

__all__ = ["ANSWERS_FILE", "ProjectAnswers", "load_answers_file", "parse_data_options", "read_project_answers"]

ANSWERS_FILE = ".copier-answers.yml"


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
