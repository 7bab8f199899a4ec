"""On Neo4j every structure the site derives from the graph follows a sync at once, all together.

The analysis index (comparable cases, patterns), the search index and the rendered pages are kept
per version of the graph (:func:`kb.store.versioned.derived`); a sync that writes anything writes a
new version in its transaction.  A sync that changes only a grade (one source's reliability: no node
or relationship more or less) must show on the very next requests, with the page cache on.
"""

from __future__ import annotations

from pathlib import Path

from kb.analysis.search import search_index_for
from kb.graph.rows import graph_rows
from kb.load import load_content
from kb.store.neo4j_sync import sync
from webapp import create_app


def _rows(root: Path):
    result = load_content(root)
    assert result.ok, [str(p) for p in result.errors]
    return graph_rows(result.corpus)


def _grades(client) -> list[tuple[str, str, str]]:
    """What /compare says of the cases using self-managing teams: (case, shared item, its grade)."""
    results = client.get("/compare.json?practice=self-managing-teams").json["results"]
    return [(match["id"], reason["id"], reason["grade"]) for match in results for reason in match["reasons"]]


def _pattern_cells(client) -> list[tuple[str, str, list[str]]]:
    """The practice-outcome cells of /patterns counting only claims of a third-party report or better."""
    cells = client.get("/patterns.json?grade=reported").json["matrices"]["practice_outcome"]["cells"]
    return [(cell["row"], cell["column"], cell["cases"]) for cell in cells]


def test_a_sync_that_changes_only_a_grade_shows_on_compare_patterns_and_search_at_once(
        neo4j_db, mini_root: Path, monkeypatch) -> None:
    sync(neo4j_db.settings, _rows(mini_root), driver=neo4j_db.driver)
    monkeypatch.setenv("NEO4J_URI", neo4j_db.uri)
    app = create_app({"TESTING": True, "KB_STORE": "neo4j", "KB_PAGE_CACHE_MB": 16})
    client = app.test_client()
    # report-a has no reliability: what it supports is a commentator's impression at best.
    assert _grades(client) == [("alpha-care", "self-managing-teams", "impression")]
    assert _pattern_cells(client) == []
    store = app.extensions["kb_store"]
    assert search_index_for(store).sources["report-a"]["reliability"] in ("", None)
    before = store.version()

    case = mini_root / "cases" / "alpha-care.md"
    case.write_text(case.read_text().replace("    url: https://example.org/a\n",
                                             "    url: https://example.org/a\n    reliability: independent\n"))
    report = sync(neo4j_db.settings, _rows(mini_root), driver=neo4j_db.driver)
    assert report.created == {"nodes": 0, "relationships": 0} and report.deleted == {"nodes": 0, "relationships": 0}

    # The very next requests, well within any interval a timer would have waited:
    assert store.version() != before
    assert _grades(client) == [("alpha-care", "self-managing-teams", "evaluated")]
    assert _pattern_cells(client) == [("self-managing-teams", "staff-wellbeing", ["alpha-care"])]
    assert search_index_for(store).sources["report-a"]["reliability"] == "independent"


def test_a_sync_that_changes_nothing_keeps_the_version(neo4j_db, mini_root: Path) -> None:
    from kb.store.neo4j import Neo4jStore

    sync(neo4j_db.settings, _rows(mini_root), driver=neo4j_db.driver)
    store = Neo4jStore(neo4j_db.settings)
    try:
        first = store.version()
        assert len(first) == 32  # a random token (uuid4 hex), never reused after a reset
        assert not sync(neo4j_db.settings, _rows(mini_root), driver=neo4j_db.driver).changed
        assert store.version() == first
    finally:
        store.close()
