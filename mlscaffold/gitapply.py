"""The one step that changes a project's repository during `upgrade` (and `adopt`), rolled back on failure.

Its objects arrive through git (`unpack-objects`, which writes each under a
temporary name and renames it); then the work tree, the index (built in a
temporary index file and renamed into place last), `refs/mlscaffold/template`
and, with `--commit`, HEAD change under the project's own `index.lock`. Any
failure on the way is rolled back. The step runs in a child process of its own
session while mlscaffold holds stop signals, so neither Ctrl-C at the terminal
nor even SIGKILL of mlscaffold can stop it halfway.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from mlscaffold.errors import GitError, MlscaffoldError
from mlscaffold.git import git_text, run_git
from mlscaffold.gitstore import ZERO_ID, StageEntry, git_dir
from mlscaffold.scratch import held_signals

__all__ = ["FinalStep", "apply_upgrade"]


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
    command: str = "upgrade"  # what the messages call the change


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


def _take_index_lock(project: Path, dot_git: Path, command: str) -> Path:
    """Take the project's index.lock as git does (exclusive creation), so no git command runs meanwhile."""
    lock = dot_git / "index.lock"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except FileExistsError:
        raise MlscaffoldError(
            f"{lock} exists: another git command is running in {project}, or one crashed; "
            f"when none is running, delete that file and run the {command} again. Nothing was changed."
        ) from None
    os.close(fd)
    return lock


def _record_unmerged(project: Path, step: FinalStep, env: Mapping[str, str]) -> None:
    """Replace each conflicted path's entry with its stages 1/2/3, as `git merge` leaves them."""
    if not step.unmerged:
        return
    lines = [f"0 {ZERO_ID}\t{path}\0" for path in step.unmerged]
    lines += [
        f"{e.mode} {e.blob} {e.stage}\t{path}\0" for path, entries in step.unmerged.items() for e in entries
    ]
    run_git(["update-index", "-z", "--index-info"], project, env=env, input_bytes="".join(lines).encode())


def _link_on_the_way(project: Path, path: str) -> Path | None:
    """Return the first symlink or file among PATH's parents inside PROJECT (None: all directories)."""
    current = project
    for part in Path(path).parts[:-1]:
        current = current / part
        if current.is_symlink() or (os.path.lexists(current) and not current.is_dir()):
            return current
    return None


def _write_beside(project: Path, step: FinalStep, undo: _Undo) -> None:
    """Write the template's versions of files in the way beside them (temporary name, then rename)."""
    for path, (mode, blob) in step.beside.items():
        target = project / path
        link = _link_on_the_way(project, path)
        if link is not None:  # an ignored symlink: writing there could land outside the repository
            raise MlscaffoldError(
                f"{link} is a symlink or a file where the template writes {path}: "
                f"move it away and run the {step.command} again"
            )
        if os.path.lexists(target):  # ignored by the repository, so the clean check let it be
            raise MlscaffoldError(f"{target} exists: move it away and run the {step.command} again")
        target.parent.mkdir(parents=True, exist_ok=True)
        content = run_git(["cat-file", "blob", blob], project).stdout
        temporary = target.with_name(f".{target.name}.mlscaffold-tmp")
        undo.written += [temporary, target]
        temporary.write_bytes(content)
        temporary.chmod(0o755 if mode == "100755" else 0o644)
        temporary.replace(target)


def _apply(project: Path, step: FinalStep) -> str | None:
    """Change the project to STEP's result; roll back and raise on failure. Return the commit made."""
    dot_git = git_dir(project)
    lock = _take_index_lock(project, dot_git, step.command)
    next_index = dot_git / f"mlscaffold-index-{os.getpid()}"
    undo = _Undo(project, step)
    env = {"GIT_INDEX_FILE": str(next_index)}
    made: str | None = None
    try:
        if step.pack:
            run_git(["unpack-objects", "-q"], project, input_bytes=step.pack)
        with (dot_git / "index").open("rb") as source, next_index.open("wb") as target:
            target.write(source.read())
        # Stat data can be stale (a copied or restored checkout); the content was checked clean.
        run_git(["update-index", "-q", "--refresh"], project, env=env, check=False)
        undo.record_dirs([*step.added, *step.beside])
        undo.worktree_touched = True
        run_git(["read-tree", "-m", "-u", step.head, step.tree], project, env=env)
        _record_unmerged(project, step, env)
        _write_beside(project, step, undo)
        old = run_git(["rev-parse", "-q", "--verify", step.keep_ref], project, check=False)
        undo.old_ref = old.stdout.decode().strip() or None
        run_git(["update-ref", step.keep_ref, step.keep_commit, undo.old_ref or ZERO_ID], project)
        undo.ref_moved = True
        if step.commit_message is not None:
            # `git commit` writes the message file before it signs, and does not take it back.
            undo.save(dot_git / "COMMIT_EDITMSG")
            made = undo.commit = _commit(project, step, env)
        next_index.replace(dot_git / "index")
    except MlscaffoldError as caught:
        undo.rollback()
        if "nothing was changed" in str(caught):
            raise
        raise MlscaffoldError(f"{caught}; the {step.command} was undone: nothing was changed.") from None
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
            f"the {step.command} was undone: nothing was changed."
        )
    return git_text(["rev-parse", "HEAD"], project)


def _detached(work: Callable[[], str | None], command: str = "upgrade") -> str | None:
    """Run WORK in a child process of its own session, wait for it, and return its result.

    A signal sent to mlscaffold (or its process group, as Ctrl-C is) does not reach the
    child, so the repository is changed completely or rolled back, whatever happens here.
    """
    if not hasattr(os, "fork"):
        return work()
    reader, writer = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns when a process with threads forks (a lock held by another thread
        # stays held in the child). The child here takes none: it runs git and renames files.
        warnings.simplefilter("ignore", DeprecationWarning)
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
    if not chunks:  # the child was killed from outside: what it had done is unknown here
        raise MlscaffoldError(
            f"the final step of the {command} was killed: it may be partly written; check `git status` "
            f"(its index.lock may need deleting) before running the {command} again."
        )
    outcome = json.loads(b"".join(chunks))
    if "error" in outcome:
        raise MlscaffoldError(outcome["error"])
    if "bug" in outcome:
        raise MlscaffoldError(
            f"the final step of the {command} failed ({outcome['bug']}) and was undone: report this as a bug."
        )
    result = outcome["ok"]
    return str(result) if result is not None else None


def apply_upgrade(project: Path, step: FinalStep, on_applied: Callable[[str | None], None]) -> str | None:
    """Change PROJECT's work tree, index and refs to STEP's result in one step; return the commit made.

    Stop signals are held until ON_APPLIED has recorded the outcome, so what is reported is true.
    """
    with held_signals():
        made = _detached(lambda: _apply(project, step), step.command)
        on_applied(made)
    return made
