"""Security of the public site: headers on every response, no debug, size and rate limits."""

from __future__ import annotations

import pytest

from webapp import create_app
from webapp.security import CONTENT_SECURITY_POLICY
from webapp.settings import SettingsError

from .conftest import close_app


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


def test_one_console_query_at_a_time_per_client_across_processes(tmp_path, shared_mini_store) -> None:
    """While a client's query runs (here: held open in one app), its next one is a 429 from any process."""
    from webapp.security import one_console_query

    config = {"TESTING": True, "KB_STORE_PATH": str(shared_mini_store), "KB_CONSOLE_RATE_LIMIT": "100 per minute",
              "KB_RATE_LIMIT_STORAGE": f"sqlite:///{tmp_path / 'limits.sqlite'}"}
    first, second = create_app(config), create_app(config)  # two server processes sharing one storage
    visitor, other = {"REMOTE_ADDR": "10.7.7.7"}, {"REMOTE_ADDR": "10.7.7.8"}
    client = second.test_client()
    try:
        with first.test_request_context("/query.json?q=RETURN%201", environ_base=visitor), one_console_query():
            refused = client.get("/query.json?q=RETURN%202", environ_base=visitor)
            assert refused.status_code == 429
            assert refused.json["error"].startswith("You already have a console query running: wait for its answer")
            assert client.get("/query.csv?q=RETURN%202", environ_base=visitor).status_code == 429
            page = client.get("/query?q=RETURN%202", environ_base=visitor)
            assert page.status_code == 429 and "one query at a time for each visitor" in page.text
            assert client.get("/query.json?q=RETURN%203", environ_base=other).status_code == 200
        after = client.get("/query.json?q=RETURN%204", environ_base=visitor)
        assert after.status_code == 200 and after.json["result"]["rows"] == [[4]]
    finally:
        close_app(first)
        close_app(second)


def test_console_links_carry_only_the_consoles_parameters(client) -> None:
    """url_for reads _external, _scheme, _method and _anchor as instructions: they never reach a link."""
    page = client.get("/query?q=RETURN%201%20AS%20one&_external=1&_scheme=javascript&_method=POST&_anchor=x")
    # Parameters the console does not read are refused by name (no silent filters), so none reaches a link.
    assert page.status_code == 400 and "_scheme" in page.text
    assert "javascript:" not in page.text
    plain = client.get("/query?q=RETURN%201%20AS%20one")
    assert plain.status_code == 200 and 'href="/query.csv?q=RETURN+1+AS+one"' in plain.text


def test_a_forged_host_header_gets_no_page_and_so_changes_no_link(client) -> None:
    forged = client.get("/query?q=RETURN%201&_external=1", headers={"Host": "evil.example"})
    assert forged.status_code == 400 and "evil.example" not in client.get("/query?q=RETURN%201").text
    assert "KB_TRUSTED_HOSTS" in forged.text
    for host in ("localhost", "localhost:5000", "127.0.0.1:5000"):  # the defaults: the site on this machine
        assert client.get("/", headers={"Host": host}).status_code == 200, host
