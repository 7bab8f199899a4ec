"""On Neo4j the site reads only the project's graph: foreign data never changes a page, a count or a score.

Others may keep their own data next to the synced graph (that is what Neo4j is for): nodes of the
very same labels without the project's marker, relationships of the project's types without its
hash (between their nodes, between project nodes, and across), relationships of their own types,
extra labels and properties on project nodes.  The tests add all of that, for every label and every
relationship type of the schema, and compare every named query and every JSON twin of the site
before and after.
"""

from __future__ import annotations

import itertools
from urllib.parse import quote

from kb.graph.rows import graph_rows
from kb.graph.schema import NODE_PROPERTIES, REL_ENDPOINTS
from kb.load import load_content
from kb.queries.catalogue import QUERIES, cypher_for
from kb.store.neo4j import HASH_PROPERTY, MANAGED_LABEL, Neo4jStore
from webapp import create_app

from .conftest import REPO
from .test_store_contract import MAX_RUNS, best_connected, typed, values_for


def test_the_query_dialect_uses_the_stores_marker() -> None:
    """kb.queries writes the marker out (an earlier stage cannot import the store); it must be the store's."""
    cypher = cypher_for("organisation_claims", "neo4j")
    assert f":{MANAGED_LABEL}" in cypher and f"r.{HASH_PROPERTY} IS NOT NULL" in cypher
    assert MANAGED_LABEL not in cypher_for("organisation_claims", "ladybug")


def add_foreign_data(driver) -> None:
    """Foreign nodes of every label and relationships of every type, in every position a query could see."""
    def run(cypher: str, **params) -> None:
        driver.execute_query(cypher, params, database_="neo4j")

    for label in NODE_PROPERTIES:
        # A foreign copy of the best-known project node of each label, under a new id.
        run(f"MATCH (n:{label}:{MANAGED_LABEL}) WITH n ORDER BY COUNT {{ (n)--() }} DESC, n.id LIMIT 1 "
            f"CREATE (f:{label}) SET f = n {{.*, id: 'foreign-' + n.id, {HASH_PROPERTY}: null}}")
    for rel_type, ends in REL_ENDPOINTS.items():
        for start, end in ends:
            where = f"a:{start}:{MANAGED_LABEL} AND b:{end}:{MANAGED_LABEL}"
            # Between foreign nodes, from a project node to a foreign one and back, and between two project
            # nodes that the project does not link (or does: then a second, foreign, copy of the claim).
            run(f"MATCH (a:{start}), (b:{end}) WHERE a.id STARTS WITH 'foreign-' AND b.id STARTS WITH 'foreign-' "
                f"WITH a, b LIMIT 1 CREATE (a)-[:{rel_type} {{detail: 'theirs', sources: ['foreign']}}]->(b)")
            run(f"MATCH (a:{start}:{MANAGED_LABEL}), (b:{end}) WHERE b.id STARTS WITH 'foreign-' "
                f"WITH a, b ORDER BY a.id LIMIT 2 CREATE (a)-[:{rel_type} {{detail: 'theirs'}}]->(b)")
            run(f"MATCH (a:{start}), (b:{end}:{MANAGED_LABEL}) WHERE a.id STARTS WITH 'foreign-' "
                f"WITH a, b ORDER BY b.id LIMIT 2 CREATE (a)-[:{rel_type} {{detail: 'theirs'}}]->(b)")
            run(f"MATCH (a), (b) WHERE {where} AND NOT (a)-[:{rel_type}]->(b) "
                f"WITH a, b ORDER BY a.id, b.id LIMIT 3 CREATE (a)-[:{rel_type} {{detail: 'theirs', status: 'contested', "
                "sources: ['foreign'], line: 1}]->(b)")
            run(f"MATCH (a)-[r:{rel_type}]->(b) WHERE {where} AND r.{HASH_PROPERTY} IS NOT NULL "
                f"WITH a, b, r ORDER BY a.id, b.id LIMIT 3 CREATE (a)-[c:{rel_type}]->(b) SET c = properties(r), "
                f"c.{HASH_PROPERTY} = null")
    # What GDS or a user writes back: their own relationship types, labels and properties on project nodes.
    run(f"MATCH (a:Organisation:{MANAGED_LABEL}), (b:Organisation:{MANAGED_LABEL}) WHERE a.id < b.id "
        "CREATE (a)-[:SIMILAR {score: 0.5}]->(b)")
    run(f"MATCH (n:{MANAGED_LABEL}) WITH n LIMIT 200 SET n:Reviewed, n.pagerank = 0.25")
    run(f"MATCH (o:Organisation:{MANAGED_LABEL}) WITH o LIMIT 3 CREATE (:Person {{name: 'Ada', id: o.id}})"
        "-[:WORKS_AT]->(o), (o)-[:HAS_FIGURE]->(:Figure {id: o.id + '/figure/theirs', value: 1.0})")


def every_query_answer(store: Neo4jStore, rows) -> dict[str, list]:
    ids = best_connected(rows)
    answers = {}
    for name, query in sorted(QUERIES.items()):
        choices = [values_for(param, query.cypher, ids) for param in query.params]
        for combo in itertools.islice(itertools.product(*choices), MAX_RUNS):
            params = dict(zip(query.params, combo, strict=True))
            answers[f"{name}{params}"] = typed(store.query(name, **params))
    return answers


def json_twins(client, rows) -> list[str]:
    """Every JSON twin of the site: the list pages, and each case, concept, source and graph node."""
    urls = ["/index.json", "/cases.json", "/analytics.json", "/patterns.json", "/sources.json", "/search.json?q=team",
            "/search.json?q=attrition", "/compare.json?country=NL&practice=self-managing-teams",
            "/cases.json?practice=self-managing-teams", "/cases.json?sort=size", "/contribute.json"]
    kinds = {"Practice": "practices", "Challenge": "challenges", "Outcome": "outcomes", "Framework": "frameworks"}
    urls += [f"/{page}.json" for page in kinds.values()]
    for label, nodes in rows.nodes.items():
        for node in nodes[:40] if label == "Source" else nodes:  # every page kind; sources are many
            node_id = quote(node["id"], safe="")
            if label == "Organisation":
                urls += [f"/cases/{node_id}.json", f"/compare.json?case={node_id}",
                         f"/graph/organisation/{node_id}.json?depth=2"]
            elif label in kinds:
                urls += [f"/{kinds[label]}/{node_id}.json", f"/graph/{label.lower()}/{node_id}.json"]
            elif label == "Source":
                urls += [f"/sources/{node_id}.json"]
            elif label in ("Sector", "Country"):
                urls += [f"/graph/{label.lower()}/{node_id}.json"]
    return urls


def test_foreign_data_changes_no_query_answer_and_no_page(neo4j_db, real_rows, monkeypatch) -> None:
    neo4j_db.ensure_loaded(("own-graph", "real"), real_rows)
    neo4j_db.loaded = None  # this test adds foreign data: the next test that needs the graph reloads it
    store = Neo4jStore(neo4j_db.settings)
    monkeypatch.setenv("NEO4J_URI", neo4j_db.uri)
    before_answers = every_query_answer(store, real_rows)
    client = create_app({"TESTING": True, "KB_STORE": "neo4j", "KB_PAGE_CACHE_MB": 0}).test_client()
    urls = json_twins(client, real_rows)
    before_pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        before_pages[url] = response.json

    nodes_before = neo4j_db.scalar("MATCH (n) RETURN count(n)")
    add_foreign_data(neo4j_db.driver)
    # The foreign data is really there: a copy of every label, relationships of every type without the hash.
    assert neo4j_db.scalar("MATCH (n) RETURN count(n)") >= nodes_before + len(NODE_PROPERTIES)
    foreign_types = neo4j_db.scalar(f"MATCH ()-[r]->() WHERE r.{HASH_PROPERTY} IS NULL RETURN collect(DISTINCT type(r))")
    assert set(REL_ENDPOINTS) <= set(foreign_types)
    assert neo4j_db.scalar("MATCH (o:Organisation) WHERE NOT o:KbManaged RETURN count(o)") >= 1

    after_answers = every_query_answer(store, real_rows)
    changed = [key for key in before_answers if before_answers[key] != after_answers[key]]
    assert not changed, f"foreign data changed {len(changed)} query answers, e.g. {changed[:5]}"
    client = create_app({"TESTING": True, "KB_STORE": "neo4j", "KB_PAGE_CACHE_MB": 0}).test_client()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
        assert response.json == before_pages[url], url
    store.close()


def test_the_browser_example_in_the_docs_shows_only_the_projects_graph(neo4j_db) -> None:
    """docs/neo4j.md's Browser query, run as written, returns none of the relationships others added."""
    import re

    from kb.store.neo4j_sync import sync

    from .conftest import FIXTURES

    sync(neo4j_db.settings, graph_rows(load_content(FIXTURES / "mini").corpus))
    neo4j_db.loaded = None
    docs = (REPO / "docs" / "neo4j.md").read_text(encoding="utf-8")
    example = re.search(r"query only\s+the project's graph, e\.g\.\s+`([^`]+)`", docs).group(1)
    ours = neo4j_db.scalar(f"MATCH (:Organisation:{MANAGED_LABEL})-[r:FACED]->() WHERE r.{HASH_PROPERTY} IS NOT NULL "
                           "RETURN count(r)")
    neo4j_db.driver.execute_query(  # someone else's FACED relationships: to their own node, and between ours
        f"MATCH (o:Organisation:{MANAGED_LABEL}) WITH o LIMIT 1 MATCH (c:Challenge:{MANAGED_LABEL}) WITH o, c LIMIT 1 "
        "CREATE (o)-[:FACED {note: 'theirs'}]->(:Challenge {id: 'their-challenge'}), (o)-[:FACED {note: 'theirs'}]->(c)",
        database_="neo4j")
    records, _, _ = neo4j_db.driver.execute_query(example, database_="neo4j")
    relationships = [record["r"] for record in records]
    assert len(relationships) == ours >= 1
    assert all(HASH_PROPERTY in r and "note" not in r for r in relationships)
