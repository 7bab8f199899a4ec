"""The store contract: every named query gives identical results on LadybugDB and on Neo4j.

The same content — the two-case fixture (``tests/fixtures/mini``) and the repository's real
content — is loaded into the embedded store and into a real Neo4j (tests/neo4j_fixtures.py).  Every
query in ``kb.queries.catalogue.QUERIES`` then runs on both with the same parameters, and the rows must be
identical: same values, same types (``1200.0`` is not ``1200``), same order, same list order.  When
they differ, make the query deterministic in ``kb/queries*.py`` (an ``ORDER BY``; ``{sorted:xs}``
around a ``collect()``) rather than loosening this test.

**Queries added later are tested without touching this file**, as long as their parameters follow
the naming convention below.  Values are chosen by parameter name:

================  ======================================================================
parameter         values tried (one query run per value)
================  ======================================================================
``id``            ids of the label the Cypher looks up with ``(x:Label {id: $id})``; when
                  the Cypher names no such label, a few ids of every label
``ids``           one list holding a few ids of every label
``organisations`` one list holding a few organisation ids
``labels``        one list holding every node label
``organisation``  organisation ids (likewise ``practice``, ``challenge``, ``outcome``,
                  ``framework``, ``sector``, ``country``, ``source``: ids of that label)
``concept``       ids of every concept label
``kind``          the concept kinds: practice, challenge, outcome, framework
``after``         "" (before every id) and an organisation id (a page from the middle)
================  ======================================================================

Ids are taken best-connected first (most relationships): up to ``IDS_OF_LOOKED_UP_LABEL`` of a label
the Cypher names, ``IDS_PER_LABEL`` of each label otherwise.  A parameter name not in the table fails
the test and says to add it to ``values_for``.

On the real content every query must return rows for at least one value, since two empty answers
agree without proving anything.  A query that is empty there by nature is listed, with the reason,
in ``EMPTY_ON_REAL_CONTENT``.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kb.graph.rows import GraphRows, graph_rows
from kb.graph.schema import CONCEPT_LABELS, NODE_PROPERTIES
from kb.load import load_content
from kb.queries.catalogue import QUERIES
from kb.store import GraphStore
from kb.store.ladybug import LadybugStore, current_generation, rebuild
from kb.store.neo4j import Neo4jStore

from .conftest import FIXTURES, REPO

CONTENTS = {"mini": FIXTURES / "mini", "real": REPO}
IDS_PER_LABEL = 8
IDS_OF_LOOKED_UP_LABEL = 40
MAX_RUNS = 40  # parameter combinations per query, for queries with several parameters
CONCEPT_KINDS = [label.lower() for label in CONCEPT_LABELS]
_LOOKUP = re.compile(r"\(\s*\w*\s*:\s*(\w+)\s*(?:\{own\})?\s*\{\s*id\s*:\s*\$id\s*\}\s*\)")
#: Queries with nothing to find in the real content, and why.
EMPTY_ON_REAL_CONTENT = {
    "graph_out_country": "countries have no outgoing relationships",
    "graph_out_source": "sources have no outgoing relationships",
    "concept_framework_views": "no claim about a framework is contested in the real content",
    "concept_framework_views_from": "no claim about a framework is contested in the real content",
    "concept_framework_view_sources": "no claim about a framework is contested in the real content",
    "concept_framework_reported": "no claim about others or in general concerns a framework in the real content",
    "concept_framework_reported_from": "no claim about others or in general concerns a framework in the real content",
}


def best_connected(rows: GraphRows) -> dict[str, list[str]]:
    """Per label, the ids of its nodes, those with the most relationships first (ties broken by id)."""
    degree: Counter = Counter()
    for rel in rows.rels:
        degree[(rel.start_label, rel.start)] += 1
        degree[(rel.end_label, rel.end)] += 1
    return {label: sorted((node["id"] for node in nodes), key=lambda i, lab=label: (-degree[(lab, i)], i))
            for label, nodes in rows.nodes.items()}


def values_for(param: str, cypher: str, ids: dict[str, list[str]]) -> list[Any]:
    """The values a parameter is tried with (see the module docstring)."""
    some_of_each = [node_id for label in ids for node_id in ids[label][:IDS_PER_LABEL]]
    if param == "id":
        looked_up = dict.fromkeys(_LOOKUP.findall(cypher))
        if looked_up:
            return [i for label in looked_up for i in ids.get(label, [])[:IDS_OF_LOOKED_UP_LABEL]]
        return some_of_each
    if param == "ids":
        return [some_of_each]
    if param == "skip":
        return [0, 2]
    if param == "limit":
        return [3]
    if param == "after":  # an id to page on from: before every id, and a middle one
        return ["", *ids.get("Organisation", [])[:1]]
    if param == "organisations":
        return [ids.get("Organisation", [])[:IDS_OF_LOOKED_UP_LABEL]]
    if param == "labels":
        return [list(NODE_PROPERTIES)]
    if param == "concept":
        return [i for label in CONCEPT_LABELS for i in ids.get(label, [])[:IDS_PER_LABEL]]
    if param == "kind":
        return CONCEPT_KINDS
    if param.capitalize() in NODE_PROPERTIES:
        return ids.get(param.capitalize(), [])[:IDS_OF_LOOKED_UP_LABEL]
    pytest.fail(f"no test values for query parameter '{param}': add it to values_for() in {Path(__file__).name} "
                "(or name the parameter after the label it takes, e.g. 'practice')")


def typed(value: Any) -> Any:
    """A value with the type of every scalar made visible, so that 1 and 1.0 compare unequal."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


@pytest.fixture(scope="module", params=sorted(CONTENTS))
def content(request, tmp_path_factory) -> tuple[str, GraphRows, LadybugStore]:
    """One content tree, read once, with its embedded store (the real content's are the session's)."""
    if request.param == "real":
        rows, folder = request.getfixturevalue("real_rows"), request.getfixturevalue("real_store")
    else:
        result = load_content(CONTENTS[request.param])
        assert result.ok, [str(p) for p in result.errors]
        rows = graph_rows(result.corpus)
        folder = tmp_path_factory.mktemp(f"contract-{request.param}") / "store"
        rebuild(folder, rows)
    store = LadybugStore(folder)
    yield request.param, rows, store
    store.close()


@pytest.fixture
def stores(content, neo4j_server) -> tuple[str, GraphRows, LadybugStore, Neo4jStore]:
    """Both stores holding the same content (Neo4j is reloaded only if another test changed it)."""
    tag, rows, ladybug = content
    neo4j_server.ensure_loaded(("contract", tag), rows)
    neo4j = Neo4jStore(neo4j_server.settings)
    yield tag, rows, ladybug, neo4j
    neo4j.close()


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_named_query_answers_the_same_on_both_stores(stores, name: str) -> None:
    tag, rows, ladybug, neo4j = stores
    query = QUERIES[name]
    ids = best_connected(rows)
    choices = [values_for(param, query.cypher, ids) for param in query.params]
    runs = [dict(zip(query.params, combo, strict=True)) for combo in itertools.islice(itertools.product(*choices),
                                                                                     MAX_RUNS)]
    found = 0
    for params in runs:
        expected = ladybug.query(name, **params)
        assert typed(neo4j.query(name, **params)) == typed(expected), f"{name}({params}) on the {tag} content"
        found += len(expected)
    if tag == "real" and name not in EMPTY_ON_REAL_CONTENT:
        assert found, (f"{name} returns no rows on the real content for any of {len(runs)} parameter values, "
                       "so this comparison proves nothing: see the naming convention at the top of this file, "
                       "or list the query in EMPTY_ON_REAL_CONTENT with the reason")


def test_a_streamed_query_gives_its_rows_in_order_on_both_stores(stores) -> None:
    _, _, ladybug, neo4j = stores
    for store in (ladybug, neo4j):
        claims = store.query("explore_claim_rows")
        assert claims, "the contract content has claims"
        assert list(store.stream("explore_claim_rows")) == claims


def test_counts_are_the_same_on_both_stores(stores) -> None:
    _, rows, ladybug, neo4j = stores
    assert neo4j.counts() == ladybug.counts() == rows.counts()[0]


def test_every_query_parameter_has_test_values() -> None:
    """Fails fast (without a server) when a new query's parameter is not covered by the convention."""
    ids = {label: ["x"] for label in NODE_PROPERTIES}
    for query in QUERIES.values():
        for param in query.params:
            assert values_for(param, query.cypher, ids), f"{query.name}: no values for '{param}'"


def test_both_stores_implement_the_whole_store_interface(stores) -> None:
    """What the site and the console call is on both stores: nothing is probed for with hasattr."""
    _, _, ladybug, neo4j = stores
    assert isinstance(ladybug, GraphStore) and isinstance(neo4j, GraphStore)
    # A version names the graph each holds: the embedded generation, the sync's token.
    assert ladybug.version() == current_generation(ladybug.store).parent.name
    assert len(neo4j.version()) == 32
    assert ladybug.settings_changed() is False and neo4j.settings_changed() is False
