"""git's object store, its output, and the one step that changes a repository.

Everything `upgrade` computes is written to a scratch bare repository that
borrows the project's objects (alternates) and writes only its own. The project
itself changes in `apply_upgrade` alone: its objects arrive through git
(`unpack-objects`, which writes each under a temporary name and renames it), then
work tree, index, refs and, with `--commit`, HEAD change under the project's own
`index.lock`. A failure there is rolled back; the step runs in a detached child
process, so a signal or even SIGKILL sent to mlscaffold cannot stop it halfway.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from mlscaffold.errors import GitError, MlscaffoldError
from mlscaffold.git import git_text, run_git
from mlscaffold.scratch import held_signals

__all__ = [
    "FinalStep",
    "Scratch",
    "StageEntry",
    "apply_upgrade",
    "changed_paths",
    "index_lock",
    "operation_in_progress",
    "scratch_for",
]

_IDENTITY = {
    "GIT_AUTHOR_NAME": "mlscaffold",
    "GIT_AUTHOR_EMAIL": "mlscaffold@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "mlscaffold",
    "GIT_COMMITTER_EMAIL": "mlscaffold@users.noreply.github.com",
}
_MIN_GIT = (2, 38)
_ZERO = "0" * 40


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
        lines = [f"0 {_ZERO}\t{path}\0" for path in remove]
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
    with tempfile.TemporaryDirectory(prefix="mlscaffold-merge-") as tmp:
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


def _git_dir(project: Path) -> Path:
    return Path(git_text(["rev-parse", "--absolute-git-dir"], project))


def index_lock(project: Path) -> Path | None:
    """Return the project's index.lock when it exists (a git command running or one that crashed)."""
    lock = _git_dir(project) / "index.lock"
    return lock if os.path.lexists(lock) else None


def operation_in_progress(project: Path) -> str | None:
    """Name the merge, rebase, cherry-pick, revert or bisect in progress in PROJECT, if any."""
    git_dir = _git_dir(project)
    for name, operation in (
        ("MERGE_HEAD", "merge"),
        ("rebase-merge", "rebase"),
        ("rebase-apply", "rebase"),
        ("CHERRY_PICK_HEAD", "cherry-pick"),
        ("REVERT_HEAD", "revert"),
        ("BISECT_LOG", "bisect"),
    ):
        if (git_dir / name).exists():
            return operation
    return None


@dataclass(frozen=True)
class FinalStep:
    """Everything the project's last change needs, computed beforehand."""

    head: str
    tree: str
    keep_ref: str
    keep_commit: str
    pack: bytes
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()  # updated or removed: paths HEAD has
    unmerged: Mapping[str, Sequence[StageEntry]] = field(default_factory=dict)
    beside: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # path -> (mode, blob), untracked
    commit_message: str | None = None
    verify: bool = True
    commit_env: Mapping[str, str] = field(default_factory=dict)


class _Undo:
    """What the final step did so far, and how to take it back."""

    def __init__(self, project: Path, step: FinalStep) -> None:
        self.project = project
        self.step = step
        self.worktree_touched = False
        self.written: list[Path] = []
        self.old_ref: str | None = None
        self.ref_moved = False
        self.made_dirs: list[Path] = []
        self.saved: dict[Path, bytes | None] = {}
        self.commit: str | None = None

    def save(self, path: Path) -> None:
        """Remember PATH's bytes (or its absence), to put back on rollback."""
        self.saved[path] = path.read_bytes() if path.is_file() else None

    def record_dirs(self, paths: Sequence[str]) -> None:
        for path in paths:
            parent = (self.project / path).parent
            while parent != self.project and not parent.exists():
                self.made_dirs.append(parent)
                parent = parent.parent

    def rollback(self) -> None:
        project = self.project
        if self.commit:
            run_git(["update-ref", "HEAD", self.step.head, self.commit], project, check=False)
        for path, content in self.saved.items():
            with suppress(OSError):
                if content is None:
                    path.unlink()
                else:
                    path.write_bytes(content)
        if self.ref_moved:
            if self.old_ref:
                run_git(["update-ref", self.step.keep_ref, self.old_ref], project, check=False)
            else:
                run_git(["update-ref", "-d", self.step.keep_ref], project, check=False)
        for written in self.written:
            with suppress(OSError):
                written.unlink()
        if self.worktree_touched:
            for added in self.step.added:
                with suppress(OSError):
                    (project / added).unlink()
            if self.step.changed:
                # The real index is untouched and matched HEAD's content: take the files back from it.
                run_git(
                    ["checkout-index", "-f", "-q", "-z", "--stdin"],
                    project,
                    input_bytes="".join(f"{p}\0" for p in self.step.changed).encode(),
                    check=False,
                )
            for directory in sorted(self.made_dirs, key=lambda d: len(d.parts), reverse=True):
                with suppress(OSError):
                    directory.rmdir()


def _apply(project: Path, step: FinalStep) -> str | None:
    """Change the project to STEP's result; roll back and raise on failure. Return the commit made."""
    git_dir = _git_dir(project)
    lock = git_dir / "index.lock"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except FileExistsError:
        raise MlscaffoldError(
            f"{lock} exists: another git command is running in {project}, or one crashed; "
            "when none is running, delete that file and run the upgrade again. Nothing was changed."
        ) from None
    os.close(fd)
    next_index = git_dir / f"mlscaffold-index-{os.getpid()}"
    undo = _Undo(project, step)
    env = {"GIT_INDEX_FILE": str(next_index)}
    made: str | None = None
    try:
        if step.pack:
            run_git(["unpack-objects", "-q"], project, input_bytes=step.pack)
        with (git_dir / "index").open("rb") as source, next_index.open("wb") as target:
            target.write(source.read())
        # Stat data can be stale (a copied or restored checkout); the content was checked clean.
        run_git(["update-index", "-q", "--refresh"], project, env=env, check=False)
        undo.record_dirs([*step.added, *step.beside])
        undo.worktree_touched = True
        run_git(["read-tree", "-m", "-u", step.head, step.tree], project, env=env)
        if step.unmerged:
            lines = [f"0 {_ZERO}\t{path}\0" for path in step.unmerged]
            lines += [
                f"{e.mode} {e.blob} {e.stage}\t{path}\0"
                for path, entries in step.unmerged.items()
                for e in entries
            ]
            run_git(
                ["update-index", "-z", "--index-info"], project, env=env, input_bytes="".join(lines).encode()
            )
        for path, (mode, blob) in step.beside.items():
            target_path = project / path
            target_path.parent.mkdir(parents=True, exist_ok=True)
            content = run_git(["cat-file", "blob", blob], project).stdout
            temporary = target_path.with_name(f".{target_path.name}.mlscaffold-tmp")
            temporary.write_bytes(content)
            temporary.chmod(0o755 if mode == "100755" else 0o644)
            undo.written.append(target_path)
            temporary.replace(target_path)
        old = run_git(["rev-parse", "-q", "--verify", step.keep_ref], project, check=False)
        undo.old_ref = old.stdout.decode().strip() or None
        run_git(["update-ref", step.keep_ref, step.keep_commit, undo.old_ref or _ZERO], project)
        undo.ref_moved = True
        if step.commit_message is not None:
            # `git commit` writes the message file before it signs, and does not take it back.
            undo.save(git_dir / "COMMIT_EDITMSG")
            made = undo.commit = _commit(project, step, env)
        next_index.replace(git_dir / "index")
    except BaseException:
        undo.rollback()
        raise
    finally:
        with suppress(OSError):
            next_index.unlink()
        with suppress(OSError):
            lock.unlink()
    return made


def _commit(project: Path, step: FinalStep, env: Mapping[str, str]) -> str:
    args = ["commit", "--quiet", "-m", step.commit_message or ""]
    if not step.verify:
        args.append("--no-verify")
    proc = run_git(args, project, env={**env, **step.commit_env}, check=False)
    if proc.returncode != 0:
        detail = [
            line.strip()
            for line in (proc.stderr + proc.stdout).decode(errors="replace").splitlines()
            if line.strip()
        ]
        raise GitError(
            f"git commit failed ({'; '.join(detail[-3:]) or f'exit status {proc.returncode}'}); "
            "the upgrade was undone: nothing was changed."
        )
    return git_text(["rev-parse", "HEAD"], project)


def _detached(work: Callable[[], str | None]) -> str | None:
    """Run WORK in a child process of its own session, wait for it, and return its result.

    A signal sent to mlscaffold (or its process group, as Ctrl-C is) does not reach the
    child, so the repository is changed completely or rolled back, whatever happens here.
    """
    if not hasattr(os, "fork"):
        return work()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(reader)
        try:
            os.setsid()
            try:
                outcome = {"ok": work()}
            except MlscaffoldError as caught:
                outcome = {"error": str(caught)}
            except BaseException as caught:  # noqa: BLE001 - reported to the parent as a bug
                outcome = {"bug": repr(caught)}
            with suppress(OSError):
                os.write(writer, json.dumps(outcome).encode())
        finally:
            os._exit(0)
    os.close(writer)
    chunks = []
    with os.fdopen(reader, "rb") as pipe:
        while chunk := pipe.read():
            chunks.append(chunk)
    os.waitpid(pid, 0)
    outcome = json.loads(b"".join(chunks) or b'{"bug": "the final step ended without a word"}')
    if "error" in outcome:
        raise MlscaffoldError(outcome["error"])
    if "bug" in outcome:
        raise MlscaffoldError(f"the final step of the upgrade failed ({outcome['bug']}): report this as a bug.")
    result = outcome["ok"]
    return str(result) if result is not None else None


def apply_upgrade(project: Path, step: FinalStep, on_applied: Callable[[str | None], None]) -> str | None:
    """Change PROJECT's work tree, index and refs to STEP's result in one step; return the commit made.

    Stop signals are held until ON_APPLIED has recorded the outcome, so what is reported is true.
    """
    with held_signals():
        made = _detached(lambda: _apply(project, step))
        on_applied(made)
    return made
