"""Three-way merge of a template change into a project, inside git's object store.

    base   = the old template version, rendered with the project's recorded answers
    theirs = the new version, rendered with the updated answers (a child of base)
    ours   = the project's HEAD tree, recorded as another child of base

`git merge-tree --write-tree` merges ours and theirs over base without a work
tree: git itself follows renames, keeps the user's side of binary conflicts and
reports modify/delete conflicts, and the cost grows with what the template
changed, not with the size of the repository. Everything is written to a
scratch repository that borrows the project's objects; the project is touched
only by `write_back`, once the result is complete.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from mlscaffold import yamlio
from mlscaffold.errors import MlscaffoldError
from mlscaffold.git import git_text, run_git

__all__ = ["Conflict", "MergeInputs", "MergeResult", "Scratch", "merge_template_change", "write_back"]

_IDENTITY = {
    "GIT_AUTHOR_NAME": "mlscaffold",
    "GIT_AUTHOR_EMAIL": "mlscaffold@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "mlscaffold",
    "GIT_COMMITTER_EMAIL": "mlscaffold@users.noreply.github.com",
}
_WORKFLOW_FILE = re.compile(r"^\.github/.+\.ya?ml$")
_MIN_GIT = (2, 38)


@dataclass(frozen=True)
class Conflict:
    """A file the user must look at; their version of it is never lost."""

    path: str
    kind: str  # content | binary | deleted-in-template | added-by-both

    def describe(self, template_ref: str) -> str:
        """Say what happened to the file and how to resolve it."""
        return {
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

    @property
    def has_changes(self) -> bool:
        """Tell whether the merged tree differs from HEAD."""
        return bool(self.added or self.updated or self.removed)


def _check_git_version() -> None:
    version = git_text(["--version"]).split()[-1]
    numbers = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    if numbers < _MIN_GIT:
        raise MlscaffoldError(f"mlscaffold upgrade needs git 2.38 or newer (this is {version}): upgrade git.")


class Scratch:
    """A temporary bare repository that reads the project's objects and writes only its own."""

    def __init__(self, project: Path, root: Path) -> None:
        self.project = project
        self.path = root / "scratch.git"
        self.project_objects = Path(
            git_text(["rev-parse", "--path-format=absolute", "--git-path", "objects"], project)
        )
        run_git(["init", "--quiet", "--bare", str(self.path)])
        (self.path / "objects" / "info" / "alternates").write_text(
            f"{self.project_objects}\n", encoding="utf-8"
        )
        self._index_count = 0

    def git(self, args: Sequence[str], *, env: Mapping[str, str] | None = None, check: bool = True) -> str:
        """Run git against the scratch repository and return its output."""
        full_env = {"GIT_DIR": str(self.path), **_IDENTITY, **(env or {})}
        return run_git(args, env=full_env, check=check).stdout.decode(errors="replace").strip()

    def _index(self) -> dict[str, str]:
        self._index_count += 1
        return {"GIT_INDEX_FILE": str(self.path / f"index-{self._index_count}")}

    def tree_of_directory(self, directory: Path) -> str:
        """Store DIRECTORY as a tree, with what its own .gitignore ignores left out (as `new` commits it)."""
        env = {**self._index(), "GIT_WORK_TREE": str(directory)}
        self.git(["add", "--all", "."], env=env)
        return self.git(["write-tree"], env=env)

    def commit(self, tree: str, message: str, parent: str | None = None) -> str:
        """Record TREE as a commit (with PARENT) and return its id."""
        args = ["commit-tree", tree, "-m", message]
        if parent:
            args += ["-p", parent]
        return self.git(args)

    def files(self, tree: str) -> dict[str, tuple[str, str]]:
        """Return {path: (mode, blob)} for every file of TREE."""
        listing = self.git(["ls-tree", "-r", "-z", "--full-tree", tree])
        result = {}
        for entry in listing.split("\0"):
            if entry:
                meta, path = entry.split("\t", 1)
                mode, _, blob = meta.split()
                result[path] = (mode, blob)
        return result

    def blob(self, blob: str) -> bytes:
        """Return the content of BLOB."""
        return run_git(["cat-file", "blob", blob], env={"GIT_DIR": str(self.path)}).stdout

    def write_blob(self, content: bytes) -> str:
        """Store CONTENT and return its blob id."""
        proc = run_git(["hash-object", "-w", "--stdin"], env={"GIT_DIR": str(self.path)}, input_bytes=content)
        return proc.stdout.decode().strip()

    def edit_tree(self, tree: str, put: Mapping[str, tuple[str, str]], remove: Sequence[str]) -> str:
        """Return TREE with PUT paths set to (mode, blob) and REMOVE paths removed."""
        if not put and not remove:
            return tree
        env = self._index()
        self.git(["read-tree", tree], env=env)
        # `--index-info` needs no work tree; mode 0 removes an entry.
        lines = [f"0 {'0' * 40}\t{path}\0" for path in remove]
        lines += [f"{mode} {blob}\t{path}\0" for path, (mode, blob) in put.items()]
        run_git(
            ["update-index", "--add", "-z", "--index-info"],
            env={"GIT_DIR": str(self.path), **env},
            input_bytes="".join(lines).encode(),
        )
        return self.git(["write-tree"], env=env)

    def export_objects(self) -> None:
        """Copy the objects this merge created into the project's object store."""
        source = self.path / "objects"
        for directory in source.iterdir():
            if len(directory.name) == 2 and directory.is_dir():
                target = self.project_objects / directory.name
                target.mkdir(exist_ok=True)
                for obj in directory.iterdir():
                    if not (target / obj.name).exists():
                        shutil.copy2(obj, target / obj.name)


@contextmanager
def scratch_for(project: Path) -> Iterator[Scratch]:
    """Yield a Scratch repository for PROJECT, removed afterwards."""
    _check_git_version()
    with tempfile.TemporaryDirectory(prefix="mlscaffold-merge-") as tmp:
        yield Scratch(project, Path(tmp))


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


def _bump_workflows(
    scratch: Scratch, files: Mapping[str, tuple[str, str]], inputs: MergeInputs, skip: set[str]
) -> dict[str, tuple[str, str]]:
    """Move `uses:` refs to mlscaffold's workflows in every workflow file to the new version."""
    put: dict[str, tuple[str, str]] = {}
    if not inputs.uses_pattern:
        return put
    for path, (mode, blob) in files.items():
        if not _WORKFLOW_FILE.match(path) or path in skip:
            continue
        try:
            text = scratch.blob(blob).decode("utf-8")
            new_text, changed = yamlio.bump_uses_refs(text, inputs.uses_pattern, inputs.new_ref)
        except (UnicodeDecodeError, yamlio.YAMLError, ValueError):
            continue  # not ours to repair: a file that is not valid YAML stays as it is
        if changed:
            put[path] = (mode, scratch.write_blob(new_text.encode("utf-8")))
    return put


def merge_template_change(
    scratch: Scratch, old_render: Path, new_render: Path, inputs: MergeInputs, new_version: str
) -> MergeResult:
    """Merge the change from OLD_RENDER to NEW_RENDER into the project's HEAD; return the result."""
    head = git_text(["rev-parse", "HEAD"], scratch.project)
    head_files = scratch.files(head)
    base_tree = scratch.tree_of_directory(old_render)
    base_files = scratch.files(base_tree)
    # Renames declared by the template's migrations apply to both base and ours,
    # so the user's edits follow the file whatever git's rename detection thinks.
    base_tree = scratch.edit_tree(base_tree, *_apply_renames(base_files, inputs.renames))
    ours_tree = scratch.edit_tree(
        git_text(["rev-parse", "HEAD^{tree}"], scratch.project), *_apply_renames(head_files, inputs.renames)
    )
    # Moving refs to mlscaffold's workflows is mechanical, not a change to merge: do it on
    # both sides first, so a user's edit next to a `uses:` line does not conflict with it.
    base_tree = scratch.edit_tree(
        base_tree, _bump_workflows(scratch, scratch.files(base_tree), inputs, set()), []
    )
    ours_bumped = _bump_workflows(scratch, scratch.files(ours_tree), inputs, set())
    ours_tree = scratch.edit_tree(ours_tree, ours_bumped, [])
    base = scratch.commit(base_tree, "mlscaffold: template base")
    theirs = scratch.commit(scratch.tree_of_directory(new_render), f"mlscaffold: template {new_version}", base)
    ours = scratch.commit(ours_tree, "mlscaffold: your changes", base)
    label = f"template-{new_version}"
    scratch.git(["update-ref", "refs/heads/yours", ours])
    scratch.git(["update-ref", f"refs/heads/{label}", theirs])
    proc = run_git(
        ["merge-tree", "--write-tree", "--name-only", "-z", "--no-messages", "yours", label],
        env={"GIT_DIR": str(scratch.path)},
        check=False,
    )
    if proc.returncode not in (0, 1):
        raise MlscaffoldError(
            f"git merge-tree failed ({proc.stderr.decode(errors='replace').strip()}): report this as a bug."
        )
    tree, *conflicted = [p for p in proc.stdout.decode().split("\0") if p]
    base_files, ours_files = scratch.files(base_tree), scratch.files(ours_tree)
    theirs_files, merged = scratch.files(theirs), scratch.files(tree)

    put: dict[str, tuple[str, str]] = {}
    remove: list[str] = []
    kept: list[str] = []
    conflicts: list[Conflict] = []
    for path in dict.fromkeys(conflicted):
        if path not in ours_files and path in base_files:
            # The user deleted it; the template changed it. The deletion stands.
            remove.append(path)
            kept.append(path)
        else:
            conflicts.append(Conflict(path, _classify(path, base_files, ours_files, theirs_files, scratch)))
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
    return _summarize(
        scratch, head=head, tree=tree, theirs=theirs, conflicts=conflicts, kept=kept, bumped=bumped
    )


def _summarize(
    scratch: Scratch,
    *,
    head: str,
    tree: str,
    theirs: str,
    conflicts: list[Conflict],
    kept: list[str],
    bumped: tuple[str, ...],
) -> MergeResult:
    status = scratch.git(["diff-tree", "-r", "-z", "--no-renames", "--name-status", head, tree])
    fields = [f for f in status.split("\0") if f]
    groups: dict[str, list[str]] = {"A": [], "M": [], "D": []}
    for kind, path in zip(fields[::2], fields[1::2], strict=True):
        groups.setdefault(kind[0], []).append(path)
    return MergeResult(
        head=head,
        tree=tree,
        template_commit=theirs,
        added=tuple(groups["A"]),
        updated=tuple(groups["M"] + groups.get("T", [])),
        removed=tuple(groups["D"]),
        conflicts=tuple(sorted(conflicts, key=lambda c: c.path)),
        kept=tuple(sorted(set(kept))),
        bumped=bumped,
    )


def diff_text(scratch: Scratch, result: MergeResult) -> str:
    """Return the unified diff from HEAD to the merged tree: what a real run writes."""
    return run_git(
        ["diff", "--no-color", "--no-ext-diff", "-M", result.head, result.tree],
        env={"GIT_DIR": str(scratch.path)},
    ).stdout.decode(errors="replace")


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C off while the work tree is being updated, so it is never left half-written."""
    received: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    try:
        previous = signal.signal(signal.SIGINT, hold)
    except ValueError:  # not the main thread: nothing to hold
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def write_back(scratch: Scratch, result: MergeResult, keep_ref: str) -> None:
    """Make the project's work tree and index the merged tree; conflicted files stay unstaged."""
    scratch.export_objects()
    project = scratch.project
    with _interrupts_held():
        run_git(["update-ref", keep_ref, result.template_commit], project)
        # Stat data can be stale (a copied or restored checkout); the content was checked clean.
        run_git(["update-index", "-q", "--refresh"], project, check=False)
        run_git(["read-tree", "-m", "-u", result.head, result.tree], project, detach=True)
        unstage = [c.path for c in result.conflicts if c.path in result.updated or c.path in result.added]
        if unstage:
            run_git(["reset", "--quiet", "--", *unstage], project, detach=True)
