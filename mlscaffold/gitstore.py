"""git's object store and git's output, for `upgrade`.

Everything `upgrade` computes is written to a scratch bare repository that
borrows the project's objects (alternates) and writes only its own; what the
project needs of it leaves as a pack (`Scratch.pack`), applied by `gitapply`.
Every piece of git output `upgrade` reads is parsed here, NUL-separated.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mlscaffold.errors import DirtyWorkTreeError, MlscaffoldError
from mlscaffold.git import git_text, has_commits, run_git

__all__ = [
    "ZERO_ID",
    "Scratch",
    "StageEntry",
    "changed_paths",
    "git_dir",
    "index_lock",
    "operation_in_progress",
    "require_clean",
    "scratch_for",
]

_IDENTITY = {
    "GIT_AUTHOR_NAME": "mlscaffold",
    "GIT_AUTHOR_EMAIL": "mlscaffold@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "mlscaffold",
    "GIT_COMMITTER_EMAIL": "mlscaffold@users.noreply.github.com",
}
_MIN_GIT = (2, 38)
ZERO_ID = "0" * 40


@dataclass(frozen=True)
class StageEntry:
    """One side of an unmerged path: stage 1 base, 2 yours, 3 the template's."""

    stage: int
    mode: str
    blob: str


def _check_git_version() -> None:
    version = git_text(["--version"]).split()[-1]
    numbers = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    if numbers < _MIN_GIT:
        raise MlscaffoldError(f"mlscaffold upgrade needs git 2.38 or newer (this is {version}): upgrade git.")


def _split_z(output: bytes) -> list[str]:
    return [field for field in output.decode("utf-8", errors="surrogateescape").split("\0") if field]


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

    def _env(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        return {"GIT_DIR": str(self.path), **_IDENTITY, **(env or {})}

    def git(self, args: Sequence[str], *, env: Mapping[str, str] | None = None, check: bool = True) -> str:
        """Run git against the scratch repository and return its output."""
        return run_git(args, env=self._env(env), check=check).stdout.decode(errors="replace").strip()

    def _index(self) -> dict[str, str]:
        self._index_count += 1
        return {"GIT_INDEX_FILE": str(self.path / f"index-{self._index_count}")}

    def project_head(self) -> str:
        """Return the project's HEAD commit."""
        return git_text(["rev-parse", "HEAD"], self.project)

    def tree_of(self, commit: str) -> str:
        """Return COMMIT's tree."""
        return self.git(["rev-parse", f"{commit}^{{tree}}"])

    def set_branch(self, name: str, commit: str) -> None:
        """Point the scratch repository's branch NAME at COMMIT."""
        self.git(["update-ref", f"refs/heads/{name}", commit])

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
        listing = run_git(["ls-tree", "-r", "-z", "--full-tree", tree], env=self._env()).stdout
        result = {}
        for entry in _split_z(listing):
            meta, path = entry.split("\t", 1)
            mode, _, blob = meta.split()
            result[path] = (mode, blob)
        return result

    def blob(self, blob: str) -> bytes:
        """Return the content of BLOB."""
        return run_git(["cat-file", "blob", blob], env=self._env()).stdout

    def write_blob(self, content: bytes) -> str:
        """Store CONTENT and return its blob id."""
        proc = run_git(["hash-object", "-w", "--stdin"], env=self._env(), input_bytes=content)
        return proc.stdout.decode().strip()

    def edit_tree(self, tree: str, put: Mapping[str, tuple[str, str]], remove: Sequence[str]) -> str:
        """Return TREE with PUT paths set to (mode, blob) and REMOVE paths removed."""
        if not put and not remove:
            return tree
        env = self._index()
        self.git(["read-tree", tree], env=env)
        # `--index-info` needs no work tree; mode 0 removes an entry.
        lines = [f"0 {ZERO_ID}\t{path}\0" for path in remove]
        lines += [f"{mode} {blob}\t{path}\0" for path, (mode, blob) in put.items()]
        run_git(
            ["update-index", "--add", "-z", "--index-info"],
            env=self._env(env),
            input_bytes="".join(lines).encode(),
        )
        return self.git(["write-tree"], env=env)

    def merge_trees(self, ours: str, theirs: str) -> tuple[str, dict[str, list[StageEntry]]]:
        """Merge commits OURS and THEIRS over their base; return the tree and the unmerged entries.

        Conflicted files hold markers labelled with the branch names `ours` and `theirs` get here.
        """
        proc = run_git(
            ["merge-tree", "--write-tree", "-z", "--no-messages", ours, theirs], env=self._env(), check=False
        )
        if proc.returncode not in (0, 1):
            raise MlscaffoldError(
                f"git merge-tree failed ({proc.stderr.decode(errors='replace').strip()}): report this as a bug."
            )
        tree, *entries = _split_z(proc.stdout)
        stages: dict[str, list[StageEntry]] = {}
        for entry in entries:
            meta, path = entry.split("\t", 1)
            mode, blob, stage = meta.split()
            stages.setdefault(path, []).append(StageEntry(int(stage), mode, blob))
        return tree, stages

    def name_status(self, head: str, tree: str) -> dict[str, list[str]]:
        """Return the paths TREE adds (A), modifies (M, T) and deletes (D) relative to HEAD."""
        output = run_git(
            ["diff-tree", "-r", "-z", "--no-renames", "--name-status", head, tree], env=self._env()
        ).stdout
        fields = _split_z(output)
        groups: dict[str, list[str]] = {"A": [], "M": [], "D": []}
        for kind, path in zip(fields[::2], fields[1::2], strict=True):
            groups.setdefault("M" if kind[0] == "T" else kind[0], []).append(path)
        return groups

    def diff(self, head: str, tree: str) -> str:
        """Return the unified diff from HEAD to TREE."""
        return run_git(
            ["diff", "--no-color", "--no-ext-diff", "-M", head, tree], env=self._env()
        ).stdout.decode(errors="replace")

    def pack(self, tips: Sequence[str], known: str) -> bytes:
        """Return a pack of every object reachable from TIPS that KNOWN (a project commit) lacks."""
        listing = run_git(["rev-list", "--objects", *tips, "--not", known], env=self._env()).stdout
        return run_git(["pack-objects", "-q", "--stdout"], env=self._env(), input_bytes=listing).stdout


@contextmanager
def scratch_for(project: Path) -> Iterator[Scratch]:
    """Yield a Scratch repository for PROJECT, removed afterwards."""
    _check_git_version()
    # What cannot be removed here (a process still writing) goes with the command's private TMPDIR.
    with tempfile.TemporaryDirectory(prefix="mlscaffold-merge-", ignore_cleanup_errors=True) as tmp:
        yield Scratch(project, Path(tmp))


def changed_paths(project: Path) -> list[str]:
    """Return the paths `git status` reports as changed or untracked (not ignored)."""
    output = run_git(["status", "--porcelain=v1", "-z", "--untracked-files=normal"], project).stdout
    paths, fields = [], iter(_split_z(output))
    for entry in fields:
        paths.append(entry[3:])
        if entry[0] in "RC":
            next(fields, None)  # a rename's or copy's source follows
    return paths


def git_dir(project: Path) -> Path:
    """Return the absolute path of PROJECT's git directory."""
    return Path(git_text(["rev-parse", "--absolute-git-dir"], project))


def index_lock(project: Path) -> Path | None:
    """Return the project's index.lock when it exists (a git command running or one that crashed)."""
    lock = git_dir(project) / "index.lock"
    return lock if os.path.lexists(lock) else None


def operation_in_progress(project: Path) -> str | None:
    """Name the merge, rebase, cherry-pick, revert or bisect in progress in PROJECT, if any."""
    dot_git = git_dir(project)
    for name, operation in (
        ("MERGE_HEAD", "merge"),
        ("rebase-merge", "rebase"),
        ("rebase-apply", "rebase"),
        ("CHERRY_PICK_HEAD", "cherry-pick"),
        ("REVERT_HEAD", "revert"),
        ("BISECT_LOG", "bisect"),
    ):
        if (dot_git / name).exists():
            return operation
    return None


def require_clean(project: Path, command: str) -> None:
    """Refuse PROJECT unless its work tree is clean and committed, for `mlscaffold COMMAND`."""
    lock = index_lock(project)
    if lock is not None:
        raise DirtyWorkTreeError(
            f"{lock} exists: another git command is running in {project}, or one crashed; "
            f"when none is running, delete that file and run `mlscaffold {command}` again."
        )
    operation = operation_in_progress(project)
    if operation is not None:
        raise DirtyWorkTreeError(
            f"a {operation} is in progress in {project}: finish or abort it before `mlscaffold {command}`."
        )
    paths = changed_paths(project)
    if paths:
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        raise DirtyWorkTreeError(
            f"{project} has uncommitted changes ({shown}): commit or stash them before `mlscaffold {command}`."
        )
    if not has_commits(project):
        raise DirtyWorkTreeError(
            f"{project} has no commit yet: commit your files before `mlscaffold {command}`."
        )
