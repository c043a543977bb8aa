"""Run the `run:` steps of a workflow job for real, the way a GitHub runner does, on this machine.

Each `run:` step's exact text runs under `bash --noprofile --norc -eo pipefail`
with the step's `env:` evaluated, in its working directory, with
GITHUB_OUTPUT / GITHUB_ENV / GITHUB_PATH / GITHUB_STEP_SUMMARY files read
back afterwards. `if:` conditions are evaluated. Steps that use this
repository's composite actions run those actions' steps the same way;
third-party actions (checkout, setup-uv, cache, docker) cannot be fetched
offline: they are recorded and skipped, and the test provides their effect
(a checked-out project, uv on PATH).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlscaffold.yamlio import load_text

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>\|\||&&|==|!=|<=|>=|[!()<>,\[\]])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.*-]*))"
)
_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)


class StepFailedError(AssertionError):
    """A `run:` step exited non-zero."""


def _truthy(value: Any) -> bool:
    return value not in (False, 0, "", None)


def _loose(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class _Parser:
    def __init__(self, text: str, context: Mapping[str, Any]) -> None:
        self.tokens = [(m.lastgroup, m.group(m.lastgroup or "")) for m in _TOKEN.finditer(text) if m.lastgroup]
        rest = _TOKEN.sub("", text).strip()
        if rest:
            raise ValueError(f"cannot parse expression {text!r} near {rest!r}")
        self.pos = 0
        self.context = context

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str | None, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.peek()!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            other = self.and_()
            value = value if _truthy(value) else other
        return value

    def and_(self) -> Any:
        value = self.compare()
        while self.peek() == "&&":
            self.take()
            other = self.compare()
            value = other if _truthy(value) else value
        return value

    def compare(self) -> Any:
        value = self.unary()
        while self.peek() in ("==", "!="):
            op = self.take()[1]
            other = self.unary()
            equal = _loose(value) == _loose(other)
            value = equal if op == "==" else not equal
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not _truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:  # noqa: PLR0911 - one return per kind of operand
        kind, text = self.take()
        if text == "(":
            inner = self.or_()
            self.take()
            return inner
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek() == "(":
            self.take()
            args = []
            while self.peek() != ")":
                args.append(self.or_())
                if self.peek() == ",":
                    self.take()
            self.take()
            return self.call(text, args)
        value: Any = self.context
        for part in text.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return value

    def call(self, name: str, args: list[Any]) -> Any:
        if name in ("always", "success"):
            return True
        if name in ("failure", "cancelled"):
            return False
        if name == "format":
            return re.sub(r"\{(\d+)\}", lambda m: str(args[1 + int(m.group(1))]), str(args[0]))
        if name == "hashFiles":
            return "hash"
        raise ValueError(f"function {name}() is not supported here")


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    """Evaluate one GitHub Actions expression (without `${{ }}`)."""
    return _Parser(expression, context).parse()


def interpolate(value: Any, context: Mapping[str, Any]) -> Any:
    """Replace every `${{ }}` in VALUE; a value that is one whole expression keeps its type."""
    if not isinstance(value, str):
        return value
    whole = _EXPR.fullmatch(value.strip())
    if whole:
        return evaluate(whole.group(1), context)
    return _EXPR.sub(lambda m: _text(evaluate(m.group(1), context)), value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read_outputs(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            found[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        name, _, value = line.partition("=")
        found[name] = value
        index += 1
    return found


@dataclass
class Runner:
    """Runs jobs of workflows in WORKSPACE; ACTIONS maps our `uses:` values to action directories."""

    workspace: Path
    temp: Path
    github: dict[str, Any]
    actions: Callable[[str], Path | None]
    secrets: dict[str, str] = field(default_factory=dict)
    base_env: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    env_file_values: dict[str, str] = field(default_factory=dict)
    path_prefix: list[str] = field(default_factory=list)
    # What each `run:` step printed, and the env its workflow gave it (job and step `env:`), by name.
    stdout: dict[str, str] = field(default_factory=dict)
    step_env: dict[str, dict[str, str]] = field(default_factory=dict)
    # Outputs a skipped third-party action would have set, by step id (a test's stand-in for it).
    action_outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    summary: Path = field(init=False)

    def __post_init__(self) -> None:
        self.temp.mkdir(parents=True, exist_ok=True)
        self.summary = self.temp / "step-summary.md"
        self.summary.write_text("", encoding="utf-8")

    def run_job(
        self, workflow: Path, job_name: str, inputs: Mapping[str, Any], needs: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run JOB_NAME of WORKFLOW with INPUTS (defaults filled in); return the job's outputs."""
        data = load_text(workflow.read_text(encoding="utf-8"))
        declared = (data["on"].get("workflow_call") or {}).get("inputs") or {}
        full_inputs = {k: v.get("default") for k, v in declared.items()} | dict(inputs)
        job = data["jobs"][job_name]
        context: dict[str, Any] = {
            "inputs": full_inputs,
            "github": self.github,
            "secrets": self.secrets,
            "runner": {"temp": str(self.temp), "os": "Linux"},
            "needs": needs or {},
            "steps": {},
        }
        if "if" in job and not _truthy(interpolate(_as_expression(job["if"]), context)):
            self.skipped.append(f"job {job_name}")
            return {}
        env = {k: _text(interpolate(v, context)) for k, v in (data.get("env") or {}).items()}
        env |= {k: _text(interpolate(v, context)) for k, v in (job.get("env") or {}).items()}
        default_dir = ((job.get("defaults") or data.get("defaults") or {}).get("run") or {}).get(
            "working-directory"
        )
        self._steps(job.get("steps") or [], context, env, default_dir)
        return {k: _text(interpolate(v, context)) for k, v in (job.get("outputs") or {}).items()}

    def _steps(
        self, steps: list[Any], context: dict[str, Any], env: dict[str, str], default_dir: str | None
    ) -> None:
        for index, step in enumerate(steps):
            name = str(step.get("name") or step.get("uses") or f"step {index}")
            if "if" in step and not _truthy(interpolate(_as_expression(step["if"]), context)):
                self.skipped.append(name)
                continue
            outputs: dict[str, str] = {}
            if "run" in step:
                step_env = env | {k: _text(interpolate(v, context)) for k, v in (step.get("env") or {}).items()}
                directory = interpolate(step.get("working-directory", default_dir), context) or "."
                outputs = self._run(name, str(step["run"]), step_env, self.workspace / str(directory))
            elif action := self.actions(step["uses"]):
                outputs = self._action(action, step, context)
            else:
                self.skipped.append(str(step["uses"]))
                outputs = self.action_outputs.get(str(step.get("id")), {})
            if "id" in step:
                context["steps"][step["id"]] = {"outputs": outputs, "outcome": "success"}

    def _action(self, action: Path, step: Mapping[str, Any], context: dict[str, Any]) -> dict[str, str]:
        meta = load_text((action / "action.yml").read_text(encoding="utf-8"))
        given = {k: _text(interpolate(v, context)) for k, v in (step.get("with") or {}).items()}
        inputs = {k: _text(v.get("default")) for k, v in (meta.get("inputs") or {}).items()} | given
        inner: dict[str, Any] = dict(context) | {"inputs": inputs, "steps": {}}
        saved = self.base_env.get("GITHUB_ACTION_PATH")
        self.base_env["GITHUB_ACTION_PATH"] = str(action)
        try:
            self._steps(meta["runs"]["steps"], inner, {}, None)
        finally:
            if saved is None:
                self.base_env.pop("GITHUB_ACTION_PATH", None)
        return {k: _text(interpolate(v["value"], inner)) for k, v in (meta.get("outputs") or {}).items()}

    def _run(self, name: str, script: str, env: Mapping[str, str], cwd: Path) -> dict[str, str]:
        if "${{" in script:
            raise AssertionError(f"step {name!r} interpolates an expression into run:")
        files = {
            key: self.temp / f"{key.lower()}-{len(self.ran)}"
            for key in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH")
        }
        for path in files.values():
            path.write_text("", encoding="utf-8")
        script_path = self.temp / f"step-{len(self.ran)}.sh"
        script_path.write_text(script, encoding="utf-8")
        full_env = dict(os.environ) | self.base_env | self.env_file_values | dict(env)
        full_env |= {key: str(path) for key, path in files.items()}
        full_env |= {
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_REPOSITORY": str(self.github.get("repository", "")),
            "GITHUB_API_URL": str(self.github.get("api_url", "")),
            "GITHUB_REF_NAME": str(self.github.get("ref_name", "")),
            "CI": "true",
        }
        full_env["PATH"] = os.pathsep.join([*self.path_prefix, full_env.get("PATH", "")])
        self.ran.append(name)
        self.step_env[name] = dict(env)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_path)],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            text=True,
            check=False,
        )
        self.stdout[name] = proc.stdout
        if proc.returncode != 0:
            raise StepFailedError(f"step {name!r} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        self.env_file_values |= _read_outputs(files["GITHUB_ENV"])
        self.path_prefix = [*files["GITHUB_PATH"].read_text(encoding="utf-8").split(), *self.path_prefix]
        return _read_outputs(files["GITHUB_OUTPUT"])


def _as_expression(condition: Any) -> Any:
    if isinstance(condition, str) and "${{" not in condition:
        return "${{ " + condition + " }}"
    return condition


ACTIONS_ROOT = Path(__file__).resolve().parents[2] / ".github" / "actions"


def our_action(uses: str) -> Path | None:
    """Map `mlscaffold/mlscaffold/.github/actions/NAME@REF` or `$/.github/actions/NAME` to this checkout's."""
    for prefix in ("mlscaffold/mlscaffold/.github/actions/", "$/.github/actions/"):
        if uses.startswith(prefix):
            return ACTIONS_ROOT / uses[len(prefix) :].split("@", 1)[0]
    return None
