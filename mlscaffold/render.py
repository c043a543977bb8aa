"""Render a template with copier, and resolve the answers it is rendered with.

Shared by `new` and `upgrade`, so both validate answers the same way and turn
copier's errors into the same one-line messages.
"""

from __future__ import annotations

import shlex
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from mlscaffold import git
from mlscaffold.answers import AskFunction, Question, Questionnaire, parse_questions
from mlscaffold.errors import TemplateError, TemplateNotFoundError, UntrustedTemplateError
from mlscaffold.template import (
    TemplateSource,
    copier_environment,
    load_config,
    template_checkout,
)

__all__ = [
    "Migration",
    "TemplateConfig",
    "config_from",
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
    target: Path,
    given: Mapping[str, Any],
    use_defaults: bool,
    ask: AskFunction | None,
    *,
    trust: bool = False,
) -> dict[str, Any]:
    """Return validated answers to every question SOURCE asks for a project at TARGET."""

    def build(config: TemplateConfig) -> Questionnaire:
        require_trust(source, config, trust)
        return config.questionnaire(target)

    questionnaire: Questionnaire = read_template(source, build)
    defaults = _git_defaults(questionnaire.names) if source.is_default else {}
    return questionnaire.resolve(given, use_defaults=use_defaults, ask=ask, defaults=defaults)


def render_template(
    source: TemplateSource, dest: Path, answers: Mapping[str, Any], trust: bool, *, skip_tasks: bool = False
) -> None:
    """Render SOURCE into DEST with copier (SKIP_TASKS: run no task), translating its errors into ours."""
    import copier
    from copier.errors import CopierError, CopierWarning, UnsafeTemplateError
    from jinja2 import TemplateError as JinjaError
    from plumbum import ProcessExecutionError

    try:
        with copier_environment(source), warnings.catch_warnings():
            # mlscaffold reports what matters itself; copier's warnings are noise here.
            warnings.simplefilter("ignore", CopierWarning)
            copier.run_copy(
                source.src,
                dest,
                data=dict(answers),
                vcs_ref=source.ref,
                # A user's copier settings file must not change what mlscaffold renders.
                settings=copier.Settings(),
                defaults=True,
                overwrite=True,
                quiet=True,
                unsafe=trust,
                skip_tasks=skip_tasks,
                cleanup_on_error=False,
            )
    except UnsafeTemplateError as error:
        # A fallback: `require_trust` has refused these already. copier names them in its message only.
        named = str(error).partition(": ")[2].partition(".")[0].split(", ")
        labels = dict(_COPIER_FEATURES)
        raise _untrusted(source, [labels.get(f, f) for f in named if f] or ["unsafe features"]) from None
    except ProcessExecutionError as error:
        detail = (error.stderr or "").strip().splitlines() or ["git failed"]
        raise TemplateNotFoundError(
            f"Cannot fetch template {source.src} ({detail[-1]}): check the address and your network."
        ) from None
    except (CopierError, JinjaError, ValueError) as error:
        detail = str(error).strip().splitlines() or [type(error).__name__]
        raise TemplateError(f"Template {source.label} failed to render: {detail[0]}") from None
