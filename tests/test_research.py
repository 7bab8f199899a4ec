"""Researchers: the read-only console, example queries and downloads."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import networkx as nx
import pytest

import kb
from kb.problems import QueryError
from kb.queries.catalogue import QUERIES
from kb.queries.console import check_read_only
from webapp import create_app

from .conftest import REPO

EXAMPLES = sorted(name for name, q in QUERIES.items() if q.title)


def console(client, cypher: str, fmt: str = ".json"):
    return client.get(f"/query{fmt}?q={quote(cypher)}")


def test_there_are_at_least_twelve_examples() -> None:
    assert len(EXAMPLES) >= 12


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_runs_with_one_click_on_the_real_content(real_client, name: str) -> None:
    response = real_client.get(f"/query.json?example={name}")
    assert response.status_code == 200, response.json
    assert response.json["result"]["row_count"] > 0, name


@pytest.mark.parametrize(("cypher", "message"), [
    ("MATCH (n) DETACH DELETE n", "DELETE is not allowed"),
    ("CREATE (:Organisation {id: 'x'})", "CREATE is not allowed"),
    ("MATCH (o:Organisation) SET o.name = 'x'", "SET is not allowed"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD"),
    ("LOAD FROM '/etc/passwd' RETURN *", "LOAD"),
    ("COPY Organisation FROM '/tmp/x.csv'", "COPY"),
    ("CALL dbms.components()", "Procedure calls are not allowed"),
    ("CALL apoc.load.json('http://example.org')", "not allowed"),
    ("DROP TABLE Organisation", "DROP is not allowed"),
    ("MATCH (n) RETURN n; MATCH (m) DETACH DELETE m", "one statement at a time"),
    ("UNWIND range(1, 10000000000) AS x RETURN sum(x)", "range() may span at most"),
])
def test_console_refuses_anything_but_reads(client, cypher: str, message: str) -> None:
    response = console(client, cypher)
    assert response.status_code == 400
    assert message in response.json["error"] and response.json["ok"] is False
    assert client.get("/cases.json").json["cases"]  # nothing was changed


def test_keywords_inside_strings_are_not_refused() -> None:
    check_read_only("MATCH (o:Organisation) WHERE o.summary CONTAINS 'CREATE a DELETE' RETURN o.id")


def test_the_read_only_database_refuses_writes_that_slip_past_the_guard(shared_mini_store) -> None:
    from kb.store.ladybug import LadybugStore

    store = LadybugStore(shared_mini_store)
    connection_db = store._database_for_reading()
    import ladybug

    with pytest.raises(RuntimeError, match="read-only"):
        ladybug.Connection(connection_db).execute("CREATE (:Sector {id: 'x', name: 'y'})")


def test_long_queries_are_stopped_with_a_clear_message(shared_mini_store) -> None:
    client = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store), "KB_QUERY_TIMEOUT_MS": 300}).test_client()
    response = console(client, "MATCH (a), (b), (c), (d), (e) WHERE a.id <> b.id AND b.id <> c.id "
                               "AND c.id <> d.id AND d.id <> e.id RETURN count(*)")
    assert response.status_code == 400
    assert "longer than 0.3 s and was stopped" in response.json["error"]


def test_row_cap_streams_and_stops(shared_mini_store) -> None:
    client = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store), "KB_QUERY_ROW_CAP": 7}).test_client()
    result = console(client, "UNWIND range(1, 100000) AS x RETURN x").json["result"]
    assert result["row_count"] == 7 and result["truncated"] is True
    result = console(client, "MATCH (a), (b), (c) RETURN a.id, b.id, c.id").json["result"]
    assert result["row_count"] == 7 and result["truncated"] is True


def test_engine_errors_are_shown_plainly_without_a_traceback(client) -> None:
    page = console(client, "MATCH (n:Nope RETURN n", fmt="")
    assert page.status_code == 400
    assert "The query did not run" in page.text and "Traceback" not in page.text


def test_results_as_table_graph_and_downloads(client) -> None:
    cypher = "MATCH (o:Organisation)-[r:FACED]->(c:Challenge) RETURN o.name AS name, o, r, c ORDER BY name"
    page = console(client, cypher, fmt="")
    assert page.status_code == 200
    assert "<th scope=\"col\">name</th>" in page.text and "As a graph" in page.text
    csv_text = client.get(f"/query.csv?q={quote(cypher)}").text
    assert csv_text.splitlines()[0] == "name,o,r,c" and "Alpha Care" in csv_text
    # Nodes and relationships as labelled chips with their properties behind a disclosure, not raw JSON.
    assert '<span class="chip chip-organisation">Organisation: Alpha Care</span>' in page.text
    assert '<span class="chip chip-rel">FACED</span>' in page.text
    assert '<details class="props"><summary>properties</summary><dl><dt>body</dt>' in page.text
    assert '<dt>country</dt><dd>NL</dd>' in page.text
    # The graph is drawn on the server: a column per kind, a node per organisation and challenge.
    assert '<svg class="chart band-graph" id="query-graph"' in page.text
    assert re.search(r'<text class="band-title"( text-anchor="end")? x="\d+" y="\d+">Organisations \(2\)</text>',
                     page.text)
    assert page.text.count('<g class="node kind-challenge">') == 1


def test_a_two_column_result_is_also_a_chart_with_numbers_right_aligned(client) -> None:
    cypher = ("MATCH (o:Organisation)-[:USES_PRACTICE]->(p:Practice) RETURN p.name AS practice, count(o) AS n "
              "ORDER BY n DESC, practice")
    page = console(client, cypher, fmt="").text
    assert ('<tr><td data-label="practice">Self-managing teams</td><td class="num" data-label="n">1</td></tr>'
            in page)
    assert '<ol class="chart ranked-bars" id="query-chart" aria-label="n by practice">' in page
    assert '<span class="bar-label">Self-managing teams</span> <span class="bar-value">1 n</span>' in page


def test_params_from_the_url(client) -> None:
    cypher = "MATCH (o:Organisation {id: $id}) RETURN o.name AS name"
    params = quote('{"id": "beta-shoes"}')
    response = client.get(f"/query.json?q={quote(cypher)}&params={params}")
    assert response.json["result"]["rows"] == [["Beta Shoes"]]
    assert client.get(f"/query.json?q={quote(cypher)}&params=nope").status_code == 400


def test_graphml_download_round_trips(real_client) -> None:
    exported = nx.read_graphml(io.BytesIO(real_client.get("/export/graph.graphml").data), force_multigraph=True)
    graph = kb.load_graph(REPO)
    assert set(exported.nodes) == set(graph.nodes)
    assert exported.number_of_edges() == graph.number_of_edges()
    for node in ("Organisation:buurtzorg", "Practice:self-managing-teams"):
        assert exported.nodes[node]["name"] == graph.nodes[node]["name"]
    contested = [d for _, _, d in exported.edges(data=True) if d.get("status") == "contested"]
    assert contested and all(d.get("sources") and d.get("file") for d in contested)


@pytest.mark.parametrize(("path", "first_line"), [
    ("/export/nodes.csv", "key,label,"), ("/export/edges.csv", "start,end,type,detail"),
    ("/export/graph.cypher", "// Recreates the self-management case graph"),
])
def test_other_downloads(client, path: str, first_line: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.text.startswith(first_line)
    assert "attachment" in response.headers["Content-Disposition"]


def test_node_link_json_download(client) -> None:
    data = client.get("/export/graph.json").get_json(force=True)
    assert {"nodes", "edges"} <= set(data) and any(n["id"] == "Organisation:alpha-care" for n in data["nodes"])


def test_unknown_example_is_a_404(client) -> None:
    assert client.get("/query.json?example=nope").status_code == 404


def test_guard_is_a_named_error() -> None:
    with pytest.raises(QueryError):
        check_read_only("")


class TestAnalytics:
    def test_page_and_json_on_the_real_content(self, real_client) -> None:
        data = real_client.get("/analytics.json").json
        members = [p["id"] for c in data["communities"] for p in c["practices"]]
        assert len(members) == len(set(members)) == data["network"]["practices"]  # a partition
        assert data["central"][0]["strength"] >= data["central"][-1]["strength"]
        row = next(r for r in data["evidence"] if r["practice"] == "self-managing-teams")
        assert row["count"] >= 1 and 0 < row["share"] <= 1
        page = real_client.get("/analytics")
        assert page.status_code == 200 and "Communities of practices" in page.text

    def test_communities_of_two_cliques(self) -> None:
        import networkx as nx

        from webapp.views.research import practice_communities

        graph = nx.Graph()
        graph.add_edges_from([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")],
                             weight=1)
        assert practice_communities(graph) == [["a", "b", "c"], ["x", "y", "z"]]
