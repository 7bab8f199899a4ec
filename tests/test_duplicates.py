"""Issue 27, item 4: duplicates caught by what they are, not only by name — an error naming the other file."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli.main import main

from .conftest import REPO


def validate(root: Path, *paths: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["validate", "--root", str(root), "--format", "json",
                                       *(str(root / p) for p in paths)])
    return result.exit_code, json.loads(result.stdout)["problems"]


@pytest.fixture(scope="module")
def repo_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo") / "content"
    for folder in ("cases", "concepts", "vocabulary"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def copy_of_buurtzorg(root: Path, case_id: str, name: str) -> str:
    """buurtzorg.md under another id and name, without its website and aliases."""
    text = (REPO / "cases" / "buurtzorg.md").read_text(encoding="utf-8")
    text = text.replace("id: buurtzorg\n", f"id: {case_id}\n").replace("name: Buurtzorg Nederland\n", f"name: {name}\n")
    text = re.sub(r"\naliases: .*\n", "\n", text)
    text = re.sub(r"\nwebsite: .*\n", "\n", text)
    path = f"cases/{case_id}.md"
    (root / path).write_text(text, encoding="utf-8")
    return path


def content_with_two_copies_of_buurtzorg(root: Path) -> tuple[list[str], list]:
    """The content's documents with two look-alike copies of buurtzorg.md (their paths first); the copies'
    files are removed again once read."""
    from kb.load import load_content

    added = [copy_of_buurtzorg(root, "buurtzorg-home-care", "Buurtzorg Home Care"),
             copy_of_buurtzorg(root, "buurtzorg-netherlands", "Buurtzorg Netherlands")]
    try:
        return added, load_content(root).documents
    finally:
        for path in added:
            (root / path).unlink()


@pytest.mark.parametrize(("case_id", "name", "reason"), [
    ("buurtzorg-home-care", "Buurtzorg Home Care", "of its sources in common"),
    ("buurtzorg-netherlands", "Buurtzorg Netherlands", "similar name and 37 source(s) in common"),
])
def test_a_renamed_copy_of_a_case_is_an_error_naming_the_original(repo_content: Path, case_id: str, name: str,
                                                                   reason: str) -> None:
    path = copy_of_buurtzorg(repo_content, case_id, name)
    try:
        code, problems = validate(repo_content, path)
    finally:
        (repo_content / path).unlink()
    (problem,) = [p for p in problems if p["code"] == "duplicate-organisation"]
    assert code == 1 and problem["severity"] == "error" and problem["line"] == 4
    assert problem["message"].startswith("this looks like the organisation in cases/buurtzorg.md: ")
    assert reason in problem["message"]


def concept(root: Path, folder: str, concept_id: str, name: str, aliases: str = "[]") -> str:
    path = f"concepts/{folder}/{concept_id}.md"
    (root / path).write_text(f"---\nid: {concept_id}\nname: {name}\nkind: {folder[:-1]}\naliases: {aliases}\n"
                             f"definition: A concept page written for this test, long enough to pass.\n---\nText.\n",
                             encoding="utf-8")
    return path


@pytest.mark.parametrize(("concept_id", "name", "aliases", "line", "message"), [
    ("self-managing-team", "Teams that manage themselves", "[]", 2, "its id is the same as that page's id"),
    ("team-autonomy", "Autonomous teams", "[]", 3, "its name is the same as that page's alias 'autonomous teams'"),
    ("team-autonomy", "Team autonomy", "[self-organising teams]", 5,
     "its alias 'self-organising teams' is the same as that page's alias 'self-organising teams'"),
])
def test_a_concept_like_another_is_an_error_naming_it(mini_root: Path, concept_id: str, name: str, aliases: str,
                                                      line: int, message: str) -> None:
    path = concept(mini_root, "practices", concept_id, name, aliases)
    code, problems = validate(mini_root)
    (problem,) = [p for p in problems if p["code"] == "duplicate-concept" and p["path"] == path]
    assert code == 1 and problem["line"] == line
    assert problem["message"] == ("this concept looks like concepts/practices/self-managing-teams.md "
                                  f"(self-managing-teams): {message}")
    # ... and the existing page names the new one, so that whichever file is new, it is pointed at.
    assert [p["message"].split(":")[0] for p in problems if p["code"] == "duplicate-concept" and p["path"] != path] \
        == [f"this concept looks like {path} ({concept_id})"]


def test_one_url_under_two_source_ids_in_two_files_is_an_error(mini_root: Path) -> None:
    beta = mini_root / "cases" / "beta-shoes.md"
    text = beta.read_text(encoding="utf-8")
    url = re.search(r"url: (\S+)", text).group(1)
    alpha = mini_root / "cases" / "alpha-care.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("url: https://example.org/b", f"url: {url}"),
                     encoding="utf-8")
    code, problems = validate(mini_root)
    (problem,) = [p for p in problems if p["code"] == "duplicate-source"]
    assert code == 1 and problem["path"] in ("cases/alpha-care.md", "cases/beta-shoes.md")
    assert re.fullmatch(r"source '[\w-]+' is the page of source '[\w-]+' \(cases/[\w-]+\.md:\d+\)", problem["message"])


def test_a_reload_compares_a_changed_case_with_the_cases_a_full_check_would(repo_content: Path) -> None:
    """A reload compares only the changed files with the others (kb.load.incremental), yet finds every
    look-alike a check of all files finds with them: the pairs are chosen over every case alike."""
    from kb.check.duplicates import organisation_problems
    added, documents = content_with_two_copies_of_buurtzorg(repo_content)
    every = organisation_problems(documents)
    assert {(p.path, p.code) for p in every} >= {(path, "duplicate-organisation") for path in added}
    for path in sorted(d.where for d in documents if d.role == "case"):
        with_it = [p for p in every if p.path == path or path in p.message]
        assert organisation_problems(documents, involving={path}) == with_it, path


def test_a_reload_finds_the_pairs_to_compare_through_its_manifest(repo_content: Path, tmp_path: Path) -> None:
    """The pairs a reload compares, found through its manifest's name, website and page indexes
    (kb.store.keyed_manifest, where the changed files' old rows are still), are the pairs a pass over
    every case chooses with the changed ones: one changed case, or two side by side."""
    from kb.check.duplicates import OrganisationNames, _pairs_involving, keyed_pairs_involving, look_alike_keys
    from kb.load.cache import CachedFile
    from kb.load.records import record_for
    from kb.store.keyed_manifest import open_manifest, write_keyed_manifest
    from kb.store.manifest import Manifest

    _, documents = content_with_two_copies_of_buurtzorg(repo_content)
    records = {d.where: record_for(CachedFile(d, [], "0" * 64), [], {}) for d in documents}
    write_keyed_manifest(tmp_path, Manifest("v", 0, {}, records), "generation")
    manifest = open_manifest(tmp_path, "generation")
    named = sorted((d for d in documents if d.role == "case" and OrganisationNames.of(d)), key=lambda d: d.where)
    keys = [look_alike_keys(OrganisationNames.of(d)) for d in named]
    assert len(named) > 60
    for changed in [{i} for i in range(len(named))] + [{i, i + 1} for i in range(len(named) - 1)]:
        paths = {named[i].where for i in changed}
        expected = {(named[a].where, named[b].where) for a, b in _pairs_involving(keys, changed)}
        found = keyed_pairs_involving({named[i].where: keys[i] for i in changed}, manifest, paths)
        assert found == expected, paths
