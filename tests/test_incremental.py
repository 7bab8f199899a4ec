"""Incremental loads: what a reload after a small change writes must equal a full rebuild.

Every check compares what a reader sees: every node and relationship (the export queries) and the
answer of every named query, after an incremental load and after a full rebuild of the same files.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from kb.check.vocabulary import load_vocabulary
from kb.content.files import ContentLayout, discover
from kb.export.exchange import rows_from_store
from kb.load import full as full_load
from kb.load import load_content, load_embedded
from kb.load.cache import ParseCache, cache_version
from kb.load.read import read_checked
from kb.problems import StoreError
from kb.queries.catalogue import QUERIES
from kb.store import ladybug as ladybug_store
from kb.store.ladybug import LadybugStore, current_generation
from kb.store.ladybug import change as ladybug_change
from kb.store.ladybug import generations as ladybug_generations
from kb.store.ladybug import writer as ladybug_writer
from tests.conftest import FIXTURES, REPO, kill_when_it_prints

GAMMA = """---
id: gamma-tools
name: Gamma Tools
kind: cooperative
country: DE
sectors: [manufacturing]
founded: 1987
status: active
summary: A fictional toolmaker owned by its staff, added by a test.
profile_sources: [report-a]
relations:
  - {type: inspired-by, target: alpha-care, sources: [report-a]}
sources:
  - id: report-a
    title: A report about Alpha, revised
    url: https://example.org/a
  - id: gamma-own
    title: Gamma's own page
    url: https://example.org/gamma
---

## Practices

- [Self-managing teams](../concepts/practices/self-managing-teams.md): teams of eight. [src: gamma-own]
  - figure: **8** people per team (2020) [src: gamma-own]

## Challenges

- [Staff attrition](../concepts/challenges/staff-attrition.md) [uncertain]: some left. [src: report-a]
"""


def snapshot(store_path: Path, ids: list[str] | None = None) -> dict[str, list[str]]:
    """Everything a reader can see, as sorted canonical JSON: nodes, relationships, every named query.

    Queries taking an ``id`` run for each of ``ids`` (every organisation by default).
    """
    store = LadybugStore(store_path)
    try:
        rows = rows_from_store(store)
        seen = {f"nodes:{label}": _canonical(nodes) for label, nodes in rows.nodes.items()}
        seen["rels"] = _canonical([{"type": r.type, "from": r.start, "to": r.end, **r.props} for r in rows.rels])
        organisations = [node["id"] for node in rows.nodes.get("Organisation", [])]
        labels = sorted(rows.nodes)
        for name, query in QUERIES.items():
            if not query.params:
                seen[name] = _canonical(store.query(name))
            elif query.params == ("id",):
                for node_id in ids if ids is not None else organisations:
                    seen[f"{name}({node_id})"] = _canonical(store.query(name, id=node_id))
            elif query.params == ("id", "skip", "limit"):  # a page: the first 1,000 rows
                for node_id in ids if ids is not None else organisations:
                    seen[f"{name}({node_id})"] = _canonical(store.query(name, id=node_id, skip=0, limit=1000))
            elif query.params == ("ids", "labels"):
                seen[name] = _canonical(store.query(name, ids=organisations, labels=labels))
            elif query.params == ("after", "limit"):  # read a page at a time: every row in one
                seen[name] = _canonical(store.query(name, after="", limit=1_000_000))
            elif query.params == ("ids",):
                seen[name] = _canonical(store.query(name, ids=[n["id"] for n in rows.nodes.get("Source", [])]))
            else:
                seen[name] = _canonical(store.query(name, **query.default_params))
        return seen
    finally:
        store.close()


def _canonical(rows: list[dict]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)


def assert_same_as_full_rebuild(root: Path, store: Path, tmp_path: Path, ids: list[str] | None = None) -> None:
    fresh = tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
    assert load_embedded(root, fresh, full=True).mode == "full"
    incremental, full = snapshot(store, ids), snapshot(fresh, ids)
    assert incremental.keys() == full.keys()
    for key in full:
        assert incremental[key] == full[key], key


@pytest.fixture
def loaded(mini_root: Path, tmp_path: Path) -> Path:
    """The two-case fixture, loaded once in full into ``tmp_path/store``."""
    store = tmp_path / "store"
    assert load_embedded(mini_root, store).mode == "full"
    return store


def test_a_second_load_of_the_same_files_changes_nothing(mini_root: Path, loaded: Path) -> None:
    before = current_generation(loaded)
    again = load_embedded(mini_root, loaded)
    assert (again.mode, again.changed, current_generation(loaded)) == ("unchanged", [], before)


def test_edited_added_and_deleted_cases_match_a_full_rebuild(mini_root: Path, loaded: Path, tmp_path: Path) -> None:
    alpha = mini_root / "cases" / "alpha-care.md"
    alpha.write_text(alpha.read_text(encoding="utf-8")
                     .replace("teams of up to 12\n  nurses.", "teams of up to 14\n  nurses.")
                     .replace("**12** nurses", "**14** nurses")
                     .replace("city: Almelo", "city: Enschede")
                     .replace("title: A report about Alpha", "title: A report about Alpha, revised"),
                     encoding="utf-8")
    edited = load_embedded(mini_root, loaded)
    assert (edited.mode, edited.changed) == ("incremental", ["cases/alpha-care.md"])
    assert_same_as_full_rebuild(mini_root, loaded, tmp_path)
    assert LadybugStore(loaded).query("organisation", id="alpha-care")[0]["city"] == "Enschede"

    (mini_root / "cases" / "gamma-tools.md").write_text(GAMMA, encoding="utf-8")
    added = load_embedded(mini_root, loaded)
    assert (added.mode, added.added) == ("incremental", ["cases/gamma-tools.md"])
    assert_same_as_full_rebuild(mini_root, loaded, tmp_path)
    assert {row["id"] for row in LadybugStore(loaded).query("organisations")} == {
        "alpha-care", "beta-shoes", "gamma-tools"}

    (mini_root / "cases" / "gamma-tools.md").unlink()
    deleted = load_embedded(mini_root, loaded)
    assert (deleted.mode, deleted.deleted) == ("incremental", ["cases/gamma-tools.md"])
    assert_same_as_full_rebuild(mini_root, loaded, tmp_path)
    assert "DE" not in {row["country"] for row in LadybugStore(loaded).query("organisations")}


def test_a_reload_writes_only_the_changed_records_of_the_manifest(mini_root: Path, loaded: Path) -> None:
    """The store's one manifest (the full load's file) gets the changed records, and names each generation."""
    import sqlite3

    from kb.store.keyed_manifest import FOLDER

    full = current_generation(loaded).parent.name
    beta = mini_root / "cases" / "beta-shoes.md"
    beta.write_text(beta.read_text(encoding="utf-8").replace("mixed.", "mixed, says a test."), encoding="utf-8")
    gamma = GAMMA.replace("title: A report about Alpha, revised", "title: A report about Alpha")
    (mini_root / "cases" / "gamma-tools.md").write_text(gamma, encoding="utf-8")
    assert load_embedded(mini_root, loaded).mode == "incremental"
    middle = current_generation(loaded).parent.name
    (mini_root / "cases" / "gamma-tools.md").unlink()
    alpha = mini_root / "cases" / "alpha-care.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("city: Almelo", "city: Enschede"), encoding="utf-8")
    assert load_embedded(mini_root, loaded).mode == "incremental"
    last = current_generation(loaded).parent.name
    assert [p.name for p in (loaded / FOLDER).glob("*.sqlite")] == [f"{full}.sqlite"]
    with sqlite3.connect(loaded / FOLDER / f"{full}.sqlite") as db:
        written = dict(db.execute("SELECT display, written FROM files WHERE role = 'case'"))
    assert written == {"cases/alpha-care.md": last, "cases/beta-shoes.md": middle}
    manifest = ladybug_store.current_manifest(loaded)
    assert manifest.generation == last
    assert list(manifest.files) == [f.display for f in discover(ContentLayout(mini_root))]
    hashes = {display: record.sha256 for display, record in manifest.files.items()}
    assert hashes["cases/alpha-care.md"] == hashlib.sha256(alpha.read_bytes()).hexdigest()
    assert hashes["cases/beta-shoes.md"] == hashlib.sha256(beta.read_bytes()).hexdigest()
    assert load_embedded(mini_root, loaded).mode == "unchanged"


def test_an_open_manifest_reads_as_it_was_opened_while_another_load_writes(mini_root: Path, loaded: Path) -> None:
    """What a Neo4j sync (or any reader) reads of the manifest is the generation it opened, though a
    load meanwhile changes the manifest."""
    opened = ladybug_store.current_manifest(loaded)
    alpha = mini_root / "cases" / "alpha-care.md"
    old_hash = hashlib.sha256(alpha.read_bytes()).hexdigest()
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("city: Almelo", "city: Enschede"), encoding="utf-8")
    assert load_embedded(mini_root, loaded).mode == "incremental"
    assert opened.file_hashes()["cases/alpha-care.md"] == ("case", old_hash)
    assert opened.records(["cases/alpha-care.md"])["cases/alpha-care.md"].sha256 == old_hash
    new_hash = hashlib.sha256(alpha.read_bytes()).hexdigest()
    assert ladybug_store.current_manifest(loaded).file_hashes()["cases/alpha-care.md"] == ("case", new_hash)


def test_an_edit_writes_only_what_differs(mini_root: Path, loaded: Path, tmp_path: Path, monkeypatch) -> None:
    """One more sentence in a summary sets that property and nothing else: every later reload replays
    what a reload writes (the generation's log), so an edit does not delete and create its whole case."""
    statements = ladybug_change.change_statements
    written: list[str] = []

    def recorded(change, existing):
        found = statements(change, existing)
        written.extend(cypher for cypher, _ in found)
        return found

    monkeypatch.setattr(ladybug_change, "change_statements", recorded)
    alpha = mini_root / "cases" / "alpha-care.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("small self-managing teams.",
                                                               "small self-managing teams, says a test."),
                     encoding="utf-8")
    assert load_embedded(mini_root, loaded).mode == "incremental"
    assert written == ["UNWIND $rows AS row MATCH (n:Organisation {id: row.id}) SET n.summary = CAST(row.summary AS STRING)"]
    assert_same_as_full_rebuild(mini_root, loaded, tmp_path)


def test_a_deleted_case_and_the_relation_to_it_go_together(mini_root: Path, loaded: Path, tmp_path: Path) -> None:
    alpha = mini_root / "cases" / "alpha-care.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace(
        "relations:\n  - {type: partner-of, target: beta-shoes, sources: [report-b]}\n", ""), encoding="utf-8")
    (mini_root / "cases" / "beta-shoes.md").unlink()
    load = load_embedded(mini_root, loaded)
    assert (load.mode, load.changed, load.deleted) == ("incremental", ["cases/alpha-care.md"],
                                                      ["cases/beta-shoes.md"])
    assert_same_as_full_rebuild(mini_root, loaded, tmp_path)


def test_an_edit_to_a_real_case_matches_a_full_rebuild(tmp_path: Path) -> None:
    root = tmp_path / "content"
    for folder in ("cases", "concepts", "vocabulary"):
        shutil.copytree(REPO / folder, root / folder)
    store = tmp_path / "store"
    load_embedded(root, store)
    case = root / "cases" / "buurtzorg.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("\n## Practices\n", "\n## Practices\n\n- [Coaches](../concepts/practices/"
                                 "coaches-not-managers.md): added by a test. [src: "
                                 f"{_first_source(text)}]\n", 1), encoding="utf-8")
    assert load_embedded(root, store).mode == "incremental"
    assert_same_as_full_rebuild(root, store, tmp_path, ids=["buurtzorg", "coaches-not-managers"])


def _first_source(text: str) -> str:
    return text.split("sources:", 1)[1].split("id:", 1)[1].split("\n", 1)[0].strip()


#: The stores ``graph_rows`` makes of the whole corpus in one piece (``rebuild``, as tests/conftest.py's
#: ``load_into`` does), loaded once per session: the fixture content and the real content.
WHOLE_STORES = {"mini": "shared_mini_store", "real": "real_store"}
SNAPSHOT_IDS = {"mini": None, "real": ["buurtzorg", "zappos"]}


@pytest.fixture(scope="module")
def whole_snapshots(request: pytest.FixtureRequest) -> Callable[[str], dict[str, list[str]]]:
    """What a reader sees in each whole store (content name -> snapshot), read on first use."""
    snapshots: dict[str, dict[str, list[str]]] = {}

    def snapshot_of(content: str) -> dict[str, list[str]]:
        if content not in snapshots:
            snapshots[content] = snapshot(request.getfixturevalue(WHOLE_STORES[content]), SNAPSHOT_IDS[content])
        return snapshots[content]

    return snapshot_of


@pytest.mark.parametrize("content", ["mini", "real"])
@pytest.mark.parametrize("processes", ["one process", "worker processes"])
def test_a_full_load_writes_what_the_pipeline_builds(content: str, processes: str, tmp_path: Path,
                                                     monkeypatch, whole_snapshots) -> None:
    """The full load reads cases in chunks, writes sources as chunks come back and bulk-loads each table in
    batches; the graph is the one ``graph_rows`` makes of the whole corpus."""
    root = FIXTURES / "mini" if content == "mini" else REPO
    monkeypatch.setattr(full_load, "FULL_LOAD_CHUNK", 1 if content == "mini" else 22)  # several chunks (2 or 3)
    # Chunks go to worker processes from PARALLEL_FROM files on; the content here is below it.
    monkeypatch.setattr(full_load, "PARALLEL_FROM", 1 if processes == "worker processes" else 10**9)
    monkeypatch.setattr(ladybug_writer, "COPY_BATCH_FILES", 2)  # each table in several COPYs, as at 100,000 cases
    assert load_embedded(root, tmp_path / "chunked", full=True).mode == "full"
    assert snapshot(tmp_path / "chunked", SNAPSHOT_IDS[content]) == whole_snapshots(content)


def test_a_full_load_caches_the_concept_pages_not_the_cases(tmp_path: Path, monkeypatch) -> None:
    # A case file parses faster than its cache entry is written and read back; the concept pages,
    # which every incremental load reads, are kept.
    monkeypatch.setattr(full_load, "PARALLEL_FROM", 1)  # the fixture is far below the real threshold
    monkeypatch.setattr(full_load, "FULL_LOAD_CHUNK", 1)
    root = FIXTURES / "mini"
    assert load_embedded(root, tmp_path / "store", full=True).mode == "full"
    cache = ParseCache(tmp_path / "store" / "cache", cache_version(root))
    layout = ContentLayout(root)
    reused = {f.display: read_checked(f, layout, load_vocabulary(layout.vocabulary), cache).reused
              for f in discover(layout)}
    assert reused == {"cases/alpha-care.md": False, "cases/beta-shoes.md": False,
                      **{name: True for name in reused if not name.startswith("cases/")}}
    assert len(reused) == 8


def test_errors_refuse_an_incremental_load(mini_root: Path, loaded: Path) -> None:
    before = current_generation(loaded)
    beta = mini_root / "cases" / "beta-shoes.md"
    beta.write_text(beta.read_text(encoding="utf-8").replace("country: US", "country: XX"), encoding="utf-8")
    load = load_embedded(mini_root, loaded)
    assert load.mode == "refused"
    assert [p.message for p in load.errors] == ["unknown country code 'XX'"]
    assert current_generation(loaded) == before


#: A case added beside alpha-care that contradicts it (or another case) across files, as text replacements
#: of GAMMA; with "delete", beta-shoes goes and alpha-care, unchanged, still relates to it.
CONTRADICTIONS = {
    "same-name": [("name: Gamma Tools", "name: Alpha Care")],
    "same-website": [("founded: 1987", "founded: 1987\nwebsite: https://alpha.example/")],
    "same-page-under-another-id": [("url: https://example.org/gamma", "url: https://example.org/b/")],
    "same-id": [("id: gamma-tools", "id: alpha-care")],
    "delete": [],
}
UNRELATED = ("relations:\n  - {type: inspired-by, target: alpha-care, sources: [report-a]}\n", "")


@pytest.mark.parametrize("contradiction", sorted(CONTRADICTIONS))
def test_a_reload_finds_the_problems_across_files_a_full_check_finds(mini_root: Path, loaded: Path,
                                                                     contradiction: str) -> None:
    """A reload looks only at the unchanged files that share something with the changed one: it finds
    what checking every file finds (the errors, on both files where a check reports both)."""
    alpha = mini_root / "cases" / "alpha-care.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("founded: 2006", "founded: 2006\n"
                                                               "website: https://www.alpha.example"), encoding="utf-8")
    assert load_embedded(mini_root, loaded).mode == "incremental"
    before = current_generation(loaded)
    if contradiction == "delete":
        (mini_root / "cases" / "beta-shoes.md").unlink()
    else:
        text = GAMMA.replace(*UNRELATED)  # a relation would say the two are known to be different
        for old, new in CONTRADICTIONS[contradiction]:
            assert old in text
            text = text.replace(old, new)
        (mini_root / "cases" / "gamma-tools.md").write_text(text, encoding="utf-8")
    reload = load_embedded(mini_root, loaded)
    assert reload.mode == "refused"
    assert current_generation(loaded) == before

    def located(problems: list) -> list[tuple]:
        return sorted((p.path, p.line, p.col, p.code, p.message) for p in problems if p.is_error)

    assert located(reload.problems) == located(load_content(mini_root).problems)
    expected = {"same-name": {("cases/alpha-care.md", "duplicate-organisation"),
                              ("cases/gamma-tools.md", "duplicate-organisation")},
                "same-website": {("cases/alpha-care.md", "duplicate-organisation"),
                                 ("cases/gamma-tools.md", "duplicate-organisation")},
                "same-page-under-another-id": {("cases/gamma-tools.md", "duplicate-source")},
                "same-id": {("cases/gamma-tools.md", "duplicate-id")},
                "delete": {("cases/alpha-care.md", "unknown-organisation")}}[contradiction]
    assert expected <= {(p.path, p.code) for p in reload.errors}
    full = load_embedded(mini_root, loaded, full=True)  # a full load checks the same way
    assert full.mode == "refused" and located(full.problems) == located(reload.problems)


def test_a_long_log_is_folded_in_and_a_grown_file_rebuilt(mini_root: Path, loaded: Path, tmp_path: Path,
                                                          monkeypatch) -> None:
    """Readers replay the write-ahead log: past a size it is checkpointed; past a growth, rebuilt."""
    beta = mini_root / "cases" / "beta-shoes.md"
    monkeypatch.setattr(ladybug_generations, "MAX_WAL_BYTES", 0)
    beta.write_text(beta.read_text(encoding="utf-8").replace("mixed.", "mixed, at first."), encoding="utf-8")
    assert load_embedded(mini_root, loaded).mode == "incremental"
    database = current_generation(loaded)
    assert not database.with_name(database.name + ".wal").exists()
    assert_same_as_full_rebuild(mini_root, loaded, tmp_path)
    monkeypatch.setattr(ladybug_generations, "MAX_GROWTH", 0.5)
    beta.write_text(beta.read_text(encoding="utf-8").replace("at first.", "at first, then better."),
                    encoding="utf-8")
    assert load_embedded(mini_root, loaded).mode == "full"


def test_a_reload_links_the_database_file_and_leaves_the_previous_generation_as_it_was(
        mini_root: Path, loaded: Path) -> None:
    # Copying the database file was most of a reload at 10,000 cases; with checkpoints off a change
    # goes to the log alone, so the new generation shares the file and the old one still reads as before.
    before = current_generation(loaded)
    bytes_before = before.read_bytes()
    old = LadybugStore.open_file(before).query("organisation_claims", id="beta-shoes")
    _edit_beta(mini_root, "at first")
    assert load_embedded(mini_root, loaded).mode == "incremental"
    after = current_generation(loaded)
    assert after != before and after.samefile(before)
    assert before.read_bytes() == bytes_before
    assert LadybugStore.open_file(before).query("organisation_claims", id="beta-shoes") == old
    new = LadybugStore(loaded).query("organisation_claims", id="beta-shoes")
    assert any("mixed, at first" in (row.get("detail") or "") for row in new)
    assert not any("mixed, at first" in (row.get("detail") or "") for row in old)


def _edit_beta(root: Path, words: str) -> None:
    beta = root / "cases" / "beta-shoes.md"
    beta.write_text(beta.read_text(encoding="utf-8").replace("mixed", f"mixed, {words}", 1), encoding="utf-8")


def test_loads_into_one_store_run_one_at_a_time(mini_root: Path, loaded: Path) -> None:
    finished = threading.Event()
    _edit_beta(mini_root, "at first")
    with ladybug_store.load_lock(loaded):
        waiting = threading.Thread(target=lambda: (load_embedded(mini_root, loaded), finished.set()))
        waiting.start()
        assert not finished.wait(1.0)  # blocked by the lock held here
    waiting.join(timeout=120)
    assert finished.is_set()


def test_a_changed_concept_page_means_a_full_rebuild(mini_root: Path, loaded: Path, tmp_path: Path) -> None:
    page = mini_root / "concepts" / "practices" / "coaches-not-managers.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert load_embedded(mini_root, loaded).mode == "full"
    assert_same_as_full_rebuild(mini_root, loaded, tmp_path)


def test_a_corrupted_cache_entry_is_ignored(mini_root: Path, loaded: Path, tmp_path: Path) -> None:
    entries = sorted((loaded / "cache").rglob("*.z"))
    assert entries
    for damaged, entry in enumerate(entries):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if damaged % 2 else b"not a cache entry")
    assert load_embedded(mini_root, loaded, full=True).mode == "full"
    assert_same_as_full_rebuild(mini_root, loaded, tmp_path)
    layout = ContentLayout(mini_root)
    cache = ParseCache(loaded / "cache", cache_version(mini_root))
    reread = [read_checked(f, layout, load_vocabulary(layout.vocabulary), cache) for f in discover(layout)]
    assert all(entry.reused for entry in reread if entry.document.role != "case")  # damaged entries written again


def test_an_entry_for_another_path_is_not_used(mini_root: Path, tmp_path: Path) -> None:
    layout = ContentLayout(mini_root)
    cache = ParseCache(tmp_path / "cache", cache_version(mini_root))
    vocabulary = load_vocabulary(layout.vocabulary)
    alpha = next(f for f in discover(layout) if f.display == "cases/alpha-care.md")
    read_checked(alpha, layout, vocabulary, cache)
    shutil.copy(alpha.path, mini_root / "cases" / "alpha-copy.md")
    copy = next(f for f in discover(layout) if f.display == "cases/alpha-copy.md")
    parsed = read_checked(copy, layout, vocabulary, cache)
    assert not parsed.reused
    assert "id 'alpha-care' does not match the file name 'alpha-copy.md'" in [p.message for p in parsed.problems]


def test_a_failed_incremental_load_leaves_the_previous_generation(mini_root: Path, loaded: Path,
                                                                  monkeypatch) -> None:
    before = current_generation(loaded)
    reader = LadybugStore(loaded)
    assert reader.query("organisation", id="alpha-care")[0]["city"] == "Almelo"
    alpha = mini_root / "cases" / "alpha-care.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("city: Almelo", "city: Enschede"), encoding="utf-8")
    statements = ladybug_change.change_statements

    def half_then_broken(change, existing):  # the first half is applied, then a statement fails
        real = statements(change, existing)
        return [*real[: len(real) // 2], ("MATCH (n:NoSuchLabel) DETACH DELETE n", {}), *real[len(real) // 2:]]

    monkeypatch.setattr(ladybug_change, "change_statements", half_then_broken)
    with pytest.raises(StoreError, match="incremental update failed"):
        load_embedded(mini_root, loaded)
    assert current_generation(loaded) == before
    assert len(list((loaded / "generations").iterdir())) == 1  # the half-changed copy was removed
    assert reader.query("organisation", id="alpha-care")[0]["city"] == "Almelo"
    monkeypatch.undo()
    assert load_embedded(mini_root, loaded).mode == "incremental"
    assert reader.query("organisation", id="alpha-care")[0]["city"] == "Enschede"  # the reader follows


def test_a_killed_incremental_load_leaves_the_previous_generation(mini_root: Path, loaded: Path) -> None:
    """SIGKILL after the change was committed to the copy, before the switch: readers keep the old graph."""
    before = current_generation(loaded)
    alpha = mini_root / "cases" / "alpha-care.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("city: Almelo", "city: Enschede"), encoding="utf-8")
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from kb.store.ladybug import change as s
        original = s._apply_statements
        def slow(*args):
            original(*args)
            print("applied", flush=True)
            time.sleep(60)
        s._apply_statements = slow
        from kb.load import load_embedded
        load_embedded(Path({str(mini_root)!r}), Path({str(loaded)!r}))
    """)
    kill_when_it_prints(script, "applied")
    assert current_generation(loaded) == before
    assert LadybugStore(loaded).query("organisation", id="alpha-care")[0]["city"] == "Almelo"
    assert load_embedded(mini_root, loaded).mode == "incremental"
    assert LadybugStore(loaded).query("organisation", id="alpha-care")[0]["city"] == "Enschede"


def test_a_load_killed_between_the_manifest_and_the_switch_is_followed_by_a_full_one(mini_root: Path,
                                                                                     loaded: Path) -> None:
    """SIGKILL once the manifest names the new generation, before CURRENT does: readers keep the old
    graph, and the next load, finding no manifest of the current generation, rebuilds (nothing is lost)."""
    before = current_generation(loaded)
    alpha = mini_root / "cases" / "alpha-care.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("city: Almelo", "city: Enschede"), encoding="utf-8")
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from kb.store.ladybug import change as s
        def stopped(*args):
            print("committed", flush=True)
            time.sleep(60)
        s.switch_pointer = stopped
        from kb.load import load_embedded
        load_embedded(Path({str(mini_root)!r}), Path({str(loaded)!r}))
    """)
    kill_when_it_prints(script, "committed")
    assert current_generation(loaded) == before
    assert ladybug_store.current_manifest(loaded) is None  # it names a generation CURRENT does not
    assert LadybugStore(loaded).query("organisation", id="alpha-care")[0]["city"] == "Almelo"
    assert load_embedded(mini_root, loaded).mode == "full"
    assert LadybugStore(loaded).query("organisation", id="alpha-care")[0]["city"] == "Enschede"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("city: Enschede", "city: Hengelo"), encoding="utf-8")
    assert load_embedded(mini_root, loaded).mode == "incremental"


def test_a_wrong_total_stops_the_switch(mini_root: Path, loaded: Path, monkeypatch) -> None:
    """The check compares the new generation's totals with what the change should give."""
    before = current_generation(loaded)
    beta = mini_root / "cases" / "beta-shoes.md"
    beta.write_text(beta.read_text(encoding="utf-8").replace("mixed.", "mixed, says a test."), encoding="utf-8")
    statements = ladybug_change.change_statements
    monkeypatch.setattr(ladybug_change, "change_statements",
                        lambda change, existing: [s for s in statements(change, existing)
                                                  if "CREATE (a)-[:REPORTED" not in s[0]])
    with pytest.raises(StoreError, match="does not add up"):
        load_embedded(mini_root, loaded)
    assert current_generation(loaded) == before


def test_the_fixture_content_is_unchanged_by_these_tests() -> None:
    assert not (FIXTURES / "mini" / "cases" / "gamma-tools.md").exists()


@pytest.mark.parametrize("changed", ["check/facts.py", "content/items.py", "content/blocks.py", "figures.py",
                                     "graph/rows.py", "load/read.py"])
def test_a_change_to_any_module_behind_a_cached_result_starts_afresh(tmp_path: Path, monkeypatch, changed: str) -> None:
    """A cached parse is only as good as the code that made it: a change to the parser, the validator or
    the graph rows (here a comment added) must give a new cache version, whichever module it is in."""
    from kb.load import cache as cache_module
    code = Path(cache_module.__file__).resolve().parent.parent
    shutil.copytree(code, tmp_path / "kb", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "templates").mkdir()
    shutil.copy(code.parent / "templates" / "case.md", tmp_path / "templates" / "case.md")
    monkeypatch.setattr(cache_module, "_KB", tmp_path / "kb")
    before = cache_version(code.parent)
    with open(tmp_path / "kb" / changed, "a", encoding="utf-8") as module:
        module.write("\n# changed\n")
    assert cache_version(code.parent) != before
