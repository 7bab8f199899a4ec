"""The embedded store: named queries, atomic rebuilds, readers across a switch."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kb.graph.rows import graph_rows
from kb.load import load_content
from kb.problems import StoreError
from kb.queries.catalogue import QUERIES
from kb.store import ladybug as ladybug_store
from kb.store.ladybug import LadybugStore, current_generation, rebuild
from kb.store.ladybug import writer as ladybug_writer

from .conftest import REPO, kill_when_it_prints, load_into


def test_named_queries_answer_on_the_fixture(shared_mini_store: Path) -> None:
    store = LadybugStore(shared_mini_store)
    names = [row["name"] for row in store.query("organisations")]
    assert names == ["Alpha Care", "Beta Shoes"]
    claims = store.query("organisation_claims", id="alpha-care")
    attrition = next(c for c in claims if c["concept"] == "staff-attrition")
    assert attrition == {
        "type": "FACED", "kind": "Challenge", "concept": "staff-attrition",
        "name": "Staff attrition during the transition", "detail": "some staff left.",
        "figure": "30% of staff left at adopting organisations (2016)", "year": 2016,
        "sources": ["report-a", "report-b"], "status": "contested", "file": "cases/alpha-care.md", "line": 42,
        "scope": "self", "evidence": "impression", "contested": True,
    }
    assert store.query("organisation", id="nope") == []


#: An id of the fixture for each kind a query's name can mention (``concept_practice_claims``,
#: ``graph_node_sector``, ``source_claims_of``...); other queries take a case.
FIXTURE_IDS = {"challenge": "staff-attrition", "framework": "holacracy", "outcome": "staff-wellbeing",
               "practice": "self-managing-teams", "country": "NL", "sector": "home-care", "source": "report-a",
               "in": "beta-shoes"}
#: What the two-case fixture has none of: reports about other organisations or in general, concept pages that
#: declare sources, views on a framework, outcome or practice claim, figures under a framework or outcome, and
#: relations other than partner-of.
EMPTY_ON_THE_FIXTURE = {
    "concept_challenge_reported", "concept_framework_reported", "concept_outcome_reported",
    "concept_practice_reported", "explore_reported_claim_rows", "organisation_reported_by",
    "organisation_reported_claims", "export_rels_CONCERNS", "export_rels_REPORTS_CLAIM",
    "export_rels_REPORTS_FIGURE",
    "concept_challenge_sources", "concept_framework_sources", "concept_outcome_sources", "concept_practice_sources",
    "source_concept_declarations",
    "concept_framework_views", "concept_outcome_views", "concept_practice_views",
    "concept_framework_figures", "concept_outcome_figures",
    "example_buurtzorg_adopters", "export_rels_ADOPTED_MODEL_OF", "export_rels_INSPIRED_BY", "export_rels_PART_OF",
}


def fixture_id(name: str) -> str:
    """The id a query named ``name`` is asked about on the fixture.

    >>> fixture_id("concept_outcome_views"), fixture_id("organisation_relations_in"), fixture_id("organisation")
    ('staff-wellbeing', 'beta-shoes', 'alpha-care')
    """
    return next((FIXTURE_IDS[part] for part in name.split("_") if part in FIXTURE_IDS), "alpha-care")


@pytest.mark.parametrize("name", sorted(n for n, q in QUERIES.items() if set(q.params) <= {"id"}))
def test_every_query_finds_what_the_fixture_has(shared_mini_store: Path, name: str) -> None:
    """Every query that needs at most an id answers on the fixture, with rows unless the fixture has nothing
    of the kind (a query that silently matches nothing fails); tests/test_store_contract.py compares stores."""
    rows = LadybugStore(shared_mini_store).query(name, **{p: fixture_id(name) for p in QUERIES[name].params})
    if name in EMPTY_ON_THE_FIXTURE:
        assert rows == []
    else:
        assert rows and all(isinstance(row, dict) and row for row in rows), name


def test_reading_before_any_load_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"graph_loader\.py load"):
        LadybugStore(tmp_path / "empty").query("organisations")


def test_reader_follows_a_rebuild(mini_root: Path, mini_store: Path) -> None:
    store = LadybugStore(mini_store)
    assert len(store.query("organisations")) == 2
    first = store.version()
    case = mini_root / "cases" / "beta-shoes.md"
    case.unlink()
    (mini_root / "cases" / "alpha-care.md").write_text(
        (mini_root / "cases" / "alpha-care.md").read_text().replace(
            "relations:\n  - {type: partner-of, target: beta-shoes, sources: [report-b]}\n", ""))
    load_into(mini_root, mini_store)
    assert [r["id"] for r in store.query("organisations")] == ["alpha-care"]
    assert store.version() != first


def test_failed_build_leaves_previous_store(mini_root: Path, mini_store: Path, monkeypatch) -> None:
    before = current_generation(mini_store)
    rows = graph_rows(load_content(mini_root).corpus)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(ladybug_writer, "check_generation", broken)
    with pytest.raises(RuntimeError, match="simulated"):
        rebuild(mini_store, rows)
    assert current_generation(mini_store) == before
    assert len(LadybugStore(mini_store).query("organisations")) == 2
    assert len(list((mini_store / "generations").iterdir())) == 1  # the half-built one was removed


def test_killed_load_leaves_previous_store(mini_root: Path, mini_store: Path) -> None:
    """A loader process killed mid-build (SIGKILL) leaves the last good store readable."""
    before = current_generation(mini_store)
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from kb.store.ladybug import writer as s
        original = s._write_generation
        def slow(folder, rows, progress):
            original(folder, rows, progress)
            print("built", flush=True)
            time.sleep(60)
        s._write_generation = slow
        from kb.load import load_content
        from kb.graph.rows import graph_rows
        from pathlib import Path
        s.rebuild(Path({str(mini_store)!r}), graph_rows(load_content(Path({str(mini_root)!r})).corpus))
    """)
    kill_when_it_prints(script, "built")
    assert current_generation(mini_store) == before
    assert [r["id"] for r in LadybugStore(mini_store).query("organisations")] == ["alpha-care", "beta-shoes"]
    # The next load succeeds and switches (generation names carry nanoseconds and a random part: no wait).
    load_into(mini_root, mini_store)
    assert current_generation(mini_store) != before


def test_old_generations_are_pruned(mini_root: Path, mini_store: Path) -> None:
    for _ in range(ladybug_store.KEEP_GENERATIONS):
        load_into(mini_root, mini_store)
    assert len(list((mini_store / "generations").iterdir())) <= ladybug_store.KEEP_GENERATIONS
    assert len(LadybugStore(mini_store).query("organisations")) == 2


def test_quoting_late_in_a_large_table_survives(tmp_path: Path) -> None:
    """LadybugDB sniffs CSV dialects from the first rows; quoting that appears only later must still load."""
    from kb.graph.rows import GraphRows

    rows = GraphRows()
    for i in range(3000):
        rows.add_node("Source", id=f"s{i}", title=f"Plain title {i}", url=f"https://example.org/{i}")
    tricky = 'A "quoted", comma\'d title\nwith a new line'
    rows.add_node("Source", id="tricky", title=tricky, publication="Book, 2nd edition")
    rebuild(tmp_path / "store", rows)
    found = LadybugStore(tmp_path / "store").run("MATCH (s:Source {id: 'tricky'}) RETURN s.title AS t, s.publication AS p")
    assert found == [{"t": tricky, "p": "Book, 2nd edition"}]


def test_staging_csv_is_what_the_csv_module_writes() -> None:
    """The staging files' writer (faster than ``csv.writer``) writes the same bytes: quoting, nulls, numbers."""
    rows = [("alpha", 'He said "self-managing", then\nleft', None, 3, 0.25, True, ""),
            ("beta", "a\rb", "[x,y]", -1, "", "plain text", "trailing ")]
    assert ladybug_writer.csv_text(rows) == (
        'alpha,"He said ""self-managing"", then\nleft",,3,0.25,True,\r\n'
        'beta,"a\rb","[x,y]",-1,,plain text,trailing \r\n')
    assert ladybug_writer.csv_text([("",), (None,), ()]) == '""\r\n""\r\n\r\n'
