"""Print GITHUB_OUTPUT lines saying whether this runner can reach the project's DVC data.

    has-lock=true|false        a dvc.lock is committed (it names the data versions to pull)
    remote=NAME                the default remote ("" when none)
    remote-kind=none|local|url
    remote-reachable=true|false  a remote is set and is a URL (s3, gs, azure, ...; its
                               credentials are only tested by `dvc pull`/`dvc push`) or
                               a local directory this runner has
    data-reachable=true|false  has-lock and remote-reachable: `dvc pull` can be tried
    reason=...                 one line saying what to configure when false

Runs in the project's environment (`uv run --no-sync python data_reach.py`): DVC's own
configuration reader resolves a local remote's relative path as `dvc pull` would.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def _remote() -> tuple[str, str]:
    """Return the default remote's name and URL (resolved), or ("", "")."""
    from dvc.repo import Repo

    config = Repo().config
    name = str(config.get("core", {}).get("remote", "") or "")
    url = str(config.get("remote", {}).get(name, {}).get("url", "")) if name else ""
    return name, url


def main() -> int:
    """Print the outputs; always exit 0 (what is missing is reported, not failed)."""
    has_lock = Path("dvc.lock").is_file()
    name, url = _remote()
    kind = "none" if not url else ("url" if re.match(r"^[a-z][a-z0-9+.-]*://", url) else "local")
    remote_reachable = kind == "url" or (kind == "local" and Path(url).is_dir())
    reason = ""
    if not has_lock:
        reason = (
            "no dvc.lock is committed, so no version of the data can be pulled: run `make pipeline`, "
            "`uv run dvc push` to a remote this runner can reach, and commit dvc.lock"
        )
    elif kind == "none":
        reason = (
            "the project has no default DVC remote: add one (`uv run dvc remote add -d storage "
            "s3://BUCKET/PATH`, or gs:// or azure://), `uv run dvc push`, and commit .dvc/config"
        )
    elif not remote_reachable:
        reason = (
            f"the DVC remote '{name}' is a local directory ({url}) that this runner cannot reach: use a "
            "cloud remote (s3, gcs or azure, with the workflow's OIDC inputs) or a self-hosted runner "
            "that mounts it"
        )
    print(f"has-lock={'true' if has_lock else 'false'}")
    print(f"remote={name}")
    print(f"remote-kind={kind}")
    print(f"remote-reachable={'true' if remote_reachable else 'false'}")
    print(f"data-reachable={'false' if reason else 'true'}")
    print(f"reason={' '.join(reason.split())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
