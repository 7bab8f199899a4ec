"""One error path: JSON errors for ``.json`` URLs, an error page otherwise."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from kb.analysis.index import index_for
from kb.kinds import CONCEPT_FOLDERS
from kb.problems import GraphNotLoaded, StoreError
from kb.suggest import Suggestions

__all__ = ["NotFoundSuggesting", "init_app", "known_names", "not_found", "page_names", "page_suggestions", "wants_json"]

#: How many ids a 404 page suggests.
SUGGESTIONS = 3


class NotFoundSuggesting(NotFound):
    """A 404 that offers the closest existing pages ("did you mean")."""

    def __init__(self, description: str, suggestions: list[dict[str, str]]):
        super().__init__(description)
        self.suggestions = suggestions


def page_suggestions(names: Mapping[str, str]) -> Suggestions:
    """The did-you-mean candidates of pages named id -> name: each id and each name (as an id would be
    written), lower-case.  Build it once per graph version (it is what a 404 compares with).

    >>> page_suggestions({"buurtzorg": "Buurtzorg", "zappos": "Zappos",
    ...                   "buurtzorg-britain-ireland": "Buurtzorg UK"}).closest("buurtzorg-uk")
    ['buurtzorg-britain-ireland', 'buurtzorg']
    """
    return Suggestions(pair for node_id, name in names.items()
                       for pair in ((node_id.lower(), node_id), ("-".join((name or "").lower().split()), node_id)))


def not_found(description: str, wrong: str, names: Mapping[str, str], candidates: Suggestions | None = None, *,
              url_of: Callable[[str], str]) -> NotFoundSuggesting:
    """A 404 for a mistyped id, suggesting the closest ids with their names and pages.

    ``candidates`` is :func:`page_suggestions` of ``names``, prebuilt (per graph version); without it
    they are built here.  Either way the mistyped id is cut short before it is compared (kb.suggest).
    """
    candidates = candidates if candidates is not None else page_suggestions(names)
    suggestions = [{"id": node_id, "name": names[node_id], "url": url_of(node_id)}
                   for node_id in candidates.closest(wrong.strip().lower(), SUGGESTIONS)]
    return NotFoundSuggesting(description, suggestions)


def known_names(store: Any, kind: str) -> dict[str, str]:
    """Id -> name of every node of a kind that has pages, for "did you mean" on a 404 (empty for other kinds)."""
    if kind == "organisation":
        return {row["id"]: row["name"] for row in store.query("facet_organisations")}
    if kind == "source":
        return {row["id"]: row["title"] or row["id"] for row in store.query("sources")}
    if kind in CONCEPT_FOLDERS:
        return {row["id"]: row["name"] for row in store.query("search_concepts") if row["label"].lower() == kind}
    if kind == "sector":
        return {row["value"]: row["label"] for row in store.query("facet_links") if row["type"] == "IN_SECTOR"}
    if kind == "country":
        return {row["country"]: row["country_name"] or row["country"] for row in store.query("facet_organisations")
                if row["country"]}
    return {}


def page_names(store: Any, kind: str) -> tuple[dict[str, str], Suggestions]:
    """:func:`known_names` of a kind and its did-you-mean candidates, built once per graph version."""
    def build() -> tuple[dict[str, str], Suggestions]:
        names = known_names(store, kind)
        return names, page_suggestions(names)
    return index_for(store).memo(("did-you-mean", kind), build)


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
