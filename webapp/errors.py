"""One error path: JSON errors for ``.json`` URLs, an error page otherwise."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from kb.problems import GraphNotLoaded, StoreError

__all__ = ["NotFoundSuggesting", "closest_ids", "init_app", "not_found", "wants_json"]

#: How many ids a 404 page suggests, and how alike (0-1) an id or name must be to be suggested.
SUGGESTIONS, SIMILARITY = 3, 0.6


class NotFoundSuggesting(NotFound):
    """A 404 that offers the closest existing pages ("did you mean")."""

    def __init__(self, description: str, suggestions: list[dict[str, str]]):
        super().__init__(description)
        self.suggestions = suggestions


def closest_ids(wrong: str, names: Mapping[str, str], limit: int = SUGGESTIONS) -> list[str]:
    """The ids most like a mistyped id, comparing it with every id and with every name (best first).

    >>> closest_ids("buurtzorg-uk", {"buurtzorg": "Buurtzorg", "zappos": "Zappos",
    ...                              "buurtzorg-britain-ireland": "Buurtzorg UK"})
    ['buurtzorg-britain-ireland', 'buurtzorg']
    """
    wrong = wrong.strip().lower()
    scored: dict[str, float] = {}
    for node_id, name in names.items():
        for candidate in (node_id.lower(), "-".join((name or "").lower().split())):
            ratio = difflib.SequenceMatcher(None, wrong, candidate).ratio()
            if ratio >= SIMILARITY and ratio > scored.get(node_id, 0.0):
                scored[node_id] = ratio
    return sorted(scored, key=lambda node_id: (-scored[node_id], node_id))[:limit]


def not_found(description: str, wrong: str, names: Mapping[str, str],
              url_of: Callable[[str], str]) -> NotFoundSuggesting:
    """A 404 for a mistyped id, suggesting the closest ids with their names and pages."""
    suggestions = [{"id": node_id, "name": names[node_id], "url": url_of(node_id)}
                   for node_id in closest_ids(wrong, names)]
    return NotFoundSuggesting(description, suggestions)


def wants_json() -> bool:
    return request.path.endswith(".json")


def _error_response(status: int, title: str, message: str, suggestions: list[dict[str, str]] | None = None):
    if wants_json():
        body = {"ok": False, "status": status, "title": title, "error": message}
        if suggestions is not None:
            body["did_you_mean"] = suggestions
        response = jsonify(body)
        response.status_code = status
        return response
    return render_template("error.html", status=status, title=title, message=message,
                           suggestions=suggestions or []), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _error_response(error.code or 500, error.name, error.description or error.name,
                               getattr(error, "suggestions", None))

    @app.errorhandler(StoreError)
    def store_unavailable(error: StoreError):
        app.logger.warning("store unavailable: %s", error)
        if isinstance(error, GraphNotLoaded):
            return _error_response(503, "Graph not loaded", f"The site has no graph to show yet: {error}")
        return _error_response(503, "Graph store unavailable",
                               f"The graph store cannot be read right now: {error}")

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unexpected error")
        return _error_response(500, "Internal error", "Something went wrong on our side; it has been logged.")
