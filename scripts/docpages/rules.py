"""docs/rules.md: every rule of `mlscaffold check`, by family, with its fix."""

from __future__ import annotations

import sys

from mlscaffold.check import ALL_RULES, FAMILIES, describe, fix_text, rule_id
from mlscaffold.check._model import Severity

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - Python 3.10
    pass

from docpages._markdown import GENERATED, code


def rules_page() -> str:
    """Return `docs/rules.md`: every rule of `mlscaffold check`, by family, with its fix."""
    lines = [
        "# `mlscaffold check` rules",
        "",
        GENERATED,
        "",
        "Each rule has a stable ID. Select or ignore rules by ID (`MLS101`), ID prefix (`MLS1`) or",
        "family key (`scoping`); see [check.md](check.md) for the command, its formats and configuration.",
        "A rule marked *warning* never fails the run. A rule that builds on another (its *Runs after*)",
        "is skipped while that one fails.",
        "",
        "One missing file, one finding: when several rules audit a file that does not exist (the",
        "`Dockerfile` for MLS401, MLS402 and MLS403), the first of them in this order reports it and",
        'the others are skipped with "Skipped: `Dockerfile` is missing (reported by MLS401)." If the',
        "file is there but flawed, every rule reports its own finding. Ignore the first rule and the next",
        "one reports the missing file. repo-review runs the rules itself, so under `repo-review` (see",
        "[check.md](check.md)) each of these rules reports the missing file.",
        "",
        "| ID | Family | Rule | Severity |",
        "| --- | --- | --- | --- |",
    ]
    for rule in ALL_RULES:
        name = rule_id(rule)
        family = FAMILIES[rule.family]
        lines.append(f"| [{name}](#{name}) | {family.name} | {describe(rule)} | {rule.severity.value} |")
    for family in sorted(FAMILIES.values(), key=lambda f: f.order):
        lines += ["", f"## {family.name} (`{family.key}`)", "", family.description]
        for rule in (r for r in ALL_RULES if r.family == family.key):
            name = rule_id(rule)
            warning = " (warning)" if rule.severity is Severity.WARNING else ""
            lines += [
                "",
                f'<a id="{name}"></a>',
                "",
                f"### {name}: {describe(rule)}{warning}",
                "",
                fix_text(rule),
            ]
            if rule.audits:
                lines += ["", "*Audits* " + ", ".join(code(glob) for glob in rule.audits) + "."]
            if rule.requires:
                after = ", ".join(f"[{r}](#{r})" for r in sorted(rule.requires))
                lines += ["", f"*Runs after* {after} passes."]
    return "\n".join(lines) + "\n"
