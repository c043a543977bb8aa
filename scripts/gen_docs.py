"""Generate the documentation pages that are built from code, or check them for drift.

    python scripts/gen_docs.py          # write every generated page
    python scripts/gen_docs.py --check  # exit 1 when a committed page differs from a fresh build

One module of scripts/docpages per page returns its text; `PAGES` maps each
page's path to it. Add a page by adding a module and an entry. Every page is read
from this checkout (`ROOT`): the typer app, copier.yml and the template's files, the
workflow and action YAML under .github/, pyproject.toml's import contracts.
YAML is read with ruamel (mlscaffold.yamlio): PyYAML would read a workflow's `on:` as True.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from docpages.cli import cli_page  # noqa: E402
from docpages.modules import modules_page  # noqa: E402
from docpages.rules import rules_page  # noqa: E402
from docpages.template import template_page, validator_messages  # noqa: E402
from docpages.workflows import workflows_page  # noqa: E402

__all__ = [
    "PAGES",
    "cli_page",
    "modules_page",
    "rules_page",
    "stale_pages",
    "template_page",
    "validator_messages",
]

# Each page is built from the checkout at the given root.
PAGES: dict[str, Callable[[Path], str]] = {
    "docs/rules.md": lambda _root: rules_page(),
    "docs/reference/cli.md": lambda _root: cli_page(),
    "docs/reference/template.md": template_page,
    "docs/reference/workflows.md": workflows_page,
    "docs/reference/modules.md": modules_page,
}


def stale_pages(root: Path = ROOT) -> list[str]:
    """Return the generated pages whose committed text (under ROOT) differs from a fresh build."""
    return [
        path
        for path, build in PAGES.items()
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != build(root)
    ]


def main() -> int:
    """Write the pages, or with --check report the stale ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a page is out of date")
    args = parser.parse_args()
    if args.check:
        stale = stale_pages()
        for path in stale:
            print(f"{path} is out of date: run python scripts/gen_docs.py", file=sys.stderr)
        return 1 if stale else 0
    for path, build in PAGES.items():
        (ROOT / path).write_text(build(ROOT), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
