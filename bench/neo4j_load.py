"""Benchmark: the project's Neo4j load against a naive load and the bare optimum, on one fresh server.

For each corpus size (synthetic cases from ``bench/generate_corpus.py``), three ways of writing the
same graph rows into an emptied database are timed, in the same run and on the same server:

- **project**: ``kb.store.neo4j_sync.sync``: reads what is there, diffs content hashes, writes only
  the differences in batched ``UNWIND`` statements, all in one transaction (into an empty database,
  that is everything);
- **bare optimum**: plain ``UNWIND`` statements, no hashes, no marker label, no reading back, the
  faster of two ways in each round: one statement per label and per relationship type (and end
  labels), each in its own transaction; or batches of the project's size (``BATCH_ROWS``), all in one
  transaction (the faster at 10,000 cases in one run of the fifth round);
- **naive**: what a newcomer writes: one auto-committed statement per node and per relationship.
  When that would take too long, a random sample of the statements is timed against a database
  filled to full size and the total extrapolated; the table says so.

Every method gets the same typed property rows and the same uniqueness constraints (created once,
not timed), so the comparison is about how the writes are made.  Timings start from the graph rows
(parsing the Markdown is not timed) and end when the data is committed.  Beside the wall time each
method's CPU seconds are given, this process's (its threads included) and the server's: on a shared
machine they move much less than the wall time.  Run::

    python bench/neo4j_load.py                       # 100, 1,000 and 10,000 cases
    python bench/neo4j_load.py --sizes 100 1000 --naive-limit 5000
    python bench/neo4j_load.py --sizes 10000 --repeat 1 --naive-sample 0   # no naive load
    python bench/neo4j_load.py --sizes 1000 10000 --from-store 10000=.kb/store-10k   # rows from a loaded store

It prints progress on stderr and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import neo4j

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.generate_corpus import DEFAULT_OUT, generate  # noqa: E402
from kb.graph.rows import GraphRows, graph_rows  # noqa: E402
from kb.graph.schema import NODE_PROPERTIES, REL_PROPERTIES  # noqa: E402
from kb.load import load_content  # noqa: E402
from kb.store.neo4j import VERSION_LABEL, Neo4jSettings  # noqa: E402
from kb.store.neo4j_sync import (  # noqa: E402
    BATCH_ROWS,
    create_nodes_cypher,
    create_rels_cypher,
    ensure_constraints,
    neo4j_properties,
    sync,
)

DATABASE = "neo4j"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_server_module():
    name = "kb_tools_neo4j_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "tools" / "neo4j" / "server.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def corpus_rows(n: int, store: Path | None = None) -> GraphRows:
    """The graph rows of ``n`` synthetic cases: read from the files, or from an embedded store they were loaded into.

    The store gives the same rows (``tests/test_neo4j_incremental.py``), in seconds rather than minutes.
    """
    if store is not None:
        from kb.export.exchange import rows_from_store
        from kb.store.ladybug import LadybugStore

        log(f"reading the rows of {n} cases from the embedded store {store}")
        embedded = LadybugStore(store)
        try:
            return rows_from_store(embedded)
        finally:
            embedded.close()
    folder = DEFAULT_OUT / str(n)
    if not (folder / "cases").is_dir() or len(list((folder / "cases").glob("*.md"))) != n:
        log(f"generating {n} synthetic cases into {folder}")
        generate(n, folder)
    log(f"reading and validating {n} cases")
    result = load_content(folder)
    if not result.ok:
        raise SystemExit(f"the synthetic corpus has errors: {result.errors[:3]}")
    return graph_rows(result.corpus)


def wipe(driver: neo4j.Driver) -> None:
    """Empty the database in small transactions (a big graph does not fit one delete)."""
    with driver.session(database=DATABASE) as session:
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 50000 ROWS").consume()


def counts(driver: neo4j.Driver) -> tuple[int, int]:
    """Nodes and relationships of the graph (the project's graph-version node left out: it is not a row)."""
    nodes = driver.execute_query(f"MATCH (n) WHERE NOT n:{VERSION_LABEL} RETURN count(n)",
                                 database_=DATABASE).records[0][0]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r)", database_=DATABASE).records[0][0]
    return nodes, rels


# --- the three loads ----------------------------------------------------------------------------------

def typed_rows(rows: GraphRows) -> tuple[dict[str, list[dict]], dict[tuple[str, str, str], list[dict]]]:
    """Node and relationship rows as every method sends them: typed, empty values left out."""
    nodes = {label: [neo4j_properties(node, NODE_PROPERTIES[label]) for node in items]
             for label, items in rows.nodes.items()}
    rels: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for rel in rows.rels:
        rels[(rel.type, rel.start_label, rel.end_label)].append(
            {"s": rel.start, "e": rel.end, "p": neo4j_properties(rel.props, REL_PROPERTIES)})
    return nodes, rels


def load_project(driver: neo4j.Driver, rows: GraphRows) -> None:
    report = sync(Neo4jSettings("bolt://benchmark", database=DATABASE), rows, driver=driver)
    assert report.created["nodes"] == sum(len(v) for v in rows.nodes.values()), report


def load_bare_batched(driver: neo4j.Driver, rows: GraphRows, batch_size: int = BATCH_ROWS) -> None:
    """The same plain UNWIND statements in batches of ``batch_size`` rows, all in one transaction."""
    nodes, rels = typed_rows(rows)
    statements = [(create_nodes_cypher(label, managed=False), items) for label, items in nodes.items()]
    statements += [(create_rels_cypher(*key, managed=False), items) for key, items in rels.items()]
    with driver.session(database=DATABASE) as session, session.begin_transaction() as tx:
        for cypher, items in statements:
            for start in range(0, len(items), batch_size):
                tx.run(cypher, rows=items[start:start + batch_size]).consume()
        tx.commit()


def load_bare(driver: neo4j.Driver, rows: GraphRows, skip: set[tuple[str, str]] | None = None,
              with_rels: bool = True) -> None:
    """One UNWIND per label and per relationship type, each in its own transaction."""
    nodes, rels = typed_rows(rows)
    for label, items in nodes.items():
        if skip:
            items = [row for row in items if (label, row["id"]) not in skip]
        driver.execute_query(create_nodes_cypher(label, managed=False), rows=items, database_=DATABASE)
    if not with_rels:
        return
    for (rel_type, start, end), items in rels.items():
        driver.execute_query(create_rels_cypher(rel_type, start, end, managed=False), rows=items, database_=DATABASE)


def naive_statements(rows: GraphRows) -> tuple[list[tuple[str, dict, tuple[str, str]]], list[tuple[str, dict]]]:
    nodes, rels = typed_rows(rows)
    node_statements = [(f"CREATE (n:{label}) SET n = $props", {"props": row}, (label, row["id"]))
                       for label, items in nodes.items() for row in items]
    rel_statements = [(f"MATCH (a:{start} {{id: $s}}) MATCH (b:{end} {{id: $e}}) CREATE (a)-[r:{rel_type}]->(b) "
                       "SET r = $props", {"s": row["s"], "e": row["e"], "props": row["p"]})
                      for (rel_type, start, end), items in rels.items() for row in items]
    return node_statements, rel_statements


#: The two ways a newcomer runs one statement: an auto-commit query in a session, or the driver's
#: ``execute_query`` (what the driver's manual shows first: one managed transaction per call).
NAIVE_STYLES = ("session.run", "execute_query")


def run_each(driver: neo4j.Driver, statements: list, style: str) -> float:
    """Run statements one by one, each in its own transaction; return the seconds taken."""
    started = time.perf_counter()
    if style == "session.run":
        with driver.session(database=DATABASE) as session:
            for cypher, params, *_ in statements:
                session.run(cypher, params).consume()
    else:
        for cypher, params, *_ in statements:
            driver.execute_query(cypher, params, database_=DATABASE)
    return time.perf_counter() - started


@dataclass
class NaiveResult:
    seconds: dict[str, float]  # style -> seconds for the whole load
    sampled: int = 0  # statements actually timed per style when the total is extrapolated
    total: int = 0


def load_naive(driver: neo4j.Driver, rows: GraphRows, limit: int, sample: int, seed: int = 0) -> NaiveResult:
    node_statements, rel_statements = naive_statements(rows)
    total = len(node_statements) + len(rel_statements)
    if total <= limit:
        seconds = {}
        for style in NAIVE_STYLES:
            wipe(driver)
            seconds[style] = run_each(driver, node_statements, style) + run_each(driver, rel_statements, style)
            log(f"  naive, {style}: {seconds[style]:.1f} s")
        return NaiveResult(seconds, total, total)
    rng = random.Random(seed)
    node_sample = rng.sample(node_statements, min(2 * sample, len(node_statements)))
    rel_sample = rng.sample(rel_statements, min(sample, len(rel_statements)))
    # Time samples against a database filled to full size, as the tail of a real naive load would see.
    # Each style creates its own half of the sampled nodes; relationships may be created twice.
    log(f"  naive: bulk-loading all but {len(node_sample)} nodes (not timed), then timing the samples")
    load_bare(driver, rows, skip={statement[2] for statement in node_sample}, with_rels=False)
    seconds = {}
    for index, style in enumerate(NAIVE_STYLES):
        nodes = node_sample[index::2]
        seconds[style] = (run_each(driver, nodes, style) / len(nodes) * len(node_statements)
                          + run_each(driver, rel_sample, style) / len(rel_sample) * len(rel_statements))
        log(f"  naive, {style}: {seconds[style]:.1f} s (extrapolated)")
    return NaiveResult(seconds, len(node_sample) // 2 + len(rel_sample), total)


# --- the run ------------------------------------------------------------------------------------------

def process_cpu(pid: int | None) -> float:
    """CPU seconds (user and system) a process has used so far; 0 when it cannot be read (not Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(action, server_pid: int | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process, its threads included, and the server's) of ``action``.

    On a shared machine the wall time moves with the other work; the CPU seconds move much less.
    """
    started, cpu, server = time.perf_counter(), time.process_time(), process_cpu(server_pid)
    action()
    return (time.perf_counter() - started,
            time.process_time() - cpu + process_cpu(server_pid) - server)


def measure(driver: neo4j.Driver, rows: GraphRows, repeat: int, naive_limit: int, naive_sample: int,
            server_pid: int | None = None) -> dict:
    expected = (sum(len(v) for v in rows.nodes.values()), len(rows.rels))
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    # The bare optimum is the faster of its two ways (the module docstring), best of the rounds.
    methods = [("bare", "bare, a statement per label and type", lambda: load_bare(driver, rows)),
               ("bare", "bare, batches in one transaction", lambda: load_bare_batched(driver, rows)),
               ("project", "project", lambda: load_project(driver, rows))]
    for round_ in range(repeat):
        for method, name, load in methods if round_ % 2 == 0 else methods[::-1]:  # alternate who goes first
            wipe(driver)
            seconds, cpu_seconds = timed(load, server_pid)
            found = counts(driver)
            assert found == expected, f"{name} wrote {found}, expected {expected}"
            log(f"  {name}: {seconds:.2f} s, {cpu_seconds:.1f} CPU s with the server's (round {round_ + 1})")
            best[method] = min(best.get(method, seconds), seconds)
            cpu[method] = min(cpu.get(method, cpu_seconds), cpu_seconds)
    wipe(driver)
    naive = load_naive(driver, rows, naive_limit, naive_sample) if naive_sample else None
    wipe(driver)
    return {"nodes": expected[0], "rels": expected[1], **best, "cpu": cpu, "naive": naive}


def java_version(java: Path | None) -> str:
    if java is None:
        return "?"
    out = subprocess.run([str(java), "-version"], capture_output=True, text=True).stderr.splitlines()
    return out[1].strip() if len(out) > 1 else (out[0] if out else "?")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000], help="corpus sizes (cases)")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of project and bare loads; the best counts")
    parser.add_argument("--heap", default="8g", help="Neo4j heap (a first 10,000-case load is one ~4 GB transaction)")
    parser.add_argument("--pagecache", default="1g")
    parser.add_argument("--naive-limit", type=int, default=20000,
                        help="run the naive load in full up to this many statements, else sample")
    parser.add_argument("--naive-sample", type=int, default=2000,
                        help="sampled node and relationship statements (0: no naive load)")
    parser.add_argument("--from-store", nargs="+", default=[], metavar="N=STORE",
                        help="read the rows of N cases from an embedded store of them (graph_loader.py load --store)")
    parser.add_argument("--uri", help="use this running server (its database is emptied) instead of starting one")
    parser.add_argument("--server-pid", type=int, help="with --uri: the server's process id, for its CPU seconds")
    args = parser.parse_args(argv)

    stores = {int(n): Path(store) for n, store in (item.split("=", 1) for item in args.from_store)}
    corpora = {n: corpus_rows(n, stores.get(n)) for n in args.sizes}
    server = _RunningServer(args.uri, args.server_pid) if args.uri else _fresh_server(args)
    results = {}
    try:
        with neo4j.GraphDatabase.driver(server.uri, auth=None) as driver:
            ensure_constraints(driver, DATABASE)
            smallest = corpora[min(corpora)]
            log("warming up the JVM (not timed)")
            for load in (lambda: load_bare(driver, smallest), lambda: load_project(driver, smallest)):
                wipe(driver)
                load()
            if isinstance(server, _RunningServer):
                server.version = driver.execute_query("CALL dbms.components() YIELD versions RETURN versions[0]",
                                                      database_="system").records[0][0]
            for n, rows in corpora.items():
                log(f"{n} cases")
                results[n] = measure(driver, rows, args.repeat, args.naive_limit, args.naive_sample, server.pid)
        print_table(results, server, args)
    finally:
        server.stop()
    return 0


def _fresh_server(args: argparse.Namespace):
    module = load_server_module()
    # A bulk load is one large transaction: it may use the whole heap (the dev server's default is half).
    server = module.Neo4jServer(heap=args.heap, pagecache=args.pagecache, tx_timeout="2h",
                                transaction_max=args.heap, settings={"db.logs.query.enabled": "OFF"})
    log(f"starting a fresh Neo4j (heap {args.heap}, page cache {args.pagecache})")
    server.start()
    return server


@dataclass
class _RunningServer:
    """A server already running (``--uri``): its database is emptied and used; it is left running."""

    uri: str
    pid: int | None
    version: str = "?"
    java: Path | None = None

    def stop(self) -> None:
        pass


def print_table(results: dict, server, args) -> None:
    where = (f"at {server.uri}, already running (its own heap and page cache)" if isinstance(server, _RunningServer)
             else f"({java_version(server.java)}), heap {args.heap}, page cache {args.pagecache}")
    print(f"Neo4j {server.version} Community {where}; Python {platform.python_version()}, "
          f"neo4j driver {neo4j.__version__}"
          f"{' with neo4j-rust-ext' if _rust_ext() else ''}; {platform.machine()}, {_cpus()} CPUs. "
          f"Project and bare: best of {args.repeat} rounds.")
    print()
    print("| cases | nodes | relationships | project load | bare optimum | project / bare | CPU s, project "
          "| CPU s, bare | project / bare, CPU | naive, session.run | naive, execute_query | naive / project |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    notes = []
    for n, r in results.items():
        naive, cpu = r["naive"], r["cpu"]
        cpu_ratio = f"{cpu['project'] / cpu['bare']:.2f}x" if cpu["bare"] else "?"
        line = (f"| {n:,} | {r['nodes']:,} | {r['rels']:,} | {r['project']:.1f} s | {r['bare']:.1f} s "
                f"| {r['project'] / r['bare']:.2f}x | {cpu['project']:.1f} | {cpu['bare']:.1f} | {cpu_ratio} ")
        if naive is None:
            print(line + "| not measured | not measured | |")
            continue
        mark = ""
        if naive.sampled < naive.total:
            mark = " *"
            notes.append(f"{n:,} cases: naive loads timed on random samples of {naive.sampled:,} of the "
                         f"{naive.total:,} statements (per style) and extrapolated")
        fast, slow = (naive.seconds[style] for style in NAIVE_STYLES)
        print(line + f"| {fast:,.0f} s{mark} | {slow:,.0f} s{mark} | {fast / r['project']:,.0f}x / "
              f"{slow / r['project']:,.0f}x |")
    print("\nCPU s: the loading process's (its threads included) and the Neo4j server's, best of the rounds; "
          "on a shared machine they move much less than the wall time.")
    for note in notes:
        print(f"\n\\* {note}")


def _rust_ext() -> bool:
    return importlib.util.find_spec("neo4j._rust") is not None


def _cpus() -> int:
    return os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())
