"""The console is safe by construction: worker processes, kernel limits, the engines' own plans.

The adversarial corpus (``tests/console_corpus.py``) runs against both stores.  For every payload:
the refusal or error is clear (no traceback, no file path), the site still answers ``/``, no file
appears outside the store, and the store is unchanged (LadybugDB: its bytes; Neo4j: its content).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from kb.problems import QueryError
from kb.store.console_pool import ConsolePool, WorkerConfig
from kb.store.sandbox import landlock_abi
from webapp import create_app
from webapp.bounds import MAX_URL_BYTES

from .conftest import FIXTURES, REPO, TEST_LIMITS, ci_strict, close_app, load_into
from .console_corpus import Payload, corpus

CORPUS = corpus()
#: A message shown to a visitor never holds a file path (it would reveal where the site keeps its files).
PATH_IN_MESSAGE = re.compile(r"(?<![\w.:/<])/(?:etc|tmp|dev|root|home|work|usr|proc|var|srv|opt)\b")
CRASH_MESSAGE = "stopped the query engine"
LIMITS = {**TEST_LIMITS, "KB_QUERY_TIMEOUT_MS": 2000, "KB_CONSOLE_MEMORY_MB": 512}
#: How the console names each limit when it stops a query: the time limit (asked to stop, or killed
#: when it did not) and the worker's memory cap.
LIMIT_MESSAGES = {"time": f"The query ran longer than {LIMITS['KB_QUERY_TIMEOUT_MS'] / 1000:g} s",
                  "memory": f"needed more memory than the console allows ({LIMITS['KB_CONSOLE_MEMORY_MB']} MB)"}


def test_the_corpus_has_at_least_150_payloads() -> None:
    assert len(CORPUS) >= 150
    kinds = {payload.kind for payload in CORPUS}
    assert kinds == {"refused", "limited", "params"}
    for store in ("ladybug", "neo4j"):  # each store has runaway payloads of its own to stop
        assert sum(payload.kind == "limited" and store in payload.stores for payload in CORPUS) >= 8, store


def store_bytes(store: Path) -> dict[str, str]:
    """Every file of the store folder with a hash of its bytes."""
    return {str(path.relative_to(store)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(store.rglob("*")) if path.is_file()}


def listing(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*")) if folder.exists() else []


@pytest.fixture(scope="module")
def ladybug_site(tmp_path_factory: pytest.TempPathFactory):
    """A site on its own copy of the fixture store, with a canary folder beside it."""
    base = tmp_path_factory.mktemp("console-safety")
    store = base / "store"
    load_into(FIXTURES / "mini", store)
    canary = base / "canary"
    canary.mkdir()
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(store), **LIMITS})
    yield app.test_client(), store, canary
    if app.extensions.get("kb_console") is not None:
        app.extensions["kb_console"].close()
    if app.extensions.get("kb_store") is not None:
        app.extensions["kb_store"].close()


def ask(client, cypher: str, params: str = "", fmt: str = ".json"):
    query = {"q": cypher, **({"params": params} if params else {})}
    return client.get(f"/query{fmt}?{urlencode(query)}")


def check_payload(client, payload: Payload, canary: Path, store_state, engine: str) -> None:
    """What must hold for every payload, on either store; a runaway one must be stopped by the limit it names."""
    kind, cypher, params = payload.kind, payload.cypher, payload.params
    home_extensions = Path.home() / ".lbdb"
    before_canary, before_home = listing(canary), listing(home_extensions)
    before_store = store_state()
    response = ask(client, cypher.replace("{canary}", str(canary)), params)
    error = response.json.get("error") if response.is_json else response.text
    too_long = len(urlencode({"q": cypher, "params": params})) > MAX_URL_BYTES - len("/query.json?")
    if too_long and not isinstance(client, PoolClient):
        # Longer than any address the site reads (webapp.bounds): refused before the console sees it (the
        # Neo4j worker, asked directly, still refuses the parameters themselves).
        assert response.status_code == 414 and "the site reads at most 8,000" in error, (cypher, error)
        assert client.get("/").status_code == 200 and store_state() == before_store
        return
    assert response.status_code == 400, (cypher, response.status_code, error)
    assert response.json["ok"] is False and error and len(error) > 10, (cypher, error)
    assert "Traceback" not in error and not PATH_IN_MESSAGE.search(error), (cypher, error)
    if kind == "limited":
        limit = payload.stores[engine]  # a limit's name, or "time|memory" where either may come first
        assert any(LIMIT_MESSAGES[name] in error for name in limit.split("|")), \
            f"{cypher} on {engine}: not stopped by the {limit} limit: {error}"
    if kind == "params":
        assert "aram" in error, error  # names the parameters as what to fix
    assert client.get("/").status_code == 200, cypher
    assert listing(canary) == before_canary, cypher
    assert listing(home_extensions) == before_home, cypher
    assert store_state() == before_store, cypher


def payloads_for(store: str) -> list:
    """The payloads run on a store, each with an id (its number in the corpus and the start of its query)."""
    return [pytest.param(payload, id=f"{n:03d}-{payload.cypher[:40]}") for n, payload in enumerate(CORPUS)
            if store in payload.stores]


@pytest.mark.parametrize("payload", payloads_for("ladybug"))
def test_payload_on_ladybug(ladybug_site, payload: Payload) -> None:
    client, store, canary = ladybug_site
    check_payload(client, payload, canary, lambda: store_bytes(store), "ladybug")


class PoolClient:
    """The console's requests answered by a Neo4j console worker pool, as the site answers them.

    The public console always runs on the embedded copy (:func:`webapp.store.get_console`); the Neo4j
    worker (:mod:`kb.store.console_pool` with ``backend="neo4j"``) stays confined and tested on its own.
    """

    def __init__(self, pool: ConsolePool, server) -> None:
        self.pool, self.server = pool, server

    def get(self, url: str):
        from types import SimpleNamespace
        from urllib.parse import parse_qs, urlsplit

        from kb.problems import StoreError
        from kb.queries.console import validate_params

        parts = urlsplit(url)
        if parts.path == "/":  # the server still answers
            return SimpleNamespace(status_code=200 if self.server.scalar("RETURN 1") == 1 else 500)
        args = {key: values[0] for key, values in parse_qs(parts.query).items()}
        try:
            result = self.pool.run(args.get("q", ""), validate_params(args.get("params", "")), timeout_ms=2000,
                                   row_cap=1000, byte_cap=4 * 1024 * 1024)
            status, body = 200, {"ok": True, "result": result.to_dict()}
        except StoreError as err:
            status, body = 503, {"ok": False, "error": str(err)}
        except QueryError as err:
            status, body = 400, {"ok": False, "error": str(err)}
        return SimpleNamespace(status_code=status, json=body, is_json=True, text=json.dumps(body))


@pytest.fixture(scope="module")
def neo4j_site(neo4j_server, tmp_path_factory: pytest.TempPathFactory):
    from kb.graph import graph_rows
    from kb.load import load_content

    neo4j_server.ensure_loaded(("console corpus", "mini"), graph_rows(load_content(FIXTURES / "mini").corpus))
    canary = tmp_path_factory.mktemp("canary-neo4j")
    pool = ConsolePool(WorkerConfig(backend="neo4j", neo4j={"uri": neo4j_server.uri}, memory_mb=512), size=2)
    yield PoolClient(pool, neo4j_server), neo4j_server, canary
    pool.close()


def test_the_public_console_on_a_neo4j_site_reads_only_the_embedded_copy(neo4j_server, shared_mini_store,
                                                                        monkeypatch) -> None:
    """A database shared with others: the site's pages come from Neo4j, the console from the embedded copy."""
    from kb.graph import graph_rows
    from kb.load import load_content

    neo4j_server.ensure_loaded(("console corpus", "mini"), graph_rows(load_content(FIXTURES / "mini").corpus))
    neo4j_server.driver.execute_query("CREATE (:Secret {password: 'planted-secret-4471'})", database_="neo4j")
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    app = create_app({"TESTING": True, "KB_STORE": "neo4j", "KB_STORE_PATH": str(shared_mini_store), **LIMITS})
    try:
        client = app.test_client()
        assert client.get("/cases.json").status_code == 200  # the pages read Neo4j
        everything = ask(client, "MATCH (n) RETURN n")
        assert everything.status_code == 200 and "planted-secret-4471" not in everything.text
        counted = ask(client, "MATCH (n) RETURN count(n) AS n")
        assert counted.json["result"]["rows"] == [[store_node_count(shared_mini_store)]]
        # The heap-exhausting query of the attack run never reaches Neo4j: the embedded engine refuses it.
        bomb = ask(client, "RETURN size(reduce(s='x', i IN range(1,40) | s+s))")
        assert bomb.status_code == 400 and "function REDUCE does not exist" in bomb.json["error"]
        assert neo4j_server.scalar("RETURN 1 + 1") == 2
        assert "LadybugDB" in client.get("/query").text
    finally:
        neo4j_server.driver.execute_query("MATCH (s:Secret) DELETE s", database_="neo4j")
        close_app(app)


def store_node_count(store: Path) -> int:
    from kb.store.ladybug import LadybugStore

    reader = LadybugStore(store)
    try:
        return reader.run("MATCH (n) RETURN count(n) AS n")[0]["n"]
    finally:
        reader.close()


def neo4j_content(server) -> str:
    """A fingerprint of everything in the Neo4j database: nodes, relationships, schema."""
    nodes, _, _ = server.driver.execute_query(
        "MATCH (n) RETURN labels(n) AS l, properties(n) AS p", database_="neo4j")
    rels, _, _ = server.driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, elementId(a) AS a, elementId(b) AS b",
        database_="neo4j")
    schema, _, _ = server.driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name", database_="neo4j")
    rows = sorted(json.dumps(r.data(), sort_keys=True, default=str) for r in [*nodes, *rels, *schema])
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


@pytest.mark.parametrize("payload", payloads_for("neo4j"))
def test_payload_on_neo4j(neo4j_site, payload: Payload) -> None:
    client, server, canary = neo4j_site
    check_payload(client, payload, canary, lambda: neo4j_content(server), "neo4j")


# --- the process boundary -------------------------------------------------------------------------

def test_a_query_that_crashes_the_engine_leaves_the_site_answering(ladybug_site) -> None:
    client, _store, _canary = ladybug_site
    pool = client.application.extensions["kb_console"] or None
    restarts = pool.restarts if pool else 0
    crashed = ask(client, "CALL `read_csv_serial`('x') RETURN 1")
    assert crashed.status_code == 400 and CRASH_MESSAGE in crashed.json["error"]
    assert "restarted" in crashed.json["error"]
    assert client.application.extensions["kb_console"].restarts == restarts + 1
    assert client.get("/").status_code == 200
    normal = ask(client, "MATCH (o:Organisation) RETURN o.id ORDER BY o.id")
    assert normal.status_code == 200 and normal.json["result"]["rows"] == [["alpha-care"], ["beta-shoes"]]


def test_the_workers_are_confined_by_the_kernel(ladybug_site) -> None:
    client, _store, _canary = ladybug_site
    assert ask(client, "RETURN 1").status_code == 200
    report = client.application.extensions["kb_console"].status()["sandbox"]
    if landlock_abi() == 0 and not ci_strict():
        pytest.skip("this kernel lacks Landlock")
    assert report["filesystem"] and report["seccomp"] and report["rlimits"] and report["network"] == "none"
    assert report["missing"] == []


CONFINED_PROBE = r"""
import json, os, socket, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from kb.store.ladybug import preload_engine
import ladybug
preload_engine()
from kb.store.sandbox import confine
store = Path(sys.argv[2])
confine([store])
database = ladybug.Database(sys.argv[3], read_only=True, buffer_pool_size=256 * 1024**2, max_db_size=1024**3)
connection = ladybug.Connection(database)
results = {}
def attempt(name, action):
    try:
        action()
        results[name] = "allowed"
    except Exception as err:
        results[name] = type(err).__name__ + ": " + str(err)[:80]
attempt("query", lambda: connection.execute("MATCH (o:Organisation) RETURN count(*)").get_next())
attempt("engine reads /etc/passwd", lambda: connection.execute("LOAD FROM '/etc/passwd' (file_format='csv') RETURN *").get_next())
attempt("engine writes outside", lambda: connection.execute(f"COPY (RETURN 1) TO '{sys.argv[4]}/engine.csv'"))
attempt("engine writes in the store", lambda: connection.execute(f"COPY (RETURN 1) TO '{store}/engine.csv'"))
attempt("python reads /etc/hostname", lambda: open("/etc/hostname").read())
attempt("python writes outside", lambda: open(sys.argv[4] + "/python.txt", "w").write("x"))
attempt("python writes in the store", lambda: open(str(store) + "/python.txt", "w").write("x"))
attempt("network", lambda: socket.create_connection(("127.0.0.1", 9), timeout=2))
attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
attempt("run a program", lambda: os.execv("/bin/true", ["true"]))
print(json.dumps(results))
"""


def test_the_kernel_refuses_files_and_network_even_to_raw_engine_calls(tmp_path: Path) -> None:
    """The OS layer on its own: no plan check, no text check, the engine called directly."""
    if landlock_abi() == 0 and not ci_strict():
        pytest.skip("this kernel lacks Landlock")
    store = tmp_path / "store"
    database = load_into(FIXTURES / "mini", store)
    outside = tmp_path / "outside"
    outside.mkdir()
    before = store_bytes(store)
    probe = subprocess.run([sys.executable, "-c", CONFINED_PROBE, str(REPO), str(store.resolve()),
                            str(database.resolve()), str(outside)], capture_output=True, text=True, timeout=120)
    results = json.loads(probe.stdout.strip().splitlines()[-1])
    assert results.pop("query") == "allowed"
    for attempt, outcome in results.items():
        assert outcome != "allowed", (attempt, results)
    assert list(outside.iterdir()) == [] and store_bytes(store) == before


def test_runaway_memory_is_stopped_by_the_memory_cap_with_a_clear_message(ladybug_site) -> None:
    client, _store, _canary = ladybug_site
    response = ask(client, "RETURN size(range(1, (300000000)))")
    assert response.status_code == 400
    assert "more memory than the console allows (512 MB)" in response.json["error"]


def test_a_database_wide_setting_changed_by_a_query_reopens_the_handle(tmp_path: Path) -> None:
    """The plan check refuses settings; should one slip through, the worker notices and reopens."""
    import ladybug

    from kb.store.ladybug import LadybugStore

    load_into(FIXTURES / "mini", tmp_path / "store")
    store = LadybugStore(tmp_path / "store")
    database = store.warm()
    assert not store.settings_changed()
    ladybug.Connection(database).execute("CALL spill_to_disk=false")
    assert store.settings_changed()
    store.close()
    assert not LadybugStore(tmp_path / "store").settings_changed()


def test_a_worker_that_ignores_its_time_limit_is_killed_and_replaced(tmp_path: Path, monkeypatch) -> None:
    """The parent's deadline is the last resort: a worker that does not answer in time is killed."""
    load_into(FIXTURES / "mini", tmp_path / "store")
    pool = ConsolePool(WorkerConfig(store=str(tmp_path / "store")), size=1)
    try:
        assert pool.run("RETURN 1", {}, timeout_ms=1000, row_cap=10, byte_cap=0).rows == [[1]]
        worker = pool._idle[0]
        os.kill(worker.process.pid, signal.SIGSTOP)  # a worker stuck where the engine cannot interrupt it
        monkeypatch.setattr("kb.store.console_pool.GRACE_SECONDS", 0.5)
        with pytest.raises(QueryError, match="did not stop when asked"):
            pool.run("RETURN 2", {}, timeout_ms=500, row_cap=10, byte_cap=0)
        assert worker.process.returncode == -signal.SIGKILL and pool.restarts == 1
        assert pool.run("RETURN 3", {}, timeout_ms=1000, row_cap=10, byte_cap=0).rows == [[3]]
    finally:
        pool.close()


# --- real servers: the README's flask run, and gunicorn with several workers -------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            if http_get(url)[0] == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the server did not start")


@pytest.mark.parametrize("server", ["flask", "gunicorn"])
def test_a_crash_query_under_a_real_server_leaves_it_answering(tmp_path: Path, server: str) -> None:
    store = tmp_path / "store"
    load_into(FIXTURES / "mini", store)
    port = free_port()
    environment = {**os.environ, "KB_STORE_PATH": str(store), "KB_CONSOLE_RATE_LIMIT": "3 per minute"}
    if server == "flask":
        command = [sys.executable, "-m", "flask", "--app", "webapp", "run", "--port", str(port)]
    else:
        command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "webapp:create_app()"]
    process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/", process)
        status, body = http_get(base + "/query.json?q=" + quote("CALL `read_csv_serial`('x') RETURN 1"))
        assert status == 400 and CRASH_MESSAGE in json.loads(body)["error"]
        assert http_get(base + "/")[0] == 200
        assert http_get(base + "/cases.json")[0] == 200
        # One rate limit for every console format, shared by the server's processes: the crash was the
        # first of three; the CSV and the page use the others, the next is refused.
        assert http_get(base + "/query.csv?q=" + quote("RETURN 1 AS one"))[0] == 200
        assert http_get(base + "/query?q=" + quote("RETURN 1 AS one"))[0] == 200
        assert http_get(base + "/query.json?q=" + quote("RETURN 1 AS one"))[0] == 429
        assert process.poll() is None
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_rate_limit_survives_a_restart(tmp_path: Path) -> None:
    store = tmp_path / "store"
    load_into(FIXTURES / "mini", store)
    config = {"TESTING": True, "KB_STORE_PATH": str(store), "KB_CONSOLE_RATE_LIMIT": "2 per minute"}
    address = {"REMOTE_ADDR": "10.1.2.3"}
    first = create_app(config).test_client()
    assert first.get("/query.json?q=RETURN%201", environ_base=address).status_code == 200
    assert first.get("/query.csv?q=RETURN%201", environ_base=address).status_code == 200
    restarted = create_app(config).test_client()  # a new process would open the same file
    assert restarted.get("/query?q=RETURN%201", environ_base=address).status_code == 429
    assert (store.parent / "ratelimits.sqlite").exists()


# --- the smaller items ------------------------------------------------------------------------------

def params_field(page: str) -> str:
    """The params input's value as the browser reads it."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if tag == "input" and values.get("id") == "params":
                found.append(values.get("value") or "")

    Finder().feed(page)
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("name", ["example_practice_sectors", "example_framework_outcomes"])
def test_examples_with_parameters_work_in_one_click_and_the_field_holds_their_json(real_client, name: str) -> None:
    from kb.queries.catalogue import QUERIES

    page = real_client.get(f"/query?example={name}")
    assert page.status_code == 200 and "Results" in page.text
    field = params_field(page.text)
    assert json.loads(field) == QUERIES[name].default_params
    # Running the form as shown (query and params fields) gives the same rows.
    query = re.search(r'<textarea id="q"[^>]*>(.*?)</textarea>', page.text, re.S).group(1)
    from html import unescape

    rerun = real_client.get("/query.json?" + urlencode({"q": unescape(query), "params": field}))
    assert rerun.status_code == 200, rerun.json
    assert rerun.json["result"]["rows"] == real_client.get(f"/query.json?example={name}").json["result"]["rows"]


def test_the_params_field_cannot_break_out_of_its_attribute(client) -> None:
    hostile = '{"x": "a"}" autofocus onfocus="alert(1)'
    page = client.get("/query?" + urlencode({"q": "RETURN $x AS x", "params": hostile}))
    assert page.status_code == 400
    assert params_field(page.text) == hostile  # the whole text stays inside the value
    assert 'onfocus="alert(1)' not in page.text


def test_bad_parameters_are_a_400_on_the_query_page_with_the_typed_query_kept(client) -> None:
    cypher = "MATCH (o:Organisation {id: $id}) RETURN o.name"
    page = client.get("/query?" + urlencode({"q": cypher, "params": '{"id": 1e999}'}))
    assert page.status_code == 400
    assert "numbers must be finite" in page.text and "Query the graph" in page.text
    assert "MATCH (o:Organisation {id: $id}) RETURN o.name" in page.text.replace("&#39;", "'")
    as_json = client.get("/query.json?" + urlencode({"q": cypher, "params": '{"id": [1, "a", null]}'}))
    assert as_json.status_code == 400 and "one kind" in as_json.json["error"]
    deep = client.get("/query.json?" + urlencode({"q": cypher, "params": '{"id": ' + "[" * 1000 + "]" * 1000 + "}"}))
    assert deep.status_code == 400 and "nested at most" in deep.json["error"]
    csv_response = client.get("/query.csv?" + urlencode({"q": cypher, "params": "[1]"}))
    assert csv_response.status_code == 400 and "JSON object" in csv_response.text


def test_non_finite_results_are_valid_json(client) -> None:
    response = client.get("/query.json?" + urlencode({"q": "RETURN 1e308 * 10 AS big"}))
    assert response.status_code == 200
    assert json.loads(response.get_data(as_text=True))["result"]["rows"] == [["Infinity"]]


def test_csv_cells_are_neutralised_for_spreadsheets(client) -> None:
    cypher = "RETURN '=HYPERLINK(\"http://evil\")' AS `=a`, '+1' AS b, '-1' AS c, '@x' AS d, 'plain' AS e, -2 AS f"
    lines = client.get("/query.csv?" + urlencode({"q": cypher})).text.splitlines()
    assert lines[0] == "'=a,b,c,d,e,f"
    assert lines[1] == '"\'=HYPERLINK(""http://evil"")",\'+1,\'-1,\'@x,plain,-2'


def test_exported_node_csv_is_neutralised(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", root)
    case = root / "cases" / "alpha-care.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("name: Alpha Care", "name: \"=cmd|' /C calc'!A0\""), encoding="utf-8")
    load_into(root, tmp_path / "store")
    client = create_app({"TESTING": True, "KB_STORE_PATH": str(tmp_path / "store")}).test_client()
    body = client.get("/export/nodes.csv").text
    assert "'=cmd|" in body and ",=cmd" not in body


def test_results_are_cut_at_a_byte_cap_as_well_as_a_row_cap(tmp_path: Path) -> None:
    load_into(FIXTURES / "mini", tmp_path / "store")
    client = create_app({"TESTING": True, "KB_STORE_PATH": str(tmp_path / "store"), **TEST_LIMITS,
                         "KB_QUERY_BYTE_CAP": 100_000}).test_client()
    response = client.get("/query.json?" + urlencode({"q": "UNWIND range(1, 500) AS x RETURN repeat('x', 1000) AS s"}))
    result = response.json["result"]
    assert response.status_code == 200 and result["truncated"] and 90 <= result["row_count"] < 100
    assert "100,000 bytes" in result["notes"][0]
    assert len(response.data) < 150_000


def test_the_console_before_the_first_load_says_so_and_works_after_it(tmp_path: Path) -> None:
    store = tmp_path / "store"
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(store), **TEST_LIMITS})
    client = app.test_client()
    try:
        early = ask(client, "RETURN 1 AS one")
        assert early.status_code == 503 and "graph_loader.py load" in early.json["error"]  # as other pages
        assert not PATH_IN_MESSAGE.search(early.json["error"])
        load_into(FIXTURES / "mini", store)
        later = ask(client, "MATCH (o:Organisation) RETURN count(*) AS n")
        assert later.status_code == 200 and later.json["result"]["rows"] == [[2]]
    finally:
        app.extensions["kb_console"].close()


LIMITS_PROBE = r"""
import sys
sys.path.insert(0, sys.argv[1])
from kb.store.sandbox import QueryLimits
limits = QueryLimits(memory_bytes=64 * 1024**2, cpu_seconds=1)
with limits:
    try:
        bytearray(512 * 1024**2)
        print("memory: allowed", flush=True)
    except MemoryError:
        print("memory: refused", flush=True)
print("after the query:", len(bytearray(512 * 1024**2)) > 0, flush=True)  # the cap is lifted afterwards
with limits:
    while True:  # a query that never ends: the kernel stops it at its CPU time
        pass
"""


def test_per_query_memory_and_cpu_caps_are_enforced_by_the_kernel() -> None:
    probe = subprocess.run([sys.executable, "-c", LIMITS_PROBE, str(REPO)], capture_output=True, text=True,
                           timeout=120)
    assert probe.stdout.splitlines()[:2] == ["memory: refused", "after the query: True"]
    assert probe.returncode == -signal.SIGXCPU
