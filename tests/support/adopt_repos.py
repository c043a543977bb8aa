"""Repositories no template made, for the adopt tests, and how to fingerprint a user's files."""

from __future__ import annotations

from pathlib import Path

from hostile.user_trees import snapshot
from support.git_worlds import git

CONFLICTING_FILES = {
    "README.md": "# Fraud scoring\n\nOur own README, with our own words.\n",
    "Makefile": "all:\n\tpython -m fraud_score\n\ntest:\n\tpytest -q\n",
    "pyproject.toml": (
        '[project]\nname = "fraud-score"\nversion = "1.4.0"\n'
        'description = "Scores card transactions for fraud"\nrequires-python = ">=3.11"\n'
        'authors = [{ name = "Risk Team", email = "risk@example.org" }]\n'
        'license = "Apache-2.0"\n'
    ),
    ".gitignore": "*.pyc\n/secrets/\n",
    "Dockerfile": 'FROM python:3.11-slim\nCOPY . /app\nCMD ["python", "-m", "fraud_score"]\n',
    "src/fraud_score/__init__.py": '"""Fraud scoring."""\n',
    "src/fraud_score/model.py": "def score(x):\n    return 0.5\n",
    "tests/test_model.py": (
        "from fraud_score.model import score\n\n\ndef test_score():\n    assert score(1) == 0.5\n"
    ),
}
LOGO = b"\x89PNG\r\n\x1a\n\x00\x01binary logo of ours"


def commit_all(repo: Path, message: str = "our work") -> None:
    git("add", "-A", cwd=repo)
    git("commit", "-qm", message, cwd=repo)


def user_files(repo: Path) -> dict[str, object]:
    """Return every entry of REPO's work tree but `.git`: kind, mode and bytes (or link target)."""
    return {k: v for k, v in snapshot(repo).items() if not k.startswith(".git/") and k != ".git"}
