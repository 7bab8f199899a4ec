"""No request costs the site more than its share: bounded addresses and numbers, per-client page limits,
and the worst input of every route (``bench/worst_inputs.py``, run here with small counts)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from webapp import create_app
from webapp.bounds import MAX_URL_BYTES

from .conftest import REPO, close_app

sys.path.insert(0, str(REPO / "bench"))
import worst_inputs

# --- the parameters that answered 500 -------------------------------------------------------------

@pytest.mark.parametrize("path", ["/cases?page=%C2%B2", "/cases.json?page=%C2%B2", "/sources?page=%C2%B2",
                                  "/sources.json?page=%C2%B2", "/cases.json?page=" + "9" * 4301,
                                  "/sources.json?page=" + "9" * 4301, "/cases.json?page=0",
                                  "/cases.json?page=%EF%BC%91"])  # a full-width 1
def test_a_page_number_that_is_not_one_is_a_400_that_says_so(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400, path
    if path.endswith(("%C2%B2", "9" * 4301)) and ".json" in path:
        assert "must be a whole number from 1 (digits 0-9)" in response.json["error"]


def test_a_4301_digit_number_is_shown_cut_short(client) -> None:
    error = client.get("/cases.json?page=" + "9" * 4301).json["error"]
    assert error == "The page must be a whole number from 1 (digits 0-9), not '99999999999999999999… (4,301 characters)'."


@pytest.mark.parametrize("staff", ["%C2%B2", "9" * 4301, "-3", "1e3"])
def test_a_staff_count_that_is_not_a_number_is_ignored_with_the_reason(client, staff: str) -> None:
    response = client.get(f"/compare.json?staff={staff}")
    assert response.status_code == 200
    assert response.json["ignored"][0]["field"] == "staff"
    assert response.json["ignored"][0]["why"] == "not a whole number of staff above 0"
    assert client.get(f"/compare?staff={staff}").status_code == 200


def test_a_real_staff_count_still_sets_the_size_band(client) -> None:
    assert client.get("/compare.json?staff=40").json["ignored"] == []


# --- the address ------------------------------------------------------------------------------------

def test_an_address_over_the_limit_is_a_414_before_any_work(client) -> None:
    longest = "/cases/" + "x" * (MAX_URL_BYTES - len("/cases/"))
    assert client.get(longest).status_code == 404  # at the limit: read, and its id compared cut short
    too_long = client.get(longest + "x")
    assert too_long.status_code == 414
    assert "the site reads at most 8,000" in too_long.text
    as_json = client.get("/search.json?q=" + "a" * MAX_URL_BYTES)
    assert as_json.status_code == 414 and as_json.json["error"].startswith("The address is 8,")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answer_of(port: int, target: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def status_of(port: int, target: str) -> int:
    return answer_of(port, target)[0]


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            if status_of(port, "/accessibility") == 200:
                return
        except OSError:
            time.sleep(0.2)  # not listening yet: nothing to wait on but the port
    raise AssertionError("the server did not start")


@pytest.mark.parametrize("server", ["gunicorn", "flask"])
def test_the_address_limit_holds_under_the_real_servers(server: str, shared_mini_store: Path) -> None:
    port = free_port()
    environment = {**os.environ, "KB_STORE_PATH": str(shared_mini_store), "PORT": str(port),
                   "WEB_CONCURRENCY": "1", "KB_SERVER_THREADS": "2"}
    command = {"gunicorn": [sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_conf",
                            "webapp:create_app()"],
               "flask": [sys.executable, "-m", "flask", "--app", "webapp", "run", "--port", str(port)]}[server]
    process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_up(port, process)
        assert status_of(port, "/cases/" + "x" * (MAX_URL_BYTES - 7)) == 404
        status, body = answer_of(port, "/cases/" + "x" * (MAX_URL_BYTES - 6))
        assert status == 414 and "the site reads at most 8,000" in body  # the app's own limit
        # Past gunicorn's request-line limit the server refuses it before the app sees it.
        status, body = answer_of(port, "/cases/" + "x" * 9000)
        assert status == 414
        assert ("Request Line is too large" if server == "gunicorn" else "the site reads at most") in body, body
        assert status_of(port, "/accessibility") == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- per-client limits on the pages that do real work -------------------------------------------------

def test_the_pages_that_do_real_work_are_limited_per_client(tmp_path: Path, shared_mini_store: Path) -> None:
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store), "KB_PAGE_RATE_LIMIT": "4 per minute",
                      "KB_RATE_LIMIT_STORAGE": f"sqlite:///{tmp_path / 'limits.sqlite'}"})
    client = app.test_client()
    visitor = {"REMOTE_ADDR": "10.5.5.5"}
    try:
        statuses = [client.get(path, environ_base=visitor).status_code
                    for path in ("/search?q=teams", "/compare.json?case=alpha-care", "/patterns.json?scope=all",
                                 "/graph/organisation/alpha-care.json", "/search.json?q=pay")]
        assert statuses == [200, 200, 200, 200, 429]  # one limit shared by those pages
        refused = client.get("/cases.json?sector=retail", environ_base=visitor)
        assert refused.status_code == 429 and refused.headers["Retry-After"]
        # A case's own page (served from the page cache) and another client are not affected.
        assert client.get("/cases/alpha-care", environ_base=visitor).status_code == 200
        assert client.get("/search?q=teams", environ_base={"REMOTE_ADDR": "10.5.5.6"}).status_code == 200
    finally:
        close_app(app)


# --- the worst input of every route ----------------------------------------------------------------------

def test_the_worst_input_of_every_route_answers_without_a_server_error(shared_mini_store: Path) -> None:
    """bench/worst_inputs.py with one repeat: every route has a worst input, and none is a 5xx."""
    trivial, rows = worst_inputs.run(shared_mini_store, repeat=1)
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store)})
    try:
        endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    finally:
        close_app(app)
    assert {row.endpoint for row in rows} == endpoints
    errors = {url[:80]: status for row in rows for url, status in row.statuses.items() if status >= 500}
    assert errors == {}
    assert trivial > 0 and all(row.median_ms > 0 for row in rows)
    statuses = {url: status for row in rows for url, status in row.statuses.items()}
    assert statuses["/cases?page=%C2%B2"] == 400 and statuses["/compare?staff=%C2%B2"] == 200
    assert statuses["/cases/" + "buurtzorg-" * ((MAX_URL_BYTES - 7) // 10)] == 404
