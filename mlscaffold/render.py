"""Render a template with copier, and resolve the answers it is rendered with.

Shared by `new` and `upgrade`, so both validate answers the same way and turn
copier's errors into the same one-line messages.
"""

from __future__ import annotations

import os
import shlex
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from mlscaffold import git
from mlscaffold.answers import AskFunction, Question, Questionnaire, parse_questions
from mlscaffold.config_cache import bytecode_cache, cached_config
from mlscaffold.errors import TemplateError, TemplateNotFoundError, UnknownVersionError, UntrustedTemplateError
from mlscaffold.template import (
    TemplateSource,
    copier_environment,
    load_config,
    template_checkout,
)

__all__ = [
    "CopierRun",
    "Migration",
    "TemplateConfig",
    "config_from",
    "copier_run",
    "load_template_config",
    "read_template",
    "render_template",
    "require_trust",
    "resolve_answers",
]


@dataclass(frozen=True)
class Migration:
    """One `_migrations` entry: the version it belongs to (as written, and parsed) and its command line."""

    tag: str
    version: Version
    command: str


def _migrations(raw: Any) -> tuple[Migration, ...]:
    found = []
    for entry in raw or []:
        if not isinstance(entry, Mapping) or "version" not in entry:
            continue
        try:
            version = Version(str(entry["version"]).removeprefix("v"))
        except InvalidVersion:
            continue  # copier refuses it when it matters, on an update
        command = entry.get("command")
        text = shlex.join(str(c) for c in command) if isinstance(command, list) else str(command or "")
        found.append(Migration(str(entry["version"]), version, text))
    return tuple(found)


def _release(tag: str) -> Version:
    return Version(Version(tag.removeprefix("v")).base_version)


@dataclass(frozen=True)
class TemplateConfig:
    """What mlscaffold reads of a template's copier.yml, read once (copier validates the rest itself)."""

    raw: Mapping[str, Any]
    questions: tuple[Question, ...]
    skip_if_exists: tuple[str, ...]
    migrations: tuple[Migration, ...]
    answers_file: str
    subdirectory: str
    templates_suffix: str
    jinja_extensions: tuple[str, ...]
    template_dir: Path | None = None

    @property
    def workflow_repo_default(self) -> Any:
        """Return the default of the workflow-owner setting (`mlscaffold_repo`), None when not asked."""
        spec = self.raw.get("mlscaffold_repo")
        return spec.get("default") if isinstance(spec, Mapping) else spec

    def unsafe_features(self, *, tasks: bool = True) -> list[str]:
        """Name the features that would run the template's code on a copy (TASKS: count tasks)."""
        features = ["Jinja extensions"] if self.jinja_extensions else []
        return [*features, "tasks"] if tasks and self.raw.get("_tasks") else features

    def migrations_between(self, old: str, new: str) -> list[Migration]:
        """Return the migrations of the versions after OLD up to NEW, in order."""
        # Compare release numbers: a v0.3.0 migration belongs to v0.3.0.dev0 builds too.
        return [m for m in self.migrations if _release(old) < m.version <= _release(new)]

    def questionnaire(self, target: Path) -> Questionnaire:
        """Return the questionnaire for a project rendered into TARGET."""
        roots = [] if self.template_dir is None else [self.template_dir / self.subdirectory, self.template_dir]
        return Questionnaire(
            self.questions,
            context={"_folder_name": target.name, "_copier_conf": {"dst_path": str(target)}},
            envops=self.raw.get("_envops"),
            extensions=self.jinja_extensions,
            search_path=[str(root) for root in roots],
        )


def config_from(raw: Mapping[str, Any], template_dir: Path | None = None) -> TemplateConfig:
    """Return the `TemplateConfig` of RAW, a copier configuration as `load_config` reads it."""
    return TemplateConfig(
        raw=raw,
        questions=tuple(parse_questions(raw)),
        skip_if_exists=tuple(str(p) for p in raw.get("_skip_if_exists") or ()),
        migrations=_migrations(raw.get("_migrations")),
        answers_file=str(raw.get("_answers_file") or ".copier-answers.yml"),
        subdirectory=str(raw.get("_subdirectory") or "."),
        templates_suffix=str(raw.get("_templates_suffix", ".jinja")),
        jinja_extensions=tuple(str(e) for e in raw.get("_jinja_extensions") or ()),
        template_dir=template_dir,
    )


def load_template_config(template_dir: Path) -> TemplateConfig:
    """Read TEMPLATE_DIR's copier.yml (all documents, includes expanded) into a `TemplateConfig`."""
    return config_from(load_config(template_dir), template_dir)


def read_template(source: TemplateSource, build: Callable[[TemplateConfig], Any] = lambda c: c) -> Any:
    """Return BUILD applied to SOURCE's configuration, while its files are at hand (extensions load then)."""
    with template_checkout(source) as template_dir:
        return build(load_template_config(template_dir))


# Answers the default template can take from the user's git identity.
_GIT_DEFAULTS = {"author_name": "user.name", "author_email": "user.email"}


# copier's names for the features it refuses without `unsafe`, and ours.
_COPIER_FEATURES = (("jinja_extensions", "Jinja extensions"), ("tasks", "tasks"), ("migrations", "migrations"))


def _git_defaults(questions: list[str]) -> dict[str, str]:
    defaults = {}
    for name, key in _GIT_DEFAULTS.items():
        if name in questions:
            value = git.config_value(key)
            if value:
                defaults[name] = value
    return defaults


def _untrusted(source: TemplateSource, features: list[str]) -> UntrustedTemplateError:
    return UntrustedTemplateError(
        f"Template {source.src} uses {' and '.join(features)}, code that would run on this machine: "
        "pass --trust if you trust the template."
    )


def require_trust(
    source: TemplateSource,
    config: TemplateConfig,
    trust: bool,
    *,
    tasks: bool = True,
    migrations: Sequence[Migration] = (),
) -> None:
    """Refuse a foreign template that would run code, unless the user trusts it.

    Called on the configuration as read, before anything of the template (an
    extension module, a callable, a task) is imported, called or run. An upgrade
    runs no task (TASKS false) and names the MIGRATIONS it would apply.
    """
    features = config.unsafe_features(tasks=tasks)
    if migrations:
        shown = "; ".join(f"`{m.command}`" for m in migrations[:3]) + (" ..." if len(migrations) > 3 else "")
        features.append(f"migrations ({shown})")
    if features and not trust and not source.is_default:
        raise _untrusted(source, features)


def resolve_answers(
    source: TemplateSource,
    config: TemplateConfig,
    target: Path,
    given: Mapping[str, Any],
    *,
    use_defaults: bool,
    ask: AskFunction | None,
    trust: bool = False,
) -> dict[str, Any]:
    """Return validated answers to every question of SOURCE's CONFIG for a project at TARGET."""
    require_trust(source, config, trust)
    questionnaire = config.questionnaire(target)
    defaults = _git_defaults(questionnaire.names) if source.is_default else {}
    return questionnaire.resolve(given, use_defaults=use_defaults, ask=ask, defaults=defaults)


@contextmanager
def _copier_errors(source: TemplateSource, *, checkout: bool = False) -> Iterator[None]:
    """Turn copier's errors in the block into ours (CHECKOUT: the block fetches the template)."""
    from copier.errors import CopierError, UnsafeTemplateError
    from jinja2 import TemplateError as JinjaError
    from plumbum import ProcessExecutionError

    try:
        yield
    except UnsafeTemplateError as error:
        # A fallback: `require_trust` has refused these already. copier names them in its message only.
        named = str(error).partition(": ")[2].partition(".")[0].split(", ")
        labels = dict(_COPIER_FEATURES)
        raise _untrusted(source, [labels.get(f, f) for f in named if f] or ["unsafe features"]) from None
    except ProcessExecutionError as error:
        detail = (error.stderr or "").strip().splitlines() or ["git failed"]
        if checkout and any(step in error.argv for step in ("checkout", "worktree")):
            raise _unknown_ref(source) from None
        raise TemplateNotFoundError(
            f"Cannot fetch template {source.src} ({detail[-1]}): check the address and your network."
        ) from None
    except (CopierError, JinjaError, ValueError) as error:
        if checkout and "revision" in str(error):
            raise _unknown_ref(source) from None
        detail = str(error).strip().splitlines() or [type(error).__name__]
        raise TemplateError(f"Template {source.label} failed to render: {detail[0]}") from None


def _unknown_ref(source: TemplateSource) -> UnknownVersionError:
    return UnknownVersionError(f"Template {source.src} has no version or ref {source.ref}: check --vcs-ref.")


class CopierRun:
    """One copier run: the template checked out once, its configuration read, then rendered.

    mlscaffold reads the questions from the checkout copier renders from, so the template
    is fetched once, and the default template's configuration comes from a per-version cache.
    """

    def __init__(self, source: TemplateSource, worker: Any, template_dir: Path) -> None:
        self.source = source
        self.worker = worker
        self.template_dir = template_dir

    @cached_property
    def content_id(self) -> str | None:
        """Return the git tree id of the default template's checkout (None for other templates)."""
        if not self.source.is_default:
            return None
        tree = git.run_git(["rev-parse", "HEAD^{tree}"], self.template_dir, check=False)
        content_id = tree.stdout.decode(errors="replace").strip()
        return content_id if tree.returncode == 0 and content_id else None

    def config(self) -> TemplateConfig:
        """Return the template's configuration (read once per default template version)."""
        if self.content_id is None:
            return load_template_config(self.template_dir)
        raw = cached_config(self.content_id, lambda: load_config(self.template_dir))
        return config_from(raw, self.template_dir)

    @property
    def commit(self) -> str | None:
        """Return the template version rendered, as copier records it (`_commit`), after `render`."""
        commit = self.worker.template.commit
        return str(commit) if commit else None

    def render(self, dest: Path, answers: Mapping[str, Any]) -> None:
        """Render the template into DEST, which must not exist yet, with ANSWERS."""
        worker = self.worker
        worker.dst_path = dest
        worker.data = dict(answers)
        if not os.path.lexists(dest) and hasattr(worker, "_sync_git_index_executable_bit"):
            # copier asks git about each file it writes, to sync the executable bit into the
            # index of a repository holding it; no index tracks a directory this run creates.
            worker._sync_git_index_executable_bit = lambda *_: None
        if self.content_id is not None:
            # The default template's files compile the same way every run: keep their bytecode.
            from copier import __version__ as copier_version
            from jinja2 import __version__ as jinja_version

            compiler = f"copier {copier_version}, jinja2 {jinja_version}"
            worker.jinja_env.bytecode_cache = bytecode_cache(self.content_id, compiler)
        with _copier_errors(self.source):
            worker.run_copy()


@contextmanager
def copier_run(source: TemplateSource, trust: bool, *, skip_tasks: bool = False) -> Iterator[CopierRun]:
    """Yield a `CopierRun` of SOURCE with the template checked out, offline for the default."""
    from copier._main import Worker
    from copier._settings import SettingsModel
    from copier.errors import CopierWarning

    with copier_environment(source), warnings.catch_warnings():
        # mlscaffold reports what matters itself; copier's warnings are noise here.
        warnings.simplefilter("ignore", CopierWarning)
        worker = Worker(
            src_path=source.src,
            dst_path=Path(),
            vcs_ref=source.ref,
            # A user's copier settings file must not change what mlscaffold renders.
            settings=SettingsModel(),
            defaults=True,
            overwrite=True,
            quiet=True,
            unsafe=trust,
            skip_tasks=skip_tasks,
            cleanup_on_error=False,
        )
        with worker:
            with _copier_errors(source, checkout=True):
                template_dir = Path(worker.template.local_abspath)
            yield CopierRun(source, worker, template_dir)


def render_template(
    source: TemplateSource, dest: Path, answers: Mapping[str, Any], trust: bool, *, skip_tasks: bool = False
) -> None:
    """Render SOURCE into DEST with copier (SKIP_TASKS: run no task), translating its errors into ours."""
    with copier_run(source, trust, skip_tasks=skip_tasks) as run:
        run.render(dest, answers)
