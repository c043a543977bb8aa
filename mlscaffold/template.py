"""Where templates come from: the bundled default, a local path, or a git URL.

The default template's released versions ship inside the package as a git
bundle. Projects record a canonical, machine-independent URL as their
template source; every copier call runs with git configured to read that URL
from the bundle, so `new`, `upgrade` and `versions` work with no network.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.version import InvalidVersion, Version

from mlscaffold import bundle as bundles
from mlscaffold.errors import TemplateError, TemplateNotFoundError, UnknownVersionError, UsageError
from mlscaffold.git import git_text, run_git

__all__ = [
    "BUNDLE_ENV",
    "CANONICAL_URL",
    "TemplateSource",
    "bundled_template",
    "copier_environment",
    "git_url",
    "is_remote",
    "load_config",
    "resolve_source",
    "template_checkout",
]

# The source every project made from the default template records. Nothing is
# ever fetched from it: git reads it from the bundle (see `copier_environment`).
CANONICAL_URL = "https://github.com/mlscaffold/mlscaffold-template.git"
# Points mlscaffold at another bundle: template development and tests.
BUNDLE_ENV = "MLSCAFFOLD_TEMPLATE_BUNDLE"
_REMOTE = re.compile(r"^(https?://|git\+|ssh://|git@|file://|gh:|gl:)")
_CONFIG_NAMES = ("copier.yml", "copier.yaml")


@dataclass(frozen=True)
class TemplateSource:
    """A template resolved to what copier is given and the exact ref to render."""

    src: str
    ref: str | None
    is_default: bool
    bundle: Path | None = None
    local_dir: Path | None = None

    @property
    def label(self) -> str:
        """Say which template and version this is, for messages."""
        name = "the default template" if self.is_default else self.src
        return f"{name} {self.ref}" if self.ref else name


@contextmanager
def bundled_template() -> Iterator[Path]:
    """Yield the path of the default template's bundle for the duration of the block."""
    override = os.environ.get(BUNDLE_ENV)
    if override:
        yield Path(override)
        return
    resource = resources.files("mlscaffold").joinpath("templates/default.bundle")
    with resources.as_file(resource) as path:
        yield path


def _git_config_pairs(bundle: Path, url: str) -> dict[str, str]:
    """Return GIT_CONFIG_* variables that redirect URL to BUNDLE (a bundle or a local clone)."""
    start = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    return {
        "GIT_CONFIG_COUNT": str(start + 1),
        f"GIT_CONFIG_KEY_{start}": f"url.{bundle}.insteadOf",
        f"GIT_CONFIG_VALUE_{start}": url,
    }


@contextmanager
def _patched_environ(values: Mapping[str, str]) -> Iterator[None]:
    # copier runs git through plumbum, whose environment is a copy taken at
    # import time: patch both it and os.environ, and restore both afterwards.
    from plumbum import local

    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        with local.env(**values):
            yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@contextmanager
def copier_environment(source: TemplateSource) -> Iterator[None]:
    """Run the block with git and copier set up for SOURCE, offline for the default."""
    with tempfile.TemporaryDirectory(prefix="mlscaffold-copier-cache-") as cache:
        values = {"GIT_TERMINAL_PROMPT": "0", "COPIER_CACHE_DIR": cache}
        if source.bundle is not None:
            url = CANONICAL_URL if source.is_default else git_url(source.src)
            values.update(_git_config_pairs(source.bundle, url))
        with _patched_environ(values):
            yield


def is_remote(src: str) -> bool:
    """Tell whether SRC is a git URL (or gh:/gl: shortcut) rather than a local path."""
    return bool(_REMOTE.match(src))


def git_url(src: str) -> str:
    """Return the URL git reads a remote template SRC from (copier's `git+` prefix removed)."""
    url = src.removeprefix("git+")
    if url.startswith("-"):
        # Never an option to git (`--upload-pack=...` would run a command).
        raise TemplateNotFoundError(f"Template {src} is not a git URL: record the template's address.")
    return url


def _expand_shortcut(src: str) -> str:
    for prefix, host in (("gh:", "github.com"), ("gl:", "gitlab.com")):
        if src.startswith(prefix):
            path = src[len(prefix) :].strip("/")
            return f"https://{host}/{path}" + ("" if path.endswith(".git") else ".git")
    if not src.endswith(".git") and not src.startswith(("git+", "git@", "git://")):
        # copier takes a URL for a git repository only with one of these marks (file://, http://).
        return "git+" + src
    return src


def _newest_tag(repo: Path) -> str | None:
    """Return the newest PEP 440 tag of REPO, as copier would pick it."""
    best: tuple[Version, str] | None = None
    for tag in git_text(["tag", "--list"], repo).splitlines():
        try:
            version = Version(tag.removeprefix("v"))
        except InvalidVersion:
            continue
        if not version.is_prerelease and (best is None or version > best[0]):
            best = (version, tag)
    return best[1] if best else None


def _is_repo_root(path: Path) -> bool:
    return (path / ".git").exists()


def resolve_source(template: str | None, vcs_ref: str | None, bundle: Path) -> TemplateSource:
    """Resolve a `--template`/`--vcs-ref` pair (None: the default template) to a source."""
    if template is None:
        versions = bundles.list_versions(bundle)
        if not versions:
            raise UnknownVersionError(f"The template bundle {bundle} holds no release: reinstall mlscaffold.")
        ref = vcs_ref or versions[-1]
        if ref not in versions:
            raise UnknownVersionError(
                f"Template version {ref} is not available offline (known: {', '.join(versions)}): "
                "pick one of those, or install the mlscaffold release that ships it."
            )
        return TemplateSource(CANONICAL_URL, ref, is_default=True, bundle=bundle)
    if _REMOTE.match(template):
        return TemplateSource(_expand_shortcut(template), vcs_ref, is_default=False)
    path = Path(template).expanduser()
    if not path.is_dir():
        raise TemplateNotFoundError(
            f"Template {template} not found: pass a template directory, a git URL or gh:OWNER/REPO."
        )
    path = path.resolve()
    if not any((path / name).is_file() for name in _CONFIG_NAMES):
        raise TemplateNotFoundError(
            f"{template} has no copier.yml, so it is not a copier template: check the path."
        )
    if _is_repo_root(path):
        git_ref = vcs_ref or _newest_tag(path)
        return TemplateSource(str(path), git_ref, is_default=False, local_dir=path)
    if vcs_ref is not None:
        raise UsageError(f"--vcs-ref needs a git template, and {template} is a plain directory.")
    return TemplateSource(str(path), None, is_default=False, local_dir=path)


@contextmanager
def template_checkout(source: TemplateSource) -> Iterator[Path]:
    """Yield a directory holding SOURCE's template files at its ref."""
    with ExitStack() as stack:
        if source.local_dir is not None and source.ref is None:
            yield source.local_dir
            return
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mlscaffold-tpl-")))
        stack.enter_context(copier_environment(source))
        clone = tmp / "template"
        url = git_url(source.src)
        proc = run_git(["clone", "--quiet", "--no-checkout", "--", url, str(clone)], check=False)
        if proc.returncode != 0:
            reason = proc.stderr.decode(errors="replace").strip().splitlines() or ["no detail"]
            raise TemplateNotFoundError(
                f"Cannot fetch template {source.src} ({reason[-1]}): check the address and "
                "your network, or pass a local path."
            )
        ref = source.ref or _newest_tag(clone) or "HEAD"
        if run_git(["checkout", "--quiet", ref], clone, check=False).returncode != 0:
            raise UnknownVersionError(f"Template {source.src} has no version or ref {ref}: check --vcs-ref.")
        yield clone


# copier extends these lists across copier.yml's documents instead of letting the last one win.
_MERGED_LISTS = ("_exclude", "_jinja_extensions", "_secret_questions", "_skip_if_exists")
# Files one copier.yml may pull in with `!include`: bounded like everything else a template hands us.
_MAX_INCLUDES = 100


def _read_documents(path: Path, label: str) -> list[Any]:
    from mlscaffold import yamlio  # ruamel loads only when YAML is read

    try:
        return list(yamlio.load_all_text(yamlio.read_text(path)))
    except yamlio.UnsafeYAMLError as error:
        raise TemplateError(f"The template's {label} is refused ({error}): fix the template.") from None
    except (OSError, UnicodeDecodeError, yamlio.YAMLError, RecursionError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise TemplateError(f"The template's {label} cannot be read ({first}): fix the template.") from error


def _is_include(node: Any) -> bool:
    tag = getattr(node, "tag", None)
    return tag is not None and str(getattr(tag, "value", tag)) == "!include"


class _Includes:
    """Expand copier.yml's `!include GLOB` as copier does, every file read through yamlio's limits.

    copier would read the included files itself with PyYAML, which has no limits: mlscaffold
    reads them first, so a bomb there is refused before copier is called.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.count = 0

    def documents(self, node: Any, chain: tuple[Path, ...] = ()) -> list[Any]:
        """Return the documents an `!include` NODE stands for, flattened and expanded."""
        pattern = str(node.value)
        if PurePosixPath(pattern).is_absolute():
            raise TemplateError(f"copier.yml includes {pattern}, an absolute path: fix the template.")
        found: list[Any] = []
        for match in sorted(self.root.glob(pattern)):
            path = match.resolve()
            label = path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)
            if not path.is_relative_to(self.root) or path in chain:
                raise TemplateError(f"copier.yml includes {label}, outside the template or in a loop: fix it.")
            self.count += 1
            if self.count > _MAX_INCLUDES:
                raise TemplateError(f"copier.yml includes more than {_MAX_INCLUDES} files: fix the template.")
            for document in _read_documents(path, label):
                found.extend(self.top_level(document, (*chain, path)))
        return found

    def top_level(self, document: Any, chain: tuple[Path, ...] = ()) -> list[Any]:
        """Return DOCUMENT as the list of documents it stands for (an include gives several)."""
        if document is None:
            return []
        if _is_include(document):
            return self.documents(document, chain)
        if isinstance(document, list):
            return [item for entry in document for item in self.top_level(entry, chain)]
        return [self.expand(document, chain)]

    def expand(self, node: Any, chain: tuple[Path, ...]) -> Any:
        """Return NODE with every nested `!include` replaced by the documents it stands for."""
        if _is_include(node):
            return self.documents(node, chain)
        if isinstance(node, Mapping):
            return {key: self.expand(value, chain) for key, value in node.items()}
        if isinstance(node, list):
            return [self.expand(item, chain) for item in node]
        return node


def load_config(template_dir: Path) -> dict[str, Any]:
    """Read the copier configuration (all documents merged, includes expanded) of TEMPLATE_DIR."""
    for name in _CONFIG_NAMES:
        path = template_dir / name
        if path.is_file():
            break
    else:
        raise TemplateNotFoundError(f"{template_dir} has no copier.yml: it is not a copier template.")
    includes = _Includes(template_dir)
    documents = [doc for raw in _read_documents(path, name) for doc in includes.top_level(raw)]
    config: dict[str, Any] = {}
    merged: dict[str, list[Any]] = {}
    for document in documents:
        if not isinstance(document, Mapping):
            raise TemplateError(f"The template's {name} is not a mapping of questions: fix the template.")
        for key in _MERGED_LISTS:
            value = document.get(key)
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            elif value is not None:
                merged.setdefault(key, []).append(value)
        config.update(document)
    config.update(merged)
    return config
