"""The store's lifecycle in the site: opened once per app, shared by requests.

``KB_STORE=ladybug`` (default) reads the embedded store; ``KB_STORE=neo4j`` reads a Neo4j server
named by the ecosystem's variables ``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` and
``NEO4J_DATABASE`` (taken from the app's config when set there, else from the environment).
"""

from __future__ import annotations

import gc
import logging
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Flask, current_app, g, has_request_context

from kb.problems import StoreError
from kb.store import GraphStore, default_store_path, open_store
from kb.store.console_pool import ConsolePool, WorkerConfig
from kb.store.neo4j import Neo4jSettings

from .settings import SettingsError

__all__ = ["build_derived_in_background", "get_console", "get_store", "init_app", "made_as_workers_start",
           "store_folder"]

T = TypeVar("T")


def init_app(app: Flask) -> None:
    app.extensions["kb_store"] = None
    app.extensions["kb_console"] = None
    if app.config["KB_STORE"] == "neo4j":
        # Checked at start-up like every other setting: a site told to read Neo4j must be told where.
        overrides = {key: app.config.get(f"NEO4J_{key.upper()}") for key in ("uri", "username", "password",
                                                                             "database")}
        try:
            settings = Neo4jSettings.from_environment(**overrides)
            settings.driver(reading=True).close()  # the driver's own checks of the URI; it connects later
        except StoreError as err:
            raise SettingsError(f"KB_STORE=neo4j: {err}") from None
        app.extensions["kb_neo4j"] = settings
    app.teardown_request(_end_reading)


def get_store() -> GraphStore:
    """The app's store, opened on first use (readers follow atomic rebuilds and syncs by themselves).

    In a request, the store's queries form one reading block (:meth:`kb.store.GraphStore.reading`) until the
    request ends: on Neo4j one session for the page's queries and one look at the graph's version.
    """
    store = _app_store()
    if has_request_context() and "kb_reading" not in g:
        reading = store.reading()
        reading.__enter__()
        g.kb_reading = reading
    return store


def _end_reading(_error: BaseException | None) -> None:
    reading = g.pop("kb_reading", None)
    if reading is not None:
        reading.__exit__(None, None, None)


def _app_store() -> GraphStore:
    app = current_app._get_current_object()
    if app.extensions.get("kb_store") is None:
        kind = app.config["KB_STORE"]
        if kind == "neo4j":
            settings: Neo4jSettings = app.extensions["kb_neo4j"]
            app.extensions["kb_store"] = open_store(kind, uri=settings.uri, username=settings.username,
                                                    password=settings.password, database=settings.database,
                                                    connect_timeout=app.config["KB_NEO4J_TIMEOUT_MS"] / 1000)
        else:
            app.extensions["kb_store"] = open_store(kind, path=store_folder(app))
    return app.extensions["kb_store"]


def store_folder(app: Flask) -> Path:
    """The embedded store's folder (configured, or the default)."""
    return Path(app.config["KB_STORE_PATH"]) if app.config["KB_STORE_PATH"] else default_store_path()


def get_console() -> ConsolePool:
    """The app's pool of console workers (:mod:`kb.store.console_pool`), started on first use.

    The public console always reads the embedded copy of the graph (``KB_STORE_PATH``), whichever
    store serves the pages: it holds the project's graph and nothing else, built from the same files
    (``tests/test_store_contract.py`` keeps both stores' answers identical), so a console query can
    neither read data that others keep in a shared Neo4j database nor use that server's memory.
    Each site process has its own pool; its workers stop when the app is collected or the process ends.
    """
    app = current_app._get_current_object()
    pool = app.extensions.get("kb_console")
    if pool is None:
        config = WorkerConfig(backend="ladybug", store=str(store_folder(app).resolve()),
                              memory_mb=app.config["KB_CONSOLE_MEMORY_MB"], sandbox=app.config["KB_CONSOLE_SANDBOX"])
        pool = ConsolePool(config, size=app.config["KB_CONSOLE_WORKERS"])
        app.extensions["kb_console"] = pool
        weakref.finalize(app, pool.close)
    return pool


#: Seconds between two looks at the Neo4j graph's version by a worker that follows syncs (one indexed lookup).
FOLLOW_SECONDS = 2.0


#: What else a page makes once per graph version and a worker makes as it starts (:func:`made_as_workers_start`).
_MADE_AS_WORKERS_START: list[Callable[[GraphStore], object]] = []


def made_as_workers_start(make: Callable[[GraphStore], T]) -> Callable[[GraphStore], T]:
    """Mark a view's function that makes (and keeps, per graph version) a structure its page needs, so that a
    worker makes it as it starts, after the indexes (:func:`build_derived_in_background`), not its first visitor:
    the lessons, the sources' facets and the timeline's rows took 8-9 s each at 10,000 cases, over 90 s at 100,000."""
    _MADE_AS_WORKERS_START.append(make)
    return make


def build_derived_in_background(app: Flask, *, follow: threading.Event | None = None,
                                interval: float = FOLLOW_SECONDS) -> threading.Thread:
    """Build the structures the pages derive from the graph (the case index, the search index, then those of
    :func:`made_as_workers_start`) in a thread,
    as a server's process starts, so that no visitor's request is the one that builds them (the search index took
    minutes at 10,000 cases on a loaded machine: the first search waited for all of it).

    A request that needs one while it is being built waits for that build instead of starting its own
    (:func:`kb.store.versioned.derived`).  The store is opened here, before any request, so that the requests use
    the same store object the structures are kept for.  A gunicorn worker calls this as it starts; the master
    restarts the workers when a load replaces the embedded store's graph, so each graph version is built once per
    worker outside the requests.  On Neo4j a sync changes the version without a restart: with ``follow`` (an event
    that stops it when set) the thread then goes on looking at the version every ``interval`` seconds and builds
    each new version's structures as soon as it sees it, so that a request after a sync waits at most for the
    rest of that build rather than making it.  Otherwise (or on the embedded store) it ends after the first build.
    With ``follow``, what was built is also kept out of the garbage collector's walks
    (:func:`_keep_out_of_collections`).
    """
    from kb.analysis.index import index_for
    from kb.analysis.search import search_index_for

    with app.app_context():
        store = get_store()

    def build() -> str | None:
        try:
            with store.reading():
                version = store.version()
                index_for(store)
                search_index_for(store)
        except Exception as err:  # a request will try again and show the error; the worker keeps serving
            logging.getLogger(__name__).warning("building the graph's indexes in the background failed: %s", err)
            return None
        for make in _MADE_AS_WORKERS_START:
            try:
                with app.app_context(), store.reading():
                    make(store)
            except Exception as err:  # as above: its page will try again
                logging.getLogger(__name__).warning("making %s in the background failed: %s", make.__name__, err)
        return version

    def run() -> None:
        built = build()
        if follow is None:
            return
        _keep_out_of_collections()
        while store.backend == "neo4j" and not follow.wait(interval):
            try:
                seen = store.version()
            except Exception:  # the server is away: the requests say so; look again later
                continue
            if seen != built:
                gc.unfreeze()  # the previous version's structures may be collected again
                built = build()
                _keep_out_of_collections()

    thread = threading.Thread(target=run, name="kb-derived", daemon=True)
    thread.start()
    return thread


def _keep_out_of_collections() -> None:
    """Move every object alive now (the indexes just built) out of the garbage collector's oldest generation.

    Each full collection walks every container object of the process: with the indexes in it, one took 420-530 ms
    at 1,000 cases on the loaded machine, and 1 ms once they were frozen (a request that triggers one waits for
    it: the likely cause of single slow requests such as one patterns page of 15 in 1.1 s at 10,000 cases on
    Neo4j, its median 81 ms).  Only a server's worker does it (``follow``):
    objects frozen are never collected, so a process that makes and drops apps (the tests) must not.
    """
    gc.collect()
    gc.freeze()
