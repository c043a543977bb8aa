"""What an existing repository already says about itself, as answers to a template's questions.

`mlscaffold adopt` asks only what it cannot read here: the project and package
names (`pyproject.toml`, the source layout), the description, the author
(`pyproject.toml`, else git's configuration), the GitHub owner (the `origin`
remote), the Python version (`.python-version`, else `requires-python`) and
the license. Nothing here is trusted: a value that cannot be a project's name
is refused with one line naming the file it came from.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from mlscaffold import git
from mlscaffold.errors import MlscaffoldError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["Inference", "InferredAnswer", "RepositoryReadError", "infer_answers"]

# PEP 508's name: what any pyproject.toml may call its project.
_PROJECT_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])\Z", re.IGNORECASE)
_PACKAGE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
# Top-level folders that hold no importable package of the project.
_NOT_PACKAGES = frozenset({"tests", "test", "docs", "doc", "scripts", "notebooks", "examples", "build", "dist"})
# `owner/repo` at the end of a remote URL: git@host:owner/repo.git, https://host/owner/repo, ssh://...
_REMOTE = re.compile(
    r"[:/](?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?\Z"
)
# Placeholders tools write for a description nobody has written yet.
_PLACEHOLDERS = frozenset({"add your description here", "a short description of the project.", ""})
_LICENSES = (
    ("apache", "Apache-2.0"),
    ("bsd 3-clause", "BSD-3-Clause"),
    ("bsd-3-clause", "BSD-3-Clause"),
    ("mit", "MIT"),
)
_MAX_TEXT = 200
_MAX_PYPROJECT = 1_000_000


class RepositoryReadError(MlscaffoldError):
    """A file of the repository that adoption reads is malformed or hostile."""


@dataclass(frozen=True)
class InferredAnswer:
    """One answer read from the repository, and where it was read."""

    name: str
    value: Any
    source: str


@dataclass(frozen=True)
class Inference:
    """Every answer read from a repository, in question order, and those the template does not offer."""

    answers: tuple[InferredAnswer, ...] = ()
    not_offered: tuple[InferredAnswer, ...] = ()

    def values(self) -> dict[str, Any]:
        """Return {question: value}."""
        return {a.name: a.value for a in self.answers}

    def source_of(self, name: str) -> str | None:
        """Say where the answer to NAME was read, or None when it was not."""
        return next((a.source for a in self.answers if a.name == name), None)


def _read_pyproject(repo: Path) -> dict[str, Any]:
    path = repo / "pyproject.toml"
    if path.is_symlink() or not path.is_file():
        return {}
    if path.stat().st_size > _MAX_PYPROJECT:
        raise RepositoryReadError(f"{path} is larger than 1 MB: is it a pyproject.toml? Fix or move it.")
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise RepositoryReadError(f"{path} is not UTF-8 text: fix it, then run adopt again.") from None
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as error:
        detail = str(error).splitlines()[0] if str(error) else "not valid TOML"
        raise RepositoryReadError(
            f"{path} is not valid TOML ({detail}): fix it, then run adopt again."
        ) from None
    return data


def _one_line(value: Any, what: str, source: str, question: str) -> str | None:
    """Return VALUE as a plain one-line string, None when absent; refuse control characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise RepositoryReadError(
            f"{source} gives {what} as {type(value).__name__}, not text: fix it, "
            f"or pass --data {question}=VALUE."
        )
    if re.search(r"[\x00-\x1f\x7f]", value) or len(value) > _MAX_TEXT:
        raise RepositoryReadError(
            f"{source} gives {what} {value[:40]!r}, which is not one line of plain text: "
            f"fix it, or pass --data {question}=VALUE."
        )
    return value.strip() or None


def _project_table(pyproject: Mapping[str, Any]) -> Mapping[str, Any]:
    project = pyproject.get("project")
    if isinstance(project, Mapping):
        return project
    poetry = pyproject.get("tool", {}).get("poetry") if isinstance(pyproject.get("tool"), Mapping) else None
    return poetry if isinstance(poetry, Mapping) else {}


def _project_name(project: Mapping[str, Any]) -> str | None:
    name = _one_line(project.get("name"), "the project name", "pyproject.toml", "project_name")
    if name is not None and not _PROJECT_NAME.match(name):
        raise RepositoryReadError(
            f"pyproject.toml names the project {name!r}, which is not a valid Python project name "
            "(letters, digits, '.', '_' and '-'): fix it, or pass --data project_name=NAME."
        )
    return name


def _package(repo: Path, project_name: str | None) -> tuple[str, str] | None:
    """Return (package, where it was found): src/PKG, else PKG/ at the top, with an __init__.py."""
    for base in (repo / "src", repo):
        if base.is_symlink() or not base.is_dir():
            continue
        found = sorted(
            entry.name
            for entry in base.iterdir()
            if _PACKAGE_NAME.match(entry.name)
            and entry.name not in _NOT_PACKAGES
            and not entry.is_symlink()
            and (entry / "__init__.py").is_file()
        )
        if project_name is not None:
            wanted = re.sub(r"[-_.]+", "_", project_name).lower()
            if wanted in found:
                found = [wanted]
        if len(found) == 1:
            where = f"{base.relative_to(repo).as_posix()}/" if base != repo else ""
            return found[0], f"{where}{found[0]}/__init__.py"
    return None


def _authors(project: Mapping[str, Any]) -> tuple[str | None, str | None]:
    authors = project.get("authors")
    if not isinstance(authors, list) or not authors:
        return None, None
    first = authors[0]
    if isinstance(first, Mapping):
        name = _one_line(first.get("name"), "the author's name", "pyproject.toml", "author_name")
        email = _one_line(first.get("email"), "the author's email", "pyproject.toml", "author_email")
        return name, email
    if isinstance(first, str):  # poetry: "Name <email>"
        match = re.fullmatch(r"\s*(.*?)\s*<([^>]*)>\s*", first)
        name, email = (match.group(1), match.group(2)) if match else (first, None)
        return (
            _one_line(name, "the author's name", "pyproject.toml", "author_name"),
            _one_line(email, "the author's email", "pyproject.toml", "author_email"),
        )
    return None, None


def _github_owner(repo: Path) -> tuple[str, str] | None:
    url = git.config_value("remote.origin.url", repo)
    if not url:
        return None
    match = _REMOTE.search(url.strip())
    return (match.group("owner"), "the origin remote") if match else None


def _python_version(repo: Path, project: Mapping[str, Any], choices: Sequence[str]) -> tuple[str, str] | None:
    pinned = repo / ".python-version"
    if pinned.is_file() and not pinned.is_symlink():
        with pinned.open(encoding="utf-8", errors="replace") as handle:
            text = handle.read(100)  # a version, not a file to load whole
        match = re.match(r"\s*(?:cpython-|python)?(\d+)\.(\d+)", text)
        if match:
            return f"{match.group(1)}.{match.group(2)}", ".python-version"
    requires = project.get("requires-python")
    if not isinstance(requires, str):
        return None
    try:
        spec = SpecifierSet(requires)
    except InvalidSpecifier:
        return None
    # The oldest version the project supports and the template offers: the floor it targets.
    offered = sorted((v, c) for c in choices if (v := _version_key(c)) is not None)
    for _, choice in offered:
        if spec.contains(f"{choice}.0", prereleases=True):
            return choice, "requires-python in pyproject.toml"
    floor = re.search(r">=\s*(\d+\.\d+)", requires)
    return (floor.group(1), "requires-python in pyproject.toml") if floor else None


def _version_key(choice: str) -> Version | None:
    try:
        return Version(choice)
    except InvalidVersion:
        return None


def _license(repo: Path, project: Mapping[str, Any]) -> tuple[str, str] | None:
    declared = project.get("license")
    if isinstance(declared, Mapping):
        declared = declared.get("text")
    if isinstance(declared, str) and declared.strip():
        text, source = declared, "the license in pyproject.toml"
    else:
        license_file = next(
            (repo / n for n in ("LICENSE", "LICENSE.txt", "LICENSE.md", "COPYING") if (repo / n).is_file()),
            None,
        )
        if license_file is None or license_file.is_symlink():
            return None
        with license_file.open("r", encoding="utf-8", errors="replace") as handle:
            text, source = handle.read(400), license_file.name
    lowered = " ".join(text.lower().split())
    for word, spdx in _LICENSES:
        if lowered.startswith(word) or f"{word} license" in lowered:
            return spdx, source
    return None


def infer_answers(
    repo: Path, questions: Sequence[str], choices: Mapping[str, Sequence[str]] | None = None
) -> Inference:
    """Read from REPO the answers it already gives to QUESTIONS (CHOICES: what each choice question takes).

    Raise `RepositoryReadError` when a file read here is malformed, or gives a value no project may have.
    """
    choices = choices or {}
    pyproject = _read_pyproject(repo)
    project = _project_table(pyproject)
    found: dict[str, tuple[Any, str]] = {}
    name = _project_name(project)
    if name:
        found["project_name"] = (name, "pyproject.toml")
    package = _package(repo, name)
    if package:
        found["package_name"] = package
    description = _one_line(project.get("description"), "the description", "pyproject.toml", "description")
    if description and description.lower() not in _PLACEHOLDERS:
        found["description"] = (description, "pyproject.toml")
    author, email = _authors(project)
    for key, declared, config in (("author_name", author, "user.name"), ("author_email", email, "user.email")):
        if declared:
            found[key] = (declared, "pyproject.toml")
        else:
            configured = git.config_value(config, repo)
            checked = _one_line(configured, f"git's {config}", "git config", key)
            if checked:
                found[key] = (checked, f"git config {config}")
    owner = _github_owner(repo)
    python = _python_version(repo, project, choices.get("python_version", ()))
    spdx = _license(repo, project)
    for key, value in (("github_owner", owner), ("python_version", python), ("license", spdx)):
        if value is not None:
            found[key] = value
    # A choice question takes only what it offers; another value is left to the template's default.
    read = [InferredAnswer(q, found[q][0], found[q][1]) for q in questions if q in found]
    offered = [a for a in read if not choices.get(a.name) or a.value in choices[a.name]]
    return Inference(tuple(offered), tuple(a for a in read if a not in offered))
