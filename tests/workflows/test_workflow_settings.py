"""The generated README lists what each workflow needs set up, exactly as the workflows declare it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlscaffold.workflow_settings import derive_settings, render_markdown

from support.workflow_projects import FORKS, OURS, ROOT, WORKFLOW_COMBINATIONS


def reader_for(repository: str) -> Callable[[str], str | None]:
    """Read `uses:` targets in REPOSITORY from this checkout (what the generated callers call)."""

    def read(uses: str) -> str | None:
        target = uses.split("@", 1)[0]
        if not target.startswith(f"{repository}/"):
            return None
        path = ROOT / target[len(repository) + 1 :]
        return path.read_text(encoding="utf-8") if path.is_file() else None

    return read


def derived(project: Path, repository: str) -> str:
    read = reader_for(repository)
    workflows = sorted((project / ".github" / "workflows").glob("*.yml"))
    return render_markdown([derive_settings(p.name, p.read_text(encoding="utf-8"), read) for p in workflows])


def readme_list(project: Path) -> str:
    """Return the list under the README's `## Workflow settings`."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Workflow settings\n", 1)[1].split("\n## ", 1)[0]
    return section[section.index("\n- `") + 1 :].rstrip("\n") + "\n"


@pytest.mark.parametrize("name", list(WORKFLOW_COMBINATIONS))
def test_readme_lists_what_the_workflows_declare(workflow_projects: dict[str, Path], name: str) -> None:
    project = workflow_projects[name]
    assert readme_list(project) == derived(project, FORKS.get(name, OURS))


def test_a_secret_the_readme_does_not_list_is_seen(workflow_projects: dict[str, Path], tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".github").mkdir(parents=True)
    source = workflow_projects["online-local"]
    (project / "README.md").write_text((source / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    workflows = project / ".github" / "workflows"
    workflows.mkdir()
    for caller in (source / ".github" / "workflows").glob("*.yml"):
        (workflows / caller.name).write_text(caller.read_text(encoding="utf-8"), encoding="utf-8")
    drift = workflows / "drift.yml"
    drift.write_text(
        drift.read_text(encoding="utf-8") + "    secrets:\n      AWS_ACCESS_KEY_ID: ${{ secrets.MY_KEY }}\n",
        encoding="utf-8",
    )

    listed, wanted = readme_list(project), derived(project, OURS)
    assert listed != wanted
    drift_part = wanted[wanted.index("- `drift.yml`") :].split("\n- ", 1)[0]
    assert "  - secret `MY_KEY`: " in drift_part


CALLEE = """\
on:
  workflow_call:
    inputs:
      environment: {type: string, required: true}
      app-id: {type: string, description: "The app's  client ID."}
    secrets:
      token: {description: A token., required: false}
      key: {description: A key.}
jobs:
  deploy:
    environment: ${{ inputs.environment }}
    permissions: {contents: write, pull-requests: write}
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
  docs:
    environment: {name: github-pages}
    permissions: {pages: write, id-token: write}
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
"""


def test_settings_come_from_environments_secrets_variables_and_permissions() -> None:
    caller = """\
on: push
jobs:
  a:
    uses: o/r/.github/workflows/x.yml@v1
    with:
      environment: production
      app-id: ${{ vars.APP_ID }}
    secrets:
      token: ${{ secrets.DEPLOY_TOKEN }}
  b:
    uses: o/r/.github/workflows/x.yml@v1
    with:
      environment: staging
    secrets: inherit
  c:
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
"""
    found = derive_settings("x.yml", caller, lambda uses: CALLEE if uses.startswith("o/r/") else None)
    assert found.environments == ["production", "github-pages", "staging"]
    assert found.secrets == {"DEPLOY_TOKEN": "A token.", "token": "A token.", "key": "A key."}
    assert found.variables == {"APP_ID": "The app's client ID."}
    assert [s.split(":")[0] for s in found.settings] == [
        "Settings > Actions > General > Workflow permissions",
        "Settings > Pages > Source",
    ]  # `id-token: write` for Pages: no cloud identity is named, so no provider to set up
    text = render_markdown([found, derive_settings("ci.yml", "on: push\njobs: {}\n", lambda _: None)])
    assert text.startswith("- `ci.yml`: nothing to set up.\n- `x.yml`:\n")
    assert (
        "  - environment `production` (Settings > Environments; protect it with required reviewers)\n" in text
    )
    assert "  - environment `staging` (Settings > Environments)\n" in text


ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
IMAGE_CALLEE = """\
on:
  workflow_call:
    inputs:
      image: {type: string}
      runs-on: {type: string}
      aws-role-arn: {type: string, description: The role to assume.}
jobs:
  image:
    permissions: {contents: read, packages: write, id-token: write}
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
"""


@pytest.mark.parametrize(
    ("given", "ghcr", "provider"),
    [
        ("{}", True, False),  # the default image is on GHCR; OIDC only signs attestations
        ("{image: ghcr.io/o/app}", True, False),
        ("{image: " + ECR + "/app, aws-role-arn: '${{ vars.ROLE }}'}", False, True),
        ("{runs-on: '${{ vars.RUNNER }}'}", True, False),  # a variable that names no identity
    ],
)
def test_permission_settings_follow_what_the_caller_uses(given: str, ghcr: bool, provider: bool) -> None:
    caller = f"on: push\njobs:\n  image:\n    uses: o/r/.github/workflows/i.yml@v1\n    with: {given}\n"
    found = derive_settings("image.yml", caller, lambda _: IMAGE_CALLEE)
    assert any("ghcr.io" in s for s in found.settings) is ghcr
    assert any("identity provider" in s for s in found.settings) is provider
