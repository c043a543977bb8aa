"""`mlscaffold new`: render a template into a new repository, all or nothing.

Answers are resolved and validated before any file is written. copier renders
into a staging directory beside the target; the first commit is made there;
only a complete result is moved into place. Any failure, Ctrl-C included,
removes what this run created.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlscaffold import git
from mlscaffold.answers import AskFunction, load_answers_file, read_project_answers
from mlscaffold.errors import TargetExistsError
from mlscaffold.lock import LockOutcome, lock_project
from mlscaffold.render import render_template, resolve_answers
from mlscaffold.template import bundled_template, resolve_source

__all__ = ["NewResult", "create_project"]

_MAKE_STEPS = ("setup", "pipeline", "test", "serve")


@dataclass(frozen=True)
class NewResult:
    """What `new` made."""

    path: Path
    template: str
    version: str | None
    answers: Mapping[str, Any]
    commit: str | None
    next_steps: tuple[str, ...]
    lock: LockOutcome


@dataclass
class _Created:
    """Directories this run created, removed again on failure."""

    top: Path | None = None
    staging: Path | None = None

    def remove(self) -> None:
        for path in (self.staging, self.top):
            if path is not None and path.exists():
                shutil.rmtree(path, ignore_errors=True)


def _is_empty_dir(path: Path) -> bool:
    with os.scandir(path) as entries:
        return next(entries, None) is None


def _check_target(target: Path, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise TargetExistsError(f"{target} exists and is not a directory: choose another path.")
    if target.is_dir() and not _is_empty_dir(target) and not force:
        raise TargetExistsError(f"{target} is not empty: choose a new path, or pass --force to render into it.")


def _make_parents(target: Path, created: _Created) -> None:
    missing = [p for p in reversed(target.parents) if not p.exists()]
    if missing:
        created.top = missing[0]
    target.parent.mkdir(parents=True, exist_ok=True)


def _commit(staging: Path, version: str | None, answers: Mapping[str, Any]) -> str:
    git.init_repository(staging)
    env = git.identity_env(staging, answers.get("author_name"), answers.get("author_email"))
    made_by = f"mlscaffold template {version}" if version else "mlscaffold"
    return git.commit_all(staging, f"Initial commit from {made_by}", env)


def _move_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)
        return
    for entry in staging.iterdir():
        destination = target / entry.name
        if destination.is_dir() and not destination.is_symlink() and entry.is_dir():
            shutil.copytree(entry, destination, symlinks=True, dirs_exist_ok=True)
            shutil.rmtree(entry)
        else:
            if destination.is_dir() and not destination.is_symlink():
                shutil.rmtree(destination)
            entry.replace(destination)


def _next_steps(path_label: str, project: Path) -> tuple[str, ...]:
    steps = [f"cd {path_label}"]
    makefile = project / "Makefile"
    if makefile.is_file():
        targets = set(re.findall(r"^([a-z][a-z-]*):", makefile.read_text(encoding="utf-8"), re.M))
        steps += [f"make {name}" for name in _MAKE_STEPS if name in targets]
    if (project / "docs" / "scoping.md").is_file():
        steps.append("fill in docs/scoping.md with your team before writing model code")
    return tuple(steps)


def create_project(
    target: Path,
    *,
    template: str | None = None,
    vcs_ref: str | None = None,
    data: Mapping[str, Any] | None = None,
    answers_file: Path | None = None,
    use_defaults: bool = False,
    force: bool = False,
    init_git: bool = True,
    trust: bool = False,
    lock: bool = False,
    ask: AskFunction | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> NewResult:
    """Render TEMPLATE (default: the newest bundled version) into TARGET and commit it.

    With LOCK, `uv lock` writes the project's lock file before the first commit
    (see `mlscaffold.lock`); a failed lock is reported in the result, not raised.
    """
    path_label = str(target)
    target = Path(os.path.abspath(target))  # noqa: PTH100 - keep symlinks the user named
    _check_target(target, force)
    given = load_answers_file(answers_file) if answers_file is not None else {}
    given.update(data or {})
    created = _Created()
    with bundled_template() as bundle:
        source = resolve_source(template, vcs_ref, bundle)
        answers = resolve_answers(source, target, given, use_defaults, ask, trust=trust)
        try:
            _make_parents(target, created)
            created.staging = Path(tempfile.mkdtemp(prefix=".mlscaffold-new-", dir=target.parent))
            staging = created.staging / target.name
            progress(f"Rendering {source.label} into {path_label} ...")
            render_template(source, staging, answers, trust)
            recorded = read_project_answers(staging)
            locked = LockOutcome("skipped", "--no-lock")
            if lock:
                progress("Locking dependencies with uv ...")
                locked = lock_project(staging)
            version = recorded.commit if recorded else source.ref
            already_repo = (target / ".git").exists()
            commit = _commit(staging, version, answers) if init_git and not already_repo else None
            _move_into_place(staging, target)
        except BaseException:
            created.remove()
            raise
        finally:
            if created.staging is not None:
                shutil.rmtree(created.staging, ignore_errors=True)
    return NewResult(
        path=target,
        template=source.src,
        version=version,
        answers=answers,
        commit=commit,
        next_steps=_next_steps(path_label, target),
        lock=locked,
    )
