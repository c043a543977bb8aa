"""Security and hygiene: pre-commit guards, no committed secrets, a license (MLS6xx)."""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from mlscaffold.check._parse import INVALID, load_yaml
from mlscaffold.check._repo import RepoView
from mlscaffold.check._rule import Rule

__all__ = ["MLS601", "MLS602", "MLS603", "MLS604"]

PRE_COMMIT = ".pre-commit-config.yaml"
SECRET_HOOKS = re.compile(
    r"detect-secrets|gitleaks|trufflehog|ggshield|talisman|detect-private-key", re.IGNORECASE
)
LARGE_FILE_HOOKS = re.compile(r"check-added-large-files|large-file|lfs", re.IGNORECASE)
# Names of files that hold credentials; templates of them (`.env.example`) are fine.
SECRET_FILES = (
    ".env", ".env.*", "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "id_rsa", "id_rsa*",
    "id_dsa*", "id_ecdsa*", "id_ed25519*", ".netrc", ".pypirc", ".npmrc", "credentials.json",
    "*service-account*.json", ".git-credentials", "*.tfvars", "secrets.y*ml",
)  # fmt: skip
SAFE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl", ".pub")
LICENSES = (
    "LICENSE",
    "LICENSE.md",
    "LICENSE.txt",
    "LICENCE",
    "LICENCE.md",
    "LICENCE.txt",
    "COPYING",
    "COPYING.md",
)


def _hooks(ml_repo: RepoView) -> list[dict[str, Any]] | str:
    """Return the configured pre-commit hooks, or a sentence saying why there are none."""
    data = load_yaml(ml_repo.text(PRE_COMMIT))
    if data is INVALID:
        return ml_repo.invalid(PRE_COMMIT, "valid YAML")
    repos = data.get("repos") if isinstance(data, dict) else None
    if not isinstance(repos, list):
        return f"`{PRE_COMMIT}` has no `repos:` list."
    return [
        hook
        for repo in repos
        if isinstance(repo, dict) and isinstance(repo.get("hooks"), list)
        for hook in repo["hooks"]
        if isinstance(hook, dict)
    ]


def _has_hook(hooks: list[dict[str, Any]], pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(f"{hook.get('id', '')} {hook.get('entry', '')}") for hook in hooks)


class Security(Rule):
    """Security and hygiene rules."""

    family = "security"


class MLS601(Security):
    """pre-commit runs secret detection"""

    audits = (".pre-commit-config.yaml", ".secrets.baseline")

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Add a secret scanner to `.pre-commit-config.yaml`, for example the `detect-secrets`
        hook (Yelp/detect-secrets) or `gitleaks`, and run `pre-commit install`, so keys and
        tokens are stopped before they reach a commit.
        """
        hooks = _hooks(ml_repo)
        if isinstance(hooks, str):
            return cls.fail(hooks, missing=ml_repo.missing(PRE_COMMIT))
        if not _has_hook(hooks, SECRET_HOOKS):
            return cls.fail(f"No secret-detection hook in `{PRE_COMMIT}`.", PRE_COMMIT)
        return True


class MLS602(Security):
    """pre-commit guards against large files"""

    audits = (".pre-commit-config.yaml",)

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Add the `check-added-large-files` hook (pre-commit/pre-commit-hooks) to
        `.pre-commit-config.yaml`, so a data set or model is stopped before it reaches git
        (track it with DVC instead).
        """
        hooks = _hooks(ml_repo)
        if isinstance(hooks, str):
            return cls.fail(hooks, missing=ml_repo.missing(PRE_COMMIT))
        if not _has_hook(hooks, LARGE_FILE_HOOKS):
            return cls.fail(f"No large-file hook in `{PRE_COMMIT}`.", PRE_COMMIT)
        return True


def is_secret_file(path: str) -> bool:
    """Tell whether PATH's file name looks like it holds credentials."""
    name = path.rsplit("/", 1)[-1].lower()
    if name.endswith(SAFE_SUFFIXES):
        return False
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in SECRET_FILES)


class MLS603(Security):
    """No secrets-looking files committed"""

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Remove credential files from git (`git rm --cached .env`), add them to `.gitignore`,
        and rotate every secret they held: it stays in the history. Commit a template without
        values instead (`.env.example`).
        """
        found = [t.path for t in ml_repo.tracked_files if is_secret_file(t.path)]
        if found:
            listed = ", ".join(f"`{p}`" for p in found[:10])
            return cls.fail(f"Tracked by git: {listed}.", found[0])
        return True


class MLS604(Security):
    """License file present"""

    audits = ("LICENSE",)

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Add a `LICENSE` file at the root stating the terms the code is under (an open-source
        license, or "Proprietary, all rights reserved" for internal code).
        """
        path = ml_repo.first_file(*LICENSES)
        if path is None:
            return cls.fail("No `LICENSE` file at the root.", missing=ml_repo.missing(LICENSES[0]))
        if not (ml_repo.text(path) or "").strip():
            return cls.fail(ml_repo.problem(path) + ".", path)
        return True
