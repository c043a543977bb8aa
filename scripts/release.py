"""Cut a release: add the template as a new version to the shipped bundle, bump, commit, tag.

    python scripts/release.py 0.2.0            # the real thing, from a clean main
    python scripts/release.py 0.2.0 --dry-run  # say what would happen

Every released template version stays in `mlscaffold/templates/default.bundle`,
so any mlscaffold can generate and upgrade from any older version offline.
The bundle is append-only: released versions are never rewritten.

The reusable workflows in `.github/` call this repository's composite actions
by `$/` (the commit being run), which needs no moving; any `uses:` ref to this
repository that remains is moved to the tag the release cuts. It moves the workflows' default
`mlscaffold-cli==X.Y.Z` (the mlscaffold they install) the same way; template sync's
default `newest` (resolved when it runs, then pinned) has nothing to move.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlscaffold.bundle import append_version, list_versions  # noqa: E402
from mlscaffold.errors import MlscaffoldError  # noqa: E402
from mlscaffold.git import git_text, run_git  # noqa: E402
from mlscaffold.yamlio import bump_uses_refs  # noqa: E402

# The repository the reusable workflows call their composite actions from (a fork changes it).
REPOSITORY = "mlscaffold/mlscaffold"

_CACHE_NAMES = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def _fail(message: str) -> None:
    print(f"release: {message}", file=sys.stderr)
    raise SystemExit(1)


def _preflight(root: Path, version: str) -> None:
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        _fail(f"{version!r} is not MAJOR.MINOR.PATCH.")
    if git_text(["status", "--porcelain"], root):
        _fail("the work tree has uncommitted changes: commit or stash them first.")
    ignored = git_text(["ls-files", "--others", "--ignored", "--exclude-standard", "--", "templates/"], root)
    strays = [
        p for p in ignored.splitlines() if not set(Path(p).parts) & _CACHE_NAMES and not p.endswith(".pyc")
    ]
    if strays:
        _fail(f"git-ignored files under templates/ would be released: {', '.join(strays[:5])}.")
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    if not re.search(rf"^## \[{re.escape(version)}\]", changelog, re.M):
        _fail(f"CHANGELOG.md has no '## [{version}]' section: write the release notes first.")


def _bump(init: Path, version: str) -> None:
    text = init.read_text(encoding="utf-8")
    init.write_text(re.sub(r'__version__ = "[^"]*"', f'__version__ = "{version}"', text), encoding="utf-8")


# An input default naming the distribution the workflows install (PyPI: `mlscaffold` is another project).
_DEFAULT_REQUIREMENT = re.compile(r"^(\s+default:[ \t]*)(['\"]?)mlscaffold-cli==[^\s'\"#]+\2", re.M)


def _bump_uses(root: Path, tag: str) -> list[Path]:
    """Point every `uses: REPOSITORY/.github/...@REF` and default `mlscaffold-cli==` in .github/ at TAG.

    Return the files changed.
    """
    github = root / ".github"
    files = sorted([*github.glob("workflows/*.yml"), *github.glob("actions/*/action.yml")])
    changed = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        new_text, refs = bump_uses_refs(text, re.escape(REPOSITORY) + r"/\.github/.+", tag)
        new_text, defaults = _DEFAULT_REQUIREMENT.subn(rf"\g<1>\g<2>mlscaffold-cli=={tag[1:]}\g<2>", new_text)
        if refs or defaults:
            path.write_text(new_text, encoding="utf-8")
            changed.append(path)
    return changed


def _regenerate_docs(root: Path) -> None:
    """Rebuild the generated reference pages: they show the workflow defaults the release moved."""
    if not (root / "scripts" / "gen_docs.py").is_file():
        return
    done = subprocess.run(
        [sys.executable, str(root / "scripts" / "gen_docs.py")],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        _fail(f"scripts/gen_docs.py failed: {done.stderr.strip()}")


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    """Run the release; ROOT is the mlscaffold checkout to release from."""
    template = root / "templates" / "default"
    bundle = root / "mlscaffold" / "templates" / "default.bundle"
    init = root / "mlscaffold" / "__init__.py"
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("version", help="new version, MAJOR.MINOR.PATCH")
    parser.add_argument("--dry-run", action="store_true", help="check and report, change nothing")
    args = parser.parse_args(argv)
    version, tag = args.version, f"v{args.version}"
    _preflight(root, version)
    released = list_versions(bundle) if bundle.exists() else []
    print(f"released so far: {', '.join(released) or 'none'}; cutting {tag}")
    if args.dry_run:
        return 0
    try:
        commit = append_version(bundle if bundle.exists() else None, template, tag, bundle)
    except MlscaffoldError as error:
        _fail(str(error))
    _bump(init, version)
    moved = _bump_uses(root, tag)
    _regenerate_docs(root)
    run_git(["add", str(bundle), str(init), *map(str, moved)], root)
    if (root / "docs" / "reference").is_dir():
        run_git(["add", str(root / "docs" / "reference")], root)
    run_git(["commit", "--quiet", "-m", f"Release {tag}"], root)
    run_git(["tag", "-a", tag, "-m", f"mlscaffold {tag}"], root)
    print(f"template {tag} is commit {commit[:12]} in {bundle.relative_to(root)}")
    if moved:
        print(f"moved {REPOSITORY} uses: refs and mlscaffold-cli defaults to {tag} in {len(moved)} files")
    print(f"committed and tagged {tag}; push with: git push origin main {tag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
