"""Every git invocation of mlscaffold, through one function with a fixed environment."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from mlscaffold.errors import GitError, GitNotFoundError

__all__ = [
    "commit_all",
    "config_value",
    "git_text",
    "has_commits",
    "identity_env",
    "init_repository",
    "is_work_tree",
    "run_git",
    "top_level",
]

# Identity used when the user has none configured, so a first commit never fails.
FALLBACK_IDENTITY = ("mlscaffold", "mlscaffold@users.noreply.github.com")


def _environment(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    # Stable, parseable output and never an interactive prompt or pager.
    env.update(
        {
            "LC_ALL": "C",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_PAGER": "cat",
            "GIT_EDITOR": "true",
            "GIT_OPTIONAL_LOCKS": "0",
        }
    )
    if extra:
        env.update(extra)
    return env


def run_git(
    args: Sequence[str],
    cwd: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    input_bytes: bytes | None = None,
    detach: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """Run `git ARGS` and return the completed process; raise `GitError` on failure.

    DETACH runs git in its own session, so a Ctrl-C at the terminal cannot stop
    it halfway through writing the work tree.
    """
    executable = shutil.which("git")
    if executable is None:
        raise GitNotFoundError("git is not installed or not on PATH: install git, or pass --no-git.")
    with subprocess.Popen(
        [executable, *args],
        cwd=cwd,
        env=_environment(env),
        stdin=subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=detach,
    ) as child:
        try:
            stdout, stderr = child.communicate(input_bytes)
        except BaseException:
            # Stopped (Ctrl-C, SIGTERM): make sure git is gone before the caller removes what
            # it was writing to; subprocess.run would not wait for it after a KeyboardInterrupt.
            if not detach:  # a detached git is left to finish what it is writing
                child.kill()
            child.wait()
            raise
    proc = subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)
    if check and proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        last = detail[-1] if detail else f"exit status {proc.returncode}"
        raise GitError(f"git {args[0]} failed in {cwd or Path.cwd()}: {last}")
    return proc


def git_text(args: Sequence[str], cwd: Path | None = None, *, env: Mapping[str, str] | None = None) -> str:
    """Run git and return its standard output as stripped text."""
    return run_git(args, cwd, env=env).stdout.decode(errors="replace").strip()


def is_work_tree(path: Path) -> bool:
    """Tell whether PATH is inside a git work tree."""
    if not path.is_dir():
        return False
    proc = run_git(["rev-parse", "--is-inside-work-tree"], path, check=False)
    return proc.returncode == 0 and proc.stdout.strip() == b"true"


def top_level(path: Path) -> Path:
    """Return the root of the work tree that contains PATH."""
    return Path(git_text(["rev-parse", "--show-toplevel"], path))


def has_commits(path: Path) -> bool:
    """Tell whether the repository at PATH has a HEAD commit."""
    return run_git(["rev-parse", "--verify", "-q", "HEAD"], path, check=False).returncode == 0


def config_value(key: str, cwd: Path | None = None) -> str | None:
    """Return a git config value as git resolves it there, or None when unset."""
    proc = run_git(["config", "--get", key], cwd, check=False)
    value = proc.stdout.decode(errors="replace").strip()
    return value or None


def init_repository(path: Path, branch: str = "main") -> None:
    """Create a repository at PATH whose first branch is BRANCH."""
    run_git(["init", "--quiet", f"--initial-branch={branch}"], path)


def identity_env(path: Path, name: str | None, email: str | None) -> dict[str, str]:
    """Return author/committer variables for a commit when git has no identity configured."""
    env: dict[str, str] = {}
    fallback_name, fallback_email = FALLBACK_IDENTITY
    # One git process for both keys (`new` runs this on every project): "user.name VALUE" lines.
    proc = run_git(["config", "--get-regexp", r"^user\.(name|email)$"], path, check=False)
    # The last value wins, as for git itself (an empty one means unset).
    configured = {
        key: value.strip()
        for key, _, value in (line.partition(" ") for line in proc.stdout.decode(errors="replace").splitlines())
    }
    if not configured.get("user.name"):
        env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = name or fallback_name
    if not configured.get("user.email"):
        env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = email or fallback_email
    return env


def commit_all(path: Path, message: str, env: Mapping[str, str] | None = None) -> str:
    """Stage every file in PATH, commit, and return the new commit id."""
    run_git(["add", "--all"], path)
    run_git(["commit", "--quiet", "--no-verify", "-m", message], path, env=env)
    return git_text(["rev-parse", "HEAD"], path)
