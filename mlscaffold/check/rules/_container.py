"""Container: a multi-stage Dockerfile, a non-root user, a health check, a .dockerignore (MLS4xx)."""

from __future__ import annotations

import re

from mlscaffold.check._parse import Instruction, dockerfile_stages
from mlscaffold.check._repo import RepoView
from mlscaffold.check._rule import Rule

__all__ = ["MLS401", "MLS402", "MLS403", "MLS404"]

DOCKERFILES = ("Dockerfile", "Containerfile", "docker/Dockerfile")
_ROOT_USER = re.compile(r"^(root|0)(:.*)?$")


def _final_stage(ml_repo: RepoView) -> tuple[str, list[Instruction] | None, str]:
    """Return the Dockerfile's path, its final stage (None when unusable) and why it is unusable.

    The Dockerfile is missing when the stage is None and `ml_repo.missing(path)` says so.
    """
    path = ml_repo.first_file(*DOCKERFILES) or DOCKERFILES[0]
    text = ml_repo.text(path)
    if text is None:
        return path, None, ml_repo.problem(path) + "."
    stages = dockerfile_stages(text)
    if not stages:
        return path, None, f"`{path}` has no `FROM` instruction."
    return path, stages[-1], ""


class Container(Rule):
    """Container rules."""

    family = "container"


class MLS401(Container):
    """Dockerfile is multi-stage"""

    audits = ("Dockerfile",)

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Build the image in a `Dockerfile` with at least two stages: a builder stage
        (`FROM python:3.12-slim AS build`) that installs dependencies, and a slim runtime
        stage that copies only what serving needs (`COPY --from=build ...`).
        """
        path = ml_repo.first_file(*DOCKERFILES) or DOCKERFILES[0]
        text = ml_repo.text(path)
        if text is None:
            return cls.fail(ml_repo.problem(path) + ".", missing=ml_repo.missing(path))
        stages = dockerfile_stages(text)
        if len(stages) < 2:
            return cls.fail(f"`{path}` has {len(stages)} stage{'s' if len(stages) != 1 else ''}.", path)
        return True


class MLS402(Container):
    """Container runs as a non-root user"""

    audits = ("Dockerfile",)

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Create an unprivileged user in the final stage and switch to it before `CMD`:
        `RUN useradd --create-home --uid 10001 app` then `USER app` (never `root` or `0`).
        """
        path, stage, problem = _final_stage(ml_repo)
        if stage is None:
            return cls.fail(problem, missing=ml_repo.missing(path))
        users = [i for i in stage if i.keyword == "USER"]
        if not users:
            return cls.fail(
                f"The final stage of `{path}` sets no `USER`, so it runs as root.", path, stage[0].line
            )
        last = users[-1]
        if _ROOT_USER.match(last.args.strip()):
            return cls.fail(f"The final stage of `{path}` runs as `{last.args}`.", path, last.line)
        return True


class MLS403(Container):
    """Container declares a HEALTHCHECK"""

    audits = ("Dockerfile",)

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Add a `HEALTHCHECK` to the final stage so the runtime can restart an unhealthy
        container, for example `HEALTHCHECK CMD python -c "import urllib.request;
        urllib.request.urlopen('http://localhost:8000/health')"`.
        """
        path, stage, problem = _final_stage(ml_repo)
        if stage is None:
            return cls.fail(problem, missing=ml_repo.missing(path))
        checks = [i for i in stage if i.keyword == "HEALTHCHECK"]
        if not checks:
            return cls.fail(f"The final stage of `{path}` has no `HEALTHCHECK`.", path, stage[0].line)
        if checks[-1].args.strip().upper() == "NONE":
            return cls.fail(f"`{path}` disables the health check (`HEALTHCHECK NONE`).", path, checks[-1].line)
        return True


def _excludes(patterns: list[str], name: str) -> bool:
    for pattern in patterns:
        bare = pattern.removeprefix("**/").removeprefix("/").rstrip("/")
        if bare in {"*", "**", name} or (bare.startswith(name) and bare[len(name) :] in {"*", "/**", "/*"}):
            return True
    return False


class MLS404(Container):
    """.dockerignore keeps git history and secrets out of the image"""

    audits = (".dockerignore",)

    @classmethod
    def check(cls, ml_repo: RepoView) -> bool | str:
        """
        Add a `.dockerignore` next to the Dockerfile that excludes at least `.git` and `.env`
        (and usually `data/`, `models/`, `.venv`), so the build context stays small and no
        secret or history ends up in an image layer.
        """
        text = ml_repo.text(".dockerignore")
        if text is None:
            return cls.fail(ml_repo.problem(".dockerignore") + ".", missing=ml_repo.missing(".dockerignore"))
        patterns = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
        missing = [name for name in (".git", ".env") if not _excludes(patterns, name)]
        if missing:
            return cls.fail(
                f"`.dockerignore` does not exclude {' or '.join(f'`{m}`' for m in missing)}.", ".dockerignore"
            )
        return True
