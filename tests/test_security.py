"""Security of the public site: headers on every response, no debug, size and rate limits."""

from __future__ import annotations

import pytest

from webapp import create_app
from webapp.security import CONTENT_SECURITY_POLICY
from webapp.settings import SettingsError


@pytest.mark.parametrize("path", ["/", "/cases.json", "/cases/nope", "/static/style.css", "/query",
                                  "/export/nodes.csv"])
def test_every_response_has_the_security_headers(client, path: str) -> None:
    headers = client.get(path).headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_policy_allows_no_inline_script_and_no_other_origin() -> None:
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0]
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "*" not in CONTENT_SECURITY_POLICY


def test_debug_mode_is_refused_outside_development(shared_mini_store) -> None:
    with pytest.raises(SettingsError, match="KB_DEVELOPMENT"):
        create_app({"DEBUG": True, "KB_STORE_PATH": str(shared_mini_store)})
    assert create_app({"DEBUG": True, "KB_DEVELOPMENT": True, "KB_STORE_PATH": str(shared_mini_store)}).debug


def test_large_request_bodies_are_refused(client) -> None:
    response = client.post("/query.json", data=b"x" * (65 * 1024), content_type="text/plain")
    assert response.status_code == 413


def test_the_console_is_rate_limited_per_client(shared_mini_store) -> None:
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store),
                      "KB_CONSOLE_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    statuses = [client.get("/query.json?q=MATCH%20(n)%20RETURN%20count(*)",
                           environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = client.get("/query.json?q=MATCH%20(n)%20RETURN%201", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert limited.json["ok"] is False and limited.json["status"] == 429
    other = client.get("/query.json?q=MATCH%20(n)%20RETURN%201", environ_base={"REMOTE_ADDR": "10.9.8.8"})
    assert other.status_code == 200  # another client is not affected
    assert client.get("/query", environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 200  # no query, no cost
