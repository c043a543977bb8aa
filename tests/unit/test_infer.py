"""`mlscaffold.infer`: what a repository says about itself, one pass and one refusal per reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlscaffold.infer import RepositoryReadError, infer_answers

from support.git_worlds import git

QUESTIONS = [
    "project_name",
    "package_name",
    "description",
    "author_name",
    "author_email",
    "github_owner",
    "python_version",
    "license",
]
CHOICES = {
    "python_version": ["3.10", "3.11", "3.12", "3.13"],
    "license": ["MIT", "Apache-2.0", "BSD-3-Clause", "Proprietary"],
}


def repo_with(tmp_path: Path, files: dict[str, str], remote: str | None = None) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    for relpath, text in files.items():
        (repo / relpath).parent.mkdir(parents=True, exist_ok=True)
        (repo / relpath).write_text(text, encoding="utf-8")
    git("init", "-q", "-b", "main", cwd=repo)
    if remote:
        git("remote", "add", "origin", remote, cwd=repo)
    return repo


def inferred(repo: Path) -> dict[str, object]:
    return infer_answers(repo, QUESTIONS, CHOICES).values()


def test_infer_reads_pyproject_and_the_src_layout(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path,
        {
            "pyproject.toml": (
                '[project]\nname = "Fraud.Score"\ndescription = "Scores fraud"\n'
                'requires-python = ">=3.8"\nlicense = {text = "MIT License"}\n'
                'authors = [{name = "Risk", email = "risk@example.org"}]\n'
            ),
            "src/fraud_score/__init__.py": "",
            "src/other/__init__.py": "",
        },
    )
    answers = inferred(repo)
    assert answers["project_name"] == "Fraud.Score"
    assert answers["package_name"] == "fraud_score"  # the one matching the project name
    assert answers["description"] == "Scores fraud"
    assert (answers["author_name"], answers["author_email"]) == ("Risk", "risk@example.org")
    assert answers["python_version"] == "3.10"  # the oldest offered that >=3.8 allows
    assert answers["license"] == "MIT"


def test_infer_skips_what_is_not_there_or_a_placeholder(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path, {"pyproject.toml": '[project]\nname = "x"\ndescription = "Add your description here"\n'}
    )
    answers = inferred(repo)
    assert "description" not in answers
    assert "package_name" not in answers
    assert "github_owner" not in answers
    assert "license" not in answers


def test_infer_takes_a_top_level_package_but_not_tests(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {"churn/__init__.py": "", "tests/__init__.py": "", "docs/__init__.py": ""})
    result = infer_answers(repo, QUESTIONS, CHOICES)
    assert result.values()["package_name"] == "churn"
    assert result.source_of("package_name") == "churn/__init__.py"


def test_infer_leaves_two_packages_to_the_user(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {"src/one/__init__.py": "", "src/two/__init__.py": ""})
    assert "package_name" not in inferred(repo)


@pytest.mark.parametrize(
    ("remote", "owner"),
    [
        ("git@github.com:acme-ml/repo.git", "acme-ml"),
        ("https://github.com/Acme/repo", "Acme"),
        ("https://github.com/acme/repo.git/", "acme"),
        ("ssh://git@github.example.com/team-x/repo.git", "team-x"),
        ("/srv/git/repo.git", "git"),
    ],
)
def test_infer_reads_the_owner_from_origin(tmp_path: Path, remote: str, owner: str) -> None:
    repo = repo_with(tmp_path, {}, remote=remote)
    result = infer_answers(repo, QUESTIONS, CHOICES)
    assert result.values()["github_owner"] == owner
    assert result.source_of("github_owner") == "the origin remote"


def test_infer_reads_no_owner_from_an_odd_remote(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {}, remote="weird")
    assert "github_owner" not in inferred(repo)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({".python-version": "3.12.1\n"}, "3.12"),
        ({".python-version": "cpython-3.13\n"}, "3.13"),
        ({"pyproject.toml": '[project]\nrequires-python = ">=3.11,<3.13"\n'}, "3.11"),
        ({"pyproject.toml": '[project]\nrequires-python = "~=3.12.0"\n'}, "3.12"),
        ({"pyproject.toml": '[project]\nrequires-python = "not a specifier"\n'}, None),
    ],
)
def test_infer_python_version(tmp_path: Path, files: dict[str, str], expected: str | None) -> None:
    assert inferred(repo_with(tmp_path, files)).get("python_version") == expected


def test_infer_keeps_a_python_the_template_does_not_offer_apart(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {".python-version": "3.9\n"})
    result = infer_answers(repo, QUESTIONS, CHOICES)
    assert "python_version" not in result.values()
    assert [(a.name, a.value, a.source) for a in result.not_offered] == [
        ("python_version", "3.9", ".python-version")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MIT License\n\nCopyright (c) 2024", "MIT"),
        ("                                 Apache License\n  Version 2.0", "Apache-2.0"),
        ("BSD 3-Clause License\n", "BSD-3-Clause"),
        ("GNU GENERAL PUBLIC LICENSE\n", None),
    ],
)
def test_infer_license_from_the_license_file(tmp_path: Path, text: str, expected: str | None) -> None:
    assert inferred(repo_with(tmp_path, {"LICENSE": text})).get("license") == expected


def test_infer_author_from_git_config_then_poetry(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {})
    git("config", "user.name", "Ann Lee", cwd=repo)
    result = infer_answers(repo, QUESTIONS, CHOICES)
    assert result.values()["author_name"] == "Ann Lee"
    assert result.source_of("author_name") == "git config user.name"
    poetry = repo / "pyproject.toml"
    poetry.write_text('[tool.poetry]\nname = "p"\nauthors = ["Bo Chen <bo@example.org>"]\n', encoding="utf-8")
    answers = inferred(repo)
    assert (answers["author_name"], answers["author_email"]) == ("Bo Chen", "bo@example.org")
    assert answers["project_name"] == "p"


def test_infer_asks_only_for_questions_the_template_has(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n'}, remote="git@github.com:o/x.git")
    assert infer_answers(repo, ["github_owner"]).values() == {"github_owner": "o"}


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ("[project\n", "is not valid TOML"),
        ('[project]\nname = "a/b"\n', "not a valid Python project name"),
        ('[project]\nname = "x"\ndescription = "two\\nlines"\n', "not one line of plain text"),
        ('[project]\nname = ["x"]\n', "as list, not text"),
        ('[project]\nname = "x"\nauthors = [{name = "A\\u0000B"}]\n', "not one line of plain text"),
    ],
)
def test_infer_refuses_a_malformed_or_hostile_pyproject(tmp_path: Path, pyproject: str, message: str) -> None:
    repo = repo_with(tmp_path, {"pyproject.toml": pyproject})
    with pytest.raises(RepositoryReadError, match=message):
        inferred(repo)


def test_infer_refuses_pyproject_bytes_that_are_not_text(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {})
    (repo / "pyproject.toml").write_bytes(b'[project]\nname = "\xff"\n')
    with pytest.raises(RepositoryReadError, match="not UTF-8"):
        inferred(repo)


def test_infer_reads_no_file_through_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text('[project]\nname = "stolen"\n', encoding="utf-8")
    repo = repo_with(tmp_path, {})
    (repo / "pyproject.toml").symlink_to(outside)
    (repo / ".python-version").symlink_to(outside)
    assert inferred(repo).get("project_name") is None
