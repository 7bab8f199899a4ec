"""A full load in bounded memory (issue 29, goal 5) finds and writes what an unbounded one did.

Its stand-ins of the cases list only the sources another file could conflict with
(kb.load.full._SourcePages), yet one page under two ids, or one id naming two pages, in different
files, still refuses the load (also when the files are read in a process of their own, which ends
before the bulk load); its bulk load runs in a bounded buffer pool, and starts again in a larger
one when it does not fit, writing the same graph.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kb.export.exchange import rows_from_store
from kb.load import full as full_load
from kb.load import load_embedded
from kb.problems import QueryError, StoreError
from kb.store.ladybug import LadybugStore, current_manifest, load_buffer_bytes
from kb.store.ladybug import writer as ladybug_writer
from tests.conftest import FIXTURES

BETA = "cases/beta-shoes.md"


def edit(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{path} does not contain {old!r}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def errors_of_full_load(root: Path, store: Path, processes: str, monkeypatch) -> list[tuple]:
    monkeypatch.setattr(full_load, "FULL_LOAD_CHUNK", 1)  # each case in a chunk of its own
    monkeypatch.setattr(full_load, "PARALLEL_FROM", 1 if processes != "one process" else 10**9)
    monkeypatch.setattr(full_load, "SEPARATE_READING_FROM", 1 if processes == "a reading process" else 10**9)
    load = load_embedded(root, store, full=True)
    assert load.mode == "refused"
    return [(p.path, p.code, p.message) for p in load.problems if p.is_error]


@pytest.mark.parametrize("processes", ["one process", "worker processes", "a reading process"])
def test_one_page_under_two_ids_each_declared_once_is_found(mini_root: Path, tmp_path: Path, processes: str,
                                                            monkeypatch) -> None:
    # alpha-care declares report-b at https://example.org/b; beta-shoes now names that page as news-1
    edit(mini_root, BETA, "url: https://example.org/news-1", "url: http://www.example.org/b/")
    assert errors_of_full_load(mini_root, tmp_path / "store", processes, monkeypatch) == [
        (BETA, "duplicate-source", "source 'news-1' is the page of source 'report-b' (cases/alpha-care.md:24)")]


@pytest.mark.parametrize("processes", ["one process", "worker processes"])
def test_one_id_naming_two_pages_in_two_files_is_found(mini_root: Path, tmp_path: Path, processes: str,
                                                       monkeypatch) -> None:
    edit(mini_root, BETA, "  - id: news-1\n", "  - id: report-b\n    title: A second report\n"
                                               "    url: https://example.org/elsewhere\n  - id: news-1\n")
    edit(mini_root, BETA, "adopted from 2013. [src: news-1]", "adopted from 2013. [src: news-1, report-b]")
    assert errors_of_full_load(mini_root, tmp_path / "store", processes, monkeypatch) == [
        (BETA, "source-conflict", "source id 'report-b' names a different source in cases/alpha-care.md:24")]


def graph_of(store: Path) -> tuple[dict, list]:
    rows = rows_from_store(LadybugStore(store))
    nodes = {label: sorted(map(repr, found)) for label, found in rows.nodes.items()}
    return nodes, sorted(repr((r.type, r.start, r.end, sorted(r.props.items()))) for r in rows.rels)


def test_a_bulk_load_that_does_not_fit_the_pool_starts_again_in_a_larger_one_and_writes_the_same_graph(tmp_path: Path, monkeypatch) -> None:
    assert load_embedded(FIXTURES / "mini", tmp_path / "default", full=True).mode == "full"
    monkeypatch.setattr(ladybug_writer, "load_buffer_bytes", lambda: 4 * 1024**2)  # too small for any COPY
    with pytest.warns(RuntimeWarning, match="the bulk load needed a larger buffer pool: starting again with 8 MB"):
        assert load_embedded(FIXTURES / "mini", tmp_path / "small", full=True).mode == "full"
    assert graph_of(tmp_path / "small") == graph_of(tmp_path / "default")


def test_the_load_buffer_is_set_in_megabytes_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("KB_LADYBUG_LOAD_BUFFER_MB", raising=False)
    assert load_buffer_bytes() == 1536 * 1024**2
    monkeypatch.setenv("KB_LADYBUG_LOAD_BUFFER_MB", "1024")
    assert load_buffer_bytes() == 1024**3
    for wrong in ("1g", "-5", "10"):
        monkeypatch.setenv("KB_LADYBUG_LOAD_BUFFER_MB", wrong)
        with pytest.raises(StoreError, match=f"KB_LADYBUG_LOAD_BUFFER_MB is '{wrong}': write the load's buffer pool"):
            load_buffer_bytes()



def test_a_large_load_keeps_the_manifest_on_disk_during_the_bulk_load_and_writes_the_same(
        tmp_path: Path, monkeypatch) -> None:
    assert load_embedded(FIXTURES / "mini", tmp_path / "in-memory", full=True).mode == "full"
    monkeypatch.setattr(full_load, "SPILL_MANIFEST_FROM", 1)
    load = load_embedded(FIXTURES / "mini", tmp_path / "on-disk", full=True)
    assert load.mode == "full" and load.manifest.files == current_manifest(tmp_path / "on-disk").files
    spilled, kept = current_manifest(tmp_path / "on-disk"), current_manifest(tmp_path / "in-memory")
    assert list(spilled.files) == ["cases/alpha-care.md", "cases/beta-shoes.md", "concepts/challenges/staff-attrition.md",
                                   *list(kept.files)[3:]]
    assert (spilled.files, spilled.nodes, spilled.rels) == (kept.files, kept.nodes, kept.rels)
    assert spilled.built_bytes == kept.built_bytes > 0
    assert not list((tmp_path / "on-disk").rglob("manifest.spilled"))
    assert load_embedded(FIXTURES / "mini", tmp_path / "on-disk").mode == "unchanged"  # the next load trusts it


def test_a_load_that_reads_in_a_process_of_its_own_writes_the_same_graph_and_manifest(tmp_path: Path,
                                                                                      monkeypatch) -> None:
    assert load_embedded(FIXTURES / "mini", tmp_path / "here", full=True).mode == "full"
    monkeypatch.setattr(full_load, "SEPARATE_READING_FROM", 1)
    monkeypatch.setattr(full_load, "SPILL_MANIFEST_FROM", 1)  # as at 100,000 cases: the manifest comes back on disk
    load = load_embedded(FIXTURES / "mini", tmp_path / "apart", full=True)
    assert (load.mode, load.errors) == ("full", [])
    assert graph_of(tmp_path / "apart") == graph_of(tmp_path / "here")
    apart, here = current_manifest(tmp_path / "apart"), current_manifest(tmp_path / "here")
    assert (apart.files, apart.nodes, apart.rels) == (here.files, here.nodes, here.rels)
    assert load.manifest.files == apart.files
    assert load_embedded(FIXTURES / "mini", tmp_path / "apart").mode == "unchanged"


def test_a_reading_process_that_dies_is_a_clear_error_and_leaves_no_generation(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(full_load, "SEPARATE_READING_FROM", 1)
    monkeypatch.setattr(full_load, "_check_and_stage", lambda *_args: os._exit(9))  # as if killed for want of memory
    with pytest.raises(StoreError, match=r"the process reading the files ended without a result \(exit code 9\)"):
        load_embedded(FIXTURES / "mini", tmp_path / "store", full=True)
    assert not list((tmp_path / "store" / "generations").iterdir())


def test_a_readers_first_buffer_pool_is_twice_the_database_up_to_1_gb_unless_set(tmp_path: Path,
                                                                                 monkeypatch) -> None:
    from kb.store.ladybug import reader_buffer_bytes

    database = tmp_path / "graph.lbug"
    with database.open("wb") as handle:  # sparse: a file's size without its bytes
        handle.truncate(300 * 1024**2)
    assert reader_buffer_bytes(database) // 1024**2 == 600
    with database.open("wb") as handle:
        handle.truncate(2500 * 1024**2)  # the file at 100,000 cases
    assert reader_buffer_bytes(database) // 1024**2 == 1024
    monkeypatch.setenv("KB_LADYBUG_BUFFER_MB", "2048")
    assert reader_buffer_bytes(database) // 1024**2 == 2048


@pytest.fixture(scope="module")
def mini_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("pool") / "store"
    assert load_embedded(FIXTURES / "mini", store, full=True).mode == "full"
    return store


def small_first_pool(monkeypatch, megabytes: int) -> None:
    """Readers open with ``megabytes`` of pool: 12 MB opens the mini graph but holds no query (16 MB does)."""
    from kb.store.ladybug import reader

    monkeypatch.setattr(reader, "READER_BUFFER_MIN", megabytes * 1024**2)
    monkeypatch.setattr(reader, "READER_BUFFER_FIRST_MAX", megabytes * 1024**2)


def test_a_query_that_does_not_fit_the_readers_pool_runs_again_in_twice_the_pool(mini_store: Path,
                                                                                 monkeypatch) -> None:
    expected = LadybugStore(mini_store).query("explore_profiles")
    small_first_pool(monkeypatch, 12)
    store = LadybugStore(mini_store)
    assert store.query("explore_profiles") == expected
    assert store.buffer_pool_bytes // 1024**2 == 24
    assert [row["id"] for row in expected] == ["alpha-care", "beta-shoes"]


def test_a_fixed_pool_too_small_for_a_query_fails_it_with_the_engines_words(mini_store: Path, monkeypatch) -> None:
    small_first_pool(monkeypatch, 12)
    monkeypatch.setenv("KB_LADYBUG_BUFFER_MB", "12")
    store = LadybugStore(mini_store)
    with pytest.raises(QueryError, match="The buffer pool is full"):
        store.query("explore_profiles")
    assert store.buffer_pool_bytes // 1024**2 == 12
