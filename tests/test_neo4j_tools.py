"""Neo4j's own tools on the dev server: ``tools/neo4j/neo4j-dev --http`` serves Neo4j Browser.

The Browser comes from Maven Central (``org.neo4j.client:neo4j-browser``, in tools/neo4j/pom.xml);
the server starts the way Neo4j's own script does, with its HTTP connector.  The test drives the real
Browser in headless Chromium: connect without authentication, run a query, read the answer.
"""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest

from kb.graph.rows import graph_rows
from kb.load import load_content
from kb.store.neo4j_sync import sync

from .browser_fixtures import CHROMIUM, LAUNCH_ARGS
from .conftest import FIXTURES, skip_or_fail

#: It drives Neo4j Browser in Chromium on the session's server (tests/neo4j_fixtures.py starts it with
#: its HTTP server, as ``neo4j-dev --http`` does): ``-m "not neo4j"`` and ``-m "not browser"`` both leave it out.
pytestmark = [pytest.mark.neo4j, pytest.mark.browser]


def test_neo4j_dev_with_http_serves_neo4j_browser_connected_to_the_synced_graph(neo4j_db) -> None:
    server = neo4j_db
    assert server.http_uri, "the session's Neo4j was started without its HTTP server (Neo4jServer(http_port=0))"
    sync(server.settings, graph_rows(load_content(FIXTURES / "mini").corpus))
    with urllib.request.urlopen(server.http_uri + "/", timeout=10) as response:
        discovery = json.load(response)
    assert discovery["bolt_direct"] == server.uri and discovery["neo4j_edition"] == "community"
    with urllib.request.urlopen(server.http_uri + "/browser/", timeout=10) as response:
        assert "<title>Neo4j Browser</title>" in response.read().decode("utf-8")

    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing: apt-get update && apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    def drive_browser() -> None:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
            try:
                page = browser.new_page()
                page.goto(f"{server.http_uri}/browser/?dbms={server.uri}")
                page.get_by_label("Authentication type").select_option(label="No authentication")
                page.get_by_test_id("connect").click()
                page.get_by_text(f"You are connected to {server.uri}").wait_for(timeout=60_000)
                page.locator(".monaco-editor").first.click()
                page.keyboard.type("MATCH (o:Organisation:KbManaged) RETURN count(o) * 1000 + 7 AS organisations")
                page.keyboard.press("Control+Enter")
                page.get_by_text("2007", exact=True).first.wait_for(timeout=60_000)  # the fixture's two cases
            finally:
                browser.close()

    # Playwright's sync API refuses to run where pytest-playwright's event loop already runs (the
    # browser tests of the same session): a thread of its own has no loop.
    errors: list[BaseException] = []
    thread = threading.Thread(target=lambda: _record(errors, drive_browser))
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _record(errors: list[BaseException], action) -> None:
    try:
        action()
    except BaseException as error:  # re-raised in the test's own thread
        errors.append(error)
