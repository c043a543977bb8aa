"""`mlscaffold upgrade`: bring a generated project to a newer template version without losing a line.

The old version is rendered with the project's recorded answers, the new one
with those answers updated (new questions take their defaults or `--data`), and
the change between the two is merged into the project's HEAD by a three-way
merge in git's object store (rules in `merge.py`, git in `gitstore.py`). The
project changes once, when the result is complete, in one step that is rolled
back on failure (`gitstore.apply_upgrade`); a dry run shows the exact diff a
real run writes.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mlscaffold import git, gitstore
from mlscaffold.answers import AskFunction
from mlscaffold.answers_file import ANSWERS_FILE, ProjectAnswers, read_project_answers
from mlscaffold.errors import (
    DowngradeError,
    InvalidAnswerError,
    NotAProjectError,
    UnknownQuestionError,
    UnknownVersionError,
)
from mlscaffold.gitapply import FinalStep, apply_upgrade
from mlscaffold.gitstore import scratch_for
from mlscaffold.merge import Conflict, MergeInputs, MergeResult, merge_template_change, set_aside
from mlscaffold.origin import TemplateOrigin, open_origin, parse_version
from mlscaffold.render import TemplateConfig, read_template, render_template, require_trust
from mlscaffold.template import CANONICAL_URL

__all__ = ["TEMPLATE_REF", "UpgradeResult", "UpgradeStatus", "check_upgrade", "upgrade_project"]

# Where the pristine new template version is kept after an upgrade, for comparisons.
TEMPLATE_REF = "refs/mlscaffold/template"
_GIT_MV = re.compile(r"^git\s+mv\s+(?:-f\s+)?(\S+)\s+(\S+)$")


@dataclass(frozen=True)
class UpgradeStatus:
    """Where a project stands: the version it is on and the newest available."""

    project: Path
    current: str
    newest: str
    template: str = ""  # the source of a template other than mlscaffold's own

    @property
    def is_available(self) -> bool:
        """Tell whether a newer version than the project's exists."""
        newest, current = parse_version(self.newest), parse_version(self.current)
        return newest is not None and current is not None and newest > current


@dataclass(frozen=True)
class UpgradeResult:
    """What an upgrade did (or, for a dry run, would do)."""

    project: Path
    from_version: str
    to_version: str
    dry_run: bool
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    kept: tuple[str, ...] = ()
    new_answers: Mapping[str, Any] = field(default_factory=dict)
    dropped_answers: tuple[str, ...] = ()
    diff: str = ""
    commit: str | None = None
    pinned: tuple[str, ...] = ()
    not_run: tuple[str, ...] = ()

    @property
    def is_current(self) -> bool:
        """Tell whether there was nothing to upgrade."""
        return self.from_version == self.to_version

    def to_report(self) -> dict[str, Any]:
        """Return the machine-readable report (`--report FILE`)."""
        return {
            "from": self.from_version,
            "to": self.to_version,
            "dry_run": self.dry_run,
            "updated": list(self.updated),
            "added": list(self.added),
            "removed": list(self.removed),
            "conflicts": [c.path for c in self.conflicts],
            "conflict_details": [
                {"path": c.path, "kind": c.kind, "message": c.describe(TEMPLATE_REF)} for c in self.conflicts
            ],
            "kept": list(self.kept),
            "new_answers": dict(self.new_answers),
            "dropped_answers": list(self.dropped_answers),
            "commit": self.commit,
            "pinned": list(self.pinned),
            "migrations_not_run": list(self.not_run),
        }


def _read_project(project: Path) -> ProjectAnswers:
    if not git.is_work_tree(project):
        raise NotAProjectError(
            f"{project} is not a git repository: run upgrade at the top of a generated project."
        )
    top = git.top_level(project)
    if top != project.resolve():
        raise NotAProjectError(
            f"{project} is inside the repository {top}: run upgrade at the repository's top."
        )
    recorded = read_project_answers(project)
    if recorded is None:
        raise NotAProjectError(
            f"{project} has no {ANSWERS_FILE}, so it was not made by mlscaffold: nothing to upgrade."
        )
    if not recorded.src_path:
        raise NotAProjectError(
            f"{ANSWERS_FILE} in {project} records no template source (_src_path): restore it from git."
        )
    if not recorded.commit and recorded.src_path != CANONICAL_URL:
        raise NotAProjectError(
            f"{project} was made from {recorded.src_path} at no version (no _commit in {ANSWERS_FILE}): "
            "upgrades need a template kept in git with version tags; make the project from one "
            "(`mlscaffold new --template REPO --vcs-ref vX.Y.Z`)."
        )
    if not recorded.commit:
        raise NotAProjectError(
            f"{ANSWERS_FILE} in {project} records no template version (_commit): restore it from git."
        )
    return recorded


def _status(project: Path, recorded: ProjectAnswers, origin: TemplateOrigin) -> UpgradeStatus:
    current = recorded.commit or ""
    known = ", ".join(origin.versions) or "none"
    if current not in origin.versions:
        if origin.is_default:
            raise UnknownVersionError(
                f"{project} is on template {current}, which this mlscaffold does not ship "
                f"(it has {known}): install a newer mlscaffold."
            )
        raise UnknownVersionError(
            f"{project} is on {current} of template {origin.src}, which is none of its version tags "
            f"({known}): tag that version in the template's repository."
        )
    return UpgradeStatus(project, current, origin.newest or current, "" if origin.is_default else origin.src)


def check_upgrade(project: Path) -> UpgradeStatus:
    """Return where PROJECT stands, reading only its answers file and the template's tags (no rendering)."""
    project = project.absolute()
    recorded = _read_project(project)
    with open_origin(recorded.src_path or "", render=False) as origin:
        return _status(project, recorded, origin)


def _migration_renames(
    config: TemplateConfig, old: str, new: str, render: Callable[[Any], Any]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Return the renames declared by `git mv` migrations after OLD up to NEW, and the other commands."""
    renames, others = [], []
    for migration in config.migrations_between(old, new):
        command = str(render(migration.command)).strip()
        match = _GIT_MV.match(command)
        if match:
            renames.append((match.group(1), match.group(2)))
        elif command:
            others.append(command)
    return renames, others


def _target(status: UpgradeStatus, origin: TemplateOrigin, to: str | None) -> str:
    target = to or status.newest
    if target not in origin.versions:
        raise UnknownVersionError(
            f"Template version {target} is not available (known: {', '.join(origin.versions)})."
        )
    new, current = parse_version(target), parse_version(status.current)
    if new is not None and current is not None and new < current:
        raise DowngradeError(
            f"{status.project} is on {status.current}, newer than {target}: upgrade never goes back; "
            "use git to return to an older state."
        )
    return target


def upgrade_project(
    project: Path,
    *,
    to: str | None = None,
    data: Mapping[str, Any] | None = None,
    ask: AskFunction | None = None,
    dry_run: bool = False,
    commit: bool = False,
    verify: bool = True,
    trust: bool = False,
    progress: Callable[[str], None] = lambda _: None,
    on_applied: Callable[[str | None], None] = lambda _: None,
) -> UpgradeResult:
    """Upgrade PROJECT to template version TO (default: the newest); return what changed.

    TRUST allows a foreign template's Jinja extensions and migrations; an upgrade runs no task.
    """
    project = project.absolute()
    recorded = _read_project(project)
    with open_origin(recorded.src_path or "", render=True) as origin:
        status = _status(project, recorded, origin)
        target = _target(status, origin, to)
        if target == status.current:
            return UpgradeResult(project, target, target, dry_run)
        gitstore.require_clean(project, "upgrade")
        old, new = origin.source(status.current), origin.source(target)

        def read(source: Any) -> Callable[[TemplateConfig], tuple[TemplateConfig, Any]]:
            def build(config: TemplateConfig) -> tuple[TemplateConfig, Any]:
                # Before anything of the template is imported: the migrations it would apply count.
                span = config.migrations_between(status.current, target) if source is new else ()
                require_trust(source, config, trust, tasks=False, migrations=span)
                return config, config.questionnaire(project)

            return build

        _, old_questions = read_template(old, read(old))
        new_config, new_questions = read_template(new, read(new))
        unknown = sorted(set(data or {}) - set(new_questions.names))
        if unknown:
            raise UnknownQuestionError(
                f"Template {target} asks no question named {', '.join(unknown)}: "
                f"use one of {', '.join(new_questions.names)}."
            )
        recorded_answers = dict(recorded.answers)
        old_answers = _base_answers(old_questions, recorded_answers, data or {})
        given = {k: v for k, v in recorded_answers.items() if k in new_questions.names}
        given.update(data or {})
        new_answers = new_questions.resolve(given, use_defaults=ask is None, ask=ask)
        renames, not_run = _migration_renames(
            new_config, status.current, target, lambda v: new_questions.render(v, new_answers)
        )
        with tempfile.TemporaryDirectory(prefix="mlscaffold-upgrade-", ignore_cleanup_errors=True) as tmp:
            old_render, new_render = Path(tmp, "old", project.name), Path(tmp, "new", project.name)
            progress(f"Rendering template {status.current} (your base) ...")
            render_template(old, old_render, old_answers, trust=trust, skip_tasks=True)
            progress(f"Rendering template {target} ...")
            render_template(new, new_render, new_answers, trust=trust, skip_tasks=True)
            progress("Merging the template's changes into your files ...")
            with scratch_for(project) as scratch:
                inputs = MergeInputs(
                    renames=renames,
                    machine_owned=(new_config.answers_file,),
                    skip_if_exists=new_config.skip_if_exists,
                    uses_pattern=_uses_pattern(new_answers, new_config, new_questions),
                    old_ref=status.current,
                    new_ref=target,
                )
                merged = merge_template_change(scratch, old_render, new_render, inputs, target)
                merged = set_aside(scratch, merged, _in_the_way(project, merged.added))
                diff = scratch.diff(merged.head, merged.tree)
                made = None
                if not dry_run:
                    progress(
                        f"Writing {len(merged.added) + len(merged.updated) + len(merged.removed)} files ..."
                    )
                    name = "the mlscaffold template" if origin.is_default else f"template {origin.src}"
                    message = f"Upgrade {name} from {status.current} to {target}"
                    step = _final_step(
                        scratch, merged, message if commit and not merged.conflicts else None, new_answers
                    )
                    step = replace(step, verify=verify)
                    made = apply_upgrade(project, step, on_applied)
    added_questions = {k: v for k, v in new_answers.items() if k not in recorded_answers}
    return UpgradeResult(
        project=project,
        from_version=status.current,
        to_version=target,
        dry_run=dry_run,
        added=merged.added,
        updated=merged.updated,
        removed=merged.removed,
        conflicts=merged.conflicts,
        kept=merged.kept,
        new_answers=added_questions,
        dropped_answers=tuple(sorted(set(recorded_answers) - set(new_questions.names))),
        diff=diff,
        commit=made,
        pinned=merged.pinned,
        not_run=tuple(not_run),
    )


def _in_the_way(project: Path, added: Sequence[str]) -> list[str]:
    """Return the paths the merge adds where the work tree has a file git does not track."""
    blocked = []
    for path in added:
        target = project / path
        parents = [p for p in target.parents if p != project and project in p.parents]
        if os.path.lexists(target) or any(
            os.path.lexists(p) and (p.is_symlink() or not p.is_dir()) for p in parents
        ):
            blocked.append(path)
    return blocked


def _final_step(
    scratch: gitstore.Scratch, merged: MergeResult, commit_message: str | None, answers: Mapping[str, Any]
) -> FinalStep:
    """Return the one change the project undergoes, objects included."""
    ours = scratch.git(["rev-parse", "refs/heads/yours"])
    return FinalStep(
        head=merged.head,
        tree=merged.tree,
        keep_ref=TEMPLATE_REF,
        keep_commit=merged.template_commit,
        pack=scratch.pack(
            [merged.template_commit, ours, merged.tree, *(b for _, b in merged.beside.values())], merged.head
        ),
        added=merged.added,
        changed=(*merged.updated, *merged.removed),
        unmerged=merged.unmerged,
        beside=merged.beside,
        commit_message=commit_message,
        # The same fallback as `new`: the project's author answers, then mlscaffold's own.
        commit_env=git.identity_env(scratch.project, answers.get("author_name"), answers.get("author_email")),
    )


def _base_answers(questions: Any, recorded: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the answers the project was rendered with, to render its base again."""
    given = {k: v for k, v in recorded.items() if k in questions.names}
    try:
        return dict(questions.resolve(given, use_defaults=True))
    except InvalidAnswerError:
        # A recorded answer the template rejects: the error says to pass --data, which then replaces
        # it on both sides (the base cannot be rendered with an answer its own template refuses).
        fixes = {k: v for k, v in data.items() if k in questions.names}
        if not fixes:
            raise
        return dict(questions.resolve({**given, **fixes}, use_defaults=True))


def _uses_pattern(answers: Mapping[str, Any], config: TemplateConfig, questions: Any) -> str:
    """Return the regex of `uses:` targets that are mlscaffold's reusable workflows and actions."""
    repo = answers.get("mlscaffold_repo")
    if repo is None:
        default = config.workflow_repo_default
        repo = questions.render(default, answers) if default else "mlscaffold/mlscaffold"
    return re.escape(str(repo)) + r"/\.github/.+"
