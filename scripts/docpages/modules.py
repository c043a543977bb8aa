"""docs/reference/modules.md: the import-linter contracts and every module of the package."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from docpages._markdown import cell, code, generated_from, table


def _module_summary(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().split("\n\n", 1)[0].replace("\n", " ")


def _layer_of(module: str, layers: list[str]) -> str:
    for index, layer in enumerate(layers, start=1):
        for member in (m.strip() for m in layer.split("|")):
            if module == member or module.startswith(member + "."):
                return str(index)
    return "—"


def modules_page(root: Path) -> str:
    """Return `docs/reference/modules.md`: the import-linter contracts and every module of the package."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    package = config["root_package"]
    lines = [
        "# Modules and layers",
        "",
        generated_from("`[tool.importlinter]` in `pyproject.toml` and the modules' docstrings"),
        "",
        f"The package `{package}` is layered; [import-linter](https://import-linter.readthedocs.io) enforces",
        "the contracts below in the test suite (`lint-imports`). A module may import from the layers below",
        "its own and never from those above; modules sharing a layer are listed together.",
        "See [Architecture](../architecture.md) for how data flows through them.",
    ]
    all_layers: list[str] = []
    for contract in config.get("contracts", []):
        lines += ["", f"## {contract['name']}", "", f"Contract type: `{contract['type']}`.", ""]
        prefix = "".join(f"{c}." for c in contract.get("containers", [])[:1])
        layers = [
            " | ".join(prefix + member.strip() for member in re.split(r"[|:]", layer))
            for layer in contract.get("layers", [])
        ]
        all_layers = all_layers or layers
        if contract.get("exhaustive"):
            lines.append(f"Exhaustive: every module of `{prefix.rstrip('.')}` has its place here.")
            lines.append("")
        for index, layer in enumerate(layers, start=1):
            members = ", ".join(f"`{m.strip()}`" for m in layer.split("|"))
            lines.append(f"{index}. {members}")
        for key in ("modules", "source_modules", "forbidden_modules"):
            if contract.get(key):
                lines.append(f"- {key}: " + ", ".join(f"`{m}`" for m in contract[key]))
    rows = []
    for path in sorted((root / package).rglob("*.py")):
        relative = path.relative_to(root).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        module = ".".join(parts)
        rows.append([code(module), _layer_of(module, all_layers), cell(_module_summary(path))])
    lines += ["", "## Modules", "", "Layer numbers refer to the first contract above (1 is the top).", ""]
    lines += table(["module", "layer", "what it is for"], rows)
    return "\n".join(lines) + "\n"
