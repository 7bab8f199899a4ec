"""Figure, claim and view ids survive edits elsewhere in a file, on both stores and in the graph diff.

An id is made of the organisation, the concept and the item's own content or an explicit
``[key: name]`` (kb.graph.stable_ids), never a line number: a line inserted above a claim changes
nothing but line numbers, and a reworded claim is an update of the same node.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.contrib.diff import compare_rows
from kb.graph.rows import GraphRows, IdRequest, graph_rows, stable_ids
from kb.load import load_content
from kb.problems import StoreError
from kb.store.ladybug import LadybugStore, rebuild
from kb.store.neo4j import Neo4jStore
from kb.store.neo4j_sync import sync

ALPHA = "cases/alpha-care.md"
EVIDENCE = ("Figure", "Claim", "View")


def rows_of(root: Path) -> GraphRows:
    result = load_content(root)
    assert result.ok, [str(p) for p in result.errors]
    return graph_rows(result.corpus)


def edit(root: Path, old: str, new: str, path: str = ALPHA) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def insert_a_line_of_prose(root: Path) -> None:
    edit(root, "Alpha is fictional. [src: report-a]", "Alpha is fictional. [src: report-a]\n\nA new paragraph.")


def evidence_ids(rows: GraphRows) -> dict[str, list[str]]:
    return {label: sorted(node["id"] for node in rows.nodes[label]) for label in EVIDENCE}


def without_lines(rows: GraphRows) -> tuple:
    nodes = sorted(repr(sorted((k, v) for k, v in node.items() if k != "line"))
                   for label in EVIDENCE for node in rows.nodes[label])
    rels = sorted(repr((r.type, r.start, r.end, sorted((k, v) for k, v in r.props.items() if k != "line")))
                  for r in rows.rels)
    return nodes, rels


# --- the rule ----------------------------------------------------------------------------------

def test_ids_name_the_organisation_the_concept_and_the_content(mini_root: Path) -> None:
    ids = evidence_ids(rows_of(mini_root))
    assert "alpha-care/figure/staff-attrition/2016" in ids["Figure"]
    assert "alpha-care/size/staff/2015" in ids["Figure"]
    assert {"alpha-care/claim/staff-attrition", "alpha-care/claim/savings"} <= set(ids["Claim"])
    assert "alpha-care/claim/savings/view/report-b" in ids["View"]
    assert not any(part.isdigit() and int(part) > 2100 for group in ids.values() for i in group for part in i.split("/"))


def test_collisions_add_the_items_own_words_then_a_number() -> None:
    ids = stable_ids("o/figure", [IdRequest("c/2015", ("of staff left", "src-a")),
                                  IdRequest("c/2015", ("took the offer", "src-a")),
                                  IdRequest("c/2015", ("took the offer", "src-b")),
                                  IdRequest("c/2015", ("took the offer", "src-b"))])
    assert ids == ["o/figure/c/2015/of-staff-left", "o/figure/c/2015/took-the-offer/src-a",
                   "o/figure/c/2015/took-the-offer/src-b", "o/figure/c/2015/took-the-offer/src-b-2"]


def test_an_explicit_key_pins_an_id_and_wins_over_a_natural_one() -> None:
    ids = stable_ids("o/claim", [IdRequest("attrition", ("detail one",)), IdRequest("x", key="attrition")])
    assert ids == ["o/claim/attrition/detail-one", "o/claim/attrition"]


def test_explicit_keys_in_a_case_file(mini_root: Path) -> None:
    edit(mini_root, "  - figure: **30%** of staff left at adopting organisations (2016) [src: report-a]",
         "  - figure: **30%** of staff left at adopting organisations (2016) [key: adopters-left] [src: report-a]\n"
         "  - figure: **20%** of staff left in the first year (2016) [src: report-b]")
    edit(mini_root, "  - view: fewer left [src: report-b]", "  - view: fewer left [src: report-b] [key: sceptics]")
    rows = rows_of(mini_root)
    ids = evidence_ids(rows)
    assert "alpha-care/figure/adopters-left" in ids["Figure"]
    assert "alpha-care/figure/staff-attrition/2016" in ids["Figure"]  # the other one no longer collides
    assert "alpha-care/claim/staff-attrition/view/sceptics" in ids["View"]
    figure = next(n for n in rows.nodes["Figure"] if n["id"] == "alpha-care/figure/adopters-left")
    assert figure["description"] == "of staff left at adopting organisations"  # the key is not part of the text
    assert next(n for n in rows.nodes["View"] if n["id"].endswith("/sceptics"))["text"] == "fewer left"


def test_a_line_inserted_above_changes_nothing_but_line_numbers(mini_root: Path) -> None:
    before = rows_of(mini_root)
    insert_a_line_of_prose(mini_root)
    after = rows_of(mini_root)
    assert evidence_ids(after) == evidence_ids(before)
    assert without_lines(after) == without_lines(before)


def test_a_reworded_claim_keeps_its_id(mini_root: Path) -> None:
    before = rows_of(mini_root)
    edit(mini_root, "some staff left.", "a good share of the staff left within a year.")
    edit(mini_root, "  - view: up to 30% left", "  - view: as many as 30% left")
    after = rows_of(mini_root)
    assert evidence_ids(after) == evidence_ids(before)


# --- embedded store ------------------------------------------------------------------------------

def test_embedded_store_ids_survive_an_insertion_and_a_rewording(mini_root: Path, tmp_path: Path) -> None:
    def ids_in_store(folder: Path) -> tuple[list, list]:
        rebuild(folder, rows_of(mini_root))
        store = LadybugStore(folder)
        try:
            return ([(f["id"], f["line"]) for f in store.query("organisation_figures", id="alpha-care")],
                    [(c["id"], c["text"]) for c in store.query("organisation_disputes", id="alpha-care")])
        finally:
            store.close()

    figures, claims = ids_in_store(tmp_path / "one")
    insert_a_line_of_prose(mini_root)
    edit(mini_root, "some staff left.", "many staff left.")
    figures_after, claims_after = ids_in_store(tmp_path / "two")
    assert [i for i, _ in figures_after] == [i for i, _ in figures]
    assert all(line == old + 2 for (_, line), (_, old) in zip(figures_after[1:], figures[1:], strict=True))
    assert [i for i, _ in claims_after] == [i for i, _ in claims]
    assert ("alpha-care/claim/staff-attrition", "many staff left.") in claims_after


# --- graph diff -----------------------------------------------------------------------------------

def test_graph_diff_of_an_insertion_is_empty_and_of_a_rewording_one_change(mini_root: Path) -> None:
    before = rows_of(mini_root)
    insert_a_line_of_prose(mini_root)
    moved = rows_of(mini_root)
    assert [c for c in compare_rows(before, moved) if c.label != "Organisation"] == []  # the body text changed
    edit(mini_root, "some staff left.", "a good share of the staff left.")
    changes = compare_rows(moved, rows_of(mini_root))
    assert {(c.change, c.label, c.key) for c in changes} == {
        ("changed", "Claim", "alpha-care/claim/staff-attrition"),
        ("changed", "FACED", "alpha-care -[FACED]-> staff-attrition"),
        ("changed", "Organisation", "alpha-care")}  # its body holds the bullet
    claim = next(c for c in changes if c.label == "Claim")
    assert claim.properties == {"text": ("some staff left.", "a good share of the staff left.")}


# --- Neo4j ------------------------------------------------------------------------------------------

def test_neo4j_insertion_only_moves_lines_and_keeps_foreign_relationships(neo4j_db, mini_root: Path) -> None:
    sync(neo4j_db.settings, rows_of(mini_root))
    # Someone attaches their own note to a figure and a view (what the old line-numbered ids broke).
    neo4j_db.driver.execute_query(
        "MATCH (f:Figure {id: 'alpha-care/figure/staff-attrition/2016'}), "
        "(v:View {id: 'alpha-care/claim/savings/view/report-b'}) "
        "CREATE (:Note {text: 'checked'})-[:ABOUT_FIGURE]->(f), (:Note {text: 'weak'})-[:ABOUT_VIEW]->(v)",
        database_="neo4j")
    ids_before = neo4j_db.scalar("MATCH (n:KbManaged) RETURN collect(elementId(n))")

    insert_a_line_of_prose(mini_root)
    report = sync(neo4j_db.settings, rows_of(mini_root))
    # Nothing created or deleted; the one update is the organisation, whose body text gained the line.
    assert report.created == report.deleted == {"nodes": 0, "relationships": 0}
    assert report.updated == {"nodes": 1, "relationships": 0}
    assert report.moved["nodes"] > 0 and report.moved["relationships"] > 0
    assert report.summary().endswith("relationships (text moved within files)")
    assert sorted(neo4j_db.scalar("MATCH (n:KbManaged) RETURN collect(elementId(n))")) == sorted(ids_before)
    assert neo4j_db.scalar("MATCH (:Note)-->(x) RETURN count(x)") == 2
    line = neo4j_db.scalar("MATCH (f:Figure {id: 'alpha-care/figure/staff-attrition/2016'}) RETURN f.line")
    assert (mini_root / ALPHA).read_text(encoding="utf-8").split("\n")[line - 1].lstrip().startswith("- figure: **30%**")

    edit(mini_root, "some staff left.", "a good share of the staff left.")
    report = sync(neo4j_db.settings, rows_of(mini_root))
    assert report.created == report.deleted == {"nodes": 0, "relationships": 0}
    # One claim, updated in place: its Claim node, its FACED and HAS_CLAIM evidence, and the body text
    # of the organisation (which holds the bullet).
    assert report.updated == {"nodes": 2, "relationships": 2}
    store = Neo4jStore(neo4j_db.settings)
    assert ("alpha-care/claim/staff-attrition", "a good share of the staff left.") in [
        (c["id"], c["text"]) for c in store.query("organisation_disputes", id="alpha-care")]
    store.close()


def test_neo4j_refusal_names_the_node_and_the_foreign_relationship(neo4j_db, mini_root: Path) -> None:
    sync(neo4j_db.settings, rows_of(mini_root))
    figure = "alpha-care/figure/self-managing-teams/2015"
    neo4j_db.driver.execute_query(
        f"MATCH (f:Figure {{id: '{figure}'}}) CREATE (:Note {{id: 'note-1'}})-[:ABOUT_FIGURE]->(f)", database_="neo4j")
    edit(mini_root, "  - figure: **12** nurses per team at most (2015) [src: report-a]\n", "")
    with pytest.raises(StoreError) as refused:
        sync(neo4j_db.settings, rows_of(mini_root))
    message = str(refused.value)
    assert f"the files no longer have Figure '{figure}'; it came from cases/alpha-care.md" in message
    assert f"(:Note {{id: 'note-1'}})-[:ABOUT_FIGURE]->(:Figure {{id: '{figure}'}})" in message
    assert "nothing was changed" in message
    assert "deleted or renamed file" not in message and "node<" not in message and "rolled back" not in message
    assert neo4j_db.scalar(f"MATCH (f:Figure {{id: '{figure}'}}) RETURN count(f)") == 1


# --- the one slug (kb.slug, on python-slugify) keeps the ids it made before ----------------------

@pytest.mark.parametrize(("text", "words", "expected"), [
    ("Only about 6% named Holacracy as the reason", 6, "only-about-6-named-holacracy-as"),
    ("Zürich café", 6, "zurich-cafe"),
    ("The King's Fund reviews", 6, "the-king-s-fund-reviews"),  # an apostrophe separates, as before
    ("1,000 nurses", 6, "1-000-nurses"),  # python-slugify alone would join the digits: "1000-nurses"
    ("AT&amp;T", 6, "at-amp-t"),  # an entity is text, not decoded
    ("Open questions", 0, "open-questions"),
    ("  --  ", 0, ""),
])
def test_the_slug_of_ids_and_anchors_is_what_it_was(text: str, words: int, expected: str) -> None:
    from kb.slug import slug

    assert slug(text, words) == expected
