"""Issue 27, item 5: a source shared by several files stays one source, and a change blames the file
that made it (judged against git's HEAD), with a hint naming the other files to change."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli.main import main

ALPHA, BETA = "cases/alpha-care.md", "cases/beta-shoes.md"
SHARED = ("  - id: report-a\n    title: A report about Alpha\n    publisher: Test Publisher\n    date: 2015-05\n"
          "    url: https://example.org/a\n    type: report\n")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, capture_output=True, check=True, timeout=60,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin", "HOME": str(root)})


def edit(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{path} does not contain {old!r}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def conflicts(root: Path) -> list[tuple]:
    out = CliRunner().invoke(main, ["validate", "--root", str(root), "--format", "json"]).stdout
    return [(p["path"], p["line"], p["message"], p["hint"]) for p in json.loads(out)["problems"]
            if p["code"] == "source-conflict"]


@pytest.fixture
def shared_repo(mini_root: Path) -> Path:
    """The mini content in a git repository, report-a declared (the same) and cited in both cases."""
    edit(mini_root, BETA, "sources:\n", f"sources:\n{SHARED}")
    edit(mini_root, BETA, "adopted from 2013. [src: news-1]", "adopted from 2013. [src: news-1, report-a]")
    assert conflicts(mini_root) == []
    git(mini_root, "init", "-q", "-b", "main")
    git(mini_root, "add", "-A")
    git(mini_root, "commit", "-q", "-m", "base")
    return mini_root


def test_a_date_changed_in_one_file_only_is_an_error_there(shared_repo: Path) -> None:
    edit(shared_repo, BETA, "    date: 2015-05\n", "    date: 2016-05\n")
    assert conflicts(shared_repo) == [
        (BETA, 15, "source 'report-a' has a different date than in cases/alpha-care.md:18",
         "this file changed it: a source id has one date in every file, so change it also in cases/alpha-care.md, "
         "or change it back to 2015-05")]


def test_a_url_changed_in_the_first_file_blames_that_file_not_the_others(shared_repo: Path) -> None:
    edit(shared_repo, ALPHA, "    url: https://example.org/a\n", "    url: https://example.org/a-moved\n")
    assert conflicts(shared_repo) == [
        (ALPHA, 22, "source id 'report-a' names a different source in cases/beta-shoes.md:12",
         "this file changed it: a source id has one url in every file, so change it also in cases/beta-shoes.md, "
         "or change it back to https://example.org/a")]


def test_changed_everywhere_is_no_conflict(shared_repo: Path) -> None:
    for path in (ALPHA, BETA):
        edit(shared_repo, path, "    date: 2015-05\n", "    date: 2015-06\n")
    assert conflicts(shared_repo) == []


def test_a_shorter_date_agrees_with_a_longer_one(shared_repo: Path) -> None:
    edit(shared_repo, BETA, "    date: 2015-05\n", "    date: '2015'\n")
    assert conflicts(shared_repo) == []
