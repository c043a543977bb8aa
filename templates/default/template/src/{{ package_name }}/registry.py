"""A model registry in git tags, in the tag format of iterative's GTO (`gto show` reads it).

- `NAME@vX.Y.Z` (annotated) registers the model of the tagged commit; its message holds
  the model's id, data hash, parameters and evaluation summary as JSON.
- `NAME#STAGE#N` (annotated) assigns a registered version to a stage; the newest
  assignment of a stage wins.

Tags are local until pushed (`make promote` prints the `git push`); a pushed stage tag
starts the Deploy workflow for that stage (.github/workflows/deploy.yml).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STAGES = ("staging", "production")
# Files whose committed state must match the working tree before a model is registered.
TRACKED = ("dvc.lock", "reports/metrics.json")
_VERSION = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")


class RegistryError(ValueError):
    """The registry cannot do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class Version:
    """One registered version: its semantic version, the commit and the recorded facts."""

    name: str
    version: str
    commit: str
    record: dict[str, Any]

    @property
    def key(self) -> tuple[int, int, int]:
        match = _VERSION.match(self.version)
        assert match is not None
        return int(match[1]), int(match[2]), int(match[3])


def _git(*args: str, cwd: Path | None = None) -> str:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError:
        message = "git is not installed: the registry keeps versions in git tags"
        raise RegistryError(message) from None
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise RegistryError(f"git {args[0]} failed: {detail}")
    return proc.stdout


def _tags(pattern: str, cwd: Path | None) -> list[tuple[str, str, str]]:
    """Return (tag, commit, message) for each tag matching `pattern`."""
    fields = "%(refname:strip=2)%00%(*objectname)%00%(objectname)%00%(contents)%00%00"
    out = _git("for-each-ref", f"--format={fields}", f"refs/tags/{pattern}", cwd=cwd)
    found = []
    for entry in out.split("\0\0"):
        parts = entry.strip("\n").split("\0")
        if len(parts) >= 4:
            tag, peeled, direct, message = parts[:4]
            found.append((tag, peeled or direct, message))
    return found


def _record(message: str) -> dict[str, Any]:
    _, _, body = message.partition("\n\n")
    try:
        record = json.loads(body)
    except json.JSONDecodeError:
        return {}
    return record if isinstance(record, dict) else {}


def versions(name: str, cwd: Path | None = None) -> list[Version]:
    """Return the registered versions of `name`, oldest first."""
    found = []
    for tag, commit, message in _tags(f"{name}@v*", cwd):
        version = tag.split("@", 1)[1]
        if _VERSION.match(version):
            found.append(Version(name, version, commit, _record(message)))
    return sorted(found, key=lambda item: item.key)


def find(name: str, version: str, cwd: Path | None = None) -> Version:
    """Return the registered `version` of `name`, or raise RegistryError naming the known ones."""
    known = versions(name, cwd)
    for entry in known:
        if entry.version == version:
            return entry
    listed = ", ".join(entry.version for entry in known) or "none yet"
    raise RegistryError(f"{name} {version} is not registered (registered: {listed})")


def _check_committed(cwd: Path | None) -> str:
    try:
        head = _git("rev-parse", "--verify", "--quiet", "HEAD", cwd=cwd).strip()
    except RegistryError:
        raise RegistryError(
            f"this repository has no commit yet: commit {', '.join(TRACKED)} first"
        ) from None
    changed = _git("status", "--porcelain", "--", *TRACKED, cwd=cwd).strip()
    if changed:
        raise RegistryError(
            f"{', '.join(TRACKED)} have changes not committed: commit them first,"
            " so the registered version points at the commit that holds the model"
        )
    return head


def register(name: str, record: dict[str, Any], cwd: Path | None = None) -> tuple[Version, bool]:
    """Register the model described by `record` at HEAD; return it and whether it is new.

    A model already registered (same `id`) keeps its version. A new one gets the next
    minor version (v0.1.0, v0.2.0, ...).
    """
    known = versions(name, cwd)
    for entry in known:
        if entry.record.get("id") == record.get("id"):
            return entry, False
    head = _check_committed(cwd)
    major, minor, _ = known[-1].key if known else (0, 0, 0)
    version = f"v{major}.{minor + 1}.0"
    message = f"Registering artifact {name} version {version}\n\n" + json.dumps(
        record, indent=2, sort_keys=True
    )
    _git("tag", "-a", f"{name}@{version}", "-m", message, head, cwd=cwd)
    return Version(name, version, head, record), True


def stages(name: str, cwd: Path | None = None) -> dict[str, str]:
    """Return the version each stage holds now (its newest assignment)."""
    newest: dict[str, tuple[int, str]] = {}
    for tag, _, message in _tags(f"{name}#*", cwd):
        parts = tag.split("#")
        if len(parts) != 3 or not parts[2].isdigit():
            continue
        stage, number = parts[1], int(parts[2])
        version = message.split(" version ")[-1].split()[0] if " version " in message else ""
        if stage not in newest or number > newest[stage][0]:
            newest[stage] = (number, version)
    return {stage: version for stage, (_, version) in sorted(newest.items())}


def ever_assigned(name: str, stage: str, cwd: Path | None = None) -> set[str]:
    """Return every version that was ever assigned to `stage`."""
    return {
        message.split(" version ")[-1].split()[0]
        for tag, _, message in _tags(f"{name}#{stage}#*", cwd)
        if " version " in message
    }


def assign(name: str, entry: Version, stage: str, cwd: Path | None = None) -> str:
    """Assign the registered `entry` to `stage` with a new `NAME#STAGE#N` tag; return the tag."""
    numbers = [
        int(tag.rsplit("#", 1)[1])
        for tag, _, _ in _tags(f"{name}#*", cwd)
        if tag.rsplit("#", 1)[1].isdigit()
    ]
    tag = f"{name}#{stage}#{max(numbers, default=0) + 1}"
    message = f"Assigning stage {stage} to artifact {name} version {entry.version}"
    _git("tag", "-a", tag, "-m", message, entry.commit, cwd=cwd)
    return tag


def history(name: str, cwd: Path | None = None) -> list[str]:
    """Return one line per registered version: version, model id, main metrics, stages."""
    held: dict[str, list[str]] = {}
    for stage, version in stages(name, cwd).items():
        held.setdefault(version, []).append(stage)
    lines = []
    for entry in versions(name, cwd):
        metrics = entry.record.get("summary", {}).get("metrics", {})
        shown = ", ".join(f"{key} {value:.4f}" for key, value in sorted(metrics.items()))
        where = f" [{', '.join(held[entry.version])}]" if entry.version in held else ""
        lines.append(
            f"{name}@{entry.version} model {entry.record.get('id', '?')} commit"
            f" {entry.commit[:12]}: {shown}{where}"
        )
    return lines
