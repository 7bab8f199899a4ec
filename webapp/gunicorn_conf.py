"""gunicorn's settings for the site: what ``scripts/serve`` runs (``docs/deploy.md`` explains each).

    python -m gunicorn --config python:webapp.gunicorn_conf "webapp:create_app()"

* **Address**: ``HOST`` (default ``127.0.0.1``: only this machine, a reverse proxy in front) and
  ``PORT`` (default 5000).
* **Workers**: ``WEB_CONCURRENCY`` processes (default: one per CPU, at least 2), each with
  ``KB_SERVER_THREADS`` threads (default 4).  Each process opens its own read-only store handle and,
  on the first console query, its own pool of confined console workers
  (:mod:`kb.store.console_pool`), which are stopped with it.
* **Access log** on standard output, one line per request with its time in seconds; errors on
  standard error.
* **Graceful reload when the graph is rebuilt**: the master watches the embedded store's ``CURRENT``
  pointer and, when a load replaces it, reloads as on ``kill -HUP``: new workers start on the new
  generation, old ones finish their requests and stop (with their console workers).  Pages were never
  stale (every reader follows ``CURRENT``); the reload releases the old generation's memory and files.
* **Indexes built as a worker starts** (:func:`webapp.store.build_derived_in_background`): the case and
  search indexes of the graph, in a thread, so that no visitor's request pays for them; on Neo4j, whose
  syncs restart no worker, again whenever the graph's version changes.
* Anything else: gunicorn's own ``GUNICORN_CMD_ARGS`` (e.g. ``--timeout 120``).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

__all__ = ["watch_generation"]

bind = f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '5000'}"
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, os.cpu_count() or 1))
worker_class = "gthread"
threads = int(os.environ.get("KB_SERVER_THREADS") or 4)
# A console query may run for KB_QUERY_TIMEOUT_MS (5 s) plus a worker restart; 60 s leaves room.
timeout = 60
graceful_timeout = 30
keepalive = 5
# The request line ("GET <address> HTTP/1.1") at most 8,190 bytes, gunicorn's largest setting: longer
# addresses are refused before a worker reads them; webapp.bounds gives flask run the same limit.
limit_request_line = 8190
limit_request_fields = 50
limit_request_field_size = 8190
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss "%(f)s" "%(a)s"'
# Workers load the app themselves: an engine handle must never be shared across fork.
preload_app = False
# No control socket: it would live in $HOME, shared by every instance (signals and systemctl do the job).
control_socket_disable = True

#: Seconds between two looks at the store's pointer (a read of one small file).
WATCH_SECONDS = float(os.environ.get("KB_RELOAD_WATCH_SECONDS") or 1.0)
_watcher_started = threading.Event()


def _store_folder() -> Path | None:
    """The embedded store's folder, or None when the site reads Neo4j."""
    if os.environ.get("KB_STORE", "ladybug") != "ladybug":
        return None
    from kb.store import default_store_path

    return default_store_path()


def watch_generation(current: Any, on_change: Any, stop: threading.Event, interval: float = WATCH_SECONDS) -> None:
    """Call ``on_change()`` each time ``current()`` (the current generation) changes, until ``stop`` is set.

    Nothing is imported here: this runs in a thread of the master, which forks workers, and a module
    half-imported by a thread at the moment of a fork stays half-imported in the child.
    """
    def look() -> Any:
        try:
            return current()
        except OSError:  # being replaced right now: look again next time
            return None

    seen = look()
    while not stop.wait(interval):
        now = look()
        if now is not None and now != seen:
            seen = now
            on_change()


def when_ready(server: Any) -> None:
    """Start the master's watch of the store (once: a HUP reload does not call this again)."""
    store = _store_folder()
    if store is None or _watcher_started.is_set():
        return
    _watcher_started.set()
    from kb.store.ladybug import current_generation  # imported here, before any fork, not in the thread

    def reload() -> None:
        server.log.info("the graph was rebuilt (%s): reloading the workers gracefully", store)
        os.kill(os.getpid(), signal.SIGHUP)

    threading.Thread(target=watch_generation, args=(lambda: current_generation(store), reload, threading.Event()),
                     name="kb-generation-watch", daemon=True).start()


def post_worker_init(worker: Any) -> None:
    """Build the case and search indexes in the background as the worker starts, not in a visitor's request;
    on Neo4j, again after each sync (a sync restarts no worker)."""
    from webapp.store import build_derived_in_background

    build_derived_in_background(worker.wsgi, follow=threading.Event())


def worker_exit(server: Any, worker: Any) -> None:
    """Stop this worker's console processes and close its store as the worker ends."""
    app = getattr(worker, "wsgi", None)
    for name in ("kb_console", "kb_store"):
        resource = getattr(app, "extensions", {}).get(name)
        if resource is not None:
            try:
                resource.close()
            except Exception as err:  # the worker is going anyway; say so, but do not stop the others
                server.log.warning("closing %s: %s", name, err)


def on_starting(server: Any) -> None:
    """Check the settings once in the master: a wrong one is one line and exit status 1, as under ``flask run``.

    Without this every worker would fail to boot with a traceback, and gunicorn would keep starting them.
    """
    from webapp import create_app
    from webapp.settings import SettingsError

    try:
        create_app()  # reads and checks every setting; opens no store (workers do, on first use)
    except SettingsError as err:
        print(f"Error: {err}", file=sys.stderr, flush=True)
        sys.exit(1)
