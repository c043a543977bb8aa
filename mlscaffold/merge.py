"""Three-way merge of a template change into a project: the rules, on trees in git's object store.

    base   = the old template version, rendered with the project's recorded answers
    theirs = the new version, rendered with the updated answers (a child of base)
    ours   = the project's HEAD tree, recorded as another child of base

`git merge-tree --write-tree` merges ours and theirs over base without a work
tree: git itself follows renames, keeps the user's side of binary conflicts and
reports modify/delete conflicts, and the cost grows with what the template
changed, not with the size of the repository. This module holds the rules applied
around that merge (user deletions win, machine-owned and `_skip_if_exists` files,
migrations, workflow refs, files in the way); `gitstore` owns the object store
and the one step that changes the project.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from mlscaffold import yamlio
from mlscaffold.gitstore import Scratch, StageEntry

__all__ = ["BESIDE_SUFFIX", "Conflict", "MergeInputs", "MergeResult", "merge_template_change", "set_aside"]

# A template file whose path holds a file git does not track is written beside it, with this suffix.
BESIDE_SUFFIX = ".mlscaffold-new"
# Conflicts git itself records in the index (stages 1/2/3); the others are the rules' own.
_UNMERGED = {"content", "binary", "deleted-in-template", "added-by-both"}
_WORKFLOW_FILE = re.compile(r"^\.github/.+\.ya?ml$")


@dataclass(frozen=True)
class Conflict:
    """A file the user must look at; their version of it is never lost."""

    path: str
    kind: str  # content | binary | deleted-in-template | added-by-both | in-the-way | rename-*
    detail: str = ""  # the other path of a rename

    def describe(self, template_ref: str) -> str:
        """Say what happened to the file and how to resolve it."""
        return {
            "in-the-way": (
                "the template adds this file and you have an untracked or ignored file there: "
                f"yours is kept; the template's is beside it, `{self.path}{BESIDE_SUFFIX}` (merge what you "
                "need, then delete that file)"
            ),
            "rename-target-exists": (
                f"the template renames {self.detail} to this path, which you already have: both are kept "
                f"as you have them; merge {self.detail} into it and delete {self.detail}, or keep both"
            ),
            "rename-source-gone": (
                f"the template renames {self.detail} to this path, but you moved or deleted {self.detail}: "
                "it was not added (a file you moved got the template's changes); move your file here if the "
                f"template's files refer to this path; the template's version is `{template_ref}:{self.path}`"
            ),
            "content": "both changed it: resolve the conflict markers",
            "binary": (
                f"both changed this binary file: yours is kept; the template's is `{template_ref}:{self.path}`"
            ),
            "deleted-in-template": (
                "the template deleted it and you changed it: yours is kept; delete it or keep it"
            ),
            "added-by-both": "you and the template both added it: resolve the conflict markers",
        }.get(self.kind, "needs a look")


@dataclass(frozen=True)
class MergeInputs:
    """What the merge needs besides the two renders."""

    renames: Sequence[tuple[str, str]] = ()
    machine_owned: Sequence[str] = (".copier-answers.yml",)
    skip_if_exists: Sequence[str] = ()
    uses_pattern: str | None = None
    old_ref: str = ""
    new_ref: str = ""


@dataclass(frozen=True)
class MergeResult:
    """The merged tree and how it differs from the project's HEAD."""

    head: str
    tree: str
    template_commit: str
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    kept: tuple[str, ...] = ()
    bumped: tuple[str, ...] = field(default=())
    unmerged: Mapping[str, tuple[StageEntry, ...]] = field(default_factory=dict)
    beside: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    pinned: tuple[str, ...] = ()

    @property
    def has_changes(self) -> bool:
        """Tell whether the merged tree differs from HEAD."""
        return bool(self.added or self.updated or self.removed)


def _is_binary(content: bytes) -> bool:
    return b"\0" in content[:8000]


def _apply_renames(
    files: Mapping[str, tuple[str, str]], renames: Sequence[tuple[str, str]]
) -> tuple[dict[str, tuple[str, str]], list[str]]:
    put, remove = {}, []
    for old, new in renames:
        if old in files and new not in files:
            put[new] = files[old]
            remove.append(old)
    return put, remove


def _classify(
    path: str,
    base: Mapping[str, tuple[str, str]],
    ours: Mapping[str, tuple[str, str]],
    theirs: Mapping[str, tuple[str, str]],
    scratch: Scratch,
) -> str:
    if path in ours and path not in theirs and path in base:
        return "deleted-in-template"
    if path in ours and _is_binary(scratch.blob(ours[path][1])):
        return "binary"
    if path not in base and path in ours and path in theirs:
        return "added-by-both"
    return "content"


def _move_refs(text: str, pattern: str, old_ref: str, new_ref: str) -> tuple[str, bool, list[str]]:
    """Move `uses:` refs to mlscaffold's workflows at OLD_REF to NEW_REF; list the others (pinned)."""
    target = re.compile(pattern)
    lines = text.splitlines(keepends=True)
    moved, pinned = False, []
    for uses in yamlio.find_uses_refs(text):
        if not target.fullmatch(uses.target) or uses.ref == new_ref:
            continue
        if uses.ref != old_ref:
            pinned.append(f"{uses.target}@{uses.ref}")
            continue
        line = lines[uses.line]
        # Only the ref's characters change; the scalar's ref follows its first "@".
        at = line.index("@", uses.column)
        if line[at + 1 : at + 1 + len(old_ref)] != old_ref:
            raise ValueError(f"cannot locate ref {old_ref!r} on line {uses.line + 1}")
        lines[uses.line] = line[: at + 1] + new_ref + line[at + 1 + len(old_ref) :]
        moved = True
    return "".join(lines), moved, pinned


def _bump_workflows(
    scratch: Scratch,
    files: Mapping[str, tuple[str, str]],
    inputs: MergeInputs,
    skip: set[str],
    pinned: list[str] | None = None,
) -> dict[str, tuple[str, str]]:
    """Move `uses:` refs to mlscaffold's workflows at the old version to the new one, in every workflow file."""
    put: dict[str, tuple[str, str]] = {}
    if not inputs.uses_pattern:
        return put
    for path, (mode, blob) in files.items():
        if not _WORKFLOW_FILE.match(path) or path in skip:
            continue
        try:
            text = scratch.blob(blob).decode("utf-8")
            new_text, changed, others = _move_refs(text, inputs.uses_pattern, inputs.old_ref, inputs.new_ref)
        except (UnicodeDecodeError, yamlio.YAMLError, ValueError):
            continue  # not ours to repair: a file that is not valid YAML stays as it is
        if pinned is not None:
            pinned += [f"{path}: {ref}" for ref in others]
        if changed:
            put[path] = (mode, scratch.write_blob(new_text.encode("utf-8")))
    return put


def _plan_renames(
    base: Mapping[str, tuple[str, str]], ours: Mapping[str, tuple[str, str]], renames: Sequence[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[Conflict]]:
    """Split the migrations' renames into those that apply to the user's tree and conflicts."""
    follow, conflicts = [], []
    for old, new in renames:
        if old not in base:
            continue
        if old in ours and new in ours:
            conflicts.append(Conflict(new, "rename-target-exists", old))
        elif old not in ours and new not in ours:
            conflicts.append(Conflict(new, "rename-source-gone", old))
        else:
            follow.append((old, new))  # or the user already made it
    return follow, conflicts


def _keep_for_renames(  # noqa: PLR0917 - the merge's working state, passed as it is
    rename_conflicts: Sequence[Conflict],
    conflicts: list[Conflict],
    kept: list[str],
    head_files: Mapping[str, tuple[str, str]],
    merged: Mapping[str, tuple[str, str]],
    put: dict[str, tuple[str, str]],
    remove: list[str],
) -> tuple[list[Conflict], list[str]]:
    """Keep both paths of a rename that cannot be followed as the user has them; list it instead."""
    for conflict in rename_conflicts:
        conflicts = [c for c in conflicts if c.path not in (conflict.path, conflict.detail)]
        kept = [k for k in kept if k != conflict.path]
        for path in (conflict.path, conflict.detail):
            if path in head_files:
                put[path] = head_files[path]
            elif path in merged:
                remove.append(path)
        conflicts.append(conflict)
    return conflicts, kept


def merge_template_change(
    scratch: Scratch, old_render: Path, new_render: Path, inputs: MergeInputs, new_version: str
) -> MergeResult:
    """Merge the change from OLD_RENDER to NEW_RENDER into the project's HEAD; return the result."""
    head = scratch.project_head()
    head_files = scratch.files(head)
    base_tree = scratch.tree_of_directory(old_render)
    base_files = scratch.files(base_tree)
    follow, rename_conflicts = _plan_renames(base_files, head_files, inputs.renames)
    # Renames declared by the template's migrations apply to both base and ours,
    # so the user's edits follow the file whatever git's rename detection thinks.
    base_tree = scratch.edit_tree(base_tree, *_apply_renames(base_files, inputs.renames))
    ours_tree = scratch.edit_tree(scratch.tree_of(head), *_apply_renames(head_files, follow))
    # Moving refs to mlscaffold's workflows is mechanical, not a change to merge: do it on
    # both sides first, so a user's edit next to a `uses:` line does not conflict with it.
    base_tree = scratch.edit_tree(
        base_tree, _bump_workflows(scratch, scratch.files(base_tree), inputs, set()), []
    )
    pinned: list[str] = []
    ours_bumped = _bump_workflows(scratch, scratch.files(ours_tree), inputs, set(), pinned)
    ours_tree = scratch.edit_tree(ours_tree, ours_bumped, [])
    base = scratch.commit(base_tree, "mlscaffold: template base")
    theirs = scratch.commit(scratch.tree_of_directory(new_render), f"mlscaffold: template {new_version}", base)
    ours = scratch.commit(ours_tree, "mlscaffold: your changes", base)
    label = f"template-{new_version}"
    # The branch names label the conflict markers: `<<<<<<< yours` / `>>>>>>> template-vX.Y.Z`.
    scratch.set_branch("yours", ours)
    scratch.set_branch(label, theirs)
    tree, stages = scratch.merge_trees("yours", label)
    base_files, ours_files = scratch.files(base_tree), scratch.files(ours_tree)
    theirs_files, merged = scratch.files(theirs), scratch.files(tree)

    put: dict[str, tuple[str, str]] = {}
    remove: list[str] = []
    kept: list[str] = []
    conflicts: list[Conflict] = []
    for path in stages:
        if path not in ours_files and path in base_files:
            # The user deleted it; the template changed it. The deletion stands.
            remove.append(path)
            kept.append(path)
        else:
            conflicts.append(Conflict(path, _classify(path, base_files, ours_files, theirs_files, scratch)))
    conflicts, kept = _keep_for_renames(rename_conflicts, conflicts, kept, head_files, merged, put, remove)
    for path in inputs.machine_owned:
        if path in theirs_files:
            put[path] = theirs_files[path]
            conflicts = [c for c in conflicts if c.path != path]
    for path in merged:
        if path in head_files and any(fnmatch.fnmatch(path, pattern) for pattern in inputs.skip_if_exists):
            put[path] = head_files[path]
            if any(c.path == path for c in conflicts):
                conflicts = [c for c in conflicts if c.path != path]
            kept.append(path)
    tree = scratch.edit_tree(tree, put, remove)
    # Files the merge took from the template side keep whatever refs it wrote; move them too.
    late = _bump_workflows(scratch, scratch.files(tree), inputs, {c.path for c in conflicts})
    tree = scratch.edit_tree(tree, late, [])
    bumped = tuple(sorted(set(ours_bumped) | set(late)))
    unmerged = {c.path: tuple(stages[c.path]) for c in conflicts if c.path in stages and c.kind in _UNMERGED}
    groups = scratch.name_status(head, tree)
    return MergeResult(
        head=head,
        tree=tree,
        template_commit=theirs,
        added=tuple(groups["A"]),
        updated=tuple(groups["M"]),
        removed=tuple(groups["D"]),
        conflicts=tuple(sorted(conflicts, key=lambda c: c.path)),
        kept=tuple(sorted(set(kept))),
        bumped=bumped,
        unmerged=unmerged,
        pinned=tuple(sorted(set(pinned))),
    )


def set_aside(scratch: Scratch, result: MergeResult, in_the_way: Sequence[str]) -> MergeResult:
    """Leave the untracked or ignored files at IN_THE_WAY alone: the template's versions go beside them."""
    if not in_the_way:
        return result
    files = scratch.files(result.tree)
    beside = {f"{path}{BESIDE_SUFFIX}": files[path] for path in in_the_way if path in files}
    tree = scratch.edit_tree(result.tree, {}, list(in_the_way))
    groups = scratch.name_status(result.head, tree)
    conflicts = [c for c in result.conflicts if c.path not in in_the_way]
    conflicts += [Conflict(path, "in-the-way") for path in in_the_way]
    return replace(
        result,
        tree=tree,
        added=tuple(groups["A"]),
        updated=tuple(groups["M"]),
        removed=tuple(groups["D"]),
        conflicts=tuple(sorted(conflicts, key=lambda c: c.path)),
        unmerged={k: v for k, v in result.unmerged.items() if k not in in_the_way},
        beside=beside,
    )
