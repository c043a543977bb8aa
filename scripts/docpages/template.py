"""docs/reference/template.md: the default template's questions and every file it renders."""

from __future__ import annotations

import fnmatch
import re
import sys
from pathlib import Path
from typing import Any

from mlscaffold.check import ALL_RULES, rule_id

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - Python 3.10
    pass

from docpages._markdown import _default_text, cell, code, generated_from, table

TEMPLATE = Path("templates") / "default"

# What each rendered file is for: (glob over the rendered path, the standard it serves). A file no
# pattern matches stops the build: say what it is for here. The rules that audit a file come from the
# rules' own `audits`.
# The .github patterns are for issue 5's workflow callers; a pattern may match nothing.
FILE_STANDARDS: list[tuple[str, str]] = [
    (".copier-answers.yml", "Template sync: the answers and the exact template version, for `upgrade`"),
    (".dockerignore", "Container: keeps git history, data, models and secrets out of the image"),
    (".dvc/*", "Data and model versioning: DVC initialised, the remote from the answers"),
    (".dvcignore", "Data and model versioning: DVC initialised"),
    (".github/dependabot.yml", "CI/CD: dependency, action and base-image updates"),
    (".github/zizmor.yml", "CI/CD: zizmor policy (mlscaffold's workflows by tag, every other action by SHA)"),
    (".github/workflows/*", "CI/CD: calls mlscaffold's reusable workflows pinned to the release"),
    (".gitignore", "Data and model versioning: data, models and reports stay out of git"),
    (".pre-commit-config.yaml", "Security and tooling: ruff, nbstripout, secret detection, large-file guard"),
    (".python-version", "Tooling: the Python version uv, CI and the container use"),
    (
        ".secrets.baseline",
        "Security: detect-secrets' baseline (empty when generated); a secret not in it fails the commit",
    ),
    (
        "Dockerfile",
        "Container: multi-stage uv build, images pinned by tag and digest, non-root user, HEALTHCHECK",
    ),
    ("LICENSE", "Licensing: the license chosen in the answers"),
    ("Makefile", "Tooling: the task runner (`make help`); every target wraps `uv run`"),
    ("README.md", "Tooling: how to set up, run, test, serve and upgrade the project"),
    ("data/*/.gitignore", "Data and model versioning: the folder exists; its files are DVC outputs"),
    ("models/.gitignore", "Data and model versioning: the folder exists; the model is a DVC output"),
    ("deploy/base/deployment.yaml", "Kubernetes: the service's Deployment (probes, resources, non-root)"),
    ("deploy/base/service.yaml", "Kubernetes: the Service in front of the Deployment"),
    ("deploy/base/hpa.yaml", "Kubernetes: the HorizontalPodAutoscaler (it owns the replica count)"),
    ("deploy/base/cronjob.yaml", "Kubernetes: the batch scoring CronJob (non-root, resources)"),
    ("deploy/base/pdb.yaml", "Kubernetes: the PodDisruptionBudget (a drain evicts one pod at a time)"),
    ("deploy/base/networkpolicy.yaml", "Kubernetes: the NetworkPolicy (in on the service port only)"),
    ("deploy/base/networkpolicy-batch.yaml", "Kubernetes: the batch NetworkPolicy (nothing in)"),
    ("deploy/base/ingress.yaml", "Kubernetes: the TLS Ingress for `ingress_host` (`/predict`, `/health`)"),
    ("deploy/base/kustomization.yaml", "Kubernetes: the kustomize base (deploy.yml sets the image digest)"),
    ("deploy/overlays/*", "Kubernetes: one kustomize overlay per environment (namespace, size)"),
    (
        "deploy/monitoring/*",
        "Monitoring: the Prometheus Operator's ServiceMonitor and PrometheusRule (`kubectl apply -k`)",
    ),
    ("docs/model_card.md", "Scoping: the model card"),
    ("docs/runbook.md", "Scoping: monitoring, alerts, retraining and rollback"),
    ("docs/scoping.md", "Scoping: is ML needed, data, trade-offs, metrics, risks, roles, timeline"),
    ("dvc.yaml", "Data and model versioning: the pipeline, its metrics and plots"),
    (
        "monitoring/*",
        "Monitoring: Prometheus alert rules, their promtool unit tests, and a Grafana dashboard",
    ),
    ("notebooks/*", "Notebooks: exploration, outputs stripped on commit"),
    ("params.yaml", "Data and model versioning: every parameter of the pipeline and the quality gate"),
    ("pyproject.toml", "Tooling: PEP 621 metadata, dependencies, the dev group, pytest and ruff settings"),
    ("src/*/*.py", "Code"),
    ("tests/test_data.py", "Tests: data validation"),
    ("tests/test_model.py", "Tests: model quality"),
    ("tests/test_api.py", "Tests: the prediction interface"),
    ("tests/test_predict.py", "Tests: the prediction interface"),
    ("tests/*.py", "Tests"),
]

_CONDITION = re.compile(r"\{%-?\s*if\s+(.+?)\s*-?%\}(.*?)\{%-?\s*endif\s*-?%\}")
_VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
_TAG = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}", re.DOTALL)


def rendered_path(relative: str, answers_file: str, suffix: str) -> tuple[str, list[str]]:
    """Return the path a template file renders to (placeholders as <name>) and the conditions it needs."""
    conditions = [match.group(1) for match in _CONDITION.finditer(relative)]
    path = _CONDITION.sub(lambda match: match.group(2), relative)
    path = path.replace("{{_copier_conf.answers_file}}", answers_file)
    path = _VARIABLE.sub(lambda match: f"<{match.group(1)}>", path)
    return (path.removesuffix(suffix) if suffix else path), conditions


def _summary_line(path: Path) -> str:
    """Return the first sentence of a Python file's docstring (template Jinja left as is), or ''."""
    match = re.match(r'\s*(?:#.*\n\s*)*"""(.+?)"""', path.read_text(encoding="utf-8"), re.DOTALL)
    if not match:
        return ""
    paragraph = " ".join(match.group(1).strip().split("\n\n", 1)[0].split())
    return re.split(r"(?<=\.)\s", paragraph, maxsplit=1)[0]


def _standard_of(path: str) -> tuple[str, list[str]]:
    """Return what the rendered PATH is for and the IDs of the rules that audit it."""
    concrete = path.replace("<package_name>", "pkg")
    rules = [rule_id(r) for r in ALL_RULES if any(fnmatch.fnmatch(concrete, g) for g in r.audits)]
    for pattern, standard in FILE_STANDARDS:
        if fnmatch.fnmatch(concrete, pattern):
            return standard, rules
    raise SystemExit(f"{path}: add what it is for to FILE_STANDARDS in scripts/docpages/template.py")


def validator_messages(validator: str | None) -> list[str]:
    """Return the messages a copier validator template can print: the text of each if/elif branch."""
    if not validator:
        return []
    messages = []
    pieces = _TAG.split(validator)
    # re.split with two groups yields [text, tag, args, text, tag, args, ..., text].
    for index in range(1, len(pieces) - 2, 3):
        if pieces[index] in {"if", "elif", "else"}:
            text = " ".join(pieces[index + 2].split())
            if text:
                messages.append(_VARIABLE.sub(lambda match: match.group(1).upper(), text))
    return messages


def _question_rows(questions: list[Any]) -> list[list[str]]:
    rows = []
    for question in questions:
        accepted = ", ".join(code(value) for value in question.choice_values) or question.type
        when = "" if question.when is True else code(question.when)
        rows.append(
            [
                f"[`{question.name}`](#{question.name})",
                _default_text(question.default),
                accepted,
                when or "always",
            ]
        )
    return rows


def _question_section(question: Any) -> list[str]:
    lines = ["", f"### `{question.name}`", "", cell(question.help) or "(no help text)", ""]
    lines.append(f"- type: `{question.type}`; default: {_default_text(question.default)}")
    if question.when is not True:
        lines.append(f"- asked only when: {code(question.when)}")
    if question.choices:
        lines.append(
            "- choices: " + "; ".join(f"{code(value)} ({cell(label)})" for label, value in question.choices)
        )
    messages = validator_messages(question.validator)
    if messages:
        lines.append("- rejected, with the message shown, when:")
        lines += [f"    - {cell(message)}" for message in messages]
    return lines


def template_page(root: Path) -> str:
    """Return `docs/reference/template.md`: the default template's questions and every file it renders."""
    from mlscaffold.render import load_template_config

    config = load_template_config(root / TEMPLATE)
    asked = [q for q in config.questions if q.when is not False]
    hidden = [q for q in config.questions if q.when is False]
    source = root / TEMPLATE / config.subdirectory
    answers_file = config.answers_file
    suffix = config.templates_suffix
    lines = [
        "# Template reference",
        "",
        generated_from("`templates/default/copier.yml` and the files under `templates/default/template/`"),
        "",
        "The default template (`templates/default/`) asks the questions below and renders the files after",
        "them. Every question has a default, so `mlscaffold new PATH --defaults` always works; answer any",
        "question with `--data NAME=VALUE`. Defaults may use earlier answers (Jinja). A bad answer is",
        "refused before any file is written, with the message shown.",
        "",
        "## Questions",
        "",
        *table(["question", "default", "accepted", "asked"], _question_rows(asked)),
    ]
    for question in asked:
        lines += _question_section(question)
    if hidden:
        lines += [
            "",
            "## Hidden settings",
            "",
            "Never asked and not recorded in the answers file: a platform team with its own copy of the",
            "template ([Your own template](../upgrade.md#your-own-template)) changes their defaults in",
            "`copier.yml`; every project picks the change up on its next upgrade.",
            "",
            *table(
                ["setting", "default", "what it is"],
                [[code(q.name), code(q.default), cell(q.help)] for q in hidden],
            ),
        ]
    lines += [
        "",
        "## Files",
        "",
        "Every file a project can get, the answers it depends on, the part of the standard it serves and",
        "the [`mlscaffold check` rules](../rules.md) that audit it. `<package_name>` is the package name",
        "answer.",
        "",
    ]
    rows = []
    for file in sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        relative = file.relative_to(source).as_posix()
        path, conditions = rendered_path(relative, answers_file, suffix if relative.endswith(suffix) else "")
        standard, rules = _standard_of(path)
        summary = _summary_line(file) if path.endswith(".py") else ""
        rows.append(
            [
                code(path),
                " and ".join(code(c) for c in conditions) or "always",
                cell(standard + (f" — {summary}" if summary else "")),
                " ".join(f"[{r}](../rules.md#{r})" for r in rules) or "—",
            ]
        )
    rows.sort(key=lambda row: row[0])
    lines += table(["file", "generated when", "standard it serves", "rules"], rows)
    lines += [
        "",
        "Migrations (`_migrations`), applied by `mlscaffold upgrade` so your edits follow a moved file:",
        "",
    ]
    for migration in config.migrations:
        lines.append(f"- `{migration.tag}`: {code(migration.command)}")
    return "\n".join(lines) + "\n"
