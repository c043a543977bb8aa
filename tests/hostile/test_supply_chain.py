"""Nothing installs someone else's package: every install of the tool names `mlscaffold-cli` exactly.

`mlscaffold` on PyPI belongs to another project, so `pip install mlscaffold`, `uvx mlscaffold` or a
workflow input defaulting to `mlscaffold` would run a stranger's code (in template sync, with a
write token). The scanner below reads every workflow, action, template file, the rendered default
project, the docs, README, scripts and benchmarks, finds each install of the tool and accepts only
`mlscaffold-cli==X.Y.Z`, a git URL at a release tag or a full commit SHA, or a local install from
a checkout or a wheel. One more form is allowed, in reusable workflows only and only exactly as
template-sync.yml writes it: an input defaulting to `newest`, whose job resolves the newest
release of the bare name `mlscaffold-cli` (`uv pip compile --no-deps --prerelease disallow`, no
index of its own), refuses anything but `mlscaffold-cli==X.Y.Z`, and installs only that exact pin
(or a pin the guard step accepted) through a step output. CHANGELOG.md is not scanned: it
records what past releases did (including the old name they used) and is not run by anyone;
docs/changelog.md only includes it.
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from mlscaffold.yamlio import load_text

ROOT = Path(__file__).resolve().parents[2]
DIST = "mlscaffold-cli"
FOREIGN = "mlscaffold"

# An exact version (PEP 440 public version), or a version copier fills in when it renders.
# `X.Y.Z` is the docs' placeholder: it cannot resolve to anything.
_EXACT = r"(?:X\.Y\.Z|\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?|\{\{.*)"
_GOOD_REQUIREMENT = re.compile(rf"{re.escape(DIST)}(?:\[[\w,.-]+\])?==={{0,1}}{_EXACT}")
_GIT_URL = re.compile(r"(?:[\w.-]+\s*@\s*)?git\+(?P<scheme>[a-z]+)://[^@\s]+?(?:@(?P<ref>[^#\s]+))?(?:#.*)?")
_RELEASE_TAG = re.compile(r"v\d+\.\d+\.\d+|[0-9a-f]{40}")
# A requirement naming the tool (either name), with or without a version specifier.
_NAMED = re.compile(
    rf"(?<![\w./@^-])(?P<req>(?:{re.escape(DIST)}|{re.escape(FOREIGN)})(?:\[[\w,.-]+\])?"
    r"\s*(?:(?:===|==|>=|<=|~=|!=|<|>)\s*[^\s\"'`,;)]*)?)(?![\w.-])"
)
# A YAML value that is only the tool's name, where a requirement goes (input default, `with:` value).
_VALUE_KEY = re.compile(
    r"^\s*(?:-\s+)?(?:default|mlscaffold|MLSCAFFOLD)\s*:\s*['\"]?mlscaffold(?:-cli)?['\"]?\s*(?:#.*)?$"
)
_SPECIFIER = re.compile(r"===|==|>=|<=|~=|!=|<|>")
_INSTALLERS = re.compile(
    r"(?:\b(?:uv\s+)?pip3?\s+install|\buv\s+tool\s+(?:install|run)|\buv\s+add|\bpipx\s+(?:install|run)|\buvx)"
    r"(?P<args>[^\n]*)"
)
# Options of those installers that take a value (the value is not a requirement, except --from).
_VALUED = {
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-i",
    "--index-url",
    "--extra-index-url",
    "--python",
    "-p",
    "--find-links",
    "-f",
    "--target",
    "-t",
    "--prefix",
    "--with",
    "--spec",
    "--python-version",
}


class Finding(NamedTuple):
    where: str
    requirement: str
    reason: str


def judge(requirement: str) -> str | None:  # noqa: PLR0911 - one verdict per kind of requirement
    """Return why REQUIREMENT could install someone else's package, or None when it cannot."""
    req = requirement.strip().strip("\"'`")
    if not req or req.startswith(("$", ".", "/", "~")) or req.endswith((".whl", ".tar.gz")):
        return None  # a variable checked where it is set, or a local checkout, wheel or sdist
    git = _GIT_URL.fullmatch(req)
    if git:
        if git.group("scheme") != "https":
            return "a git URL must use https"
        ref = git.group("ref")
        if ref is None or not _RELEASE_TAG.fullmatch(ref):
            return "a git URL must name a release tag vX.Y.Z or a 40-hex commit, not a branch"
        return None
    name = re.split(r"[\[\s=<>!~]", req, maxsplit=1)[0].lower().replace("_", "-")
    if name == FOREIGN:
        return f"`{FOREIGN}` on PyPI is another project's package: install `{DIST}==X.Y.Z`"
    if name == DIST:
        if _GOOD_REQUIREMENT.fullmatch(req.replace(" ", "")):
            return None
        if not _SPECIFIER.search(req):
            return f"unpinned: any future `{DIST}` release would run; pin `{DIST}==X.Y.Z`"
        return f"a range, not one release: pin `{DIST}==X.Y.Z`"
    return None


def _is_the_tool(token: str) -> bool:
    bare = token.strip("\"'`")
    if _GIT_URL.fullmatch(bare):
        return "mlscaffold" in bare.lower()
    return bool(_NAMED.fullmatch(bare))


def _tokens(args: str) -> list[str]:
    try:
        return shlex.split(args, comments=True)
    except ValueError:
        return args.split()


def _install_targets(command: str, args: str) -> Iterator[str]:
    """Yield the packages an install command line asks for (options and their values skipped)."""
    tokens = _tokens(re.split(r"&&|\|\||;|\|", args, maxsplit=1)[0])
    uvx = command.startswith(("uvx", "uv tool run", "pipx run"))
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "--from" and index + 1 < len(tokens):
            yield tokens[index + 1]
            # `uvx --from X cmd`: the command is a name inside X, not a package.
            return
        if token.startswith("--from="):
            yield token.split("=", 1)[1]
            return
        if token in _VALUED:
            index += 2
            continue
        if token.startswith("-"):
            index += 1
            continue
        yield token
        if uvx:
            return  # `uvx PKG args...`: only the first word is a package
        index += 1


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first line number, line) with shell continuations (`\\` at the end) joined."""
    buffer, start = "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if not buffer:
            start = number
        if line.rstrip().endswith("\\"):
            buffer += line.rstrip()[:-1] + " "
            continue
        yield start, buffer + line
        buffer = ""
    if buffer:
        yield start, buffer


def scan_text(text: str, where: str) -> list[Finding]:
    """Return every install of the tool in TEXT that could resolve to someone else's package."""
    findings: list[Finding] = []
    seen: set[tuple[int, str]] = set()

    def add(number: int, requirement: str) -> None:
        reason = judge(requirement)
        if reason and (number, requirement) not in seen:
            seen.add((number, requirement))
            findings.append(Finding(f"{where}:{number}", requirement.strip(), reason))

    for number, line in _logical_lines(text):
        for match in _INSTALLERS.finditer(line):
            command = match.group(0)[: match.start("args") - match.start()].strip()
            for target in _install_targets(command, match.group("args")):
                if _is_the_tool(target):
                    add(number, target)
        # Requirement strings anywhere (`mlscaffold==0.3.0`, `mlscaffold-cli>=1`), and YAML values
        # that are only the tool's name (an input default, a `with:` value).
        for match in _NAMED.finditer(line):
            req = match.group("req")
            version = _SPECIFIER.split(req, maxsplit=1)[-1] if _SPECIFIER.search(req) else None
            if version == "" or (version and version[0] in "{[(\\$"):
                # A prefix being composed (`'mlscaffold-cli==' ~ version`), a placeholder
                # (`=={tag}`, `=={{ v }}`) or a regex: code that writes a pin, not an install.
                # Rendered templates and written workflows are scanned themselves.
                continue
            if _SPECIFIER.search(req) or (req in (DIST, FOREIGN) and _VALUE_KEY.search(line)):
                add(number, req)
        for match in re.finditer(r"['\"](mlscaffold(?:-cli)?)['\"]\s*(?:\}\}|#|$)", line):
            if re.search(r"\b(?:default|else|or)\b", line[: match.start()]):
                add(number, match.group(1))
    return findings


_PRE_COMMIT_REPO = re.compile(r"^\s*-?\s*repo:\s*['\"]?(?P<url>\S*mlscaffold\S*?)['\"]?\s*$")
_PRE_COMMIT_REV = re.compile(r"^\s*rev:\s*['\"]?(?P<rev>[^\s'\"#]+)")


def scan_pre_commit_revs(text: str, where: str) -> list[Finding]:
    """Return pre-commit `repo:` entries of mlscaffold whose `rev:` is not a release tag or a commit."""
    lines = text.splitlines()
    findings = []
    for index, line in enumerate(lines):
        repo = _PRE_COMMIT_REPO.match(line)
        if not repo or repo.group("url") == "local":
            continue
        revs = [m.group("rev") for m in map(_PRE_COMMIT_REV.match, lines[index + 1 : index + 4]) if m]
        rev = revs[0] if revs else ""
        if not (_RELEASE_TAG.fullmatch(rev) or rev == "vX.Y.Z"):
            reason = "pre-commit installs the hook from this rev: pin a release tag vX.Y.Z or a 40-hex commit"
            findings.append(
                Finding(f"{where}:{index + 1}", f"{repo.group('url')} rev {rev or '(none)'}", reason)
            )
    return findings


# Resolve-then-pin, the only form `newest` may take (see the module docstring), line by line.
NEWEST = "newest"
GUARD_STEP = "The mlscaffold requirement is pinned"
_RESOLVE = re.compile(
    r'resolved="\$\(echo mlscaffold-cli \| uv pip compile - (?P<options>[^)"]*?)\s*'
    r'2> "\$RUNNER_TEMP/[\w.-]+"\)"'
)
_RESOLVE_OPTIONS = ["--no-deps", "--prerelease", "disallow", "--no-header", "--no-annotate", "--quiet"]
_VALIDATE = 'if [[ ! "$resolved" =~ ^mlscaffold-cli==([0-9]+\\.[0-9]+\\.[0-9]+)$ ]]; then'
_OUTPUTS = {
    'echo "requirement=mlscaffold-cli==${BASH_REMATCH[1]}" >> "$GITHUB_OUTPUT"',  # the resolved release
    'echo "requirement=${MLSCAFFOLD}" >> "$GITHUB_OUTPUT"',  # a pin the guard step accepted
}
_FROM_VARIABLE = re.compile(r'--from[ =]"?\$\{?(?P<var>\w+)\}?"?')


def _resolve_step_problems(run: str) -> list[str]:
    """Return how a resolving step's `run:` text departs from the one allowed form."""
    lines = [line.strip() for _, line in _logical_lines(run)]
    joined = "\n".join(lines)
    problems = []
    resolves = [m for line in lines if (m := _RESOLVE.fullmatch(re.sub(r"\s+", " ", line)))]
    if len(resolves) != 1 or resolves[0].group("options").split() != _RESOLVE_OPTIONS:
        problems.append(
            "resolve exactly `echo mlscaffold-cli | uv pip compile - " + " ".join(_RESOLVE_OPTIONS) + "`"
        )
    validate = joined.find(_VALIDATE)
    if validate < 0 or "exit 1" not in joined[validate : joined.find("\nfi", validate)]:
        problems.append("refuse (exit 1) any answer but mlscaffold-cli==X.Y.Z")
    writes = [line for line in lines if "requirement=" in line]
    if not writes or set(writes) - _OUTPUTS:
        problems.append("write only requirement=mlscaffold-cli==${BASH_REMATCH[1]} or a guarded pin")
    return problems


def scan_resolve_then_pin(data: dict[str, object], where: str) -> list[Finding]:
    """Return how each job of a workflow whose input defaults to `newest` could install a wrong package."""
    findings = []
    jobs = data.get("jobs")
    for job_name, job in (jobs if isinstance(jobs, dict) else {}).items():
        steps = list((job or {}).get("steps") or [])
        if not steps:
            continue
        resolving = [s for s in steps if "uv pip compile" in str(s.get("run", ""))]
        problems = []
        if steps[0].get("name") != GUARD_STEP:
            problems.append("the guard step must come first")
        if len(resolving) != 1 or "id" not in resolving[0]:
            problems.append("one resolving step, with an id")
        else:
            problems += _resolve_step_problems(str(resolving[0]["run"]))
            output = "${{ steps.%s.outputs.requirement }}" % resolving[0]["id"]  # noqa: UP031 - braces
            for step in steps:
                env = step.get("env") or {}
                for match in _FROM_VARIABLE.finditer(str(step.get("run", ""))):
                    if env.get(match.group("var")) != output:
                        problems.append(
                            f"step {step.get('name')!r} installs ${match.group('var')}, not {output}"
                        )
        findings += [
            Finding(f"{where} (job {job_name})", NEWEST, f"`{NEWEST}` must resolve then pin: {p}")
            for p in problems
        ]
    return findings


def scan_workflow_inputs(text: str, where: str) -> list[Finding]:
    """Return workflow_call inputs and `with:` values naming the tool that are not exact pins."""
    try:
        data = load_text(text)
    except Exception:  # noqa: BLE001 - a jinja file that is not YAML yet: scan_text covers it
        return []
    if not isinstance(data, dict):
        return []
    values: list[tuple[str, object]] = []
    call = (data.get("on") or {}).get("workflow_call") if isinstance(data.get("on"), dict) else None
    findings = []
    for name, spec in ((call or {}).get("inputs") or {}).items():
        if "mlscaffold" in name.lower() and isinstance(spec, dict) and "default" in spec:
            if spec["default"] == NEWEST:
                findings += scan_resolve_then_pin(data, where)
                continue
            values.append((f"input {name} default", spec["default"]))
    for job_name, job in (data.get("jobs") or {}).items():
        for name, value in ((job or {}).get("with") or {}).items():
            if name.lower() == "mlscaffold":
                if value == NEWEST and "/template-sync.yml@" in str((job or {}).get("uses", "")):
                    continue  # the one reusable workflow that resolves then pins
                values.append((f"job {job_name} with {name}", value))
    for label, value in values:
        text_value = "" if value is None else str(value)
        reason = "empty: a caller would install whatever the step falls back to" if not text_value else None
        reason = (
            reason or judge(text_value) or (None if _is_the_tool(text_value) else f"does not name `{DIST}`")
        )
        if reason:
            findings.append(Finding(f"{where} ({label})", text_value, reason))
    return findings


def scanned_files() -> Iterator[Path]:
    """Yield every file of this repository the scan covers."""
    roots = [
        ROOT / ".github",
        ROOT / "templates" / "default",
        ROOT / "docs",
        ROOT / "scripts",
        ROOT / "benchmarks",
        ROOT / ".ci",
    ]
    for root in roots:
        yield from (p for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)
    yield ROOT / "README.md"
    yield ROOT / ".pre-commit-hooks.yaml"


def scan_file(path: Path, base: Path) -> list[Finding]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []  # binary (images, the bundle): nothing installs from there
    where = str(path.relative_to(base))
    findings = scan_text(text, where) + scan_pre_commit_revs(text, where)
    if path.suffix in {".yml", ".yaml"} and ".github" in path.parts:
        findings += scan_workflow_inputs(text, where)
    return findings


# --- the scanner's own tests: each planted line is found, each good one passes ---------------

BAD_LINES = [
    "pip install mlscaffold",
    "uvx --from mlscaffold-cli mlscaffold upgrade --defaults",
    "echo mlscaffold-cli | uv pip compile - > req.txt && pip install mlscaffold-cli",
    "python -m pip install -q mlscaffold==0.3.0",
    "pip install 'mlscaffold-cli>=0.3'",
    "pip install mlscaffold-cli",
    "uv pip install --system mlscaffold-cli~=0.3.0",
    "uv tool install mlscaffold",
    "uvx mlscaffold check .",
    'uvx --from "mlscaffold" mlscaffold upgrade',
    "uvx --from mlscaffold-cli mlscaffold check",
    "pipx install mlscaffold-cli",
    "pipx run mlscaffold new demo",
    "uv tool run mlscaffold check",
    "pip install git+https://github.com/mlscaffold/mlscaffold",
    "pip install git+https://github.com/mlscaffold/mlscaffold@main",
    "pip install git+http://github.com/mlscaffold/mlscaffold@v0.3.0",
    "      mlscaffold: mlscaffold==0.3.0",
    "        default: mlscaffold",
    "        default: mlscaffold-cli",
    "      mlscaffold: {{ 'mlscaffold-cli==' ~ v if v else 'mlscaffold' }}",
    "requirement `mlscaffold>=0.2` in prose",
    "RUN pip install --no-cache-dir mlscaffold",
    "pip install \\\n    mlscaffold",
    "uv add mlscaffold-cli",
    "uv add 'mlscaffold-cli>=0.4'",
]

GOOD_LINES = [
    "pip install .",
    'python -m pip install -q -e ".[test]"',
    "pip install /dist/*.whl",
    "pip install ./dist/mlscaffold_cli-0.4.0-py3-none-any.whl",
    'uv pip install "dvc[${EXTRAS}]==${version}"',
    "pip install uv",
    "uvx pre-commit run --all-files",
    'uvx --from "$MLSCAFFOLD" mlscaffold check --format github .',
    "uvx --from mlscaffold-cli==0.4.0 mlscaffold check",
    "uvx --from 'mlscaffold-cli==1.2.3rc1' mlscaffold check",
    "pip install mlscaffold-cli==0.4.0",
    "pipx install mlscaffold-cli==0.4.0",
    "pip install git+https://github.com/mlscaffold/mlscaffold@v0.4.0",
    "pip install 'mlscaffold-cli @ git+https://github.com/mlscaffold/mlscaffold@" + "a" * 40 + "'",
    "      mlscaffold: mlscaffold-cli==0.4.0",
    "        default: mlscaffold-cli==0.4.0",
    "      mlscaffold: {{ 'mlscaffold-cli==' ~ _copier_answers._commit[1:] }}",
    "      mlscaffold: mlscaffold-cli=={{ _copier_answers._commit[1:] }}",
    "The command is `mlscaffold`; run `mlscaffold new demo`.",
    "uses: mlscaffold/mlscaffold/.github/workflows/ci.yml@v0.4.0",
    "import mlscaffold",
    'git config user.name "mlscaffold[bot]"',
    "        default: mlscaffold/template-sync",
]


@pytest.mark.parametrize("line", BAD_LINES)
def test_scanner_finds_planted_bad_install(line: str) -> None:
    assert scan_text(line, "planted") != [], line


@pytest.mark.parametrize("line", GOOD_LINES)
def test_scanner_accepts_pinned_or_local_install(line: str) -> None:
    assert scan_text(line, "planted") == [], line


def test_scanner_reads_workflow_input_defaults() -> None:
    workflow = """\
on:
  workflow_call:
    inputs:
      mlscaffold:
        type: string
        default: {default}
jobs:
  ci:
    uses: mlscaffold/mlscaffold/.github/workflows/project-ci.yml@v0.4.0
    with:
      mlscaffold: {value}
"""
    good = workflow.format(default="mlscaffold-cli==0.4.0", value="mlscaffold-cli==0.4.0")
    assert scan_workflow_inputs(good, "w.yml") == []
    for default, value in [
        ("mlscaffold", "mlscaffold-cli==0.4.0"),
        ('""', "mlscaffold-cli==0.4.0"),
        ("mlscaffold-cli==0.4.0", "other-package==1.0"),
        ("mlscaffold-cli==0.4.0", "git+https://github.com/mlscaffold/mlscaffold@main"),
    ]:
        found = scan_workflow_inputs(workflow.format(default=default, value=value), "w.yml")
        assert len(found) == 1, (default, value)


TEMPLATE_SYNC = ROOT / ".github" / "workflows" / "template-sync.yml"

# Each edit of template-sync.yml (old, new) turns resolve-then-pin into something that could
# install a stranger's package, a pre-release or an unchecked answer: the scanner must say so.
RESOLVE_THEN_PIN_BROKEN = {
    "the foreign name resolved": ("echo mlscaffold-cli \\", "echo mlscaffold \\"),
    "pre-releases allowed": ("--prerelease disallow", "--prerelease allow"),
    "an index of its own": ("--no-deps", "--no-deps --extra-index-url https://evil.example/simple"),
    "any version accepted": ("^mlscaffold-cli==([0-9]+\\.[0-9]+\\.[0-9]+)$", "^mlscaffold-cli==(.+)$"),
    "the raw answer passed on": (
        'echo "requirement=mlscaffold-cli==${BASH_REMATCH[1]}"',
        'echo "requirement=${resolved}"',
    ),
    "the input installed directly": (
        'uvx --from "$REQUIREMENT" mlscaffold upgrade',
        'uvx --from "$MLSCAFFOLD" mlscaffold upgrade',
    ),
    "the requirement taken from the input": (
        "secrets.token }}\n          REQUIREMENT: ${{ steps.tool.outputs.requirement }}",
        "secrets.token }}\n          REQUIREMENT: ${{ inputs.mlscaffold }}",
    ),
    "the guard not first": ("      - name: The mlscaffold requirement is pinned", "      - name: Pinned"),
}


def test_scanner_accepts_template_sync_resolve_then_pin() -> None:
    assert scan_workflow_inputs(TEMPLATE_SYNC.read_text(encoding="utf-8"), "t.yml") == []


@pytest.mark.parametrize("edit", list(RESOLVE_THEN_PIN_BROKEN))
def test_scanner_finds_a_broken_resolve_then_pin(edit: str) -> None:
    old, new = RESOLVE_THEN_PIN_BROKEN[edit]
    text = TEMPLATE_SYNC.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    findings = scan_workflow_inputs(text.replace(old, new), "t.yml")
    assert findings and all("`newest` must resolve then pin" in f.reason for f in findings), findings


def test_scanner_allows_newest_only_where_it_resolves() -> None:
    caller = """\
on: push
jobs:
  sync:
    uses: mlscaffold/mlscaffold/.github/workflows/{workflow}@v0.4.0
    with:
      mlscaffold: newest
"""
    assert scan_workflow_inputs(caller.format(workflow="template-sync.yml"), "c.yml") == []
    assert len(scan_workflow_inputs(caller.format(workflow="project-ci.yml"), "c.yml")) == 1
    # A workflow of its own defaulting to `newest` without the resolving step: found.
    bare = "on:\n  workflow_call:\n    inputs:\n      mlscaffold:\n        default: newest\njobs:\n"
    bare += '  sync:\n    runs-on: x\n    steps:\n      - run: uvx --from "$MLSCAFFOLD" mlscaffold upgrade\n'
    assert scan_workflow_inputs(bare, "b.yml") != []


PRE_COMMIT = """\
repos:
  - repo: https://github.com/mlscaffold/mlscaffold
    rev: {rev}
    hooks:
      - id: mlscaffold-check
"""


@pytest.mark.parametrize(
    ("rev", "found"), [("main", 1), ("v1", 1), ("v0.4.0", 0), ("a" * 40, 0), ("vX.Y.Z", 0)]
)
def test_scanner_reads_pre_commit_revs(rev: str, found: int) -> None:
    assert len(scan_pre_commit_revs(PRE_COMMIT.format(rev=rev), "p.yaml")) == found


def test_scanner_sees_files_of_every_kind() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in scanned_files()}
    assert {
        "README.md",
        ".github/workflows/template-sync.yml",
        ".github/workflows/project-ci.yml",
        ".github/workflows/release.yml",
        "templates/default/template/.github/workflows/ci.yml.jinja",
        "docs/getting-started.md",
        "scripts/release.py",
        "benchmarks/bench_new.py",
    } <= names
    assert "CHANGELOG.md" not in names


# --- the scan itself ----------------------------------------------------------------------------


def test_repository_installs_only_our_pinned_package() -> None:
    findings = [f for path in scanned_files() for f in scan_file(path, ROOT)]
    assert findings == []


def test_generated_project_installs_only_our_pinned_package(generated_project_template: Path) -> None:
    files = [p for p in sorted(generated_project_template.rglob("*")) if p.is_file() and ".git" not in p.parts]
    findings = [f for path in files for f in scan_file(path, generated_project_template)]
    assert findings == []
    ci = (generated_project_template / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s+mlscaffold: mlscaffold-cli==\S+$", ci, re.M), ci


def test_distribution_is_published_under_our_own_name() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DIST
    assert project["scripts"] == {"mlscaffold": "mlscaffold.cli:main"}  # the command keeps its name
