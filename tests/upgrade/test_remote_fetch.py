"""A remote template is read with `git ls-remote` and fetched only at the versions rendered.

The template repository has many commits between its tags; it is served as a `file://`
URL (git honours `--depth` there as over the network). mlscaffold's mirror must hold the
two versions an upgrade renders, one commit each, and copier must render from it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mlscaffold.errors import TemplateNotFoundError
from mlscaffold.origin import open_origin
from mlscaffold.render import render_template

IDENTITY = ["-c", "user.name=Platform Team", "-c", "user.email=platform@example.com"]
BETWEEN = 30  # commits between two tags


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *IDENTITY, *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


@pytest.fixture
def remote_template(tmp_path: Path) -> Path:
    """Return a template repository with tags v1.0.0, v1.1.0, v1.2.0 and many commits between them."""
    repo = tmp_path / "template-repo"
    (repo / "template").mkdir(parents=True)
    (repo / "copier.yml").write_text(
        "_subdirectory: template\nproject_name:\n  type: str\n  default: demo\n", encoding="utf-8"
    )
    (repo / "template" / "{{_copier_conf.answers_file}}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml }}", encoding="utf-8"
    )
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    notes = repo / "template" / "NOTES.md.jinja"
    for version in ("v1.0.0", "v1.1.0", "v1.2.0"):
        for step in range(BETWEEN):
            notes.write_text(f"# {{{{ project_name }}}}\n\nstep {step} of {version}\n", encoding="utf-8")
            commit(repo, f"work {step} towards {version}")
        git(repo, "tag", "-a", version, "-m", f"Template {version}")
    return repo


def commits_in(mirror: Path) -> int:
    return int(git(mirror, "rev-list", "--all", "--count"))


def test_only_the_rendered_versions_are_fetched_and_copier_renders_them(
    remote_template: Path, tmp_path: Path
) -> None:
    assert commits_in(remote_template) == 3 * BETWEEN
    with open_origin(f"git+file://{remote_template}", render=True) as origin:
        assert origin.versions == ("v1.0.0", "v1.1.0", "v1.2.0")
        assert origin.mirror is not None
        assert commits_in(origin.mirror) == 0  # the tags came from `git ls-remote`
        old, new = origin.source("v1.0.0"), origin.source("v1.2.0")
        origin.source("v1.2.0")  # asked twice, fetched once
        assert git(origin.mirror, "rev-parse", "--is-shallow-repository") == "true"
        assert commits_in(origin.mirror) == 2
        assert set(git(origin.mirror, "tag", "--list").split()) == {"v1.0.0", "v1.2.0"}
        # copier renders from the mirror alone: the repository behind the URL is gone now.
        remote_template.rename(tmp_path / "gone")
        for source, version in ((old, "v1.0.0"), (new, "v1.2.0")):
            dest = tmp_path / version / "demo"
            render_template(source, dest, {"project_name": "demo"}, trust=False)
            assert f"step {BETWEEN - 1} of {version}" in (dest / "NOTES.md").read_text(encoding="utf-8")
            assert f"_commit: {version}" in (dest / ".copier-answers.yml").read_text(encoding="utf-8")


def test_a_template_that_vanishes_between_tags_and_fetch_fails_in_one_line(
    remote_template: Path, tmp_path: Path
) -> None:
    moved = tmp_path / "moved"
    with open_origin(f"git+file://{remote_template}", render=True) as origin:
        remote_template.rename(moved)
        with pytest.raises(TemplateNotFoundError) as caught:
            origin.source("v1.1.0")
    message = str(caught.value)
    assert message.startswith(f"Cannot reach template git+file://{remote_template} (")
    assert message.endswith("check the address and your network, then run again.")
    assert "\n" not in message
