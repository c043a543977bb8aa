"""Helpers for the fleet worlds of `mlscaffold status` tests and benchmarks."""

from __future__ import annotations

from mlscaffold.template import CANONICAL_URL


def answers_text(version: str, src: str = CANONICAL_URL) -> bytes:
    """Return an answers file as `mlscaffold new` writes it, recording VERSION of SRC."""
    return (
        "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
        f"_commit: {version}\n_src_path: {src}\nproject_name: demo\npackage_name: demo\n"
    ).encode()
