"""What is derived from a Neo4j graph version is shared by the site's processes through a cache folder
(kb.store.versioned.cache_folder): after a sync, one worker builds the search index and the others read it."""

import os
from pathlib import Path

from kb.analysis.search import SearchDocument, SearchIndex
from kb.store.versioned import KEPT_VERSIONS, cache_folder, derived_on_disk


class Worker:
    """A stand-in for one site worker's Neo4j store: its version is a sync's token, its folder the cache's."""

    def __init__(self, version: str) -> None:
        self.graph_version = version

    def version(self) -> str:
        return self.graph_version

    def derived_folder(self, version: str) -> Path | None:
        return cache_folder("neo4j", version)


def test_a_version_is_built_once_and_read_by_every_other_worker(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KB_DERIVED_CACHE", str(tmp_path))
    built = []

    def build(store: Worker, folder: Path | None) -> SearchIndex:
        built.append(folder)
        return SearchIndex([SearchDocument("organisation", "buurtzorg", "Buurtzorg Nederland", (), "Home care.", "")],
                           folder=folder)

    first, second = Worker("0f3a"), Worker("0f3a")
    answers = [[hit.id for hit in derived_on_disk(worker, "search-index", build, SearchIndex.read)
                .search("buurtzorg").hits] for worker in (first, second)]
    assert answers == [["buurtzorg"], ["buurtzorg"]]
    assert len(built) == 1 and built[0] is not None
    assert built[0].parent == tmp_path / "neo4j" / "0f3a"
    assert oct(os.stat(tmp_path / "neo4j" / "0f3a").st_mode & 0o777) == "0o700"


def test_only_the_newest_versions_are_kept(tmp_path: Path) -> None:
    environ = {"KB_DERIVED_CACHE": str(tmp_path)}
    for n, version in enumerate(["a1", "b2", "c3", "d4"]):
        cache_folder("neo4j", version, environ)
        os.utime(tmp_path / "neo4j" / version, (1000 + n, 1000 + n))
    cache_folder("neo4j", "e5", environ)
    assert KEPT_VERSIONS == 3
    assert sorted(path.name for path in (tmp_path / "neo4j").iterdir()) == ["c3", "d4", "e5"]


def test_nothing_is_kept_for_a_graph_never_synced_or_an_odd_version(tmp_path: Path) -> None:
    environ = {"KB_DERIVED_CACHE": str(tmp_path)}
    assert cache_folder("neo4j", "", environ) is None
    assert cache_folder("neo4j", "../elsewhere", environ) is None
    assert not (tmp_path / "neo4j").exists()
