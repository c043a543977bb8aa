"""`mlscaffold status`: which template version each repository of a fleet is on, and what waits.

Local paths are read from their answers file and audited with `check`; an
organisation is read through the GitHub API (its listing, each repository's
answers file on the default branch and its open template-sync pull request),
several repositories at a time. What one repository answers never stops the
others: its failure becomes its own line. The only write is `--dispatch-sync`,
which starts each outdated repository's template-sync workflow on GitHub Actions.
"""

from __future__ import annotations

import enum
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from packaging.version import InvalidVersion, Version

from mlscaffold import yamlio
from mlscaffold.answers_file import ANSWERS_FILE, read_project_answers
from mlscaffold.errors import MlscaffoldError
from mlscaffold.github import GitHubClient, Repository
from mlscaffold.http import DEFAULT_DEADLINE, HttpClient
from mlscaffold.origin import VersionBook
from mlscaffold.template import CANONICAL_URL

__all__ = [
    "SYNC_BRANCH",
    "SYNC_WORKFLOW",
    "CheckSummary",
    "Dispatch",
    "FleetStatus",
    "RepoStatus",
    "State",
    "SyncPull",
    "classify",
    "org_status",
    "path_status",
]

# The branch and workflow file of the generated template-sync workflow (templates/default).
SYNC_BRANCH = "mlscaffold/template-sync"
SYNC_WORKFLOW = "template-sync.yml"
DEFAULT_WORKERS = 8
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")

Progress = Callable[[int, int], None]


class State(str, enum.Enum):
    """Where one repository stands."""

    CURRENT = "current"
    BEHIND = "behind"
    UNKNOWN = "unknown"
    NOT_GENERATED = "not-generated"
    ERROR = "error"


@dataclass(frozen=True)
class CheckSummary:
    """How many `check` rules passed, failed, warned and were skipped."""

    passed: int
    failed: int
    warning: int
    skipped: int


@dataclass(frozen=True)
class SyncPull:
    """The open template-sync pull request."""

    number: int
    url: str


@dataclass(frozen=True)
class Dispatch:
    """What `--dispatch-sync` did for one repository."""

    started: bool
    message: str


@dataclass(frozen=True)
class RepoStatus:
    """One repository's line: STATE and what it rests on; MESSAGE explains anything but current."""

    name: str
    state: State
    template: str | None = None
    version: str | None = None
    newest: str | None = None  # the newest version of the repository's own template
    default_branch: str | None = None
    sync_pull: SyncPull | None = None
    check: CheckSummary | None = None
    dispatch: Dispatch | None = None
    message: str | None = None

    @property
    def needs_action(self) -> bool:
        """Tell whether an upgrade waits or a `check` rule fails."""
        return self.state is State.BEHIND or (self.check is not None and self.check.failed > 0)


@dataclass(frozen=True)
class FleetStatus:
    """Every repository's status, in the order given (paths) or listed (organisation)."""

    source: Literal["paths", "org"]
    newest: str | None
    repositories: tuple[RepoStatus, ...]
    org: str | None = None
    archived: int = 0

    def count(self, state: State) -> int:
        """Return how many repositories are in STATE."""
        return sum(1 for repo in self.repositories if repo.state is state)

    @property
    def needs_action(self) -> bool:
        """Tell whether any repository waits for an upgrade or fails a `check` rule."""
        return any(repo.needs_action for repo in self.repositories)

    @property
    def has_errors(self) -> bool:
        """Tell whether a repository could not be read, or a dispatch failed."""
        return self.count(State.ERROR) > 0 or any(
            repo.dispatch is not None and not repo.dispatch.started for repo in self.repositories
        )


def printable(value: object, limit: int = 200) -> str:
    """Return VALUE as one printable line of at most LIMIT characters (answers files are untrusted)."""
    flat = " ".join(_CONTROL.sub(" ", str(value)).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _is_newer(tag: str, than: str) -> bool:
    try:
        return Version(tag.lstrip("v")) > Version(than.lstrip("v"))
    except InvalidVersion:
        return False


def classify(name: str, src: object, commit: object, versions: VersionBook) -> RepoStatus:  # noqa: PLR0911 - one return per state
    """Return the status of NAME from its recorded template SRC and version COMMIT (among VERSIONS)."""
    template = "default" if src == CANONICAL_URL else printable(src or "unknown", 120)
    version = printable(commit, 60) if commit not in (None, "") else None
    base = RepoStatus(name, State.UNKNOWN, template, version)
    if not src:
        return replace(
            base,
            state=State.ERROR,
            message=f"{ANSWERS_FILE} records no template source (_src_path): restore it",
        )
    if version is None:
        return replace(
            base, state=State.ERROR, message=f"{ANSWERS_FILE} records no template version (_commit): restore it"
        )
    try:
        known, newest = versions.of(str(src))
    except MlscaffoldError as caught:
        return replace(base, message=str(caught))
    ships = "this mlscaffold ships" if src == CANONICAL_URL else "its template has"
    if newest is None:
        return replace(base, message=f"{ships} no versions")
    if version == newest or (version in known and _is_newer(version, newest)):
        return replace(base, state=State.CURRENT, newest=newest)
    if version in known:
        return replace(base, state=State.BEHIND, newest=newest, message=f"upgrade to {newest} available")
    if _is_newer(version, newest):
        fix = ": install a newer mlscaffold" if src == CANONICAL_URL else ""
        return replace(base, message=f"on {version}, newer than {ships}{fix}")
    return replace(base, message=f"on {version}, which is no version {ships}")


class DefaultOnly(VersionBook):
    """The default template's versions; another template's are not read (`--org`: a file in a
    repository must not make this machine reach an address it names)."""

    def of(self, src: str) -> tuple[tuple[str, ...], str | None]:
        """Return the default template's versions and newest; refuse any other template."""
        if src != CANONICAL_URL:
            raise MlscaffoldError(
                "made from another template: `status --org` compares the default template only; "
                "run `mlscaffold status` on a clone to compare it with its template's tags"
            )
        return super().of(src)


def _summary(path: Path) -> CheckSummary:
    # Imported here: `--org` and `--no-check` never load the rules.
    from mlscaffold.check import Status, run_checks

    report = run_checks(path)
    return CheckSummary(*(report.count(status) for status in Status))


def _one_path(path: Path, versions: VersionBook, with_check: bool) -> RepoStatus:
    name = str(path)
    if not path.is_dir():
        return RepoStatus(name, State.ERROR, message=f"{path} is not a directory: give a repository's path")
    try:
        recorded = read_project_answers(path)
    except MlscaffoldError as caught:
        status = RepoStatus(name, State.ERROR, message=str(caught))
    else:
        if recorded is None:
            status = RepoStatus(
                name,
                State.NOT_GENERATED,
                message=f"no {ANSWERS_FILE}: not made from a template (`mlscaffold adopt` brings it under one)",
            )
        else:
            status = classify(name, recorded.src_path, recorded.commit, versions)
    if not with_check:
        return status
    try:
        return replace(status, check=_summary(path))
    except MlscaffoldError as caught:
        note = f"check did not run: {caught}"
        return replace(status, message=f"{status.message}; {note}" if status.message else note)


def path_status(
    paths: Iterable[Path],
    *,
    with_check: bool = True,
    workers: int = DEFAULT_WORKERS,
    progress: Progress | None = None,
) -> FleetStatus:
    """Return the status of each local repository in PATHS (errors become their lines)."""
    versions = VersionBook()
    chosen = list(paths)
    results = _run_all(chosen, lambda path: _one_path(path, versions, with_check), workers, progress)
    statuses = [
        result if isinstance(result, RepoStatus) else RepoStatus(str(path), State.ERROR, message=str(result))
        for path, result in zip(chosen, results, strict=True)
    ]
    return FleetStatus("paths", versions.of(CANONICAL_URL)[1], tuple(statuses))


def _run_all(
    items: Sequence[Any], work: Callable[[Any], RepoStatus], workers: int, progress: Progress | None
) -> list[RepoStatus | MlscaffoldError]:
    """Run WORK on every item, WORKERS at a time, keeping the order; a user-caused error is a result."""
    results: list[RepoStatus | MlscaffoldError | None] = [None] * len(items)

    def guarded(item: Any) -> RepoStatus | MlscaffoldError:
        try:
            return work(item)
        except MlscaffoldError as caught:
            return caught

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="mlscaffold-status")
    try:
        futures = {pool.submit(guarded, item): index for index, item in enumerate(items)}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress is not None:
                progress(done, len(items))
    finally:
        # On an interrupt nothing queued starts (no further dispatch); requests under way end by their deadline.
        pool.shutdown(wait=False, cancel_futures=True)
    return [result for result in results if result is not None]


def parse_answers(text: str, where: str) -> Mapping[str, Any]:
    """Return the mapping an answers file's TEXT holds; raise `MlscaffoldError` for anything else."""
    try:
        data = yamlio.load_text(text)
    except yamlio.UnsafeYAMLError as caught:
        raise MlscaffoldError(f"{ANSWERS_FILE} in {where} is refused ({caught}): restore it from git") from None
    except (yamlio.YAMLError, RecursionError):
        raise MlscaffoldError(f"{ANSWERS_FILE} in {where} is not valid YAML: restore it from git") from None
    if not isinstance(data, Mapping):
        raise MlscaffoldError(f"{ANSWERS_FILE} in {where} is not a YAML mapping: restore it from git")
    return data


class _Clients:
    """One API client per worker thread: a session's connections are reused, never shared."""

    def __init__(self, make: Callable[[], GitHubClient]) -> None:
        self._make = make
        self._local = threading.local()
        self._all: list[GitHubClient] = []
        self._lock = threading.Lock()

    def get(self) -> GitHubClient:
        client: GitHubClient | None = getattr(self._local, "client", None)
        if client is None:
            client = self._make()
            self._local.client = client
            with self._lock:
                self._all.append(client)
        # Each repository gets the whole deadline: a slow one does not eat the next one's time.
        client.http.restart_deadline()
        return client

    def close(self) -> None:
        for client in self._all:
            client.http.close()


def _one_repository(
    client: GitHubClient, repo: Repository, versions: VersionBook, dispatch: bool
) -> RepoStatus:
    if repo.default_branch is None:
        return RepoStatus(repo.full_name, State.ERROR, message="the API listed no valid default branch for it")
    text = client.read_file(repo.full_name, ANSWERS_FILE, repo.default_branch)
    if text is None:
        return RepoStatus(
            repo.full_name,
            State.NOT_GENERATED,
            default_branch=repo.default_branch,
            message=f"no {ANSWERS_FILE} on {repo.default_branch}: not made from a template",
        )
    data = parse_answers(text, repo.full_name)
    status = replace(
        classify(repo.full_name, data.get("_src_path"), data.get("_commit"), versions),
        default_branch=repo.default_branch,
    )
    if status.state is State.ERROR:
        return status
    pull = client.find_pull(repo.full_name, SYNC_BRANCH, repo.default_branch)
    if pull is not None:
        status = replace(status, sync_pull=SyncPull(*pull))
    if dispatch and status.state is State.BEHIND:
        try:
            client.dispatch_workflow(repo.full_name, SYNC_WORKFLOW, repo.default_branch)
        except MlscaffoldError as caught:
            return replace(status, dispatch=Dispatch(started=False, message=str(caught)))
        message = f"started {SYNC_WORKFLOW} on {repo.default_branch}"
        status = replace(status, dispatch=Dispatch(started=True, message=message))
    return status


def org_status(
    owner: str,
    *,
    token: str,
    api_url: str,
    deadline: float = DEFAULT_DEADLINE,
    workers: int = DEFAULT_WORKERS,
    dispatch: bool = False,
    progress: Progress | None = None,
) -> FleetStatus:
    """Return the status of every repository of OWNER on GitHub; start outdated ones' syncs when DISPATCH.

    Raise `MlscaffoldError` only when the listing itself cannot be read.
    """
    versions = DefaultOnly()
    lister = GitHubClient(token, api_url, HttpClient(deadline=deadline))
    try:
        listed = lister.list_repositories(owner)
    finally:
        lister.http.close()
    active = [repo for repo in listed if not repo.archived]
    clients = _Clients(lambda: GitHubClient(token, api_url, HttpClient(deadline=deadline)))
    try:
        results = _run_all(
            active, lambda repo: _one_repository(clients.get(), repo, versions, dispatch), workers, progress
        )
    finally:
        clients.close()
    statuses = [
        result
        if isinstance(result, RepoStatus)
        else RepoStatus(repo.full_name, State.ERROR, default_branch=repo.default_branch, message=str(result))
        for repo, result in zip(active, results, strict=True)
    ]
    return FleetStatus(
        "org",
        versions.of(CANONICAL_URL)[1],
        tuple(statuses),
        org=owner,
        archived=len(listed) - len(active),
    )
