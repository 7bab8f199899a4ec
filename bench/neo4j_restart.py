"""Benchmark: ``graph_loader.py load --neo4j`` after one change, on a Neo4j server started afresh.

What ``bench/scale.py`` does before timing goal 4's command: the first sync on one server, then the
same data served by a server started again (on another port, as ``tools/neo4j`` picks a free one)
and queried a little, then three one-change commands.  For each checkout (``--baseline`` first, in
the same run, then this one): the first sync with that checkout's code, the server stopped and
started afresh, a few unrelated reads (as the benchmark's queries and pages warm it), then
``--changes`` times: one case file edited in the corpus copy and the whole command timed in a new
Python (wall seconds, and CPU seconds of the command and its workers), with the sync's report.
``--statements`` also syncs two more changes in this process and gives each Cypher statement's
``run()`` time (where the server's planning of a statement shows).  Run::

    cp -al bench/corpus/1000 /tmp/c1k && python graph_loader.py load --root /tmp/c1k --store /tmp/s1k
    python bench/neo4j_restart.py --root /tmp/c1k --store /tmp/s1k --data /tmp/neo1k --baseline /tmp/old-checkout

The corpus must be a copy (its files are edited: a hard-linked copy is fine, each edit replaces the file).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools" / "neo4j"))
sys.path.insert(0, str(REPO))

from server import Neo4jServer  # noqa: E402  (tools/neo4j)

#: Reads unrelated to the sync, as the benchmark's named queries warm the server's JVM before the changes.
WARM_UP = ("MATCH (n) RETURN count(n)", "MATCH ()-[r]->() RETURN count(r)",
           "MATCH (o:Organisation) RETURN o.id AS id, o.name AS name LIMIT 2000")


def server(data: Path, heap: str) -> Neo4jServer:
    most = f"{max(int(heap[:-1]) * 1024 - 512, 256)}m"  # one transaction: all of the heap but 512 MB
    return Neo4jServer(heap=heap, pagecache="1g", tx_timeout="2h", data_dir=data, transaction_max=most,
                       settings={"dbms.memory.transaction.total.max": most})


def edit(case: Path, n: int) -> None:
    """One more sentence in the summary, written to a new file put in place of the old (as editors save)."""
    text = case.read_text(encoding="utf-8")
    new = case.with_name(case.name + ".edit")
    new.write_text(re.sub(r"^(summary: .*)$", rf"\1 Edited {n}.", text, count=1, flags=re.M), encoding="utf-8")
    os.replace(new, case)


def command(checkout: Path, root: Path, store: Path, uri: str) -> tuple[float, float, str]:
    """The whole ``load --neo4j`` command of ``checkout`` in a new Python: wall s, CPU s, the sync's report."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_") and k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    begin = time.perf_counter()
    done = subprocess.run([sys.executable, str(checkout / "graph_loader.py"), "load", "--root", str(root), "--store",
                           str(store), "--neo4j", uri], capture_output=True, text=True, env=env, cwd=checkout)
    wall = time.perf_counter() - begin
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"{checkout}: load --neo4j failed: {done.stderr[-2000:]}")
    said = [line for line in done.stdout.splitlines() if re.match(r"(created|updated|deleted|no changes)", line)]
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, (said or [""])[0]


def restarted(checkout: Path, args: argparse.Namespace, case: Path) -> list[float]:
    """The first sync with ``checkout``'s code, then ``--changes`` commands on the server started afresh."""
    with server(args.data, args.heap) as first:
        wall, cpu, said = command(checkout, args.root, args.store, first.uri)
        print(f"{checkout}: first sync {wall:.1f} s, {cpu:.1f} CPU s: {said}", flush=True)
    with server(args.data, args.heap) as again:
        import neo4j

        with neo4j.GraphDatabase.driver(again.uri, auth=None) as driver:
            for cypher in WARM_UP:
                driver.execute_query(cypher, database_="neo4j")
        walls = []
        for i in range(args.changes):
            edit(case, int(time.time() * 10) % 10**6 + i)
            wall, cpu, said = command(checkout, args.root, args.store, again.uri)
            walls.append(wall)
            print(f"  started afresh ({again.uri}), change {i + 1}: {wall:.2f} s, {cpu:.2f} CPU s: {said}", flush=True)
        if args.statements and checkout == REPO:
            statements(args, case, again.uri)
    return walls


def statements(args: argparse.Namespace, case: Path, uri: str) -> None:
    """Two more changes synced in this process, each Cypher statement's ``run()`` time."""
    from neo4j._sync.work.transaction import TransactionBase

    from kb.load.neo4j import sync_to_neo4j
    from kb.store.neo4j import Neo4jSettings

    timings: list[tuple[float, str]] = []
    run = TransactionBase.run

    def timed(self: TransactionBase, query: str, parameters: dict | None = None, **kwargs: object) -> object:
        begin = time.perf_counter()
        result = run(self, query, parameters, **kwargs)
        timings.append((time.perf_counter() - begin, " ".join(str(query).split())[:100]))
        return result

    TransactionBase.run = timed
    for i in range(2):
        edit(case, int(time.time() * 10) % 10**6 + 50 + i)
        timings.clear()
        _, report = sync_to_neo4j(args.root, args.store, Neo4jSettings(uri))
        print(f"  in this process, change {i + 1}: the Neo4j part {report.seconds:.2f} s, {len(timings)} statements "
              f"({'part' if report.part else 'all compared'}), their run() {sum(s for s, _ in timings):.2f} s")
        for seconds, query in sorted(timings, reverse=True)[:6]:
            print(f"    {seconds * 1000:6.0f} ms  {query}")
    TransactionBase.run = run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="a copy of a corpus (its files are edited)")
    parser.add_argument("--store", type=Path, required=True, help="the embedded store of that copy")
    parser.add_argument("--data", type=Path, required=True, help="the Neo4j server's folder (kept between starts)")
    parser.add_argument("--heap", default="4g", help="the server's heap (a first sync of 10,000 cases needs about 7g)")
    parser.add_argument("--baseline", type=Path, help="an earlier checkout, measured first in the same run")
    parser.add_argument("--changes", type=int, default=3)
    parser.add_argument("--statements", action="store_true", help="each statement's time, this checkout")
    args = parser.parse_args()
    case = sorted((args.root / "cases").glob("*.md"))[1]
    checkouts = ([args.baseline] if args.baseline else []) + [REPO]
    runs = {checkout: restarted(checkout, args, case) for checkout in checkouts}
    for checkout, walls in runs.items():
        print(f"{checkout}: median {statistics.median(walls):.2f} s, worst {max(walls):.2f} s, first {walls[0]:.2f} s")
    if args.baseline:
        ratio = statistics.median(runs[REPO]) / statistics.median(runs[args.baseline])
        print(f"median: this checkout / baseline = {ratio:.2f}")


if __name__ == "__main__":
    main()
