"""Where a project's template versions come from: the bundle, or any tagged git repository.

A project records its template as copier does (`_src_path`, `_commit` in
`.copier-answers.yml`). mlscaffold's own template is read from the git bundle
inside the package; any other template is a git repository whose tags that
parse as versions are its versions. A local repository is read in place
(offline). A remote one is read with `git ls-remote` for its tags; to render,
only the versions asked for are fetched, each one commit deep, into a bare
mirror that then stands in for the URL (git's `insteadOf`), so copier records
the URL and nothing else touches the network.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

from mlscaffold import bundle as bundles
from mlscaffold.errors import MlscaffoldError, TemplateNotFoundError, UnknownVersionError
from mlscaffold.git import git_text, run_git
from mlscaffold.template import CANONICAL_URL, TemplateSource, bundled_template, git_url, is_remote

__all__ = ["TemplateOrigin", "VersionBook", "open_origin", "parse_version", "sort_versions"]


def parse_version(tag: str) -> Version | None:
    """Return the version a tag names (`v1.2.0`, `1.2.0`), or None when it names none."""
    try:
        return Version(tag.removeprefix("v"))
    except InvalidVersion:
        return None


def sort_versions(tags: Iterable[str]) -> list[str]:
    """Return the tags that parse as versions, oldest first."""
    parsed = [(version, tag) for tag in tags if (version := parse_version(tag)) is not None]
    return [tag for _, tag in sorted(parsed)]


@dataclass(frozen=True)
class TemplateOrigin:
    """A template's versions, oldest first, and how to render each of them."""

    src: str
    versions: tuple[str, ...]
    is_default: bool
    mirror: Path | None = None
    local_dir: Path | None = None
    # Brings version TAG into the mirror (a remote template fetches the versions it renders only).
    fetch: Callable[[str], None] = field(default=lambda _: None, compare=False, repr=False)

    @property
    def label(self) -> str:
        """Name the template, for messages."""
        return "the default template" if self.is_default else f"template {self.src}"

    @property
    def newest(self) -> str | None:
        """Return the newest version: the newest final release of a foreign template, if it has one."""
        if self.is_default:
            return self.versions[-1] if self.versions else None
        final = [tag for tag in self.versions if not (parse_version(tag) or Version("0")).is_prerelease]
        candidates = final or list(self.versions)
        return candidates[-1] if candidates else None

    def source(self, tag: str) -> TemplateSource:
        """Return the source that renders version TAG."""
        if tag not in self.versions:
            raise UnknownVersionError(
                f"{self.label.capitalize()} has no version {tag} (known: {', '.join(self.versions) or 'none'})."
            )
        self.fetch(tag)
        return TemplateSource(
            self.src, tag, is_default=self.is_default, bundle=self.mirror, local_dir=self.local_dir
        )


def _unreachable(src: str, detail: bytes) -> TemplateNotFoundError:
    lines = detail.decode(errors="replace").strip().splitlines() or ["no detail"]
    return TemplateNotFoundError(
        f"Cannot reach template {src} ({lines[-1].removeprefix('fatal: ')}): "
        "check the address and your network, then run again."
    )


def _local_repository(src: str) -> Path:
    path = Path(src)
    if not path.is_dir():
        raise TemplateNotFoundError(
            f"Template {src}, recorded in .copier-answers.yml, does not exist on this machine: "
            "restore it there, or record its git URL as _src_path."
        )
    proc = run_git(["rev-parse", "--git-dir"], path, check=False)
    if proc.returncode != 0:
        raise TemplateNotFoundError(
            f"Template {src} is not a git repository, so it has no versions: "
            "keep the template in git and tag its releases (v1.0.0, ...)."
        )
    return path


def _tags_of_remote(src: str) -> list[str]:
    proc = run_git(["ls-remote", "--tags", "--refs", "--", git_url(src)], check=False)
    if proc.returncode != 0:
        raise _unreachable(src, proc.stderr)
    names = [line.partition("\t")[2] for line in proc.stdout.decode(errors="replace").splitlines()]
    return [name.removeprefix("refs/tags/") for name in names if name.startswith("refs/tags/")]


@contextmanager
def open_origin(src: str, *, render: bool) -> Iterator[TemplateOrigin]:
    """Yield the versions of template SRC; with RENDER, set up to render them (a remote is cloned once)."""
    if src == CANONICAL_URL:
        with bundled_template() as bundle:
            versions = tuple(bundles.list_versions(bundle))
            yield TemplateOrigin(src, versions, is_default=True, mirror=bundle)
        return
    if not is_remote(src):
        path = _local_repository(src)
        versions = tuple(sort_versions(git_text(["tag", "--list"], path).splitlines()))
        yield TemplateOrigin(src, versions, is_default=False, local_dir=path)
        return
    if not render:
        yield TemplateOrigin(src, tuple(sort_versions(_tags_of_remote(src))), is_default=False)
        return
    versions = tuple(sort_versions(_tags_of_remote(src)))
    with tempfile.TemporaryDirectory(prefix="mlscaffold-origin-") as tmp:
        mirror = Path(tmp) / "template.git"
        run_git(["init", "--quiet", "--bare", str(mirror)])
        yield TemplateOrigin(
            src, versions, is_default=False, mirror=mirror, fetch=_shallow_fetcher(src, mirror)
        )


def _shallow_fetcher(src: str, mirror: Path) -> Callable[[str], None]:
    """Return a function that fetches one tag of SRC into MIRROR, one commit deep, once."""
    fetched: set[str] = set()

    def fetch(tag: str) -> None:
        if tag in fetched:
            return
        refspec = f"+refs/tags/{tag}:refs/tags/{tag}"
        proc = run_git(
            ["fetch", "--quiet", "--depth", "1", "--no-tags", "--", git_url(src), refspec], mirror, check=False
        )
        if proc.returncode != 0:
            raise _unreachable(src, proc.stderr)
        fetched.add(tag)

    return fetch


class VersionBook:
    """The versions of each template a fleet's projects name, each template read once (threads share it)."""

    def __init__(self) -> None:
        self._read: dict[str, tuple[tuple[str, ...], str | None] | MlscaffoldError] = {}
        self._lock = threading.Lock()

    def of(self, src: str) -> tuple[tuple[str, ...], str | None]:
        """Return SRC's versions, oldest first, and its newest; raise `MlscaffoldError` when unreadable."""
        with self._lock:
            if src not in self._read:
                try:
                    with open_origin(src, render=False) as origin:
                        self._read[src] = (origin.versions, origin.newest)
                except MlscaffoldError as caught:
                    self._read[src] = caught
            found = self._read[src]
        if isinstance(found, MlscaffoldError):
            raise type(found)(str(found))
        return found
