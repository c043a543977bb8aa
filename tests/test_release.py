"""The release script cuts versions into the bundle, bumps, commits and tags, or refuses clearly."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

import pytest

from mlscaffold.bundle import list_versions, tree_of_directory, tree_of_version

from support.bundles import file_at
from support.git_worlds import git, load_script

ROOT = Path(__file__).resolve().parent.parent


def load_release_script() -> ModuleType:
    return load_script("release")


@pytest.fixture
def release_checkout(tmp_path: Path) -> Path:
    """Return a small mlscaffold-shaped repository with the real template and no release."""
    repo = tmp_path / "mlscaffold-checkout"
    shutil.copytree(ROOT / "templates", repo / "templates")
    (repo / "mlscaffold").mkdir()
    (repo / "mlscaffold" / "__init__.py").write_text('__version__ = "0.0.0"\n', encoding="utf-8")
    (repo / "CHANGELOG.md").write_text("# Changelog\n\n## [0.1.0] - 2026-01-01\n", encoding="utf-8")
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "start", cwd=repo)
    return repo


def test_release_cuts_tags_and_bumps(release_checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release = load_release_script()
    assert release.main(["0.1.0"], root=release_checkout) == 0
    bundle = release_checkout / "mlscaffold" / "templates" / "default.bundle"
    assert list_versions(bundle) == ["v0.1.0"]
    assert tree_of_version(bundle, "v0.1.0") == tree_of_directory(release_checkout / "templates" / "default")
    assert '__version__ = "0.1.0"' in (release_checkout / "mlscaffold" / "__init__.py").read_text(
        encoding="utf-8"
    )
    assert git("describe", "--exact-match", "HEAD", cwd=release_checkout) == "v0.1.0"
    assert git("status", "--porcelain", cwd=release_checkout) == ""
    assert "committed and tagged v0.1.0" in capsys.readouterr().out

    # A second release needs a change and release notes; the first version stays as it was.
    readme = release_checkout / "templates" / "default" / "template" / "README.md.jinja"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    changelog = release_checkout / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text(encoding="utf-8") + "\n## [0.2.0] - 2026-02-01\n", encoding="utf-8"
    )
    git("commit", "-qam", "change", cwd=release_checkout)
    assert release.main(["0.2.0"], root=release_checkout) == 0
    assert list_versions(bundle) == ["v0.1.0", "v0.2.0"]
    assert "More." not in (file_at(bundle, "v0.1.0", "template/README.md.jinja") or "")
    assert "More." in (file_at(bundle, "v0.2.0", "template/README.md.jinja") or "")


@pytest.mark.parametrize(
    ("setup", "version", "message"),
    [
        ("none", "1.0", "is not MAJOR.MINOR.PATCH"),
        ("dirty", "0.1.0", "uncommitted changes"),
        ("none", "0.9.0", "no '## [0.9.0]' section"),
        ("ignored", "0.1.0", "git-ignored files under templates/"),
    ],
)
def test_release_refuses(
    release_checkout: Path, capsys: pytest.CaptureFixture[str], setup: str, version: str, message: str
) -> None:
    release = load_release_script()
    if setup == "dirty":
        (release_checkout / "templates" / "default" / "new.txt").write_text("x", encoding="utf-8")
    if setup == "ignored":
        (release_checkout / ".gitignore").write_text("secret.env\n", encoding="utf-8")
        git("add", ".gitignore", cwd=release_checkout)
        git("commit", "-qm", "ignore", cwd=release_checkout)
        (release_checkout / "templates" / "default" / "secret.env").write_text("x", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        release.main([version], root=release_checkout)
    assert exited.value.code == 1
    assert message in capsys.readouterr().err
    assert not (release_checkout / "mlscaffold" / "templates" / "default.bundle").exists()


def test_release_dry_run_changes_nothing(release_checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release = load_release_script()
    assert release.main(["0.1.0", "--dry-run"], root=release_checkout) == 0
    assert "released so far: none; cutting v0.1.0" in capsys.readouterr().out
    assert git("status", "--porcelain", cwd=release_checkout) == ""
    assert git("tag", cwd=release_checkout) == ""


def test_release_unchanged_template_refused(release_checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release = load_release_script()
    release.main(["0.1.0"], root=release_checkout)
    changelog = release_checkout / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text(encoding="utf-8") + "\n## [0.1.1] - 2026-02-01\n", encoding="utf-8"
    )
    git("commit", "-qam", "notes", cwd=release_checkout)
    with pytest.raises(SystemExit):
        release.main(["0.1.1"], root=release_checkout)
    assert "has not changed since v0.1.0" in capsys.readouterr().err


WORKFLOW = """\
on:
  workflow_call:
    inputs:
      mlscaffold:
        type: string
        default: mlscaffold-cli==0.0.9  # what runs check
      other:
        type: string
        default: "mlscaffold-cli==0.0.9"
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
      - uses: mlscaffold/mlscaffold/.github/actions/setup-project@v0.0.9  # our action
        with:
          sync: "false"
      - uses: 'mlscaffold/mlscaffold/.github/actions/setup-dvc@v0.0.9'
      - uses: mlscaffold/other/.github/actions/x@v0.0.9
"""


def test_release_moves_own_uses_refs_to_the_new_tag(release_checkout: Path) -> None:
    workflow = release_checkout / ".github" / "workflows" / "train.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(WORKFLOW, encoding="utf-8")
    action = release_checkout / ".github" / "actions" / "setup" / "action.yml"
    action.parent.mkdir(parents=True)
    action.write_text(
        "runs:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n", encoding="utf-8"
    )
    git("add", "-A", cwd=release_checkout)
    git("commit", "-qm", "workflows", cwd=release_checkout)
    release = load_release_script()
    assert release.main(["0.1.0"], root=release_checkout) == 0
    released = git("show", "v0.1.0:.github/workflows/train.yml", cwd=release_checkout) + "\n"
    # Exactly the two refs to this repository's actions and the two requirement defaults moved;
    # every other byte is as it was.
    assert released == WORKFLOW.replace("setup-project@v0.0.9", "setup-project@v0.1.0").replace(
        "setup-dvc@v0.0.9", "setup-dvc@v0.1.0"
    ).replace("mlscaffold-cli==0.0.9", "mlscaffold-cli==0.1.0")
    assert git("status", "--porcelain", cwd=release_checkout) == ""
    assert git("show", "v0.1.0:.github/actions/setup/action.yml", cwd=release_checkout).startswith("runs:")


def test_repository_workflows_call_actions_at_the_current_release() -> None:
    # Between releases, a ref to this repository names the last release; release.py moves it.
    from mlscaffold import __version__
    from mlscaffold.yamlio import find_uses_refs

    for path in (ROOT / ".github").rglob("*.yml"):
        for ref in find_uses_refs(path.read_text(encoding="utf-8")):
            if ref.target.startswith("mlscaffold/mlscaffold/"):
                assert ref.ref == f"v{__version__}", (path, ref)


# Workflows other branches of issue 13 own; they move to `$/` when those branches merge.
def test_reusable_workflows_call_our_actions_at_their_own_commit() -> None:
    # `uses: $/.github/actions/NAME` is the action at the commit of the workflow that runs:
    # a caller pinned by SHA, a fork, a tag all get the matching actions (docs/workflows.md).
    from mlscaffold.yamlio import load_text

    self_references = 0
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        if "workflow_call" not in (load_text(text).get("on") or {}):
            continue
        assert "mlscaffold/mlscaffold/.github/actions/" not in text, path.name
        self_references += text.count("uses: $/.github/actions/")
    assert self_references >= 6


def test_repository_workflows_install_the_current_release() -> None:
    # project-ci and train install exactly this release of our own distribution by default (release.py moves
    # the default with the `uses:` refs); template sync resolves the newest release, then pins it.
    from mlscaffold import __version__
    from mlscaffold.yamlio import load_text

    defaults = {}
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        data = load_text(path.read_text(encoding="utf-8"))
        inputs = ((data["on"] or {}).get("workflow_call") or {}).get("inputs") or {}
        if "mlscaffold" in inputs:
            defaults[path.name] = inputs["mlscaffold"]["default"]
    assert defaults == {
        "project-ci.yml": f"mlscaffold-cli=={__version__}",
        "template-sync.yml": "newest",
        # The training pull request (`mlscaffold open-pr`) is opened by this release too.
        "train.yml": f"mlscaffold-cli=={__version__}",
    }


def test_release_regenerates_the_reference_pages(release_checkout: Path) -> None:
    # The release moves workflow defaults that docs/reference/workflows.md shows: the release
    # commit must carry the page rebuilt, or the docs drift test fails right after every release.
    scripts = release_checkout / "scripts"
    scripts.mkdir()
    (scripts / "gen_docs.py").write_text(
        "from pathlib import Path\n"
        "root = Path(__file__).resolve().parent.parent\n"
        "page = root / 'docs' / 'reference' / 'workflows.md'\n"
        "page.parent.mkdir(parents=True, exist_ok=True)\n"
        "version = (root / 'mlscaffold' / '__init__.py').read_text().split('\"')[1]\n"
        "page.write_text(f'default mlscaffold-cli=={version}\\n')\n",
        encoding="utf-8",
    )
    git("add", "-A", cwd=release_checkout)
    git("commit", "-qm", "docs generator", cwd=release_checkout)
    assert load_release_script().main(["0.1.0"], root=release_checkout) == 0
    page = git("show", "v0.1.0:docs/reference/workflows.md", cwd=release_checkout)
    assert page == "default mlscaffold-cli==0.1.0"
    assert git("status", "--porcelain", cwd=release_checkout) == ""
