"""Issue 27, item 6: the commit-time check sees the whole change, in a temporary git repository.

Renames and deletions of concept pages and cases are checked against every file that refers to them,
through ``scripts/validate-staged --hook`` exactly as pre-commit runs it (with the files it would name).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO

HOOK = REPO / "scripts" / "validate-staged"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=60,
                          env={**os.environ, **GIT_ENV}).stdout


def hook(root: Path, *files: str) -> subprocess.CompletedProcess:
    """Run the hook as pre-commit does: from the repository, naming the staged content files."""
    return subprocess.run([str(HOOK), "--hook", *files], cwd=root, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "KB_ROOT": str(root)})


@pytest.fixture
def repo(mini_root: Path) -> Path:
    git(mini_root, "init", "-q", "-b", "main")
    git(mini_root, "add", "-A")
    git(mini_root, "commit", "-q", "-m", "base")
    return mini_root


def test_renaming_a_concept_reports_the_cases_that_link_to_it(repo: Path) -> None:
    old, new = "concepts/practices/self-managing-teams.md", "concepts/practices/team-self-management.md"
    git(repo, "mv", old, new)
    page = repo / new
    page.write_text(page.read_text(encoding="utf-8").replace("id: self-managing-teams", "id: team-self-management"),
                    encoding="utf-8")
    git(repo, "add", new)
    done = hook(repo, new)  # pre-commit names only the renamed page
    assert done.returncode == 1
    assert "the commit renames or deletes content" in done.stderr and f"{old}\t{new}" in done.stderr
    assert "cases/alpha-care.md:35:" in done.stdout and "unknown practice 'self-managing-teams'" in done.stdout


def test_deleting_a_used_concept_is_not_skipped(repo: Path) -> None:
    git(repo, "rm", "-q", "concepts/outcomes/staff-wellbeing.md")
    done = hook(repo)  # pre-commit names no file for a deletion
    assert done.returncode == 1
    assert "D\tconcepts/outcomes/staff-wellbeing.md" in done.stderr
    assert "cases/alpha-care.md:49:" in done.stdout and "unknown outcome 'staff-wellbeing'" in done.stdout
    assert "cases/beta-shoes.md:" in done.stdout


def test_deleting_a_case_reports_the_relations_to_it(repo: Path) -> None:
    git(repo, "rm", "-q", "cases/beta-shoes.md")
    done = hook(repo)
    assert done.returncode == 1
    assert "cases/alpha-care.md:16:" in done.stdout and "unknown organisation 'beta-shoes'" in done.stdout


def test_a_commit_without_content_passes_at_once(repo: Path) -> None:
    (repo / "notes.txt").write_text("not content\n", encoding="utf-8")
    git(repo, "add", "notes.txt")
    done = hook(repo)
    assert done.returncode == 0 and "no content file in this commit" in done.stderr


def test_a_clean_edit_passes_and_is_checked_in_the_files_it_names(repo: Path) -> None:
    concept = repo / "concepts" / "challenges" / "staff-attrition.md"
    concept.write_text(concept.read_text(encoding="utf-8").replace(
        "Staff leave when an organisation moves", "Staff members leave when an organisation moves"), encoding="utf-8")
    git(repo, "add", "concepts/challenges/staff-attrition.md")
    done = hook(repo, "concepts/challenges/staff-attrition.md")
    assert done.returncode == 0 and "renames or deletes" not in done.stderr
    assert "0 error(s), 0 warning(s)" in done.stdout + done.stderr


def test_a_warning_stops_the_commit_as_it_would_fail_the_pull_request(repo: Path) -> None:
    # The hook applies validate --strict: beta-shoes's source without reliability (a warning) stops
    # the commit; alpha-care, not named and not affected, is not reported.
    beta = repo / "cases" / "beta-shoes.md"
    beta.write_text(beta.read_text(encoding="utf-8").replace("founded: 1999", "founded: 1998"), encoding="utf-8")
    git(repo, "add", "cases/beta-shoes.md")
    done = hook(repo, "cases/beta-shoes.md")
    assert done.returncode == 1 and "renames or deletes" not in done.stderr
    assert "cases/beta-shoes.md:12:9: warning: source 'news-1' has no reliability" in done.stdout
    assert "alpha-care" not in done.stdout
