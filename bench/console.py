"""Latency of a console query: through the worker pool (what the site does) against in-process.

Loads the repository's content into a temporary store, then runs a few typical console queries
``--repeat`` times each three ways and prints the medians: the old path (in the site's process,
text check then the query, as before issue 13), in-process with the plan check
(``LadybugStore.run_readonly``), and through a warm :class:`kb.store.console_pool.ConsolePool`
(what the site does now), with the ratio of the last to the first.

    python bench/console.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kb.graph.rows import graph_rows  # noqa: E402
from kb.load import load_content  # noqa: E402
from kb.queries.console import check_read_only, read_capped  # noqa: E402
from kb.store.console_pool import ConsolePool, WorkerConfig  # noqa: E402
from kb.store.ladybug import LadybugStore, rebuild  # noqa: E402

QUERIES = {
    "one row": "RETURN 1 AS one",
    "organisations": "MATCH (o:Organisation) RETURN o.id, o.name ORDER BY o.id",
    "practices per case": "MATCH (o:Organisation)-[:USES_PRACTICE]->(p:Practice) RETURN o.id, count(p) AS n "
                          "ORDER BY n DESC LIMIT 10",
    "nodes (row cap)": "MATCH (n) RETURN n LIMIT 1000",
}


def median_ms(run, repeat: int) -> float:
    run()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def old_path(store: LadybugStore, cypher: str) -> None:
    """What the console did before issue 13: the word check, then the query on a new connection."""
    import ladybug

    check_read_only(cypher)
    connection = ladybug.Connection(store.warm())
    connection.set_query_timeout(5000)
    try:
        read_capped(connection.execute(cypher, {}), 1000)
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "store"
        rebuild(store, graph_rows(load_content(REPO).corpus))
        in_process = LadybugStore(store)
        pool = ConsolePool(WorkerConfig(store=str(store)), size=2)
        limits = {"timeout_ms": 5000, "row_cap": 1000}
        try:
            started = time.perf_counter()
            pool.run("RETURN 1", {}, byte_cap=0, **limits)
            print(f"first query (starts a worker): {(time.perf_counter() - started) * 1000:.0f} ms")
            print(f"{'query':<22}{'old path ms':>13}{'+ plan check':>14}{'worker pool ms':>16}{'ratio':>8}")
            for name, cypher in QUERIES.items():
                old = median_ms(lambda c=cypher: old_path(in_process, c), args.repeat)
                planned = median_ms(lambda c=cypher: in_process.run_readonly(c, {}, **limits), args.repeat)
                pooled = median_ms(lambda c=cypher: pool.run(c, {}, byte_cap=4 * 1024 * 1024, **limits), args.repeat)
                print(f"{name:<22}{old:>13.2f}{planned:>14.2f}{pooled:>16.2f}{pooled / old:>8.2f}")
        finally:
            pool.close()
            in_process.close()


if __name__ == "__main__":
    main()
