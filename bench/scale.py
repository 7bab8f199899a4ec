"""How cost grows with the number of cases, against the floor and against the goals (issues 8 and 29).

For N = 100, 1,000 and 10,000 synthetic cases (``bench/generate_corpus.py``, made on first use in
the git-ignored ``bench/corpus/``; 100,000 with ``--sizes``), one run measures and prints:

- **parse + validate** throughput (files/s) against the **floor**: the fastest parse that still gives
  the validator what it needs, in one thread: reading the files, composing the front matter with
  LibYAML (every value's line and column: the graph keeps the line of each size figure and relation)
  and the Markdown body's events with byte ranges from pyromark.  The previous floor (markdown-it's
  full tokenisation) is printed beside it;
- **full load** into the embedded store (``kb.load.load_embedded(full=True)``) with an empty
  cache (cold) and with the parse cache filled (warm), in seconds and in CPU seconds (the process and
  its workers: on a shared machine the wall time moves with the other work, the CPU time much less);
- **reload after one changed file** (the median and worst of ten edits to different cases), after no
  change, and ``graph_loader.py load`` after one change (with Python's start-up);
- **peak memory** of a load: the RSS of the loading process, or if higher the summed PSS of it and
  its worker processes sampled every 50 ms; every N's loads run in a fresh subprocess;
- **p50 and p95 of each named store query** on the embedded store and on Neo4j (a fresh server
  from ``tools/neo4j``, loaded with the project's sync), and of **comparable cases**; the first
  Neo4j sync against the bare optimum (one ``UNWIND`` per label and relationship type, on the
  emptied database) and the sync of one changed case;
- **every page kind without the page cache**, on both stores: p50 and p95 of each kind of page
  rendered by the app in this process (``KB_PAGE_CACHE_MB=0``), on sampled URLs;
- **the site under load**: gunicorn on 127.0.0.1 serving the app over the N-case store, and the
  same gunicorn serving a trivial Flask route; wrk with 16 connections for 20 s against case pages
  (with the site's page cache, and again with it off: every request rendered afresh),
  comparable-cases requests and the trivial route: throughput, p95 and errors.

Ratios are against baselines measured in the same run; the load average is printed at the start
and the end.  Goals (issue 29, at N = 10,000): a cold full load under 10 s; a reload after one
changed file under 0.3 s (worst of 10) and ``graph_loader.py load`` after one change under 1 s;
every page kind's p95 under 100 ms embedded and under 300 ms on Neo4j without the page cache; the
Neo4j sync of one changed case under 1 s and the first sync within 1.2x of the bare optimum; peak
memory of a load under 2 GB (at 100,000 cases too).  Usage::

    python bench/scale.py                          # N = 100, 1,000 and 10,000 (about 30 minutes)
    python bench/scale.py --max-n 1000             # stop at 1,000
    python bench/scale.py --sizes 10000 --skip-neo4j --duration 10
    python bench/scale.py --sizes 100000 --skip-neo4j --skip-web   # the 100,000-case load (long)
    python bench/scale.py --markdown /tmp/figures.md   # also write the tables as Markdown

Needs ``wrk`` (Debian: ``apt-get install -y wrk``) and ``gunicorn`` for the site figures, Java and
Maven for Neo4j; what is missing is skipped with a note.  Everything listens on 127.0.0.1 only, every
load test stops by itself, and every server started is stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SIZES = (100, 1_000, 10_000)
GOALS = {"full_s": 10.0, "reload_s": 0.3, "reload_cli_s": 1.0, "compare_p95_ms": 50.0, "page_p95_ms": 100.0,
         "page_p95_neo4j_ms": 300.0, "neo4j_change_s": 1.0, "neo4j_vs_bare": 1.2, "rss_mb": 2048.0}
EDITS = 10


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1) of a non-empty list.

    >>> percentile([5, 1, 4, 2, 3], 0.5), percentile(list(range(1, 101)), 0.95)
    (3, 95)
    """
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))]


# --- phase 1: loading, in a fresh process per N -------------------------------------------------

class TreeMemory:
    """Peak memory of this process and its children (a load's worker processes), sampled every 50 ms.

    It sums each process's PSS (``/proc/<pid>/smaps_rollup``): pages shared after a fork count once
    in all, where summed RSS would count them once per process.  Use as a context manager; ``peak_mb``.
    """

    def __init__(self, every: float = 0.05):
        import threading

        self.every, self.peak_mb = every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _pss_mb(pid: int) -> float:
        try:
            match = re.search(r"^Pss:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.MULTILINE)
        except OSError:
            return 0.0
        return int(match.group(1)) / 1024 if match else 0.0

    def _tree(self) -> list[int]:
        pids, queue = [], [os.getpid()]
        while queue:
            pid = queue.pop()
            pids.append(pid)
            with contextlib.suppress(OSError):
                for task in Path(f"/proc/{pid}/task").iterdir():
                    queue += [int(c) for c in (task / "children").read_text().split()]
        return pids

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak_mb = max(self.peak_mb, sum(self._pss_mb(pid) for pid in self._tree()))

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def floor(root: Path) -> dict[str, float]:
    """The fastest parse that still gives the validator what it needs, in one thread.

    Read every content file, compose its front matter with LibYAML (nodes with their lines and
    columns) and walk its body's Markdown events with their byte ranges (pyromark), nothing else.
    """
    import pyromark
    import yaml

    files = _content_files(root)
    started, cpu = time.perf_counter(), time.process_time()
    for path in files:
        text = path.read_bytes().decode("utf-8")
        _, front, body = text.split("---\n", 2)
        yaml.compose(front, Loader=yaml.CSafeLoader)
        for _event in pyromark.events_with_range(body, merge_text=True):
            pass
    return _throughput(files, started, cpu)


def previous_floor(root: Path) -> dict[str, float]:
    """The floor of the first rounds: LibYAML's data and markdown-it's full tokenisation of the body."""
    import yaml
    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark")
    files = _content_files(root)
    started, cpu = time.perf_counter(), time.process_time()
    for path in files:
        text = path.read_bytes().decode("utf-8")
        _, front, body = text.split("---\n", 2)
        yaml.load(front, Loader=yaml.CSafeLoader)
        markdown.parse(body)
    return _throughput(files, started, cpu)


def _content_files(root: Path) -> list[Path]:
    return sorted((root / "cases").glob("*.md")) + sorted((root / "concepts").glob("*/*.md"))


def _throughput(files: list, started: float, cpu: float) -> dict[str, float]:
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    return {"files": len(files), "seconds": seconds, "files_per_s": len(files) / seconds, "cpu_s": cpu_seconds,
            "files_per_cpu_s": len(files) / cpu_seconds}


def parse_and_validate(root: Path) -> dict[str, float]:
    """The pipeline's parsing and validation of every file, without a cache."""
    from kb.check.validate import validate
    from kb.check.vocabulary import load_vocabulary
    from kb.content.files import ContentLayout, discover
    from kb.content.parse import parse_file

    started, cpu = time.perf_counter(), time.process_time()
    layout = ContentLayout(root)
    vocabulary = load_vocabulary(layout.vocabulary)
    files = discover(layout)
    problems = validate([parse_file(f, layout) for f in files], vocabulary)
    assert not [p for p in problems if p.is_error], problems[:3]
    return _throughput(files, started, cpu)


def edit_case(path: Path, n: int) -> None:
    """A contributor's small edit: one more sentence in the summary."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^(summary: .*)$", rf"\1 Edited {n}.", text, count=1, flags=re.MULTILINE),
                    encoding="utf-8")


def check_phase(root: Path) -> dict[str, Any]:
    """The floor and the pipeline's parse+validate (the ``validate`` command's work), and its peak RSS."""
    result = {"floor": floor(root), "floor_previous": previous_floor(root)}
    if len(_content_files(root)) <= 20_000:  # validate holds every document: not at 100,000 cases
        result["parse_validate"] = parse_and_validate(root)
    result["validate_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _cpu_seconds() -> float:
    """User and system CPU time of this process and of its finished children (a load's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load_phase(root: Path, store: Path) -> dict[str, Any]:
    """Cold and warm full loads, reloads; the peak RSS of the process doing them (a load's memory)."""
    from kb.load import load_embedded

    result: dict[str, Any] = {}
    for name in ("full_cold", "full_warm"):
        cpu = _cpu_seconds()
        with TreeMemory() as memory:
            load = load_embedded(root, store, full=True)
        assert load.ok and load.mode == "full", (load.mode, load.errors[:3])
        result[name] = load.seconds
        result[f"{name}_cpu_s"] = _cpu_seconds() - cpu
        result[f"{name}_tree_mb"] = memory.peak_mb
        log(f"  {name.replace('_', ' ')}: {load.seconds:.2f} s, peak memory {memory.peak_mb:.0f} MB "
            "(this process and its workers)")
    cases = sorted((root / "cases").glob("*.md"))
    reloads = []
    for n, case in enumerate(random.Random(8).sample(cases, EDITS)):
        edit_case(case, n)
        load = load_embedded(root, store)
        assert load.ok and load.mode == "incremental", (load.mode, load.errors[:3])
        reloads.append(load.seconds)
    result["reload"] = {"median": statistics.median(reloads), "max": max(reloads), "all": reloads}
    unchanged = load_embedded(root, store)
    assert unchanged.mode == "unchanged", unchanged.mode
    result["reload_unchanged"] = unchanged.seconds
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    edit_case(cases[0], EDITS)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "graph_loader.py"), "load", "--root", str(root), "--store",
                    str(store), "--quiet"], check=True)
    result["reload_cli"] = time.perf_counter() - started
    return result


# --- phase 2: named queries and comparable cases ------------------------------------------------

def query_params(cypher: str, name: str, params: tuple[str, ...], defaults: dict[str, str],
                 ids: Callable[[str], list[str]], rng: random.Random) -> dict[str, Any]:
    """Realistic parameters for one run of a named query."""
    if defaults:
        return dict(defaults)
    values: dict[str, Any] = {}
    for param in params:
        if param == "id":
            label = re.search(r":(\w+) \{id: \$id\}", cypher)
            values["id"] = rng.choice(ids(label.group(1) if label else "Source"))
        elif param == "ids" and "labels" in params:
            values["ids"] = rng.sample(ids("Organisation"), min(5, len(ids("Organisation"))))
        elif param == "ids":
            values["ids"] = rng.sample(ids("Source"), min(50, len(ids("Source"))))
        elif param == "labels":
            values["labels"] = ["Organisation", "Practice", "Challenge", "Outcome", "Framework", "Sector"]
    return values


def time_queries(store: Any, budget_s: float = 1.5, most: int = 20) -> dict[str, dict[str, float]]:
    """p50 and p95 (ms) of every named query, each run until ``most`` runs or ``budget_s`` (at least 3)."""
    from kb.problems import KbError
    from kb.queries.catalogue import QUERIES, cypher_for

    known: dict[str, list[str]] = {}

    def ids(label: str) -> list[str]:
        if label not in known:
            known[label] = [r["id"] for r in store.run(f"MATCH (n:{label}) RETURN n.id AS id")] or ["none"]
        return known[label]

    rng = random.Random(1)
    timings = {}
    for name, query in QUERIES.items():
        cypher = cypher_for(name, store.backend)
        samples: list[float] = []
        started = time.perf_counter()
        try:
            while len(samples) < 3 or (len(samples) < most and time.perf_counter() - started < budget_s):
                params = query_params(cypher, name, query.params, query.default_params, ids, rng)
                begin = time.perf_counter()
                store.query(name, **params)
                samples.append((time.perf_counter() - begin) * 1000)
        except KbError as err:  # reported in the table, and the run goes on
            timings[name] = {"error": str(err).splitlines()[0][:120]}
            continue
        timings[name] = {"p50": percentile(samples, 0.5), "p95": percentile(samples, 0.95), "runs": len(samples)}
    return timings


def time_comparable(store: Any, runs: int = 200) -> dict[str, float]:
    """Comparable cases for random cases: the first call (builds the index) and p50/p95 of the rest."""
    from kb import analysis

    cases = [r["id"] for r in store.run("MATCH (o:Organisation) RETURN o.id AS id")]
    rng = random.Random(2)
    begin = time.perf_counter()
    analysis.comparable_cases(store, rng.choice(cases))
    first = (time.perf_counter() - begin) * 1000
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        analysis.comparable_cases(store, rng.choice(cases))
        samples.append((time.perf_counter() - begin) * 1000)
    return {"first_ms": first, "p50": percentile(samples, 0.5), "p95": percentile(samples, 0.95)}


def page_urls(store: Any, rng: random.Random, each: int = 20) -> dict[str, list[str]]:
    """Sampled URLs of every kind of page (its HTML; the JSON twins run the same queries)."""
    def ids(label: str) -> list[str]:
        found = [r["id"] for r in store.run(f"MATCH (n:{label}) RETURN n.id AS id")]
        return rng.sample(found, min(each, len(found))) if found else ["none"]

    cases, sources = ids("Organisation"), ids("Source")
    total = store.run("MATCH (o:Organisation) RETURN count(o) AS n")[0]["n"]
    source_pages = max(1, store.run("MATCH (s:Source) RETURN count(s) AS n")[0]["n"] // 50)
    practice, challenge, outcome = ids("Practice")[0], ids("Challenge")[0], ids("Outcome")[0]
    return {
        "home": ["/"], "cases": ["/cases"], "cases, a middle page": [f"/cases?page={max(1, total // 40)}"],
        "case": [f"/cases/{c}" for c in cases], "compare a case": [f"/compare?case={c}" for c in cases],
        "compare a description": ["/compare?country=GB&staff=40&practice=self-managing-teams"],
        "patterns": ["/patterns"], "pattern claims": [f"/patterns/claims?practice={practice}&outcome={outcome}"],
        "analytics": ["/analytics"], "evidence": ["/evidence"], "lessons": ["/lessons"],
        "sources": ["/sources"], "sources.json, a middle page": [f"/sources.json?page={source_pages // 2 or 1}"],
        "source": [f"/sources/{s}" for s in sources], "practices": ["/practices"],
        "practice": [f"/practices/{p}" for p in ids("Practice")], "challenge": [f"/challenges/{challenge}"],
        "outcome": [f"/outcomes/{outcome}"], "framework": [f"/frameworks/{f}" for f in ids("Framework")],
        "search": ["/search?q=self-managing+teams", "/search?q=why+did+staff+leave"],
        "graph": [f"/graph/organisation/{c}" for c in cases], "query console": ["/query"],
        "contribute": ["/contribute"],
    }


#: The in-process baseline of the page table: every page kind's p95 is also given as a multiple of its p95.
TRIVIAL_KIND, TRIVIAL_PATH = "trivial route (baseline)", "/bench-trivial"


def time_pages(config: dict[str, Any], urls: dict[str, list[str]], budget_s: float = 3.0,
               most: int = 20) -> dict[str, dict[str, Any]]:
    """p50 and p95 (ms) of every kind of page rendered by the app in this process, the page cache off.

    The first request of each kind is timed apart (``first``): it may build an index kept for the others.
    """
    from webapp import create_app

    app = create_app({**config, "KB_PAGE_CACHE_MB": 0, "KB_RATE_LIMITS": False})
    # The baseline of the same run: a route answering "ok" through the same app and middleware.
    app.add_url_rule(TRIVIAL_PATH, "bench_trivial", lambda: "ok")
    client = app.test_client()
    timings: dict[str, dict[str, Any]] = {}
    for kind, paths in {TRIVIAL_KIND: [TRIVIAL_PATH], **urls}.items():
        begin = time.perf_counter()
        statuses = {client.get(paths[0]).status_code}
        first = (time.perf_counter() - begin) * 1000
        samples: list[float] = []
        started = time.perf_counter()
        while len(samples) < 3 or (len(samples) < most and time.perf_counter() - started < budget_s):
            path = paths[len(samples) % len(paths)]
            begin = time.perf_counter()
            statuses.add(client.get(path).status_code)
            samples.append((time.perf_counter() - begin) * 1000)
        timings[kind] = {"p50": percentile(samples, 0.5), "p95": percentile(samples, 0.95), "first": first,
                         "runs": len(samples), "statuses": sorted(statuses)}
    return timings


def queries_phase(root: Path, store_path: Path, neo4j: bool) -> dict[str, Any]:
    from kb.store.ladybug import LadybugStore

    result: dict[str, Any] = {}
    store = LadybugStore(store_path)
    result["ladybug"] = time_queries(store)
    if importlib.util.find_spec("kb.analysis"):
        result["comparable_ladybug"] = time_comparable(store)
    urls = page_urls(store, random.Random(4))
    store.close()
    log("  embedded store queries timed")
    result["urls"] = urls
    result["pages_ladybug"] = time_pages({"KB_STORE": "ladybug", "KB_STORE_PATH": str(store_path)}, urls)
    log("  embedded store pages timed")
    if neo4j:
        try:
            result.update(neo4j_queries(root, store_path, urls))
        except Exception as err:  # the embedded store's figures above still count
            result["neo4j_note"] = f"Neo4j failed: {str(err).splitlines()[0][:300]}"
    else:
        result["neo4j_note"] = "skipped (--skip-neo4j)"
    return result


def neo4j_queries(root: Path, store_path: Path, urls: dict[str, list[str]]) -> dict[str, Any]:
    """Load the same files into a fresh Neo4j with the project's sync; time the same queries and pages there.

    Then the sync of one changed case, and the bare optimum on the emptied database (the first
    sync's yardstick): the same rows, one ``UNWIND`` per label and relationship type.
    """
    if not (REPO / "kb" / "store" / "neo4j.py").exists():
        return {"neo4j_note": "skipped: kb/store/neo4j.py does not exist"}
    from kb.load.neo4j import sync_to_neo4j
    from kb.store.neo4j import Neo4jSettings, Neo4jStore

    spec = importlib.util.spec_from_file_location("kb_tools_neo4j_server", REPO / "tools" / "neo4j" / "server.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    # A first sync of 10,000 cases is one transaction of about 4 GB (kb.store.neo4j_sync).
    server = module.Neo4jServer(heap="7g", pagecache="1g", tx_timeout="2h", transaction_max="6g",
                                settings={"dbms.memory.transaction.total.max": "6g"})
    try:
        server.start(timeout=300)
    except module.Neo4jUnavailable as err:
        return {"neo4j_note": f"skipped: Neo4j unavailable ({err})"}
    try:
        settings = Neo4jSettings(server.uri)
        # As `graph_loader.py load --neo4j` does: the (already loaded) embedded store, then a first, full
        # sync, which also keeps the record later syncs of a part need; timed: the sync itself.
        _, first = sync_to_neo4j(root, store_path, settings)
        loaded = first.seconds
        log(f"  Neo4j {server.version}: synced in {loaded:.1f} s")
        store = Neo4jStore(settings)
        try:
            result = {"neo4j": time_queries(store), "neo4j_version": server.version, "neo4j_sync_s": loaded}
            if importlib.util.find_spec("kb.analysis"):
                result["comparable_neo4j"] = time_comparable(store)
        finally:
            store.close()
        result["pages_neo4j"] = time_pages({"KB_STORE": "neo4j", "NEO4J_URI": server.uri}, urls)
        log("  Neo4j pages timed")
        result.update(neo4j_change_and_bare(root, store_path, settings))
        return result
    finally:
        server.stop()


def neo4j_change_and_bare(root: Path, store_path: Path, settings: Any) -> dict[str, float]:
    """The sync of one changed case (as ``graph_loader.py load --neo4j`` does after an edit), then the bare optimum.

    The one-case sync is timed whole (the embedded store's reload, then the changed case's part sent to
    Neo4j) and its Neo4j part alone; the worst of three edits counts.
    """
    from bench.neo4j_load import DATABASE, load_bare, wipe
    from kb.graph.rows import graph_rows
    from kb.load import load_content
    from kb.load.cache import ParseCache, cache_version
    from kb.load.neo4j import sync_to_neo4j

    case = sorted((root / "cases").glob("*.md"))[1]
    change = part = 0.0
    for n in (97, 98, 99):
        edit_case(case, n)
        begin = time.perf_counter()
        _, report = sync_to_neo4j(root, store_path, settings)
        whole = time.perf_counter() - begin
        if not report.part or not report.changed:
            raise RuntimeError(f"the sync after one changed case compared {'a part' if report.part else 'all'} "
                               f"and {'changed' if report.changed else 'did not change'} the graph")
        change, part = max(change, whole), max(part, report.seconds)
    log(f"  Neo4j sync of one changed case, worst of 3: {change:.2f} s (its Neo4j part {part:.2f} s)")
    rows = graph_rows(load_content(root, cache=ParseCache(store_path / "cache", cache_version(root))).corpus)
    driver = settings.driver()
    try:
        if settings.database not in (None, "", DATABASE):
            return {"neo4j_change_sync_s": change, "neo4j_change_part_s": part}
        wipe(driver)
        begin = time.perf_counter()
        load_bare(driver, rows)
        bare = time.perf_counter() - begin
    finally:
        driver.close()
    log(f"  Neo4j bare optimum: {bare:.1f} s")
    return {"neo4j_change_sync_s": change, "neo4j_change_part_s": part, "neo4j_bare_s": bare}


# --- phase 3: the site under load ---------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app: str, env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn on 127.0.0.1: 2 workers (one per core), 4 threads each; wait until it answers."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
               "--worker-class", "gthread", "--threads", "4", "--timeout", "120", "--chdir", str(REPO),
               "--log-level", "warning", app]
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=log_file, stderr=log_file,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=30).read()
            return process, url
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"gunicorn did not start ({app}); see {log_path}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def worker_peak_rss_mb(process: subprocess.Popen) -> float:
    """The largest peak RSS (VmHWM) among the gunicorn master's children."""
    peaks = []
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    for pid in children.read_text().split() if children.exists() else []:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
            peaks.append(int(match.group(1)) / 1024 if match else 0)
    return max(peaks, default=0.0)


def wrk(url: str, paths: list[str], work: Path, duration: int, connections: int) -> dict[str, float]:
    """One bounded wrk run over ``paths``: requests/s, p50/p95 (ms) and errors (socket and non-2xx/3xx)."""
    listing = work / f"paths-{len(paths)}-{abs(hash(paths[0]))}.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s",
               str(REPO / "bench" / "loadtest" / "paths.lua"), url]
    output = subprocess.run(command, env={**os.environ, "WRK_PATHS": str(listing)}, capture_output=True, text=True,
                            timeout=duration + 60, check=True).stdout
    summary = json.loads(output.strip().splitlines()[-1])
    errors = sum(summary[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {"rps": summary["requests"] / (summary["duration_us"] / 1e6), "p50": summary["p50_us"] / 1000,
            "p95": summary["p95_us"] / 1000, "errors": errors, "requests": summary["requests"]}


def web_phase(store_path: Path, work: Path, duration: int, connections: int) -> dict[str, Any]:
    if not shutil.which("wrk") or not importlib.util.find_spec("gunicorn"):
        return {"web_note": "skipped: needs wrk (apt-get install -y wrk) and gunicorn (requirements-dev.txt)"}
    from kb.store.ladybug import LadybugStore

    reader = LadybugStore(store_path)
    cases = [r["id"] for r in reader.run("MATCH (o:Organisation) RETURN o.id AS id")]
    reader.close()
    sample = random.Random(3).sample(cases, min(500, len(cases)))
    env = {"KB_STORE_PATH": str(store_path), "KB_RATE_LIMITS": "false", "KB_STORE": "ladybug"}
    result: dict[str, Any] = {}
    site, url = start_gunicorn("webapp:create_app()", env, work / "gunicorn-site.log")
    try:
        for path in [f"/cases/{c}" for c in sample[:20]] + [f"/compare?case={c}" for c in sample[:20]]:
            urllib.request.urlopen(url + path, timeout=120).read()  # warm both workers' caches
        # The steady state of a site with a page cache: every sampled page rendered once per worker
        # (a warm-up run, not counted).  The uncached run below measures what a first visit costs.
        warm = wrk(url, [f"/cases/{c}" for c in sample], work, max(15, duration), connections)
        log(f"  case pages, warming the page cache: {warm['rps']:.0f} req/s")
        result["pages"] = wrk(url, [f"/cases/{c}" for c in sample], work, duration, connections)
        log(f"  case pages: {result['pages']['rps']:.0f} req/s, p95 {result['pages']['p95']:.0f} ms")
        result["compare"] = wrk(url, [f"/compare?case={c}" for c in sample], work, duration, connections)
        log(f"  comparable cases: {result['compare']['rps']:.0f} req/s, p95 {result['compare']['p95']:.0f} ms")
        result["site_worker_rss_mb"] = worker_peak_rss_mb(site)
    finally:
        stop(site)
    # Every request rendered afresh: what a first visit to a page costs.
    site, url = start_gunicorn("webapp:create_app()", {**env, "KB_PAGE_CACHE_MB": "0"}, work / "gunicorn-site.log")
    try:
        for path in [f"/cases/{c}" for c in sample[:20]] + [f"/compare?case={c}" for c in sample[:20]]:
            urllib.request.urlopen(url + path, timeout=120).read()  # the same warm-up as above, but no cache
        result["pages_uncached"] = wrk(url, [f"/cases/{c}" for c in sample], work, duration, connections)
        log(f"  case pages, uncached: {result['pages_uncached']['rps']:.0f} req/s, "
            f"p95 {result['pages_uncached']['p95']:.0f} ms")
    finally:
        stop(site)
    trivial, url = start_gunicorn("bench.loadtest.trivial:app", {}, work / "gunicorn-trivial.log")
    try:
        result["trivial"] = wrk(url, ["/ok"], work, duration, connections)
        log(f"  trivial route: {result['trivial']['rps']:.0f} req/s, p95 {result['trivial']['p95']:.1f} ms")
    finally:
        stop(trivial)
    return result


# --- the run: one subprocess per N and phase ----------------------------------------------------

def corpus(n: int) -> Path:
    from bench.generate_corpus import DEFAULT_OUT, generate

    root = DEFAULT_OUT / str(n)
    if not (root / "cases").is_dir() or len(list((root / "cases").glob("*.md"))) != n:
        log(f"generating {n} cases into {root}")
        shutil.rmtree(root, ignore_errors=True)
        generate(n, root, jobs=os.cpu_count() or 1)
    return root


def run_phase(phase: str, n: int, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--phase", phase, "--n", str(n), "--work", str(work),
               "--duration", str(args.duration), "--connections", str(args.connections)]
    if args.skip_neo4j:
        command.append("--skip-neo4j")
    # The phase's progress and errors go to this stderr; its figures come back as JSON on stdout.
    finished = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if finished.returncode != 0:
        log(f"  the {phase} phase failed (exit {finished.returncode}); see the error above")
        return {f"{phase}_note": f"the {phase} phase failed (exit {finished.returncode})"}
    return json.loads(finished.stdout.strip().splitlines()[-1])


def child(args: argparse.Namespace) -> None:
    work = Path(args.work)
    root, store = work / "content", work / "store"
    if args.phase == "check":
        result = check_phase(root)
    elif args.phase == "load":
        result = load_phase(root, store)
    elif args.phase == "queries":
        result = queries_phase(root, store, neo4j=not args.skip_neo4j)
    else:
        result = web_phase(store, work, args.duration, args.connections)
    print(json.dumps(result))


def measure(n: int, args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"kb-scale-{n}-"))
    try:
        shutil.copytree(corpus(n), work / "content")  # edits go to a copy
        log(f"N = {n:,}: floor and parse+validate")
        result = {"n": n, **run_phase("check", n, work, args)}
        log(f"N = {n:,}: loading")
        result.update(run_phase("load", n, work, args))
        if "check_note" in result or "load_note" in result:
            return result
        log(f"N = {n:,}: queries")
        result.update(run_phase("queries", n, work, args))
        if args.skip_web:
            result["web_note"] = "skipped (--skip-web)"
        else:
            log(f"N = {n:,}: the site under load")
            result.update(run_phase("web", n, work, args))
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- printing -----------------------------------------------------------------------------------

def figures_table(results: list[dict[str, Any]]) -> str:
    header = ("| N | floor files/s (previous floor) | parse+validate files/s (× floor) | "
              "full load cold s (× floor; CPU s) | full load warm s | reload 1 file s (worst of 10) | "
              "`load` command after 1 change s | "
              "load peak MB (validate's) | comparable p95 ms | case pages req/s, p95 ms, errors | "
              "uncached pages req/s, p95 ms | compare req/s, p95 ms | trivial req/s | pages ÷ trivial |")
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for r in results:
        fl, pv, previous = r["floor"], r.get("parse_validate"), r.get("floor_previous")
        pages, compare, trivial = r.get("pages"), r.get("compare"), r.get("trivial")
        uncached = r.get("pages_uncached")
        comparable = r.get("comparable_ladybug")
        lines.append(" | ".join([
            f"| {r['n']:,}", f"{fl['files_per_s']:.0f}" + (f" ({previous['files_per_s']:.0f})" if previous else ""),
            f"{pv['files_per_s']:.0f} ({pv['files_per_s'] / fl['files_per_s']:.2f}×)" if pv else "–",
            f"{r['full_cold']:.1f} ({r['full_cold'] / fl['seconds']:.1f}×; {r.get('full_cold_cpu_s', 0):.0f})",
            f"{r['full_warm']:.1f}", f"{r['reload']['median']:.2f} ({r['reload']['max']:.2f})",
            f"{r['reload_cli']:.2f}", f"{load_memory_mb(r):.0f} ({r.get('validate_rss_mb', 0):.0f})",
            f"{comparable['p95']:.1f}" if comparable else "–",
            f"{pages['rps']:.0f}, {pages['p95']:.0f}, {pages['errors']}" if pages else "–",
            f"{uncached['rps']:.0f}, {uncached['p95']:.0f}" if uncached else "–",
            f"{compare['rps']:.0f}, {compare['p95']:.0f}" if compare else "–",
            f"{trivial['rps']:.0f}" if trivial else "–",
            f"{pages['rps'] / trivial['rps']:.0%}" if pages and trivial else "–"]) + " |")
    return "\n".join(lines)


def extras(r: dict[str, Any]) -> str:
    """The figures of a run that have no column: other reloads, the site's memory, the Neo4j syncs."""
    parts = [f"reload after no change {r['reload_unchanged']:.2f} s",
             f"the floor {r['floor']['files_per_cpu_s']:.0f} files per CPU second"]
    if "site_worker_rss_mb" in r:
        parts.append(f"site workers' peak RSS {r['site_worker_rss_mb']:.0f} MB")
    if "neo4j_sync_s" in r:
        parts.append(f"first Neo4j sync {r['neo4j_sync_s']:.1f} s")
    if "neo4j_bare_s" in r:
        parts.append(f"bare optimum {r['neo4j_bare_s']:.1f} s")
    if "neo4j_change_sync_s" in r:
        parts.append(f"Neo4j sync of one changed case {r['neo4j_change_sync_s']:.2f} s")
    return f"N = {r['n']:,}: " + "; ".join(parts) + "."


def load_memory_mb(r: dict[str, Any]) -> float:
    """A load's peak: the loading process's RSS, or the PSS of it and its workers if higher."""
    return max(r["rss_mb"], r.get("full_cold_tree_mb", 0.0), r.get("full_warm_tree_mb", 0.0))


def slowest_page(r: dict[str, Any], store: str) -> tuple[str, float] | None:
    """The page kind with the highest p95 on a store, and that p95 (ms)."""
    pages = {kind: t["p95"] for kind, t in r.get(f"pages_{store}", {}).items()}
    return max(pages.items(), key=lambda item: item[1]) if pages else None


def goals_table(r: dict[str, Any]) -> str:
    """Issue 29's goals with this run's figures (at the largest N measured)."""
    comparable = r.get("comparable_ladybug")
    embedded, neo4j = slowest_page(r, "ladybug"), slowest_page(r, "neo4j")
    bare = r.get("neo4j_bare_s")
    rows = [
        ("full load (cold cache) under 10 s", f"{r['full_cold']:.1f} s ({r.get('full_cold_cpu_s', 0):.0f} CPU s)",
         r["full_cold"] < GOALS["full_s"]),
        ("reload after one changed file under 0.3 s (worst of 10)", f"{r['reload']['max']:.2f} s",
         r["reload"]["max"] < GOALS["reload_s"]),
        ("`graph_loader.py load` after one change under 1 s (with start-up)", f"{r['reload_cli']:.2f} s",
         r["reload_cli"] < GOALS["reload_cli_s"]),
        ("every page kind p95 under 100 ms, embedded, no page cache",
         f"{embedded[1]:.0f} ms ({embedded[0]})" if embedded else "–",
         embedded is not None and embedded[1] < GOALS["page_p95_ms"]),
        ("every page kind p95 under 300 ms, Neo4j, no page cache",
         f"{neo4j[1]:.0f} ms ({neo4j[0]})" if neo4j else "–",
         neo4j is not None and neo4j[1] < GOALS["page_p95_neo4j_ms"]),
        ("comparable cases p95 under 50 ms", f"{comparable['p95']:.1f} ms" if comparable else "–",
         comparable is not None and comparable["p95"] < GOALS["compare_p95_ms"]),
        ("Neo4j sync of one changed case under 1 s",
         f"{r['neo4j_change_sync_s']:.2f} s" if "neo4j_change_sync_s" in r else "–",
         r.get("neo4j_change_sync_s", 1e9) < GOALS["neo4j_change_s"]),
        ("first Neo4j sync within 1.2× of the bare optimum",
         f"{r['neo4j_sync_s'] / bare:.2f}× ({r['neo4j_sync_s']:.0f} s / {bare:.0f} s)" if bare else "–",
         bool(bare) and r["neo4j_sync_s"] / bare <= GOALS["neo4j_vs_bare"]),
        ("peak memory of a load under 2 GB (with its worker processes)", f"{load_memory_mb(r):.0f} MB",
         load_memory_mb(r) < GOALS["rss_mb"]),
    ]
    lines = [f"| goal at N = {r['n']:,} | measured | met |", "|---|---|---|"]
    lines += [f"| {goal} | {value} | {'not measured' if value == '–' else 'yes' if met else '**no**'} |"
              for goal, value, met in rows]
    return "\n".join(lines)


def pages_table(r: dict[str, Any]) -> str:
    """Every page kind's p50 and p95 on both stores, without the page cache."""
    embedded, neo4j = r.get("pages_ladybug", {}), r.get("pages_neo4j", {})
    if not embedded:
        return ""
    lines = [f"| page kind (N = {r['n']:,}, no page cache) | embedded p50 ms | p95 ms | × trivial | first ms | "
             "Neo4j p50 ms | p95 ms | × trivial | first ms |", "|---|---|---|---|---|---|---|---|---|"]

    def times(t: dict[str, Any], baseline: dict[str, Any] | None) -> list[str]:
        ratio = f"{t['p95'] / baseline['p95']:.0f}×" if baseline and baseline["p95"] > 0 else "–"
        return [f"{t['p50']:.1f}", f"{t['p95']:.1f}", ratio, f"{t['first']:.0f}"]

    for kind, t in embedded.items():
        other = neo4j.get(kind)
        cells = times(t, embedded.get(TRIVIAL_KIND))
        cells += times(other, neo4j.get(TRIVIAL_KIND)) if other else ["–"] * 4
        bad = [code for code in t["statuses"] + (other["statuses"] if other else []) if code >= 400]
        lines.append(f"| {kind}{' (status ' + ', '.join(map(str, sorted(set(bad)))) + ')' if bad else ''} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines)


def queries_table(r: dict[str, Any]) -> str:
    ladybug, neo4j = r.get("ladybug", {}), r.get("neo4j", {})
    lines = [f"| named query (N = {r['n']:,}) | embedded p50 ms | p95 ms | Neo4j p50 ms | p95 ms |",
             "|---|---|---|---|---|"]
    def cells(timing: dict[str, Any] | None) -> str:
        if not timing:
            return "– | –"
        if "error" in timing:
            return f"error: {timing['error']} | –"
        return f"{timing['p50']:.1f} | {timing['p95']:.1f}"

    for name, t in ladybug.items():
        lines.append(f"| {name} | {cells(t)} | {cells(neo4j.get(name))} |")
    for store in ("ladybug", "neo4j"):
        comparable = r.get(f"comparable_{store}")
        if comparable:
            lines.append(f"| comparable cases ({store}; first call {comparable['first_ms']:.0f} ms) | "
                         f"{comparable['p50']:.1f} | {comparable['p95']:.1f} | | |")
    return "\n".join(lines)


def environment() -> str:
    from importlib import metadata

    load = os.getloadavg()
    versions = []
    for package in ("ladybug", "neo4j", "PyYAML", "pyromark", "markdown-it-py", "jsonschema", "jsonschema-rs", "Flask",
                    "gunicorn"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{package} {metadata.version(package)}")
    if shutil.which("wrk"):
        versions.append(subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" [")[0].strip())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") >> 30
    return (f"{platform.node()}: {os.cpu_count()} cores, {memory} GiB, Python {platform.python_version()}, "
            f"{', '.join(versions)}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="numbers of cases")
    parser.add_argument("--max-n", type=int, default=None, help="leave out sizes above this")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--skip-neo4j", action="store_true")
    parser.add_argument("--skip-web", action="store_true")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this Markdown file")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON")
    parser.add_argument("--phase", choices=("check", "load", "queries", "web"), help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        child(args)
        return 0
    sizes = [n for n in args.sizes if args.max_n is None or n <= args.max_n]
    started = environment()
    log(started)
    results = []
    for n in sizes:
        results.append(measure(n, args))
        if args.json:
            args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")  # kept as the run goes
        if "check_note" in results[-1] or "load_note" in results[-1]:
            results.pop()
            continue
        print(f"\n## N = {n:,}\n\n{queries_table(results[-1])}\n\n{pages_table(results[-1])}\n", flush=True)
        for note in ("queries_note", "neo4j_note", "web_note"):
            if note in results[-1]:
                print(f"note: {results[-1][note]}\n", flush=True)
    ended = os.getloadavg()
    report = (f"{started}; {ended[0]:.2f} {ended[1]:.2f} {ended[2]:.2f} at the end\n\n"
              f"{figures_table(results)}\n\n" + "\n".join(extras(r) for r in results) +
              f"\n\n{goals_table(results[-1])}\n")
    print("\n" + report)
    if args.markdown:
        args.markdown.write_text(report + "\n" + "\n\n".join(pages_table(r) + "\n\n" + queries_table(r)
                                                           for r in results) + "\n",
                                 encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
