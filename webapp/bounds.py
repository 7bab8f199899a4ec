"""Bounds on what one request can ask for, checked before any work that grows with its input.

No request may cost the site more than its share, whatever it sends:

* **The address** is at most :data:`MAX_URL_BYTES` long (the request target: path and query
  string, as sent).  A longer one is a 414 before routing.  gunicorn refuses it earlier still
  (``limit_request_line`` in :mod:`webapp.gunicorn_conf`); this check gives ``flask run`` the same
  limit and a message that says what to shorten.  Everything below is bounded by it: an id in a
  path, the values of a filter, a search.
* **Ids and names** looked up in a page's tables cost one dictionary lookup whatever their length;
  a mistyped one is compared for "did you mean" only after being cut to 100 characters, with
  candidates built once per graph version (:mod:`kb.suggest`).  A search is cut to 200 characters
  and 20 words (:mod:`webapp.views.search`, :mod:`kb.analysis.search`).
* **Numbers** (``page``, ``staff``) are read by :func:`whole_number`: ASCII digits only (``²`` is a
  digit to ``str.isdigit`` but not to ``int``), at most :data:`MAX_DIGITS` of them, so that neither
  Python's 4,300-digit conversion limit nor a huge value reaches the code.
* **Pages that do real work** (search, compare, the graph explorer, patterns and analytics,
  exports, the claims behind a pattern) are limited per client (``KB_PAGE_RATE_LIMIT``), counted
  in the same storage as the console's limit (:mod:`webapp.security`).

``bench/worst_inputs.py`` sends the worst input of every route and prints its time as a ratio to a
trivial page; ``tests/test_bounds.py`` runs it with small counts.
"""

from __future__ import annotations

from flask import Flask, abort, request

__all__ = ["MAX_DIGITS", "MAX_URL_BYTES", "init_app", "is_whole_number", "whole_number"]

#: Longest request target (path and query string) the site reads, in bytes.  gunicorn's request line
#: ("GET <target> HTTP/1.1") is limited to 8,190 bytes, its largest setting; this leaves room for the rest.
MAX_URL_BYTES = 8000
#: Most digits a number in a query string may have (a billion pages or staff is already none that exists).
MAX_DIGITS = 9


def whole_number(text: str, field: str, minimum: int = 1) -> int:
    """``text`` as a whole number of at least ``minimum``, or a 400 that says what is wrong.

    >>> whole_number("12", "page")
    12
    >>> whole_number("²", "page")
    Traceback (most recent call last):
    ...
    werkzeug.exceptions.BadRequest: 400 Bad Request: The page must be a whole number from 1 (digits 0-9), not '²'.
    """
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS or int(text) < minimum:
        shown = text if len(text) <= 20 else f"{text[:20]}… ({len(text):,} characters)"
        abort(400, f"The {field} must be a whole number from {minimum} (digits 0-9), not '{shown}'.")
    return int(text)


def is_whole_number(text: str, minimum: int = 1) -> bool:
    """Whether :func:`whole_number` would accept ``text`` (for fields that are ignored rather than refused).

    >>> is_whole_number("40"), is_whole_number("²"), is_whole_number("9" * 4301), is_whole_number("0")
    (True, False, False, False)
    """
    text = text.strip()
    return text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS and int(text) >= minimum


def _request_target() -> str:
    environ = request.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return raw
    query = environ.get("QUERY_STRING", "")
    return environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "") + (f"?{query}" if query else "")


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_long_addresses() -> None:
        length = len(_request_target().encode("utf-8", "surrogateescape"))
        if length > MAX_URL_BYTES:
            abort(414, f"The address is {length:,} bytes long; the site reads at most {MAX_URL_BYTES:,}. "
                       "No page needs more: shorten the id, the search or the filters (a console query and its "
                       "parameters travel in the address too).")
