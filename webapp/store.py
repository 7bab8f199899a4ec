"""The store's lifecycle in the site: opened once per app, shared by requests.

``KB_STORE=ladybug`` (default) reads the embedded store; ``KB_STORE=neo4j`` reads a Neo4j server
named by the ecosystem's variables ``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` and
``NEO4J_DATABASE`` (taken from the app's config when set there, else from the environment).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from kb.problems import StoreError
from kb.store import GraphStore, default_store_path, open_store
from kb.store.neo4j import Neo4jSettings

from .settings import SettingsError

__all__ = ["get_store", "init_app"]


def init_app(app: Flask) -> None:
    app.extensions["kb_store"] = None
    if app.config["KB_STORE"] == "neo4j":
        # Checked at start-up like every other setting: a site told to read Neo4j must be told where.
        overrides = {key: app.config.get(f"NEO4J_{key.upper()}") for key in ("uri", "username", "password",
                                                                             "database")}
        try:
            app.extensions["kb_neo4j"] = Neo4jSettings.from_environment(**overrides)
        except StoreError as err:
            raise SettingsError(f"KB_STORE=neo4j: {err}") from err


def get_store() -> GraphStore:
    """The app's store, opened on first use (readers follow atomic rebuilds and syncs by themselves)."""
    app = current_app._get_current_object()
    if app.extensions.get("kb_store") is None:
        kind = app.config["KB_STORE"]
        if kind == "neo4j":
            settings: Neo4jSettings = app.extensions["kb_neo4j"]
            app.extensions["kb_store"] = open_store(kind, uri=settings.uri, username=settings.username,
                                                    password=settings.password, database=settings.database)
        else:
            path = Path(app.config["KB_STORE_PATH"]) if app.config["KB_STORE_PATH"] else default_store_path()
            app.extensions["kb_store"] = open_store(kind, path=path)
    return app.extensions["kb_store"]
