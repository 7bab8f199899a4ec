"""Fixtures for the browser tests (loaded by conftest as a plugin).

The tests drive Debian's Chromium (``/usr/bin/chromium``) through Playwright and pytest-playwright,
whose ``browser`` (one per session) and ``page`` (one per test) fixtures they use; this plugin points
them at that executable and at a live server over the real content.  Browsers that download themselves
do not work here: never run ``playwright install``.

- ``live_server``: the site on ``127.0.0.1`` and a free port, in a daemon thread, for the session.
- ``browser_context_args``: pytest-playwright's, with the live server as base URL, so that
  ``page.goto("/cases")`` works.
- ``offline_page``: a page that records every request it makes and aborts any that would leave
  ``127.0.0.1``; ``offline_page.assert_stayed_local()`` fails the test if there was one.
- ``shoot(page, name)``: a full-page screenshot in ``tests/artifacts/`` (git-ignored).
- ``page`` in a module marked ``shared_page``: one page for all the module's tests (a new context and page
  for each of hundreds of tests cost the suite about half a second each).  Each test must start with
  ``page.goto`` and leave no listener or route behind; the page is reset between tests (viewport, routes,
  ``about:blank``) and replaced if it closed.  The site keeps no cookie or storage, so no state carries over.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from webapp import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
_NOT_LOCAL = re.compile(r"^(?!https?://127\.0\.0\.1[:/])[a-z]+://", re.IGNORECASE)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options, with Debian's Chromium (skip, or fail under CI, without it)."""
    from tests.conftest import skip_or_fail

    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        skip_or_fail(f"{CHROMIUM} is missing: apt-get update && apt-get install -y chromium")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True, "args": LAUNCH_ARGS}


@pytest.fixture(scope="session")
def live_server(real_store: Path) -> Iterator[str]:
    """The site over the real content, served on 127.0.0.1 at a free port; yields its base URL."""
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(real_store)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        if app.extensions.get("kb_store") is not None:
            app.extensions["kb_store"].close()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], live_server: str) -> dict[str, Any]:
    """pytest-playwright's context options, with the live server as base URL (``page.goto("/cases")``)."""
    return {**browser_context_args, "base_url": live_server}


@pytest.fixture(scope="module")
def _module_page(browser: Any, browser_context_args: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The context and page shared by a ``shared_page`` module's tests (made on first use)."""
    held: dict[str, Any] = {}
    yield held
    if "context" in held:
        held["context"].close()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Any, browser_context_args: dict[str, Any]) -> Iterator[Any]:
    """pytest-playwright's page (a new context per test), or the module's page in a ``shared_page`` module."""
    if request.node.get_closest_marker("shared_page") is None:
        yield request.getfixturevalue("context").new_page()
        return
    held = request.getfixturevalue("_module_page")
    if "page" not in held or held["page"].is_closed():
        if "context" not in held:
            held["context"] = browser.new_context(**browser_context_args)
        held["page"] = held["context"].new_page()
    shared = held["page"]
    yield shared
    if not shared.is_closed():
        shared.unroute_all(behavior="ignoreErrors")
        shared.goto("about:blank")
        shared.set_viewport_size(browser_context_args.get("viewport") or {"width": 1280, "height": 720})


class OfflinePage:
    """A Playwright page that notes every request and blocks those leaving 127.0.0.1."""

    def __init__(self, page: Any):
        self.page = page
        self.requests: list[str] = []
        self.outside: list[str] = []
        page.on("request", self._note)
        # Belt and braces: even if something tried, it would not reach the network.
        page.route(_NOT_LOCAL, lambda route: route.abort())

    def _note(self, request: Any) -> None:
        self.requests.append(request.url)
        scheme, host = urlsplit(request.url).scheme, urlsplit(request.url).hostname
        if scheme not in ("data", "blob", "about") and host != "127.0.0.1":
            self.outside.append(request.url)

    def assert_stayed_local(self) -> None:
        assert self.requests, "the page made no request at all"
        assert not self.outside, f"requests left 127.0.0.1: {self.outside}"


@pytest.fixture
def offline_page(page: Any) -> OfflinePage:
    return OfflinePage(page)


def shoot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as ``tests/artifacts/<name>.png`` and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
