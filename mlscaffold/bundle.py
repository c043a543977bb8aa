"""Template release history shipped as a git bundle: one tagged commit per version.

copier can update a project only from a git repository root with exact tags.
The bundle is that repository, small enough to ship inside the wheel, and
built deterministically: fixed identity and dates, so the same template
files always give the same commit ids.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from packaging.version import Version

from mlscaffold.errors import MlscaffoldError, UnknownVersionError
from mlscaffold.git import git_text, run_git

__all__ = [
    "VERSION_TAG",
    "append_version",
    "list_versions",
    "sort_versions",
    "tree_of_directory",
    "tree_of_version",
]

# Exact release tags only; `.devN` marks an unreleased snapshot built for tests.
VERSION_TAG = re.compile(r"^v(\d+)\.(\d+)\.(\d+)(\.dev\d+)?$")
BRANCH = "main"
_EPOCH = 1_700_000_000  # commit dates count days from here, one per release
_IDENTITY = {
    "GIT_AUTHOR_NAME": "mlscaffold release",
    "GIT_AUTHOR_EMAIL": "release@mlscaffold.invalid",
    "GIT_COMMITTER_NAME": "mlscaffold release",
    "GIT_COMMITTER_EMAIL": "release@mlscaffold.invalid",
}
_IGNORED = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".DS_Store"
)


def sort_versions(tags: list[str]) -> list[str]:
    """Return version tags oldest first."""
    return sorted(tags, key=lambda tag: Version(tag[1:]))


def list_versions(bundle: Path) -> list[str]:
    """Return the version tags in BUNDLE, oldest first."""
    if not bundle.is_file():
        raise MlscaffoldError(
            f"Template bundle {bundle} is missing: reinstall mlscaffold or unset MLSCAFFOLD_TEMPLATE_BUNDLE."
        )
    heads = git_text(["bundle", "list-heads", str(bundle)])
    tags = []
    for line in heads.splitlines():
        _, _, ref = line.partition(" ")
        name = ref.removeprefix("refs/tags/")
        if name != ref and VERSION_TAG.match(name):
            tags.append(name)
    return sort_versions(tags)


@contextmanager
def _scratch_clone(bundle: Path | None) -> Iterator[Path]:
    """Yield a temporary clone of BUNDLE (an empty repository when None)."""
    with tempfile.TemporaryDirectory(prefix="mlscaffold-bundle-") as tmp:
        repo = Path(tmp) / "template"
        if bundle is None:
            run_git(["init", "--quiet", f"--initial-branch={BRANCH}", str(repo)])
        else:
            run_git(["clone", "--quiet", "--no-checkout", str(bundle), str(repo)])
            run_git(["checkout", "--quiet", "-B", BRANCH, f"origin/{BRANCH}"], repo)
        yield repo


def _require_version(bundle: Path, tag: str) -> None:
    versions = list_versions(bundle)
    if tag not in versions:
        known = ", ".join(versions) or "none"
        raise UnknownVersionError(
            f"Template version {tag} is not available (known: {known}): "
            "install the mlscaffold release that ships it."
        )


def _copy_template(source: Path, repo: Path) -> None:
    """Replace the files of REPO's work tree with those of SOURCE."""
    for entry in repo.iterdir():
        if entry.name == ".git":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    shutil.copytree(source, repo, symlinks=True, ignore=_IGNORED, dirs_exist_ok=True)


def tree_of_version(bundle: Path, tag: str) -> str:
    """Return the git tree id of version TAG in BUNDLE."""
    _require_version(bundle, tag)
    with _scratch_clone(bundle) as repo:
        return git_text(["rev-parse", f"{tag}^{{tree}}"], repo)


def tree_of_directory(source: Path) -> str:
    """Return the git tree id that SOURCE would have as a template version."""
    with _scratch_clone(None) as repo:
        _copy_template(source, repo)
        # --force: the template's own .gitignore must not hide template files.
        run_git(["add", "--all", "--force"], repo)
        return git_text(["write-tree"], repo)


def append_version(bundle: Path | None, source: Path, tag: str, out: Path) -> str:
    """Write to OUT the history of BUNDLE plus SOURCE committed as TAG; return its commit."""
    if not VERSION_TAG.match(tag):
        raise MlscaffoldError(f"{tag!r} is not a version tag: use the form vMAJOR.MINOR.PATCH.")
    # git runs inside the scratch clone: relative paths would land there.
    out, source = out.absolute(), source.absolute()
    bundle = bundle.absolute() if bundle is not None else None
    existing = list_versions(bundle) if bundle is not None else []
    if existing and Version(tag[1:]) <= Version(existing[-1][1:]):
        raise MlscaffoldError(f"{tag} is not newer than {existing[-1]}: choose a higher version.")
    with _scratch_clone(bundle) as repo:
        _copy_template(source, repo)
        # --force: the template's own .gitignore must not hide template files.
        run_git(["add", "--all", "--force"], repo)
        if existing and run_git(["diff", "--cached", "--quiet", BRANCH], repo, check=False).returncode == 0:
            raise MlscaffoldError(f"The template has not changed since {existing[-1]}: nothing to release.")
        stamp = f"{_EPOCH + 86_400 * len(existing)} +0000"
        env = {**_IDENTITY, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        run_git(["commit", "--quiet", "--no-verify", "-m", f"Template {tag}"], repo, env=env)
        run_git(["tag", tag], repo)
        commit = git_text(["rev-parse", "HEAD"], repo)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        run_git(["bundle", "create", "--quiet", str(partial), "--branches", "--tags"], repo)
        partial.replace(out)
    return commit
