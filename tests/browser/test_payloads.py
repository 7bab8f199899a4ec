"""No payload from a case file executes in a real browser, on any page or graph view.

A content tree is filled with script payloads in every text field a contributor controls; each page
is opened in headless Chromium and must neither open a dialog nor set ``window.__pwned``, nor make a
request outside 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from werkzeug.serving import make_server

from tests.browser_fixtures import OfflinePage, shoot
from tests.conftest import FIXTURES, load_into
from webapp import create_app

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__pwned='script'</script>",
    "<img src=x onerror=\"window.__pwned='img'\">",
    "\"><svg onload=\"window.__pwned='svg'\">",
    "<a href=\"javascript:window.__pwned='href'\">x</a>",
    "{{ 7*7 }}",
]
PAYLOAD = " ".join(PAYLOADS)

PAGES = [
    "/", "/cases", "/cases/alpha-care", "/cases/beta-shoes", "/practices/self-managing-teams",
    "/challenges/staff-attrition", "/outcomes/staff-wellbeing", "/frameworks/holacracy", "/practices",
    "/compare?case=alpha-care", "/compare?sector=home-care&practice=self-managing-teams", "/patterns",
    "/sources", "/sources/report-a", f"/search?q={quote('script')}", f"/search?q={quote(PAYLOADS[0])}",
    "/graph/organisation/alpha-care", "/graph/organisation/alpha-care?depth=2", "/graph/practice/self-managing-teams",
    "/query?example=example_contested_claims",
    f"/query?q={quote('MATCH (o:Organisation)-[r]->(c) RETURN o, r, c LIMIT 20')}",
    "/contribute", "/nope", "/lessons", f"/search?q={quote('coaches help')}", "/cases/alpha-cre",
]


def hostile_tree(root: Path) -> None:
    shutil.copytree(FIXTURES / "mini", root)
    case = root / "cases" / "alpha-care.md"
    text = case.read_text()
    summary = next(line for line in text.splitlines() if line.startswith("summary:"))
    text = text.replace(summary, "summary: " + json.dumps(PAYLOAD + " " + summary[len("summary: "):]))
    text = text.replace("name: Alpha Care", f"name: {json.dumps('Alpha ' + PAYLOAD)}")
    text = text.replace("city: Almelo", f"city: {json.dumps(PAYLOADS[1])}")
    text = text.replace("title: A second report", f"title: {json.dumps(PAYLOAD)}")
    text = text.replace("Alpha is fictional.", f"Alpha is fictional. {PAYLOAD}")
    text = text.replace("coaches help on request.", f"coaches help. {PAYLOAD}")
    text = text.replace("view: fewer left", f"view: fewer left {PAYLOAD}")
    text = text.replace("of staff left at adopting organisations", f"of staff left {PAYLOAD}")
    text = text.replace("**Savings**", f"**Savings {PAYLOADS[1]}**")
    case.write_text(text)
    concept = root / "concepts" / "practices" / "self-managing-teams.md"
    definition = next(line for line in concept.read_text().splitlines() if line.startswith("definition:"))
    concept.write_text(concept.read_text().replace(
        definition, "definition: " + json.dumps(PAYLOADS[0] + " " + definition[len("definition: "):])).replace(
        "Teams decide together.", f"Teams decide together. {PAYLOAD}"))


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("hostile") / "content"
    hostile_tree(root)
    store = root.parent / "store"
    load_into(root, store)
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(store)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        if app.extensions.get("kb_store") is not None:
            app.extensions["kb_store"].close()


@pytest.mark.parametrize("path", PAGES)
def test_no_payload_runs(offline_page: OfflinePage, hostile_server: str, path: str) -> None:
    page = offline_page.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_server + path)
    page.wait_for_load_state("networkidle")
    if "/graph/" in path:
        page.wait_for_timeout(500)  # let the network draw, and hover a node for its tooltip
        page.mouse.move(400, 300)
    for link in page.locator("a[href^='javascript:']").all():
        pytest.fail(f"a javascript: link reached the page: {link.get_attribute('href')}")
    assert page.evaluate("() => window.__pwned === undefined"), page.evaluate("() => window.__pwned")
    assert dialogs == []
    assert "49" not in page.locator("body").inner_text().split("{{ 7*7 }}")[0][-3:]  # no template evaluation
    offline_page.assert_stayed_local()
    if path == "/cases/alpha-care":
        shoot(page, "payloads-case-page")
