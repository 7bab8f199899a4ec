"""The console's confined worker: every value type, capped errors, its log, parse bombs, Unix sockets.

Each test runs real worker processes (:mod:`kb.store.console_pool`), confined by the kernel as on
the site, so that what a query returns is read exactly where the site reads it.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kb.problems import QueryError
from kb.store.console_pool import ConsolePool, WorkerConfig, _Worker
from kb.store.sandbox import landlock_abi
from webapp import create_app

from .conftest import FIXTURES, REPO, TEST_LIMITS, ci_strict, close_app

LIMITS = {"timeout_ms": 4000, "row_cap": 100, "byte_cap": 4 * 1024 * 1024}


@pytest.fixture(scope="module")
def ladybug_pool(shared_mini_store: Path):
    pool = ConsolePool(WorkerConfig(store=str(shared_mini_store)), size=1)
    yield pool
    pool.close()


# Every value type of LadybugDB, with the value the console shows (as JSON), written out.
LADYBUG_VALUES = [
    ("date", "RETURN date('2020-01-02') AS v", "2020-01-02"),
    ("current_date", "RETURN current_date() >= date('2026-01-01') AS v", True),
    ("current_date as text", "RETURN size(CAST(current_date() AS STRING)) AS v", 10),
    ("timestamp", "RETURN timestamp('2020-01-02 03:04:05.123456') AS v", "2020-01-02T03:04:05.123456"),
    ("timestamp_tz", "RETURN CAST('2020-01-02 03:04:05+02' AS TIMESTAMP_TZ) AS v", "2020-01-02T01:04:05+00:00"),
    ("timestamp_ns", "RETURN CAST('2020-01-02 03:04:05' AS TIMESTAMP_NS) AS v", "2020-01-02T03:04:05"),
    ("timestamp_ms", "RETURN CAST('2020-01-02 03:04:05' AS TIMESTAMP_MS) AS v", "2020-01-02T03:04:05"),
    ("timestamp_sec", "RETURN CAST('2020-01-02 03:04:05' AS TIMESTAMP_SEC) AS v", "2020-01-02T03:04:05"),
    ("interval", "RETURN interval('1 day 3 hours 2 minutes') AS v", "P1DT3H2M"),
    ("interval of seconds", "RETURN interval('90 seconds') AS v", "PT1M30S"),
    ("decimal", "RETURN CAST(1.5 AS DECIMAL(10,2)) AS v", "1.50"),
    ("negative decimal", "RETURN CAST(-1.5 AS DECIMAL(38,10)) AS v", "-1.5000000000"),
    ("uuid", "RETURN UUID('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11') AS v", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    ("int128", "RETURN CAST(170141183460469231731687303715884105727 AS INT128) AS v",
     170141183460469231731687303715884105727),
    ("uint64", "RETURN CAST(18446744073709551615 AS UINT64) AS v", 18446744073709551615),
    ("blob", "RETURN BLOB('\\\\xAA\\\\xBDab') AS v", "\\xAA\\xBDab"),
    ("float", "RETURN CAST(1.5 AS FLOAT) AS v", 1.5),
    ("list of dates", "RETURN [date('2020-01-01'), date('2021-02-03')] AS v", ["2020-01-01", "2021-02-03"]),
    ("map with an interval", "RETURN {a: interval('1 second')} AS v", {"a": "PT1S"}),
    ("fixed list", "RETURN CAST([1, 2] AS INT64[2]) AS v", [1, 2]),
]


@pytest.mark.parametrize(("name", "cypher", "expected"), LADYBUG_VALUES, ids=[n for n, _, _ in LADYBUG_VALUES])
def test_every_ladybug_value_type_is_returned_without_a_restart(ladybug_pool, name, cypher, expected) -> None:
    restarts = ladybug_pool.restarts
    result = ladybug_pool.run(cypher, {}, **LIMITS)
    assert result.columns == ["v"]
    assert json.loads(json.dumps(result.rows)) == [[expected]]
    assert ladybug_pool.restarts == restarts  # the worker that answered is the one that keeps answering


def test_a_value_type_on_the_site_is_a_200_in_every_format(shared_mini_store: Path) -> None:
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store), **TEST_LIMITS})
    client = app.test_client()
    try:
        cypher = "RETURN current_date() >= date('2026-01-01') AS recent, date('2020-01-02') AS d"
        as_json = client.get("/query.json?" + urlencode({"q": cypher}))
        assert as_json.status_code == 200 and as_json.json["result"]["rows"] == [[True, "2020-01-02"]]
        assert client.get("/query.csv?" + urlencode({"q": cypher})).text.splitlines() == ["recent,d",
                                                                                          "True,2020-01-02"]
        page = client.get("/query?" + urlencode({"q": cypher}))
        assert page.status_code == 200 and "2020-01-02" in page.text and "crashed" not in page.text
        assert app.extensions["kb_console"].restarts == 0
    finally:
        close_app(app)


# Neo4j's temporal and spatial types through the driver, in a confined Neo4j worker.
NEO4J_VALUES = [
    ("date", "RETURN date('2020-01-02') AS v", "2020-01-02"),
    ("local time", "RETURN localtime('03:04:05.5') AS v", "03:04:05.500000000"),
    ("time", "RETURN time('03:04:05+01:00') AS v", "03:04:05.000000000+01:00"),
    ("local datetime", "RETURN localdatetime('2020-01-02T03:04:05') AS v", "2020-01-02T03:04:05.000000000"),
    ("datetime", "RETURN datetime('2020-01-02T03:04:05Z') AS v", "2020-01-02T03:04:05.000000000+00:00"),
    ("datetime in a zone", "RETURN datetime('2020-07-02T03:04:05[Europe/Amsterdam]') AS v",
     "2020-07-02T03:04:05.000000000+02:00"),
    ("duration", "RETURN duration('P1Y2M3DT4H5M6.5S') AS v", "P1Y2M3DT4H5M6.5S"),
    ("cartesian point", "RETURN point({x: 1, y: 2}) AS v", {"srid": 7203, "x": 1.0, "y": 2.0}),
    ("3d point", "RETURN point({x: 1, y: 2, z: 3}) AS v", {"srid": 9157, "x": 1.0, "y": 2.0, "z": 3.0}),
    ("wgs84 point", "RETURN point({longitude: 4.9, latitude: 52.4}) AS v",
     {"srid": 4326, "longitude": 4.9, "latitude": 52.4}),
    ("list of durations", "RETURN [duration('PT1S'), duration('P1D')] AS v", ["PT1S", "P1D"]),
    ("map of a date", "RETURN {d: date('2021-02-03')} AS v", {"d": "2021-02-03"}),
]


@pytest.fixture(scope="module")
def neo4j_pool(neo4j_server):
    from kb.graph import graph_rows
    from kb.load import load_content

    neo4j_server.ensure_loaded(("console corpus", "mini"), graph_rows(load_content(FIXTURES / "mini").corpus))
    pool = ConsolePool(WorkerConfig(backend="neo4j", neo4j={"uri": neo4j_server.uri}), size=1)
    yield pool
    pool.close()


@pytest.mark.parametrize(("name", "cypher", "expected"), NEO4J_VALUES, ids=[n for n, _, _ in NEO4J_VALUES])
def test_every_neo4j_value_type_is_returned_from_a_confined_worker(neo4j_pool, name, cypher, expected) -> None:
    restarts = neo4j_pool.restarts
    result = neo4j_pool.run(cypher, {}, **LIMITS)
    assert json.loads(json.dumps(result.rows)) == [[expected]]
    assert neo4j_pool.restarts == restarts


def test_a_neo4j_worker_reports_full_confinement(neo4j_pool) -> None:
    neo4j_pool.run("RETURN 1", {}, **LIMITS)
    if landlock_abi() < 4 and not ci_strict():
        pytest.skip("this kernel lacks Landlock's network rules")
    report = neo4j_pool.status()["sandbox"]
    assert report["missing"] == [] and report["network"].startswith("tcp to port ")


# --- errors capped like results ------------------------------------------------------------------

def test_a_huge_error_message_is_cut_in_the_worker(ladybug_pool) -> None:
    with pytest.raises(QueryError) as raised:
        ladybug_pool.run("RETURN error(repeat('<', 10000000))", {}, **LIMITS)
    message = str(raised.value)
    assert len(message) < 2100
    assert message.endswith("… (the message was cut at 2,000 of 10,000,019 characters)")


def test_the_error_cap_follows_a_smaller_byte_cap(ladybug_pool) -> None:
    with pytest.raises(QueryError) as raised:
        ladybug_pool.run("RETURN error(repeat('<', 5000))", {}, timeout_ms=4000, row_cap=10, byte_cap=300)
    assert str(raised.value).endswith("(the message was cut at 300 of 5,019 characters)")


def test_a_huge_error_on_the_site_is_a_small_page(shared_mini_store: Path) -> None:
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store), **TEST_LIMITS})
    try:
        client = app.test_client()
        for path in ("/query", "/query.json", "/query.csv"):
            response = client.get(f"{path}?" + urlencode({"q": "RETURN error(repeat('<', 10000000))"}))
            assert response.status_code == 400 and len(response.data) < 40_000, (path, len(response.data))
    finally:
        close_app(app)


# --- the worker's traceback reaches the site's log --------------------------------------------------

def test_a_worker_traceback_reaches_the_site_log_through_the_pipe(shared_mini_store: Path, caplog) -> None:
    """A confined worker can write no file; its standard error is a pipe the site's process logs."""
    caplog.set_level(logging.WARNING, logger="kb.console")
    worker = _Worker(WorkerConfig(store=str(shared_mini_store)))
    try:
        worker.wait_ready()
        assert worker.run({"cypher": "RETURN 1"}, seconds=10) is None  # a request without its limits: it dies
        worker.stderr_reader.join(timeout=10)  # it has logged the last lines when the dead worker's pipe closes
        assert not worker.stderr_reader.is_alive()
    finally:
        worker.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "kb.console"]
    assert any(line.endswith("Traceback (most recent call last):") for line in lines)
    assert any(line.endswith("KeyError: 'timeout_ms'") for line in lines)


# --- parse bombs refused before the engine -----------------------------------------------------------

@pytest.mark.parametrize("opening, closing", [("(", ")"), ("[", "]"), ("{a: ", "}")])
def test_deep_nesting_is_refused_before_any_engine_parses_it(ladybug_pool, opening: str, closing: str) -> None:
    restarts = ladybug_pool.restarts
    started = time.monotonic()
    with pytest.raises(QueryError, match="nests brackets 300 deep; the console allows at most 20"):
        ladybug_pool.run("RETURN " + opening * 300 + "1" + closing * 300 + " AS v", {}, **LIMITS)
    assert time.monotonic() - started < 1.0 and ladybug_pool.restarts == restarts


def test_nesting_within_the_limit_and_brackets_in_strings_and_comments_run(ladybug_pool) -> None:
    assert ladybug_pool.run("RETURN " + "[" * 20 + "1" + "]" * 20 + " AS v", {}, **LIMITS).rows == [
        [json.loads("[" * 20 + "1" + "]" * 20)]]
    text = "(" * 300 + "[" * 300
    cypher = f"RETURN '{text}' AS v // {'(' * 300}\n/* {'{' * 300} */"
    assert ladybug_pool.run(cypher, {}, **LIMITS).rows == [[text]]
    assert ladybug_pool.run("RETURN 'it\\'s ((((' AS `a``((((`", {}, **LIMITS).rows == [["it's (((("]]


# --- Unix sockets ------------------------------------------------------------------------------------

SOCKET_PROBE = r"""
import json, socket, sys
sys.path.insert(0, sys.argv[1])
from kb.store.sandbox import confine
report = confine([], tcp_ports=[int(p) for p in sys.argv[3:]])
results = {"report": report.to_dict()}
def attempt(name, action):
    try:
        action()
        results[name] = "allowed"
    except OSError as err:
        results[name] = f"refused: {err.strerror}"
def connect_unix():
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(sys.argv[2])
        s.sendall(b"reached")
def connect_abstract():
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect("\0kb-test-abstract")
attempt("unix socket file", connect_unix)
attempt("abstract unix socket", connect_abstract)
attempt("unix datagram", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).close())
attempt("netlink", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW).close())
attempt("tcp socket", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close())
print(json.dumps(results))
"""


@pytest.mark.parametrize("worker_kind", ["ladybug", "neo4j"])
def test_a_confined_worker_cannot_reach_a_unix_socket(tmp_path: Path, worker_kind: str) -> None:
    if landlock_abi() == 0 and not ci_strict():
        pytest.skip("this kernel lacks Landlock")
    path = tmp_path / "service.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)
        server.settimeout(0.5)
        ports = ["7687"] if worker_kind == "neo4j" else []
        probe = subprocess.run([sys.executable, "-c", SOCKET_PROBE, str(REPO), str(path), *ports],
                               capture_output=True, text=True, timeout=60)
        results = json.loads(probe.stdout.strip().splitlines()[-1])
        with pytest.raises(TimeoutError):
            server.accept()  # nothing connected
    assert results["report"]["seccomp"] is True
    assert results["unix socket file"] == "refused: Permission denied"
    assert results["abstract unix socket"] == "refused: Permission denied"
    assert results["unix datagram"] == "refused: Permission denied"
    assert results["netlink"] == "refused: Permission denied"
    assert results["tcp socket"] == ("allowed" if worker_kind == "neo4j" else "refused: Permission denied")
