"""docs/reference/cli.md: every command and option of the CLI, from the typer app."""

from __future__ import annotations

import sys
from typing import Any

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - Python 3.10
    pass

from docpages._markdown import cell, code, generated_from, table


def _param_default(param: Any) -> str:
    default = param.default
    if getattr(param, "is_flag", False) and param.secondary_opts:
        return code(param.opts[0] if default else param.secondary_opts[0])
    if getattr(param, "is_flag", False):
        return "off" if not default else "on"
    if default is None or param.required:
        return "required" if param.required else "—"
    return code(getattr(default, "value", default))


def _param_row(param: Any, ctx: Any) -> list[str]:
    record = param.get_help_record(ctx)
    if param.param_type_name == "argument":
        names = param.name.upper()
        kind = "argument"
    else:
        names = ", ".join(param.opts + param.secondary_opts)
        kind = "flag" if getattr(param, "is_flag", False) else "option"
    value = record[0].split(" <", 1)[1].rstrip(">") if record and " <" in record[0] else ""
    notes = []
    if getattr(param, "multiple", False) and "repeatable" not in (param.help or "").lower():
        notes.append("repeatable")
    if param.envvar:
        notes.append(f"env `{param.envvar}`")
    help_text = cell(getattr(param, "help", "") or "")
    extra = f" ({', '.join(notes)})" if notes else ""
    return [
        code(names),
        kind + (f" `{cell(value)}`" if value else ""),
        _param_default(param),
        help_text + extra,
    ]


def cli_page() -> str:
    """Return `docs/reference/cli.md`: every command of the typer app, its arguments and options."""
    import typer.main

    from mlscaffold import errors
    from mlscaffold.cli import app

    group = typer.main.get_command(app)
    root_ctx = group.make_context("mlscaffold", ["--help"], resilient_parsing=True)
    lines = [
        "# CLI reference",
        "",
        generated_from("the typer app in `mlscaffold/cli/`"),
        "",
        f"`mlscaffold` — {group.help}",
        "",
        "```text",
        group.get_usage(root_ctx),
        "```",
        "",
        *table(
            ["option", "what it does"],
            [[code(", ".join(p.opts)), cell(p.help or "")] for p in group.get_params(root_ctx) if p.help],
        ),
        "",
        "| command | what it does |",
        "| --- | --- |",
    ]
    commands = sorted(group.commands.items())
    lines += [f"| [`{name}`](#{name}) | {cell(command.help or '')} |" for name, command in commands]
    for name, command in commands:
        ctx = command.make_context(name, [], parent=root_ctx, resilient_parsing=True)
        lines += [
            "",
            f"## `{name}`",
            "",
            cell(command.help or ""),
            "",
            "```text",
            command.get_usage(ctx),
            "```",
            "",
        ]
        rows = [_param_row(p, ctx) for p in command.params if not getattr(p, "hidden", False)]
        lines += table(["name", "kind", "default", "description"], rows)
    lines += [
        "",
        "## Exit codes and errors",
        "",
        "0 success; 1 an error you can fix; 2 a malformed command line; 3 a check rule failed, an upgrade is",
        "available (`upgrade --check`) or conflicts are left; 130 interrupted. Every error you can fix is one",
        "line on stderr that says what to do. The errors, from `mlscaffold/errors.py`:",
        "",
    ]
    rows = []
    for name in sorted(errors.__all__):
        error_class = getattr(errors, name)
        doc = (error_class.__doc__ or "").strip().splitlines()[0]
        rows.append([code(name), str(error_class.exit_code), cell(doc)])
    lines += table(["error", "exit code", "when"], rows)
    return "\n".join(lines) + "\n"
