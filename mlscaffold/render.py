"""Render a template with copier, and resolve the answers it is rendered with.

Shared by `new` and `upgrade`, so both validate answers the same way and turn
copier's errors into the same one-line messages.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlscaffold import git
from mlscaffold.answers import AskFunction, Questionnaire, parse_questions
from mlscaffold.errors import TemplateError, TemplateNotFoundError, UntrustedTemplateError
from mlscaffold.template import (
    TemplateSource,
    copier_environment,
    load_config,
    template_checkout,
    unsafe_features,
)

__all__ = ["questionnaire_for", "render_template", "require_trust", "resolve_answers"]

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


def questionnaire_for(config: Mapping[str, Any], target: Path) -> Questionnaire:
    """Return the questionnaire of a template CONFIG rendered into TARGET."""
    return Questionnaire(
        parse_questions(config),
        context={"_folder_name": target.name, "_copier_conf": {"dst_path": str(target)}},
        envops=config.get("_envops"),
        extensions=config.get("_jinja_extensions") or (),
    )


def _untrusted(source: TemplateSource, features: list[str]) -> UntrustedTemplateError:
    return UntrustedTemplateError(
        f"Template {source.src} uses {' and '.join(features)}, code that would run on this machine: "
        "pass --trust if you trust the template."
    )


def require_trust(
    source: TemplateSource, config: Mapping[str, Any], trust: bool, *, updating: bool = False
) -> None:
    """Refuse a foreign template that would run code, unless the user trusts it.

    Called on the configuration as read, before anything of the template (an
    extension module, a callable, a task, a migration) is imported, called or run.
    """
    features = unsafe_features(config, updating=updating)
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
    with template_checkout(source) as template_dir:
        config = load_config(template_dir)
    require_trust(source, config, trust)
    questionnaire = questionnaire_for(config, target)
    defaults = _git_defaults(questionnaire.names) if source.is_default else {}
    return questionnaire.resolve(given, use_defaults=use_defaults, ask=ask, defaults=defaults)


def render_template(source: TemplateSource, dest: Path, answers: Mapping[str, Any], trust: bool) -> None:
    """Render SOURCE into DEST with copier, translating its errors into ours."""
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
