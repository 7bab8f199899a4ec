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
