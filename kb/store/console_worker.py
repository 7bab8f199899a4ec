"""A console worker process: ``python -m kb.store.console_worker`` (started by :mod:`kb.store.console_pool`).

It reads its configuration (one JSON line) from standard input, imports what it needs, confines
itself (:func:`kb.store.sandbox.confine`), opens the store read-only and then answers one JSON line
per query line until its input ends.  Its own standard output is moved to standard error first,
so that nothing the engine prints can be taken for an answer; standard error is a pipe that the
site's process reads into its log (a confined worker can write no file, so a traceback written to
a file would be lost).

Everything a query's values need is imported before the confinement (afterwards the worker can
read no module file): the types of every value either engine returns, see
:func:`kb.queries.console.plain_value`.  Any error while running or reading a query is an answer
(capped like results), never a crash that would cost every visitor a restart.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kb.store import GraphStore

__all__ = ["main"]


def _python_folders() -> list[Path]:
    """Where Python and the project's code live (a Neo4j worker imports lazily while connecting)."""
    import site
    import sysconfig

    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(),
               *(sysconfig.get_paths().values()), str(Path(__file__).resolve().parents[2] / "kb")}
    folders |= {os.path.realpath(f) for f in folders}
    return [Path(f) for f in folders if f]


#: Files a Neo4j worker needs to resolve the server's name and check its certificate.
_NAME_SERVICE_FILES = ("/etc/hosts", "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/gai.conf", "/etc/host.conf",
                       "/etc/ssl", "/etc/pki", "/usr/share/ca-certificates", "/usr/lib", "/lib", "/usr/lib64",
                       "/lib64")


#: Modules of the values a query can return, imported before the confinement: LadybugDB's binding
#: imports ``decimal`` on its first DECIMAL or INT128 value, the driver ``pytz`` on its first DateTime
#: with a time zone (its zone files are read beneath site-packages, which a Neo4j worker may read).
VALUE_MODULES = {"ladybug": ("datetime", "decimal", "uuid"),
                 "neo4j": ("datetime", "decimal", "uuid", "neo4j.graph", "neo4j.time", "neo4j.spatial", "pytz")}


def _open_store(config: dict[str, Any]) -> tuple[GraphStore, Any]:
    """Confine the process, then open the store; returns the store and the confinement report."""
    import importlib

    from .sandbox import confine

    for module in VALUE_MODULES[config["backend"]]:
        importlib.import_module(module)
    if config["backend"] == "neo4j":
        import neo4j  # noqa: F401  # imported (and its lazy parts warmed) before the confinement

        from .neo4j import Neo4jSettings, Neo4jStore

        settings = Neo4jSettings(**config["neo4j"])
        "".encode("idna")  # host names are encoded with the idna codec, imported on first use
        address = urlsplit(settings.uri)
        report = confine([*_python_folders(), *map(Path, _NAME_SERVICE_FILES)], tcp_ports=[address.port or 7687])
        return Neo4jStore(settings), report
    from kb.problems import StoreError

    from .ladybug import LadybugStore, current_generation, preload_engine

    preload_engine()
    store_path = Path(config["store"]).resolve()
    if current_generation(store_path) is None:
        # Confined to a folder that does not exist yet, the worker could never read it: start later.
        raise StoreError("no graph has been loaded yet; run: python graph_loader.py load")
    report = confine([store_path])
    return LadybugStore(store_path, max_db_bytes=1024**3), report


def main() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints go to stderr, never into the answers

    def answer(message: dict[str, Any]) -> None:
        answers.write(json.dumps(message, ensure_ascii=False, default=str) + "\n")
        answers.flush()

    config = json.loads(sys.stdin.readline() or "{}")
    from kb.problems import KbError, StoreError
    from kb.queries.console import cap_message, engine_message, error_chars, scrub_paths

    from .sandbox import QueryLimits

    cpu_seconds = int(config.get("cpu_seconds") or 0)
    memory_mb = int(config.get("memory_mb") or 1024)
    limits = QueryLimits(memory_mb * 1024 * 1024, cpu_seconds or 11)  # opens /proc/self/statm before confining
    try:
        store, report = _open_store(config)
    except StoreError as err:  # no graph loaded yet: the site answers 503, as its other pages do
        answer({"ready": False, "unavailable": True, "error": scrub_paths(str(err))})
        return
    except Exception as err:  # told to the site, which shows it to the visitor
        answer({"ready": False, "error": f"The query engine could not start: {scrub_paths(str(err))}"})
        return
    if not report.complete and config.get("sandbox") != "optional":
        answer({"ready": False, "error": "The console is switched off: the operating system cannot confine its "
                                         f"queries (missing: {', '.join(report.missing)}). See docs/reliability.md."})
        return
    answer({"ready": True, "sandbox": report.to_dict()})
    for line in sys.stdin:
        request = json.loads(line)
        timeout_ms = int(request["timeout_ms"])
        error_cap = error_chars(int(request["byte_cap"]))
        limits.cpu_seconds = cpu_seconds or 2 * (timeout_ms // 1000) + 1
        try:
            store.warm()  # (re)opening reserves the database's address space: before the memory cap
            with limits:
                result = store.run_readonly(request["cypher"], request["params"], timeout_ms=timeout_ms,
                                            row_cap=int(request["row_cap"]), byte_cap=int(request["byte_cap"]))
            answer({"ok": True, "result": {"columns": result.columns, "rows": result.rows,
                                           "truncated": result.truncated, "elapsed_ms": result.elapsed_ms,
                                           "notes": result.notes}})
        except StoreError as err:  # the store went away (Neo4j down): a 503, not the visitor's mistake
            answer({"ok": False, "unavailable": True, "error": cap_message(scrub_paths(str(err)), error_cap)})
        except KbError as err:  # already in the console's words and within the error cap
            message = str(err).replace("the console allows and", f"the console allows ({memory_mb:,} MB) and")
            answer({"ok": False, "error": message})
        except (MemoryError, RuntimeError, ValueError, TypeError, OverflowError) as err:
            message = engine_message(f"{type(err).__name__}: {err}", timeout_ms, memory_mb, limit=error_cap)
            answer({"ok": False, "error": message})
        except Exception as err:  # a bug of ours or a driver's: an answer, and the log has it
            traceback.print_exc(limit=20)  # standard error is the site's log, through the pool's pipe
            answer({"ok": False, "error": f"The result could not be read ({type(err).__name__}); the site's log "
                                          "has the details. Please report the query."})
        if store.settings_changed():
            store.close()  # a query changed a database-wide setting: the next query reopens a fresh handle

if __name__ == "__main__":
    main()
