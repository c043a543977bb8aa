"""`mlscaffold adopt`: bring a repository no template made under one, keeping every file of its own.

The answers come from the repository itself where it says them (`infer`), then
from `--data`, a terminal or the template's defaults. The chosen template
version is rendered away from the project and merged into it two ways, the
repository's own files winning: a file only the template has is added; a file
both have stays the user's, with the template's version written beside it as
`PATH.mlscaffold-new` for review; a path the template wants where the user has
a directory, a symlink on the way or such a file already is left alone and
listed. Nothing of the user's is overwritten. The answers file records the
source and the exact version, as `new` would, so the next `upgrade` is a true
three-way merge from that version. The project changes in one step, as
`upgrade` changes it (`gitapply`): all of it, or none.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from mlscaffold import git, gitstore
from mlscaffold.answers import AskFunction, Questionnaire
from mlscaffold.answers_file import ANSWERS_FILE, read_project_answers
from mlscaffold.errors import (
    InvalidAnswerError,
    NotAProjectError,
    NotARepositoryError,
    TemplateError,
)
from mlscaffold.gitapply import FinalStep, apply_upgrade
from mlscaffold.gitstore import Scratch, scratch_for
from mlscaffold.infer import Inference, InferredAnswer, infer_answers
from mlscaffold.merge import BESIDE_SUFFIX
from mlscaffold.render import TemplateConfig, read_template, render_template, require_trust
from mlscaffold.template import bundled_template, resolve_source

__all__ = ["REVIEW_SUFFIX", "TEMPLATE_REF", "AdoptResult", "Review", "adopt_project"]

# The template's version of a file the user has too is written beside it, as `upgrade` does.
REVIEW_SUFFIX = BESIDE_SUFFIX
# The pristine template render, kept for comparisons (the ref `upgrade` moves on each upgrade).
TEMPLATE_REF = "refs/mlscaffold/template"
_INVALID = re.compile(r"^Invalid answer for (?P<name>\w+):")


@dataclass(frozen=True)
class Review:
    """A file the template has and the repository has too, or cannot take: the user's stays."""

    path: str
    beside: str | None  # where the template's version is written; None when nowhere
    reason: str = ""  # why the template's file could not go beside the user's

    def describe(self) -> str:
        """Say what was done with the template's version of the file."""
        if self.beside is not None:
            return f"yours is kept; the template's is beside it, {self.beside}"
        return f"not added: {self.reason}; the template's is `git show {TEMPLATE_REF}:{self.path}`"


@dataclass(frozen=True)
class AdoptResult:
    """What an adoption did (or, for a dry run, would do)."""

    project: Path
    template: str
    version: str | None
    dry_run: bool
    answers: Mapping[str, Any] = field(default_factory=dict)
    inferred: tuple[InferredAnswer, ...] = ()
    not_offered: tuple[InferredAnswer, ...] = ()
    added: tuple[str, ...] = ()
    review: tuple[Review, ...] = ()
    same: tuple[str, ...] = ()

    @property
    def needs_review(self) -> bool:
        """Tell whether files are left for the user to compare (exit 3)."""
        return bool(self.review)


@dataclass(frozen=True)
class _Plan:
    tree: str
    template_commit: str
    added: tuple[str, ...]
    beside: Mapping[str, tuple[str, str]]
    review: tuple[Review, ...]
    same: tuple[str, ...]


def _read_repository(project: Path) -> None:
    """Refuse what is not the top of a git repository, or is under a template already."""
    if not project.is_dir():
        raise NotARepositoryError(f"{project} is not a directory: give the path of the repository to adopt.")
    if not git.is_work_tree(project):
        raise NotARepositoryError(
            f"{project} is not a git repository: run `git init` and commit your files, then `mlscaffold adopt`."
        )
    top = git.top_level(project)
    if top != project.resolve():
        raise NotARepositoryError(
            f"{project} is inside the repository {top}: run adopt at the top of the repository."
        )
    _refuse_answers_file(project, ANSWERS_FILE)


def _refuse_answers_file(project: Path, name: str) -> None:
    if os.path.lexists(project / name):
        recorded = read_project_answers(project) if name == ANSWERS_FILE else None
        source = f" ({recorded.src_path} {recorded.commit})" if recorded and recorded.src_path else ""
        raise NotAProjectError(
            f"{project} has {name} already, so it is under a template{source}: "
            "run `mlscaffold upgrade` to bring it up to date instead."
        )


def _blame(caught: InvalidAnswerError, inference: Inference, data: Mapping[str, Any]) -> InvalidAnswerError:
    """Say where a refused answer came from, when it was read from the repository."""
    match = _INVALID.match(str(caught))
    name = match.group("name") if match else None
    source = inference.source_of(name) if name and name not in data else None
    if source is None:
        return caught
    return InvalidAnswerError(
        str(caught).replace(
            f"Invalid answer for {name}:", f"Invalid answer for {name} (read from {source}):", 1
        )
    )


def _resolve(
    questionnaire: Questionnaire,
    inference: Inference,
    data: Mapping[str, Any],
    use_defaults: bool,
    ask: AskFunction | None,
) -> dict[str, Any]:
    """Return every answer: --data first, then what the repository says, then a prompt or the defaults."""
    inferred = inference.values()
    try:
        if ask is not None and not use_defaults:
            # On a terminal every question is asked, what the repository says offered as the default.
            return questionnaire.resolve(data, use_defaults=False, ask=ask, defaults=inferred)
        return questionnaire.resolve({**inferred, **data}, use_defaults=use_defaults)
    except InvalidAnswerError as caught:
        raise _blame(caught, inference, data) from None


def _blocked(project: Path, path: str, head_files: Mapping[str, tuple[str, str]]) -> str | None:
    """Say why the template's file at PATH cannot be written there or beside it, or None when it can."""
    parts = PurePosixPath(path).parts
    for depth in range(1, len(parts)):
        prefix = "/".join(parts[:depth])
        where = project / prefix
        if where.is_symlink():
            return f"{prefix} is a symlink"
        if os.path.lexists(where) and not where.is_dir():
            return f"{prefix} is a file"
        if prefix in head_files:  # a submodule
            return f"{prefix} is a submodule"
    where = project / path
    if where.is_dir() and not where.is_symlink():
        return f"{path} is a directory"
    return None


def _is_same(
    project: Path, path: str, blob: str, head_files: Mapping[str, tuple[str, str]], scratch: Scratch
) -> bool:
    if path in head_files:
        return head_files[path][1] == blob
    where = project / path  # ignored by the repository: compare what is on disk, never through a link
    if where.is_symlink() or not where.is_file():
        return False
    return where.read_bytes() == scratch.blob(blob)


def _plan(scratch: Scratch, project: Path, render: Path, answers_file: str, version: str | None) -> _Plan:
    """Merge the render into the project's HEAD two ways, the project's files winning."""
    head = scratch.project_head()
    head_files = scratch.files(head)
    template_tree = scratch.tree_of_directory(render)
    template_commit = scratch.commit(template_tree, f"mlscaffold: template {version or ''}".strip())
    put: dict[str, tuple[str, str]] = {}
    beside: dict[str, tuple[str, str]] = {}
    review: list[Review] = []
    same: list[str] = []
    for path, (mode, blob) in sorted(scratch.files(template_tree).items()):
        reason = _blocked(project, path, head_files)
        if reason is None and os.path.lexists(project / path):
            if _is_same(project, path, blob, head_files, scratch):
                same.append(path)
                continue
            aside = f"{path}{REVIEW_SUFFIX}"
            if not os.path.lexists(project / aside) and aside not in head_files:
                beside[aside] = (mode, blob)
                review.append(Review(path, aside))
                continue
            reason = f"{aside} exists already"
        if reason is not None:
            if path == answers_file:
                raise NotAProjectError(
                    f"{answers_file} cannot be written in {project} ({reason}): "
                    "move that away and run adopt again."
                )
            review.append(Review(path, None, reason))
            continue
        put[path] = (mode, blob)
    tree = scratch.edit_tree(scratch.tree_of(head), put, [])
    return _Plan(tree, template_commit, tuple(put), beside, tuple(review), tuple(same))


def _answers_file_name(config: TemplateConfig, questionnaire: Questionnaire, answers: Mapping[str, Any]) -> str:
    name = str(questionnaire.render(config.answers_file, answers))
    return PurePosixPath(name).as_posix()


def adopt_project(
    project: Path,
    *,
    template: str | None = None,
    vcs_ref: str | None = None,
    data: Mapping[str, Any] | None = None,
    use_defaults: bool = False,
    ask: AskFunction | None = None,
    dry_run: bool = False,
    trust: bool = False,
    progress: Callable[[str], None] = lambda _: None,
    on_applied: Callable[[str | None], None] = lambda _: None,
) -> AdoptResult:
    """Bring PROJECT under TEMPLATE (default: the bundled one's newest version); return what changed."""
    project = project.absolute()
    data = dict(data or {})
    _read_repository(project)
    gitstore.require_clean(project, "adopt")
    with bundled_template() as bundle:
        source = resolve_source(template, vcs_ref, bundle)

        def build(config: TemplateConfig) -> tuple[TemplateConfig, Questionnaire]:
            require_trust(source, config, trust)  # before anything of the template is imported
            return config, config.questionnaire(project)

        config, questionnaire = read_template(source, build)
        choices = {q.name: [str(v) for v in q.choice_values] for q in questionnaire.questions if q.choices}
        progress(f"Reading what {project.name} says about itself ...")
        inference = infer_answers(project, questionnaire.names, choices)
        answers = _resolve(questionnaire, inference, data, use_defaults, ask)
        answers_file = _answers_file_name(config, questionnaire, answers)
        _refuse_answers_file(project, answers_file)
        with tempfile.TemporaryDirectory(prefix="mlscaffold-adopt-", ignore_cleanup_errors=True) as tmp:
            render = Path(tmp, project.name)
            progress(f"Rendering {source.label} ...")
            render_template(source, render, answers, trust)
            recorded = read_project_answers(render) if answers_file == ANSWERS_FILE else None
            if not (render / answers_file).is_file():
                raise TemplateError(
                    f"Template {source.label} writes no {answers_file}, so an adopted project could never be "
                    "upgraded: add `{{ _copier_conf.answers_file }}.jinja` to the template."
                )
            version = recorded.commit if recorded and recorded.commit else source.ref
            progress("Comparing the template with your files ...")
            with scratch_for(project) as scratch:
                plan = _plan(scratch, project, render, answers_file, version)
                if not dry_run:
                    progress(f"Writing {len(plan.added) + len(plan.beside)} files ...")
                    head = scratch.project_head()
                    step = FinalStep(
                        head=head,
                        tree=plan.tree,
                        keep_ref=TEMPLATE_REF,
                        keep_commit=plan.template_commit,
                        pack=scratch.pack(
                            [plan.template_commit, plan.tree, *(b for _, b in plan.beside.values())], head
                        ),
                        added=plan.added,
                        beside=plan.beside,
                        command="adoption",
                    )
                    apply_upgrade(project, step, on_applied)
    return AdoptResult(
        project=project,
        template=source.src,
        version=version,
        dry_run=dry_run,
        answers=answers,
        inferred=inference.answers,
        not_offered=inference.not_offered,
        added=plan.added,
        review=plan.review,
        same=plan.same,
    )
