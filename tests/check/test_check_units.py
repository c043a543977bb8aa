"""Units of the check package: parsers, the runner's ordering and its guard, and edge branches of rules."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from mlscaffold.check import Rule, Status, run_checks
from mlscaffold.check._parse import dockerfile_stages, markdown_sections
from mlscaffold.check._repo import RepoView

from support.check_repos import SHA, commit_all, make_repo, write_files


def test_dockerfile_stages_follow_escape_directive_continuations_and_comments() -> None:
    text = "# escape=`\nFROM a AS b\nRUN x `\n# comment inside\n  && y\nfrom c\nuser `\n  app\n"
    stages = dockerfile_stages(text)
    assert [[i.keyword for i in s] for s in stages] == [["FROM", "RUN"], ["FROM", "USER"]]
    assert stages[0][1].args == "x  && y"
    assert stages[1][1].args == "app" and stages[1][1].line == 7


def test_markdown_sections_ignore_headings_in_code_fences_and_include_subsections() -> None:
    text = "# T\n## Risks\n### Bias\ntext here\n```\n## Not a heading\n```\n## Roles\nAda\n"
    sections = {s.heading: s for s in markdown_sections(text)}
    assert list(sections) == ["T", "Risks", "Bias", "Roles"]
    assert "text here" in sections["Risks"].body and "Ada" not in sections["Risks"].body


class Base(Rule):
    family = "scoping"
    calls: ClassVar[list[str]] = []


class MLS901(Base):
    """Always fails"""

    @staticmethod
    def check() -> bool:
        """Fix it."""
        return False


class MLS902(Base):
    """Needs MLS901"""

    requires = frozenset({"MLS901"})

    @staticmethod
    def check() -> bool:
        """Never runs."""
        raise AssertionError


class MLS903(Base):
    """Crashes"""

    @staticmethod
    def check(ml_repo: RepoView) -> bool:
        """Unreachable."""
        raise ValueError(str(ml_repo.root))


class MLS904(Base):
    """Skips"""

    @staticmethod
    def check() -> None:
        """Skipped."""


def test_runner_orders_by_requires_guards_crashes_and_skips(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"README.md": "x\n"})
    report = run_checks(repo, rules=(MLS901, MLS902, MLS903, MLS904))
    got = {r.id: (r.status, r.message) for r in report.results}
    assert got["MLS901"] == (Status.FAILED, "Fix it.")
    assert got["MLS902"] == (Status.SKIPPED, "Skipped until MLS901 passes: fix that first.")
    assert got["MLS903"][0] is Status.SKIPPED
    assert got["MLS903"][1].startswith("MLS903 could not run (ValueError: ")
    assert got["MLS904"] == (Status.SKIPPED, "")


def test_ci_rules_flag_write_all_top_level_writes_and_unpinned_docker(good_repo: Path) -> None:
    workflow = (
        "on: push\npermissions:\n  contents: write\njobs:\n"
        "  a:\n    runs-on: x\n    steps:\n      - uses: docker://alpine:3\n"
        f"  b:\n    runs-on: x\n    permissions: write-all\n    steps:\n      - uses: a/b@{SHA}\n"
    )
    write_files(good_repo, {".github/workflows/more.yml": workflow})
    commit_all(good_repo)
    messages = {r.id: r.message for r in run_checks(good_repo).results}
    assert messages["MLS502"].startswith("`.github/workflows/more.yml` grants `write-all`.")
    assert messages["MLS503"].startswith(
        "`docker://alpine:3` in `.github/workflows/more.yml` is not pinned by digest."
    )
    write_files(good_repo, {".github/workflows/more.yml": workflow.replace("write-all", "{}")})
    messages = {r.id: r.message for r in run_checks(good_repo).results}
    assert messages["MLS502"].startswith("`.github/workflows/more.yml` grants write scopes to all its jobs")


def test_sync_rule_warns_when_behind_or_foreign(good_repo: Path) -> None:
    write_files(good_repo, {".copier-answers.yml": "_commit: v0.1.0\n_src_path: gh:someone/else\n"})
    result = next(r for r in run_checks(good_repo).results if r.id == "MLS701")
    assert result.status is Status.WARNING
    assert result.message.startswith("`.copier-answers.yml` records another template (gh:someone/else).")
    write_files(good_repo, {".copier-answers.yml": "- a list\n"})
    result = next(r for r in run_checks(good_repo).results if r.id == "MLS701")
    assert result.message.startswith("`.copier-answers.yml` is not a YAML mapping.")


def test_repo_view_reads_nothing_outside_the_repository(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret\n", encoding="utf-8")
    repo = make_repo(tmp_path / "repo", {"inside/real.txt": "inside\n", "README.md": "x\n"})
    (repo / "abs.txt").symlink_to(outside / "secret.txt")
    (repo / "rel.txt").symlink_to("../outside/secret.txt")
    (repo / "up").symlink_to("..", target_is_directory=True)
    (repo / "ok.txt").symlink_to("inside/real.txt")
    (repo / "linked").symlink_to("inside", target_is_directory=True)
    view = RepoView(repo)
    assert [view.outside(p) for p in ("abs.txt", "rel.txt", "up/outside/secret.txt", "ok.txt")] == [
        "abs.txt",
        "rel.txt",
        "up",
        None,
    ]
    assert view.text("abs.txt") is None
    assert view.problem("abs.txt") == "`abs.txt` leads outside the repository; not followed"
    assert view.problem("up/outside/secret.txt") == (
        "`up/outside/secret.txt` leads outside the repository (through the symlink `up`); not followed"
    )
    assert not view.is_file("rel.txt")
    assert not view.is_dir("up")
    assert view.files_under("up") == []
    assert view.text("ok.txt") == "inside\n"
    assert view.files_under("linked") == ["linked/real.txt"]
    assert view.first_file("missing.txt", "abs.txt", "ok.txt") == "ok.txt"
    assert view.first_file("missing.txt", "abs.txt") == "abs.txt"
    assert view.first_file("missing.txt") is None
    assert view.links_leaving(".", (".txt",)) == ["abs.txt", "rel.txt"]


def test_repo_view_bounded_reader_refuses_fifos_and_oversized_files(tmp_path: Path) -> None:
    import os

    from mlscaffold.check._repo import _read_regular_file

    os.mkfifo(tmp_path / "fifo")
    assert _read_regular_file(str(tmp_path / "fifo"), 10) is None  # returns at once: no writer needed
    (tmp_path / "big").write_bytes(b"x" * 11)
    assert _read_regular_file(str(tmp_path / "big"), 10) is None
    assert _read_regular_file(str(tmp_path / "big"), 11) == b"x" * 11
