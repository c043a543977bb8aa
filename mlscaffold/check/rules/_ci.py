"""CI/CD: workflows present, least-privilege permissions, pinned actions and workflows (MLS5xx)."""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from mlscaffold.check._fixtures import WORKFLOW_DIR, Workflow
from mlscaffold.check._parse import INVALID, load_yaml, walk_key
from mlscaffold.check._repo import RepoView
from mlscaffold.check._rule import Rule

__all__ = ["MLS501", "MLS502", "MLS503", "MLS504"]

FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
RELEASE_TAG = re.compile(r"^v\d+\.\d+\.\d+(\.dev\d+)?$")
# mlscaffold's reusable workflows and actions: OWNER/mlscaffold/... (a fork's name comes from zizmor.yml).
MLSCAFFOLD_TARGET = re.compile(r"^[^/]+/mlscaffold/\.github/")
# What a repository without workflows is missing (one key, so the absence is reported once).
WORKFLOW_FILES = f"{WORKFLOW_DIR}/*.yml"
ZIZMOR_CONFIGS = (".github/zizmor.yml", ".github/zizmor.yaml", "zizmor.yml", "zizmor.yaml")


def _uses(files: tuple[Workflow, ...]) -> list[tuple[str, int | None, str]]:
    """Return (file, line, value) for every `uses:` string in FILES."""
    return [
        (wf.path, line, value)
        for wf in files
        if wf.data is not INVALID
        for value, line in walk_key(wf.data, "uses")
        if isinstance(value, str)
    ]


def _ref_pinned_patterns(ml_repo: RepoView) -> list[str]:
    """Return the `uses:` patterns zizmor's configuration allows to be pinned by tag."""
    path = ml_repo.first_file(*ZIZMOR_CONFIGS)
    data = load_yaml(ml_repo.text(path)) if path else None
    if not isinstance(data, dict):
        return []
    try:
        policies = data["rules"]["unpinned-uses"]["config"]["policies"]
        return [str(k) for k, v in policies.items() if v == "ref-pin" and str(k) != "*"]
    except (KeyError, TypeError, AttributeError):
        return []


def _no_workflows(rule: type[Rule], ml_repo: RepoView) -> str:
    """Fail RULE for a repository without workflows, saying when the folder leaves the repository."""
    escape = ml_repo.outside(WORKFLOW_DIR)
    if escape is not None:
        return rule.fail(f"`{escape}` is a symlink that leads outside the repository; not followed.", escape)
    return rule.fail(f"No `{WORKFLOW_FILES}` files found.", missing=WORKFLOW_FILES)


def is_mlscaffold_target(target: str, patterns: list[str]) -> bool:
    """Tell whether a `uses:` TARGET is one of mlscaffold's (or a fork's) reusable workflows or actions."""
    return bool(MLSCAFFOLD_TARGET.match(target)) or any(fnmatch.fnmatchcase(target, p) for p in patterns)


class CI(Rule):
    """CI/CD rules."""

    family = "ci"


class MLS501(CI):
    """GitHub Actions workflows present"""

    audits = (".github/workflows/*",)

    @classmethod
    def check(cls, ml_repo: RepoView, workflows: tuple[Workflow, ...]) -> bool | str:
        """
        Add workflows under `.github/workflows/`: CI (lint, tests, pipeline), training, image
        build and push, a scheduled drift check and a scheduled template sync, each calling
        mlscaffold's reusable workflows. `mlscaffold new` writes them.
        """
        leaving = ml_repo.links_leaving(WORKFLOW_DIR, (".yml", ".yaml"))
        if leaving:
            return cls.fail(ml_repo.problem(leaving[0]) + ".", leaving[0])
        if not workflows:
            return _no_workflows(cls, ml_repo)
        broken = [wf.path for wf in workflows if not isinstance(wf.data, dict) or "jobs" not in wf.data]
        if broken:
            return cls.fail(
                f"Not a valid workflow (YAML with `jobs:`): {', '.join(f'`{p}`' for p in broken)}.", broken[0]
            )
        return True


def _writes(permissions: Any) -> bool:
    if permissions == "write-all":
        return True
    return isinstance(permissions, dict) and any(v == "write" for v in permissions.values())


class MLS502(CI):
    """Workflows declare least-privilege permissions"""

    audits = (".github/workflows/*",)
    requires = frozenset({"MLS501"})

    @classmethod
    def check(cls, ml_repo: RepoView, workflows: tuple[Workflow, ...]) -> bool | str:
        """
        Declare `permissions:` in every workflow: `permissions: {{}}` (or `contents: read`) at
        the top, and only the scopes a job needs on that job (`packages: write` on the job
        that pushes an image). Never `write-all`, and no write scope at the top of a workflow
        with several jobs.
        """
        if not workflows:
            return _no_workflows(cls, ml_repo)
        for wf in workflows:
            if not isinstance(wf.data, dict):
                return cls.fail(f"`{wf.path}` is not a valid workflow.", wf.path)
            jobs = wf.data.get("jobs")
            jobs = jobs if isinstance(jobs, dict) else {}
            top = wf.data.get("permissions")
            if "permissions" not in wf.data and (
                not jobs or any(not isinstance(j, dict) or "permissions" not in j for j in jobs.values())
            ):
                return cls.fail(
                    f"`{wf.path}` does not declare `permissions:`, so it gets the token's defaults.", wf.path
                )
            for value, line in walk_key(wf.data, "permissions"):
                if value == "write-all":
                    return cls.fail(f"`{wf.path}` grants `write-all`.", wf.path, line)
            if len(jobs) > 1 and _writes(top):
                return cls.fail(f"`{wf.path}` grants write scopes to all its jobs at the top level.", wf.path)
        return True


class MLS503(CI):
    """Third-party actions pinned by full commit SHA"""

    audits = (".github/workflows/*", ".github/zizmor.yml")
    requires = frozenset({"MLS501"})

    @classmethod
    def check(
        cls, ml_repo: RepoView, workflows: tuple[Workflow, ...], actions: tuple[Workflow, ...]
    ) -> bool | str:
        """
        Pin every third-party action and reusable workflow to a full 40-character commit SHA
        with the tag in a comment: `uses: actions/checkout@<sha> # v4.2.2` (Dependabot keeps
        both up to date). A tag or branch can be moved to malicious code. Only mlscaffold's own
        workflows may use a release tag (see `.github/zizmor.yml`).
        """
        if not workflows:
            return _no_workflows(cls, ml_repo)
        patterns = _ref_pinned_patterns(ml_repo)
        for path, line, value in _uses(workflows + actions):
            if value.startswith("./"):
                continue
            if value.startswith("docker://"):
                if "@sha256:" not in value:
                    return cls.fail(f"`{value}` in `{path}` is not pinned by digest.", path, line)
                continue
            target, _, ref = value.partition("@")
            if is_mlscaffold_target(target, patterns):
                continue
            if not FULL_SHA.match(ref):
                return cls.fail(f"`{value}` in `{path}` is not pinned by a full commit SHA.", path, line)
        return True


def _recorded_version(ml_repo: RepoView) -> str | None:
    data = load_yaml(ml_repo.text(".copier-answers.yml"))
    commit = data.get("_commit") if isinstance(data, dict) else None
    return str(commit) if commit is not None and RELEASE_TAG.match(str(commit)) else None


class MLS504(CI):
    """mlscaffold's reusable workflows pinned to the project's release"""

    audits = (".github/workflows/*",)

    @classmethod
    def check(cls, ml_repo: RepoView, workflows: tuple[Workflow, ...]) -> bool | str:
        """
        Call mlscaffold's reusable workflows instead of copying CI logic, pinned to the exact
        release the project was generated from or last upgraded to:
        `uses: OWNER/mlscaffold/.github/workflows/ci.yml@vX.Y.Z` (never a branch or a moving
        `@v1`). `mlscaffold upgrade` moves these references for you.
        """
        # Not `requires = {"MLS501"}`: MLS501 also fails when one workflow among valid ones is
        # broken, and the valid ones must still be judged here. Without any workflow, this
        # fails with the same missing path as MLS501, so the runner skips it naming MLS501.
        if not workflows:
            return _no_workflows(cls, ml_repo)
        patterns = _ref_pinned_patterns(ml_repo)
        calls = [
            (p, line, v)
            for p, line, v in _uses(workflows)
            if is_mlscaffold_target(v.partition("@")[0], patterns)
        ]
        if not calls:
            return cls.fail("No workflow calls mlscaffold's reusable workflows.")
        recorded = _recorded_version(ml_repo)
        for path, line, value in calls:
            ref = value.partition("@")[2]
            if not (RELEASE_TAG.match(ref) or FULL_SHA.match(ref)):
                return cls.fail(f"`{value}` in `{path}` is not pinned to a release `@vX.Y.Z`.", path, line)
            if recorded and RELEASE_TAG.match(ref) and ref != recorded:
                detail = f"`{value}` in `{path}` is not the project's template version `{recorded}`."
                return cls.fail(detail, path, line)
        return True
