"""One error path: JSON errors for ``.json`` URLs, an error page otherwise."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from kb.problems import StoreError

__all__ = ["init_app", "wants_json"]


def wants_json() -> bool:
    return request.path.endswith(".json")


def _error_response(status: int, title: str, message: str):
    if wants_json():
        response = jsonify({"ok": False, "status": status, "title": title, "error": message})
        response.status_code = status
        return response
    return render_template("error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _error_response(error.code or 500, error.name, error.description or error.name)

    @app.errorhandler(StoreError)
    def store_unavailable(error: StoreError):
        app.logger.warning("store unavailable: %s", error)
        return _error_response(503, "Graph store unavailable",
                               f"The graph store cannot be read right now: {error}")

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unexpected error")
        return _error_response(500, "Internal error", "Something went wrong on our side; it has been logged.")
