"""The one error hierarchy: every message is shown to the user as is.

Each message says what is wrong and what to do next, on one line. The CLI maps
`exit_code` to the process exit status (SPEC §3: 1 fixable error, 2 usage).
"""

from __future__ import annotations

__all__ = [
    "AnswersFileError",
    "CheckConfigError",
    "DirtyWorkTreeError",
    "DowngradeError",
    "GitError",
    "GitHubError",
    "GitNotFoundError",
    "InvalidAnswerError",
    "MissingAnswersError",
    "MlscaffoldError",
    "NetworkError",
    "NotAProjectError",
    "NotARepositoryError",
    "TargetExistsError",
    "TargetPathError",
    "TemplateError",
    "TemplateNotFoundError",
    "UnknownQuestionError",
    "UnknownVersionError",
    "UntrustedTemplateError",
    "UpgradeReportError",
    "UsageError",
]


class MlscaffoldError(Exception):
    """An error the user can fix; `str()` is the whole message."""

    exit_code = 1


class UsageError(MlscaffoldError):
    """The command line itself is malformed."""

    exit_code = 2


class InvalidAnswerError(MlscaffoldError):
    """An answer fails its question's type, choices or validator."""


class UnknownQuestionError(MlscaffoldError):
    """An answer was given for a question the template does not ask."""


class MissingAnswersError(MlscaffoldError):
    """Answers are needed but there is no terminal to ask them on."""


class AnswersFileError(MlscaffoldError):
    """An answers file cannot be read or is not a YAML mapping."""


class TargetExistsError(MlscaffoldError):
    """The destination exists and is not an empty directory."""


class TargetPathError(MlscaffoldError):
    """The destination cannot be created there (read-only, not a directory, name too long)."""


class TemplateNotFoundError(MlscaffoldError):
    """The template source does not exist or cannot be reached."""


class TemplateError(MlscaffoldError):
    """The template failed to render (copier reported an error)."""


class UntrustedTemplateError(TemplateError):
    """A foreign template wants to run code (extensions, tasks, migrations) and --trust was not given."""


class UnknownVersionError(MlscaffoldError):
    """A template version is not among those available."""


class GitNotFoundError(MlscaffoldError):
    """The git executable is missing."""


class GitError(MlscaffoldError):
    """A git command failed."""


class DirtyWorkTreeError(MlscaffoldError):
    """The work tree has changes that an upgrade could mix with its own."""


class NotAProjectError(MlscaffoldError):
    """The path is not a git repository made from mlscaffold's template."""


class DowngradeError(MlscaffoldError):
    """The requested version is older than the one the project is on."""


class NotARepositoryError(MlscaffoldError):
    """The path to audit is not inside a git work tree."""


class CheckConfigError(MlscaffoldError):
    """`[tool.mlscaffold.check]` or a `--select`/`--ignore` value is malformed."""


class NetworkError(MlscaffoldError):
    """A host could not be reached, even after retries."""


class GitHubError(MlscaffoldError):
    """The GitHub API refused a request (bad token, missing permission, unknown repository)."""


class UpgradeReportError(MlscaffoldError):
    """An upgrade report (`mlscaffold upgrade --report FILE`) is missing or malformed."""
