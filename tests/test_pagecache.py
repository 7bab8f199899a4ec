"""Rendered pages are kept per graph generation: fast on repeat, never stale after a load."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.load import load_embedded
from kb.store.versioned import derived
from webapp import create_app
from webapp.pagecache import PageCache
from webapp.store import get_store

from .conftest import TEST_LIMITS


@pytest.fixture
def site(mini_root: Path, tmp_path: Path):
    """A site over a store this test may reload, and a counter of the store queries it runs."""
    store = tmp_path / "store"
    assert load_embedded(mini_root, store).ok
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(store), **TEST_LIMITS})
    calls: list[str] = []
    with app.app_context():
        reader = get_store()
    original = reader.query

    def counting(name: str, **params):
        calls.append(name)
        return original(name, **params)

    reader.query = counting
    return app, app.test_client(), calls, mini_root, store


def test_a_repeated_page_is_served_without_querying_the_store(site) -> None:
    _, client, calls, _, _ = site
    first = client.get("/cases/alpha-care")
    assert first.status_code == 200 and calls
    calls.clear()
    again = client.get("/cases/alpha-care")
    assert again.status_code == 200 and calls == []
    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    # The security headers are on every response, cached or not.
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert again.headers["Link"] == first.headers["Link"]


def test_a_browser_revalidating_gets_not_modified(site) -> None:
    _, client, _, _, _ = site
    etag = client.get("/cases/alpha-care").headers["ETag"]
    revalidated = client.get("/cases/alpha-care", headers={"If-None-Match": etag})
    assert revalidated.status_code == 304 and revalidated.data == b""
    assert client.get("/cases/beta-shoes", headers={"If-None-Match": etag}).status_code == 200


def test_the_json_twin_and_each_query_string_are_pages_of_their_own(site) -> None:
    _, client, _, _, _ = site
    html = client.get("/cases/alpha-care")
    twin = client.get("/cases/alpha-care.json")
    assert twin.is_json and twin.get_json()["case"]["name"] == "Alpha Care"
    assert client.get("/cases/alpha-care").data == html.data
    assert client.get("/cases.json?sort=name").get_json() != client.get("/cases.json?sort=founded&page=2").get_json()


def test_a_load_shows_at_once_on_cached_pages(site) -> None:
    _, client, _, root, store = site
    assert b"Alpha Care" in client.get("/cases/alpha-care").data
    assert b"Alpha Care" in client.get("/").data
    case = root / "cases" / "alpha-care.md"
    case.write_text(case.read_text(encoding="utf-8").replace("name: Alpha Care", "name: Alpha Home Care"),
                    encoding="utf-8")
    assert load_embedded(root, store).ok
    assert b"Alpha Home Care" in client.get("/cases/alpha-care").data
    assert b"Alpha Home Care" in client.get("/").data


def test_errors_and_the_console_are_never_cached(site) -> None:
    _, client, calls, _, _ = site
    assert client.get("/cases/no-such-case").status_code == 404
    calls.clear()
    assert client.get("/cases/no-such-case").status_code == 404
    assert calls and calls[0] == "organisation"  # asked again (then the did-you-mean's list of ids), not cached
    assert client.get("/query?q=RETURN%201").status_code == 200
    with site[0].app_context():  # the pages kept for the graph's current version
        pages = derived(get_store(), "pages", lambda _store: PageCache(0))
    assert list(pages._pages) == [], list(pages._pages)


def test_the_cache_can_be_turned_off(shared_mini_store: Path) -> None:
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store), "KB_PAGE_CACHE_MB": 0, **TEST_LIMITS})
    client = app.test_client()
    first = client.get("/cases/alpha-care")
    with app.app_context():
        reader = get_store()
    calls: list[str] = []
    original = reader.query
    reader.query = lambda name, **params: calls.append(name) or original(name, **params)
    assert client.get("/cases/alpha-care").status_code == 200 and "organisation" in calls  # rendered again
    # Still revalidated cheaply (webapp.delivery gives every page an ETag), but rendered each time.
    assert first.status_code == 200 and client.get("/cases/alpha-care").data == first.data
    assert client.get("/cases/alpha-care", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
