"""`mlscaffold upgrade` of a project made from a team's own template, kept in a git repository.

The template is the default one copied into a test repository and changed between three
tags: v1.1.0 adds a file and changes a README line the team also edits, v1.2.0 renames the
runbook with a `git mv` migration (so it needs `--trust`) and changes it. A project is made
at v1.0.0 through the CLI (`new --template REPO --vcs-ref v1.0.0`), the team edits and
commits, and each test upgrades a copy: the same guarantees as for the bundled template
(edits kept, conflicts listed with exit 3, dry run equal to the real run, `--check`,
`--to`, dirty tree refused, interrupts, the seeded no-loss property), offline for a local
repository and through a `file://` URL, with one clear line when the template is gone or
unreachable.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner
from upgrade.test_upgrade_guarantee import apply_scenario, assert_nothing_lost

from mlscaffold import cli
from mlscaffold.answers_file import read_project_answers
from mlscaffold.upgrade import upgrade_project

from support.cli_calls import one_error_line, read, upgrade
from support.git_worlds import git
from support.interrupted_runs import (
    assert_left_sound,
    copy_for_run,
    rerun,
    result_state,
    state,
    stop_at,
    timed_run,
)
from support.upgrade_template import snapshot

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
IDENTITY = ["-c", "user.name=Platform Team", "-c", "user.email=platform@example.com"]
TEAM_HEADING = "## Start here, the team's way"
TEAM_RUNBOOK = "- Page the on-call data scientist first."
TEAM_README = "## Our notes\n\nThe team's own section.\n"
RENAMES = {"docs/runbook.md": "docs/operations.md"}


def tag(repo: Path, version: str) -> None:
    subprocess.run(["git", *IDENTITY, "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", *IDENTITY, "commit", "-qm", f"Template {version}"], cwd=repo, check=True)
    subprocess.run(["git", "tag", version], cwd=repo, check=True)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def build_template(repo: Path) -> Path:
    """Make the team's template repository: the default template at v1.0.0, changed at v1.1.0 and v1.2.0."""
    shutil.copytree(ROOT / "templates" / "default", repo, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    tag(repo, "v1.0.0")
    files = repo / "template"
    (files / "docs" / "onboarding.md").write_text("# Onboarding\n\nRead the scoping document.\n", "utf-8")
    edit(files / "README.md.jinja", "## Start here", "## Getting started")
    tag(repo, "v1.1.0")
    subprocess.run(
        ["git", "mv", "template/docs/runbook.md.jinja", "template/docs/operations.md.jinja"],
        cwd=repo,
        check=True,
    )
    with (files / "docs" / "operations.md.jinja").open("a", encoding="utf-8") as handle:
        handle.write("\n## Escalation\n\nThe platform team owns the cluster.\n")
    edit(files / "README.md.jinja", "(docs/runbook.md)", "(docs/operations.md)")
    migration = "  - version: v1.2.0\n    command: git mv docs/runbook.md docs/operations.md\n"
    edit(repo / "copier.yml", "_migrations:\n", "_migrations:\n" + migration)
    tag(repo, "v1.2.0")
    return repo


def cli_ok(*args: str) -> str:
    result = runner.invoke(cli.app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def new_project(template: str, target: Path) -> Path:
    cli_ok("new", str(target), "--template", template, "--vcs-ref", "v1.0.0", "--defaults", "--no-lock")
    return target


def team_edits(project: Path) -> None:
    """What a team does after `new`: a heading the template also changes, a section, a runbook line, files."""
    edit(project / "README.md", "## Start here", TEAM_HEADING)
    with (project / "README.md").open("a", encoding="utf-8") as handle:
        handle.write("\n" + TEAM_README)
    runbook = project / "docs" / "runbook.md"
    heading, rest = runbook.read_text(encoding="utf-8").split("\n\n", 1)
    runbook.write_text(f"{heading}\n\n{TEAM_RUNBOOK}\n\n{rest}", encoding="utf-8")
    (project / "src" / "team_app" / "features.py").write_text("FEATURES = ['age']\n", encoding="utf-8")
    (project / "assets").mkdir()
    (project / "assets" / "logo.bin").write_bytes(b"\x00team logo")
    git("add", "-A", cwd=project)
    git("commit", "-qm", "team work", cwd=project)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return the template repository and a team's project made from it at v1.0.0 (copy before use)."""
    root = tmp_path_factory.mktemp("foreign")
    template = build_template(root / "team-template")
    project = new_project(str(template), root / "made" / "team-app")
    team_edits(project)
    return {"template": template, "project": project}


@pytest.fixture
def project(world: dict[str, Path], tmp_path: Path) -> Path:
    target = tmp_path / "team-app"
    shutil.copytree(world["project"], target, symlinks=True)
    return target


def test_new_records_the_template_and_its_exact_tag(world: dict[str, Path]) -> None:
    recorded = read_project_answers(world["project"])
    assert recorded is not None
    assert (recorded.src_path, recorded.commit) == (str(world["template"]), "v1.0.0")


def test_check_and_versions_read_the_template_tags_offline(project: Path, world: dict[str, Path]) -> None:
    check = upgrade(project, "--check")
    assert check.exit_code == 3, check.output
    assert f"is on template {world['template']} v1.0.0; v1.2.0 is available" in check.stdout
    versions = cli_ok("versions", str(project))
    assert f"comes from another template ({world['template']}); its versions:" in versions
    assert "v1.0.0  (" in versions and "v1.2.0  (newest)" in versions


def test_upgrade_to_each_newer_tag_keeps_the_teams_work(project: Path) -> None:
    first = upgrade(project, "--to", "v1.1.0")
    assert first.exit_code == 3, first.output  # the heading both changed
    assert "README.md: both changed it" in first.stdout
    readme = read(project, "README.md")
    assert TEAM_HEADING in readme and "## Getting started" in readme and "<<<<<<< yours" in readme
    assert TEAM_README in readme
    assert read(project, "docs/onboarding.md").startswith("# Onboarding")
    assert TEAM_RUNBOOK in read(project, "docs/runbook.md")
    assert (project / "src/team_app/features.py").is_file()
    assert "UU README.md" in git("status", "--porcelain", cwd=project).splitlines()
    # The team resolves the conflict their way and commits.
    resolved = (
        readme.split("<<<<<<< yours\n")[0] + TEAM_HEADING + "\n" + readme.split(">>>>>>> template-v1.1.0\n")[1]
    )
    (project / "README.md").write_text(resolved, encoding="utf-8")
    git("add", "-A", cwd=project)
    git("commit", "-qm", "upgrade to v1.1.0", cwd=project)

    untrusted = upgrade(project)
    assert untrusted.exit_code == 1
    line = one_error_line(untrusted)
    assert "uses migrations (`git mv docs/runbook.md docs/operations.md`)" in line and "--trust" in line
    second = upgrade(project, "--trust", "--commit")
    assert second.exit_code == 0, second.output
    assert not (project / "docs/runbook.md").exists()
    operations = read(project, "docs/operations.md")
    assert TEAM_RUNBOOK in operations and "The platform team owns the cluster." in operations
    readme = read(project, "README.md")
    assert "(docs/operations.md)" in readme and TEAM_HEADING in readme and TEAM_README in readme
    assert git("log", "-1", "--format=%s", cwd=project).startswith("Upgrade template ")
    assert upgrade(project, "--check").exit_code == 0
    recorded = read_project_answers(project)
    assert recorded is not None and recorded.commit == "v1.2.0"


def test_dry_run_changes_nothing_and_equals_the_real_run(project: Path) -> None:
    before = snapshot(project)
    dry = upgrade(project, "--dry-run", "--trust")
    assert dry.exit_code == 3, dry.output
    assert snapshot(project) == before
    assert dry.stdout.startswith("diff --git ")
    real = upgrade(project, "--trust")
    assert real.exit_code == 3
    assert git("diff", "-M", "HEAD", cwd=project) + "\n" == dry.stdout


def test_dirty_tree_unknown_version_and_downgrade_are_refused(project: Path) -> None:
    (project / "scratch.txt").write_text("wip\n", encoding="utf-8")
    before = snapshot(project)
    assert "uncommitted changes (scratch.txt)" in one_error_line(upgrade(project, "--trust"))
    assert snapshot(project) == before
    (project / "scratch.txt").unlink()
    assert "is not available (known: v1.0.0, v1.1.0, v1.2.0)" in one_error_line(
        upgrade(project, "--to", "v9.0.0")
    )
    answers = project / ".copier-answers.yml"
    edit(answers, "_commit: v1.0.0", "_commit: v1.1.0")
    git("commit", "-qam", "pretend", cwd=project)
    assert "upgrade never goes back" in one_error_line(upgrade(project, "--to", "v1.0.0"))
    edit(answers, "_commit: v1.1.0", "_commit: v0.9.0")
    git("commit", "-qam", "pretend", cwd=project)
    assert "which is none of its version tags (v1.0.0, v1.1.0, v1.2.0)" in one_error_line(upgrade(project))


def test_a_file_url_works_and_an_unreachable_one_fails_in_one_line(
    world: dict[str, Path], tmp_path: Path
) -> None:
    url = f"file://{world['template']}"
    project = new_project(url, tmp_path / "remote-app")
    recorded = read_project_answers(project)
    assert recorded is not None and recorded.src_path == f"git+{url}"
    assert upgrade(project, "--check").exit_code == 3
    result = upgrade(project, "--to", "v1.1.0", "--commit")
    assert result.exit_code == 0, result.output
    assert (project / "docs/onboarding.md").is_file()
    # The template moves away: every command says so in one line, and nothing changes.
    answers = project / ".copier-answers.yml"
    edit(answers, f"git+{url}", "git+http://127.0.0.1:9/team-template.git")
    git("commit", "-qam", "moved", cwd=project)
    for args in (["--check"], ["--trust"], ["--dry-run"]):
        line = one_error_line(upgrade(project, *args))
        assert line.startswith("error: Cannot reach template git+http://127.0.0.1:9/team-template.git (")
    versions = runner.invoke(cli.app, ["versions", str(project)])
    assert versions.exit_code == 1 and "Cannot reach template" in one_error_line(versions)
    edit(answers, "git+http://127.0.0.1:9/team-template.git", str(tmp_path / "gone"))
    git("commit", "-qam", "gone", cwd=project)
    assert "does not exist on this machine" in one_error_line(upgrade(project))
    assert git("status", "--porcelain", cwd=project) == ""


@pytest.mark.parametrize("seed", [1, 5, 11])
def test_no_line_of_the_team_is_ever_lost(world: dict[str, Path], tmp_path: Path, seed: int) -> None:
    project = tmp_path / "team-app"
    shutil.copytree(world["project"], project, symlinks=True)
    rng = random.Random(seed)
    end = rng.choice(["v1.1.0", "v1.2.0"])
    expect = apply_scenario(project, rng, seed)
    scenario = f"seed {seed}: v1.0.0 -> {end}: " + "; ".join(expect.steps)
    result = upgrade_project(project, to=end, trust=True)
    assert_nothing_lost(project, expect, result, end, scenario, renames=RENAMES if end == "v1.2.0" else {})


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to time signals")
def test_interrupted_upgrade_leaves_the_repository_before_or_after(project: Path, tmp_path: Path) -> None:
    before = state(project)
    pristine = tmp_path / "pristine"
    subprocess.run(["cp", "-a", str(project), str(pristine)], check=True)
    (tmp_path / "tmp-timed").mkdir()
    (writing,), total, timed = timed_run(
        ["upgrade", str(project), "--trust"], tmp_path / "tmp-timed", ["Writing "], timeout=300
    )
    assert timed.returncode == 3, timed.stderr
    final_step = total - writing
    after = result_state(project)
    # SIGINT while rendering, SIGTERM once merging, SIGKILL and SIGINT during the final step
    # (which mlscaffold does not stop halfway), SIGTERM after the end.
    cases = [
        ("Rendering template v1.2.0", signal.SIGINT, 0.0),
        ("Merging", signal.SIGTERM, 0.0),
        ("Writing ", signal.SIGKILL, 0.5 * final_step),
        ("Writing ", signal.SIGINT, 0.3 * final_step),
        ("Writing ", signal.SIGTERM, 1.5 * final_step),
    ]
    outcomes = []
    for i, (anchor, number, delay) in enumerate(cases):
        copy, tmpdir = copy_for_run(pristine, tmp_path, i, "team-app")
        result = stop_at(["upgrade", str(copy), "--trust"], tmpdir, anchor, number, delay)
        code, err = result.returncode, result.stderr
        case = (anchor, number.name, code, err)
        assert_left_sound(copy, tmpdir, number, result, case)
        if number != signal.SIGKILL:
            assert code in (130, 3), case
        if state(copy) == before:
            outcome = "before"
            assert code != 3, case
        else:
            outcome = "after"
            assert result_state(copy) == after, case
        if code == 130:
            assert ("nothing was changed" in err) == (outcome == "before"), case
        second = rerun(["upgrade", str(copy), "--trust"], timeout=300)
        assert second.returncode == (3 if outcome == "before" else 0), (case, second.stderr)
        assert result_state(copy) == after, case
        outcomes.append((anchor, number.name, code, outcome))
    # Stopped while rendering: nothing changed; stopped after the end: the upgrade is complete.
    assert outcomes[0][-1] == "before" and outcomes[-1][-1] == "after", outcomes


def test_template_extensions_render_with_trust(tmp_path: Path) -> None:
    """A template loading its Jinja extensions through copier-template-extensions, as popular ones do."""
    repo = tmp_path / "ext-template"
    (repo / "extensions").mkdir(parents=True)
    (repo / "template").mkdir()
    (repo / "copier.yml").write_text(
        "_subdirectory: template\n"
        "_jinja_extensions:\n"
        "  - copier_template_extensions.TemplateExtensionLoader\n"
        "  - extensions/context.py:ContextUpdater\n"
        "  - extensions/slugify.py:SlugifyExtension\n"
        "name:\n  type: str\n  default: My Project\n"
        'slug:\n  type: str\n  default: "{{ name | slugify }}"\n',
        encoding="utf-8",
    )
    (repo / "extensions" / "context.py").write_text(
        "from copier_template_extensions import ContextHook\n\n\n"
        "class ContextUpdater(ContextHook):\n"
        "    def hook(self, context):\n"
        '        context["greeting"] = "hello " + context.get("name", "")\n',
        encoding="utf-8",
    )
    (repo / "extensions" / "slugify.py").write_text(
        "import re\n\nfrom jinja2.ext import Extension\n\n\n"
        "class SlugifyExtension(Extension):\n"
        "    def __init__(self, environment):\n"
        "        super().__init__(environment)\n"
        '        environment.filters["slugify"] = lambda v: (\n'
        '            re.sub(r"[^a-z0-9]+", "-", str(v).lower()).strip("-")\n'
        "        )\n",
        encoding="utf-8",
    )
    (repo / "template" / "README.md.jinja").write_text("{{ greeting }} / {{ slug }}\n", encoding="utf-8")
    (repo / "template" / "{{_copier_conf.answers_file}}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml -}}\n", encoding="utf-8"
    )
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    tag(repo, "v1.0.0")
    target = tmp_path / "ext-app"
    refused = runner.invoke(cli.app, ["new", str(target), "--template", str(repo), "--defaults", "--no-lock"])
    assert refused.exit_code == 1
    assert "uses Jinja extensions" in one_error_line(refused)
    assert not target.exists()
    cli_ok("new", str(target), "--template", str(repo), "--defaults", "--no-lock", "--trust")
    assert read(target, "README.md") == "hello My Project / my-project\n"

    edit(repo / "template" / "README.md.jinja", "{{ slug }}\n", "{{ slug }}\nsecond line\n")
    tag(repo, "v1.1.0")
    with (target / "README.md").open("a", encoding="utf-8") as handle:
        handle.write("team line\n")
    git("commit", "-qam", "team", cwd=target)
    refused = upgrade(target)
    assert refused.exit_code == 1 and "uses Jinja extensions" in one_error_line(refused)
    result = upgrade(target, "--trust")
    assert result.exit_code == 3, result.output
    readme = read(target, "README.md")
    assert "team line" in readme and "second line" in readme and "README.md: both changed it" in result.stdout


@pytest.mark.parametrize("src", ["git+--upload-pack=touch {marker}", "git+ext::sh -c touch% {marker}"])
def test_a_template_address_never_runs_a_command(project: Path, tmp_path: Path, src: str) -> None:
    """An answers file (a pull request can change it) or --template naming git options or the ext transport."""
    marker = tmp_path / "pwned"
    answers = project / ".copier-answers.yml"
    text = answers.read_text(encoding="utf-8")
    answers.write_text(
        "\n".join(
            f"_src_path: '{src.format(marker=marker)}'" if line.startswith("_src_path:") else line
            for line in text.splitlines()
        )
        + "\n",
        encoding="utf-8",
    )
    git("commit", "-qam", "hostile source", cwd=project)
    for args in (["upgrade", str(project)], ["upgrade", str(project), "--check"], ["versions", str(project)]):
        result = runner.invoke(cli.app, args)
        assert result.exit_code == 1, result.output
        assert one_error_line(result).startswith("error: ")
    made = runner.invoke(
        cli.app, ["new", str(tmp_path / "x"), "--template", src.format(marker=marker), "--defaults"]
    )
    assert made.exit_code == 1, made.output
    assert one_error_line(made)
    assert not marker.exists()
    assert not (tmp_path / "x").exists()


def test_a_project_from_a_plain_directory_template_is_told_what_upgrades_need(tmp_path: Path) -> None:
    template = tmp_path / "plain-template"
    template.mkdir()
    (template / "copier.yml").write_text("name:\n  type: str\n  default: demo\n", encoding="utf-8")
    (template / "README.md.jinja").write_text("# {{ name }}\n", encoding="utf-8")
    (template / "{{_copier_conf.answers_file}}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml -}}\n", encoding="utf-8"
    )
    project = tmp_path / "plain-app"
    cli_ok("new", str(project), "--template", str(template), "--defaults", "--no-lock")
    line = one_error_line(upgrade(project))
    assert f"was made from {template} at no version" in line and "--vcs-ref" in line
    line = one_error_line(runner.invoke(cli.app, ["versions", str(project)]))
    assert "is not a git repository, so it has no versions" in line


def test_upgrade_runs_no_task_and_needs_no_trust_for_tasks(tmp_path: Path) -> None:
    """Tasks set up a new project (`new --trust` runs them); an upgrade renders versions without them."""
    marker = tmp_path / "task-ran"
    repo = tmp_path / "task-template"
    repo.mkdir()
    (repo / "copier.yml").write_text(f"_tasks:\n  - touch {marker}\nname:\n  default: demo\n", encoding="utf-8")
    (repo / "README.md.jinja").write_text("# {{ name }}\n", encoding="utf-8")
    (repo / "{{_copier_conf.answers_file}}.jinja").write_text("{{ _copier_answers|to_nice_yaml -}}\n", "utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    tag(repo, "v1.0.0")
    project = tmp_path / "task-app"
    cli_ok("new", str(project), "--template", str(repo), "--defaults", "--no-lock", "--trust")
    assert marker.exists()
    marker.unlink()
    (repo / "NOTES.md").write_text("notes\n", encoding="utf-8")
    tag(repo, "v1.1.0")
    result = upgrade(project, "--commit")
    assert result.exit_code == 0, result.output
    assert (project / "NOTES.md").is_file()
    assert not marker.exists()
