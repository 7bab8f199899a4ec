"""The store's lifecycle in the site: opened once per app, shared by requests."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from kb.store import GraphStore, default_store_path, open_store

__all__ = ["get_store", "init_app"]


def init_app(app: Flask) -> None:
    app.extensions["kb_store"] = None


def get_store() -> GraphStore:
    """The app's store, opened on first use (readers follow atomic rebuilds by themselves)."""
    app = current_app._get_current_object()
    if app.extensions.get("kb_store") is None:
        kind = app.config["KB_STORE"]
        path = Path(app.config["KB_STORE_PATH"]) if app.config["KB_STORE_PATH"] else default_store_path()
        app.extensions["kb_store"] = open_store(kind, path=path)
    return app.extensions["kb_store"]
