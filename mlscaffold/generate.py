"""`mlscaffold new`: render a template into a new repository, all or nothing.

Answers are resolved and validated before any file is written. copier renders
into a staging directory beside the target; the first commit is made there;
only a complete result is moved into place. Any failure, Ctrl-C included,
removes what this run created.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlscaffold import git
from mlscaffold.answers import AskFunction
from mlscaffold.answers_file import load_answers_file
from mlscaffold.errors import TargetExistsError, TargetPathError
from mlscaffold.lock import LockOutcome, lock_project
from mlscaffold.overlay import lay_over
from mlscaffold.render import copier_run, resolve_answers
from mlscaffold.scratch import held_signals, remove_path
from mlscaffold.template import TemplateSource, bundled_template, resolve_source

__all__ = ["NewResult", "StagedProject", "create_project", "staged_project"]

# The longest file name (one path component) Linux and macOS file systems take, in bytes.
_NAME_MAX = 255

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


def _is_empty_dir(path: Path) -> bool:
    with os.scandir(path) as entries:
        return next(entries, None) is None


def _check_target(target: Path, force: bool) -> None:
    """Refuse a TARGET that cannot receive a new project, before anything is rendered."""
    try:
        _check_target_path(target, force)
    except OSError as caught:
        raise TargetPathError(_cannot_create(target, caught)) from None


def _check_target_path(target: Path, force: bool) -> None:
    too_long = next((part for part in target.parts if len(os.fsencode(part)) > _NAME_MAX), None)
    if too_long is not None:
        raise TargetPathError(
            f"The name {too_long[:24]}... is {len(os.fsencode(too_long))} bytes long, longer than "
            f"a file name may be ({_NAME_MAX}): choose a shorter name."
        )
    if target.is_symlink() and not target.exists():
        raise TargetPathError(
            f"{target} is a symlink to {target.readlink()}, which does not exist: "
            "remove the link or choose another path."
        )
    if target.exists() and not target.is_dir():
        raise TargetExistsError(f"{target} exists and is not a directory: choose another path.")
    if target.is_dir():
        if not _is_empty_dir(target) and not force:
            raise TargetExistsError(
                f"{target} is not empty: choose a new path, or pass --force to render into it."
            )
        return
    parent = next(p for p in target.parents if os.path.lexists(p))
    if not parent.is_dir():
        raise TargetPathError(
            f"{parent} is not a directory, so {target} cannot be made in it: choose another path."
        )
    if not os.access(parent, os.W_OK):
        raise TargetPathError(f"{parent} is not writable (read-only or not yours): choose another path.")


def _cannot_create(target: Path, caught: OSError) -> str:
    reason = caught.strerror or type(caught).__name__
    return f"Cannot create {target} ({reason}): choose a path in a directory you can write to."


def _commit(staging: Path, version: str | None, answers: Mapping[str, Any]) -> str:
    git.init_repository(staging)
    env = git.identity_env(staging, answers.get("author_name"), answers.get("author_email"))
    made_by = f"mlscaffold template {version}" if version else "mlscaffold"
    return git.commit_all(staging, f"Initial commit from {made_by}", env)


def _next_steps(path_label: str, project: Path) -> tuple[str, ...]:
    steps = [f"cd {path_label}"]
    makefile = project / "Makefile"
    if makefile.is_file():
        targets = set(re.findall(r"^([a-z][a-z-]*):", makefile.read_text(encoding="utf-8"), re.M))
        steps += [f"make {name}" for name in _MAKE_STEPS if name in targets]
    if (project / "docs" / "scoping.md").is_file():
        step = "fill in docs/scoping.md with your team before writing model code"
        pyproject = project / "pyproject.toml"
        if pyproject.is_file() and re.search(r"^MLS103 *=", pyproject.read_text(encoding="utf-8"), re.M):
            # The template ignores MLS103 until the draft is filled in, so CI starts green.
            step += ", then delete its MLS103 line from pyproject.toml so `mlscaffold check` holds it"
        steps.append(step)
    return tuple(steps)


@dataclass
class StagedProject:
    """A project rendered and committed beside its target, waiting to be put in place."""

    target: Path
    path_label: str
    staging: Path
    source: TemplateSource
    answers: dict[str, Any]
    version: str | None
    commit: str | None
    lock: LockOutcome
    created_top: Path | None = None
    placed: bool = False

    def place(self) -> NewResult:
        """Put the project at its target, all or nothing; call it with stop signals held.

        A new target is one rename. An existing one (`--force`, or an empty
        directory) gets the project laid over it: on any error it is put back as it was.
        """
        project = self.staging / self.target.name
        steps = _next_steps(self.path_label, project)
        if not os.path.lexists(self.target):
            try:
                project.rename(self.target)
            except OSError as caught:
                raise TargetPathError(_cannot_create(self.target, caught)) from None
        else:
            try:
                lay_over(project, self.target).commit()
            except OSError as caught:
                where = caught.filename or self.target
                raise TargetPathError(
                    f"Cannot write {where} ({caught.strerror or type(caught).__name__}), so {self.target} "
                    "was put back as it was: make it writable, or choose a new path."
                ) from None
        self.placed = True
        return NewResult(
            path=self.target,
            template=self.source.src,
            version=self.version,
            answers=self.answers,
            commit=self.commit,
            next_steps=steps,
            lock=self.lock,
        )


def _make_parents(target: Path) -> Path | None:
    """Create TARGET's missing parents; return the topmost one created."""
    missing = [p for p in reversed(target.parents) if not p.exists()]
    for parent in missing:
        parent.mkdir()
    return missing[0] if missing else None


@contextmanager
def staged_project(
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
) -> Iterator[StagedProject]:
    """Render TEMPLATE (default: the newest bundled version) for TARGET into a staging directory.

    The staging directory sits beside TARGET (same file system: placing is a
    rename). On the way out, whatever happened, it is removed, and so are the
    parents of TARGET this run created unless the project was placed.
    With LOCK, `uv lock` writes the project's lock file before the first commit
    (see `mlscaffold.lock`); a failed lock is reported in the result, not raised.
    """
    path_label = str(target)
    target = Path(os.path.abspath(target))  # noqa: PTH100 - keep symlinks the user named
    _check_target(target, force)
    given = load_answers_file(answers_file) if answers_file is not None else {}
    given.update(data or {})
    staged: StagedProject | None = None
    created_top: Path | None = None
    staging: Path | None = None
    with bundled_template() as bundle:
        source = resolve_source(template, vcs_ref, bundle)
        try:
            # copier checks the template out once: mlscaffold reads the questions from that checkout.
            with copier_run(source, trust) as run:
                config = run.config()
                answers = resolve_answers(
                    source, config, target, given, use_defaults=use_defaults, ask=ask, trust=trust
                )
                with held_signals():  # so that a Ctrl-C cannot strand what was just made
                    try:
                        created_top = _make_parents(target)
                        staging = Path(tempfile.mkdtemp(prefix=".mlscaffold-new-", dir=target.parent))
                    except OSError as caught:
                        raise TargetPathError(_cannot_create(target, caught)) from None
                project = staging / target.name
                progress(f"Rendering {source.label} into {path_label} ...")
                run.render(project, answers)
                version = run.commit or source.ref
            locked = LockOutcome("skipped", "--no-lock")
            if lock:
                progress("Locking dependencies with uv ...")
                locked = lock_project(project)
            already_repo = (target / ".git").exists()
            commit = _commit(project, version, answers) if init_git and not already_repo else None
            staged = StagedProject(
                target, path_label, staging, source, answers, version, commit, locked, created_top
            )
            yield staged
        finally:
            with held_signals():
                if staging is not None:
                    remove_path(staging)
                if created_top is not None and not (staged is not None and staged.placed):
                    remove_path(created_top)


def create_project(target: Path, **options: Any) -> NewResult:
    """Render a template into TARGET and commit it, all or nothing (options: see `staged_project`)."""
    with staged_project(target, **options) as staged, held_signals():
        return staged.place()
