"""A fresh loopback GitHub API per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.fake_github import FakeGitHub, serve_github


@pytest.fixture
def github_api() -> Iterator[FakeGitHub]:
    """Serve a GitHub API with repository my-org/demo (branches main and the sync branch)."""
    api = FakeGitHub()
    api.add_repository("my-org/demo", "mlscaffold/template-sync")
    with serve_github(api) as served:
        yield served
