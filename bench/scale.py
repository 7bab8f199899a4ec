"""How cost grows with the number of cases, against the floor and against the goals (issues 8 and 29).

For N = 100, 1,000 and 10,000 synthetic cases (``bench/generate_corpus.py``: the corpus in the
git-ignored ``bench/corpus/<N>`` if it is there, else one made for the run; 100,000 with ``--sizes``),
one run measures and prints, each N in fresh subprocesses and a scratch folder of its own:

- **parse + validate** throughput (files/s) against the **floor**: the fastest parse that still gives
  the validator what it needs, in one thread (``bench/cold_load.py``'s): reading the files, LibYAML's
  events of the front matter (each with its line and column: the graph keeps the line of each size
  figure and relation, the checks locate every value) and the Markdown body's events with byte
  ranges from pyromark.  The previous round's floor (LibYAML composing the node tree) is printed
  beside it;
- **full load** into the embedded store (``kb.load.load_embedded(full=True)``) with an empty
  cache (cold) and with the parse cache filled (warm), in seconds and in CPU seconds (the process and
  its workers: on a shared machine the wall time moves with the other work, the CPU time much less);
- **reload after one changed file** (the median and worst of ten edits to different cases), after no
  change, and ``graph_loader.py load`` after one change (with Python's start-up; median and worst of 5);
- **peak memory** of a load: the RSS of the loading process, or if higher the summed PSS of it and
  its worker processes sampled every 50 ms; every N's loads run in a fresh subprocess;
- **p50 and p95 of each named store query** on the embedded store and on Neo4j (a fresh server
  from ``tools/neo4j``, loaded with the project's sync), and of **comparable cases**; the first
  Neo4j sync against the bare optimum as ``bench/neo4j_load.py`` measures them (its ``load_bare``: one
  ``UNWIND`` per label and relationship type; both on the emptied database of the same server, after
  a warm-up of its JVM on 100 cases; best of ``--neo4j-rounds``), and the whole ``graph_loader.py load
  --neo4j`` command after one changed case (worst and median of 3; and the Neo4j part of one more);
- **every page kind without the page cache**, on both stores: p50 and p95 of each kind of page
  rendered by the app in this process (``KB_PAGE_CACHE_MB=0``), on sampled URLs;
- **the site under load**: gunicorn on 127.0.0.1 serving the app over the N-case store, and the
  same gunicorn serving a trivial Flask route; wrk with 16 connections for 20 s against case pages
  (with the site's page cache, after 5 s runs that fill it until their rate settles, and again
  with it off: every request rendered afresh),
  comparable-cases requests and the trivial route: throughput, p95 and errors.

Ratios are against baselines measured in the same run; the load average is printed at the start
and the end.  Then the **goals of issue 29**, one row each, with this run's figure at every N and
whether it is met (the goals are stated at N = 10,000, peak memory at 100,000 too; the smaller sizes
show the trend): a cold full load under 10 s (and the floor beside it); a reload after one changed
file under 0.3 s (worst of 10) and ``graph_loader.py load`` after one change under 1 s; every page
kind's p95 under 100 ms embedded and under 300 ms on Neo4j without the page cache; the whole
``graph_loader.py load --neo4j`` command after one change under 1 s and the first sync within 1.2x of
the bare optimum; peak memory of a load and of the site under 2 GB; ``.ci/run`` under 12 minutes
(read from the ``time`` output of a CI run, ``--suite-time``).  Usage::

    python bench/scale.py                          # N = 100, 1,000 and 10,000 (about an hour)
    python bench/scale.py --max-n 1000             # stop at 1,000
    python bench/scale.py --sizes 10000 --skip-neo4j --duration 10
    python bench/scale.py --sizes 100000 --skip-neo4j --skip-web --json /tmp/100k.json  # long
    python bench/scale.py --sizes 10000 --json /tmp/run.json --resume   # go on after a run that died
    python bench/scale.py --report /tmp/part1.json /tmp/part2.json /tmp/100k.json \
        --suite-time /tmp/ci.time --markdown /tmp/figures.md   # one report of several parts, no measuring

Every figure is written to the JSON file (``--json``; by default one in the temporary folder, named
at the start) as soon as it is measured, so a run that dies or is stopped (Ctrl-C, SIGTERM) still
prints, and keeps, what it measured; ``--resume`` skips the sizes that file already has in full.
Each named query, page kind and comparable-cases series is measured for ``--item-limit`` seconds
at most (120 by default, its first request included): one that takes longer is reported as "over
120 s" with where its time went (the main thread's stack sampled every 0.1 s), and the run goes on
with the next (the phase's process ends and starts again, since a query running in the store's
engine cannot be interrupted).  The Neo4j server writes a GC log, exits on OutOfMemoryError, and
must answer a fresh connection after every part; one that stops answering is reported with its
state (alive or not, its memory, the machine's free memory and memory pressure) and its thread
dump and logs are kept beside the JSON file (``<json>-kept/``).

``--include`` adds the results of other runs' JSON files (e.g. 100,000 cases measured apart) to the
tables, each marked with where it came from.

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
         "page_p95_neo4j_ms": 300.0, "neo4j_change_s": 1.0, "neo4j_vs_bare": 1.2, "rss_mb": 2048.0,
         "suite_s": 12 * 60.0}
EDITS = 10
CLI_EDITS = 5


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

def pss_mb(pid: int) -> float:
    """A process's proportional set size in MB (shared pages divided among their sharers); 0 once it is gone."""
    try:
        match = re.search(r"^Pss:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.MULTILINE)
    except OSError:
        return 0.0
    return int(match.group(1)) / 1024 if match else 0.0


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it, read from /proc."""
    pids, queue = [], [root]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                queue += [int(c) for c in (task / "children").read_text().split()]
    return pids


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

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak_mb = max(self.peak_mb, sum(pss_mb(pid) for pid in process_tree(os.getpid())))

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def floor(root: Path, compose: bool = False) -> dict[str, float]:
    """The fastest parse that still gives the validator what it needs, in one thread (``bench/cold_load.py``'s).

    Read every content file, walk LibYAML's events of its front matter (each with its line and
    column) and pyromark's events of its body with their byte ranges, nothing else.  ``compose``:
    LibYAML's node tree instead of its events, the previous round's floor.
    """
    from bench.cold_load import floor as parse_floor

    measured = parse_floor(root, compose=compose)
    return {**measured, "files_per_s": measured["files"] / measured["seconds"]}


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
    """A contributor's small edit: one more sentence in the summary.

    Written to a new file put in place of the old one (as editors save), so that a corpus copied
    as hard links (:func:`prepare_content`) keeps its original files unchanged.
    """
    text = path.read_text(encoding="utf-8")
    edited = path.with_name(path.name + ".edit")
    edited.write_text(re.sub(r"^(summary: .*)$", rf"\1 Edited {n}.", text, count=1, flags=re.MULTILINE),
                      encoding="utf-8")
    os.replace(edited, path)


class Figures(dict):
    """A phase's figures, written to a JSON file whenever one is added: a phase that dies keeps what it measured."""

    def __init__(self, path: Path):
        # A phase started again after an item ran over its limit goes on from what it kept.
        super().__init__(json.loads(path.read_text(encoding="utf-8")) if path.exists() else {})
        self.path = path

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.save()

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.save()

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self.save()

    def save(self) -> None:
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(self), encoding="utf-8")
        os.replace(partial, self.path)


#: A phase's process ends with this status when a measured item ran over its limit (the parent goes on).
OVER_LIMIT = 3
#: Seconds an item runs before the watchdog samples where its time goes (a quarter of a shorter limit).
PROFILE_AFTER_S = 5.0


def over_limit(timing: Any) -> float | None:
    """The limit an item ran over (seconds), or None for an item measured in full."""
    return timing.get("over_s") if isinstance(timing, dict) else None


def _where(frame: Any) -> str:
    """The innermost line of the project's own code on a stack, and the line running if it is elsewhere."""
    leaf, first = f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno} {frame.f_code.co_name}", frame
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(REPO / "kb") or path.is_relative_to(REPO / "webapp"):
            own = f"{path.relative_to(REPO)}:{frame.f_lineno} {frame.f_code.co_name}"
            return own if frame is first else f"{own} (in {leaf})"
        frame = frame.f_back
    return leaf


class Watchdog:
    """Bounds each measured item of a phase (a named query, a page kind): one over its limit ends the phase.

    A page that takes minutes at 100,000 cases must not stop the run, and a query cannot be
    interrupted from Python while the store's engine runs it; so past the limit the item is written
    as ``{"over_s": limit, "profile": [...]}`` (where the main thread was, sampled every 0.1 s after
    :data:`PROFILE_AFTER_S`: the most frequent lines of the project's code and their share), the
    ``on_limit`` hooks run (the Neo4j phase keeps the server's thread dump and logs), and the process
    ends with :data:`OVER_LIMIT`; :func:`run_phase` starts the phase again, which skips every item
    its JSON already has.  faulthandler ends the process too, a minute later, if the watching thread
    cannot run.
    """

    def __init__(self, out: Figures, limit_s: float):
        self.out, self.limit_s = out, limit_s
        self.on_limit: list[Callable[[str], None]] = []

    def has(self, key: str, name: str | None = None) -> bool:
        """Whether the item was measured (or ran over its limit) by this phase or an earlier start of it."""
        return key in self.out if name is None else name in self.out.get(key, {})

    def record(self, key: str, name: str | None, value: Any) -> None:
        if name is None:
            self.out[key] = value
        else:
            self.out[key] = {**self.out.get(key, {}), name: value}

    @contextlib.contextmanager
    def item(self, key: str, name: str | None = None, limit_s: float | None = None) -> Any:
        import collections
        import faulthandler
        import threading

        limit = limit_s or self.limit_s
        done, samples = threading.Event(), collections.Counter()
        main, started = threading.main_thread().ident, time.monotonic()

        def watch() -> None:
            while not done.wait(0.1):
                elapsed = time.monotonic() - started
                if elapsed > min(PROFILE_AFTER_S, limit / 4) and (frame := sys._current_frames().get(main)) is not None:
                    samples[_where(frame)] += 1
                if elapsed > limit and not done.is_set():
                    self._over(key, name, limit, samples)

        self.out["running"] = {"key": key, "name": name, "limit_s": limit}
        watcher = threading.Thread(target=watch, daemon=True, name="watchdog")
        watcher.start()
        faulthandler.dump_traceback_later(limit + 60, exit=True)
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()
            done.set()
            watcher.join()
            self.out.pop("running", None)
            self.out.save()

    def _over(self, key: str, name: str | None, limit: float, samples: Any) -> None:
        total = sum(samples.values()) or 1
        profile = [f"{count / total:.0%} {where}" for where, count in samples.most_common(5)]
        what = f"{key}: {name}" if name else key
        log(f"  {what} ran over {limit:.0f} s: stopped; where its time went: {'; '.join(profile) or 'not sampled'}")
        self.record(key, name, {"over_s": limit, "profile": profile})
        self.out.pop("running", None)
        self.out.save()
        for hook in self.on_limit:
            with contextlib.suppress(Exception):
                hook(what)
        os._exit(OVER_LIMIT)


#: Above this many cases the slow yardsticks are left out (the previous floor, parse+validate of every
#: document held at once, a second full load): at 100,000 cases each would take many minutes.
LARGE = 20_000


def check_phase(root: Path, out: Figures) -> None:
    """The floor and the pipeline's parse+validate (the ``validate`` command's work), and its peak RSS."""
    out["floor"] = floor(root)
    if len(_content_files(root)) <= LARGE:
        out["floor_previous"] = floor(root, compose=True)
        out["parse_validate"] = parse_and_validate(root)
    out["validate_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """User and system CPU time of this process and of its finished children (a load's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load_command(root: Path, store: Path, *extra: str) -> tuple[float, str]:
    """``graph_loader.py load`` as a contributor runs it, in a new Python: its wall seconds and its output."""
    started = time.perf_counter()
    finished = subprocess.run([sys.executable, str(REPO / "graph_loader.py"), "load", "--root", str(root), "--store",
                               str(store), *extra], capture_output=True, text=True,
                              env={k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")})  # no login
    seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise RuntimeError(f"graph_loader.py load {' '.join(extra)} failed: {finished.stderr.strip()[-500:]}")
    return seconds, finished.stdout


def series(samples: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(samples), "max": max(samples), "all": samples}


def load_phase(root: Path, store: Path, out: Figures) -> None:
    """Cold (and warm) full loads, reloads, the ``load`` command; the peak memory of the loads."""
    from kb.load import load_embedded

    cases = sorted((root / "cases").glob("*.md"))
    for name in ("full_cold", "full_warm"):
        if name == "full_warm" and len(cases) > LARGE:
            continue
        cpu = _cpu_seconds()
        with TreeMemory() as memory:
            load = load_embedded(root, store, full=True)
        assert load.ok and load.mode == "full", (load.mode, load.errors[:3])
        out.update({name: load.seconds, f"{name}_cpu_s": _cpu_seconds() - cpu, f"{name}_tree_mb": memory.peak_mb,
                    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
        log(f"  {name.replace('_', ' ')}: {load.seconds:.2f} s, {out[f'{name}_cpu_s']:.1f} CPU s, "
            f"peak memory {memory.peak_mb:.0f} MB (this process and its workers)")
    reloads = []
    for n, case in enumerate(random.Random(8).sample(cases, EDITS)):
        edit_case(case, n)
        load = load_embedded(root, store)
        assert load.ok and load.mode == "incremental", (load.mode, load.errors[:3])
        reloads.append(load.seconds)
    out["reload"] = series(reloads)
    log(f"  reload after one change: median {out['reload']['median']:.2f} s, worst {max(reloads):.2f} s")
    unchanged = load_embedded(root, store)
    assert unchanged.mode == "unchanged", unchanged.mode
    out["reload_unchanged"] = unchanged.seconds
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    commands = []
    for n, case in enumerate(cases[:CLI_EDITS]):
        edit_case(case, EDITS + n)
        commands.append(load_command(root, store, "--quiet")[0])
    out["reload_cli"] = series(commands)
    log(f"  `load` after one change: median {out['reload_cli']['median']:.2f} s, worst {max(commands):.2f} s")


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
        elif param == "organisations":  # the cases a page shows (a page of claims "from" them)
            values["organisations"] = rng.sample(ids("Organisation"), min(20, len(ids("Organisation"))))
        elif param in ("skip", "after"):  # the first page
            values[param] = 0 if param == "skip" else ""
        elif param == "limit":  # a page as the site asks for it (the case list's text is read in pages of 2,000)
            values["limit"] = 2000 if name == "search_organisations" else 50
        elif param in ("practice", "challenge", "outcome", "framework"):
            values[param] = rng.choice(ids(param.capitalize()))
    return values


#: Samples of a query or page kind that took this long in all are enough, even fewer than three (at
#: 100,000 cases some take 10-60 s each: three would cost minutes a kind, and the p50/p95 says as much).
ENOUGH_S = 10.0


def more_samples(samples: list[float], started: float, budget_s: float, most: int) -> bool:
    """Whether to time one more run: at least 3 (unless they took :data:`ENOUGH_S` in all), then up to
    ``most`` within ``budget_s`` seconds from ``started``."""
    elapsed = time.perf_counter() - started
    return (len(samples) < 3 and elapsed < ENOUGH_S) or (len(samples) < most and elapsed < budget_s)


def time_queries(store: Any, watchdog: Watchdog, key: str, budget_s: float = 1.5, most: int = 20) -> None:
    """p50 and p95 (ms) of every named query, each run until ``most`` runs or ``budget_s`` (at least 3).

    Each query is an item of ``watchdog`` (``out[key][name]``): one that runs over the limit is written so.
    """
    from kb.problems import KbError
    from kb.queries.catalogue import QUERIES, cypher_for

    known: dict[str, list[str]] = {}

    def ids(label: str) -> list[str]:
        if label not in known:
            known[label] = [r["id"] for r in store.run(f"MATCH (n:{label}) RETURN n.id AS id")] or ["none"]
        return known[label]

    rng = random.Random(1)
    for name, query in QUERIES.items():
        if watchdog.has(key, name):
            continue
        cypher = cypher_for(name, store.backend)
        samples: list[float] = []
        with watchdog.item(key, name):
            started = time.perf_counter()
            try:
                while more_samples(samples, started, budget_s, most):
                    params = query_params(cypher, name, query.params, query.default_params, ids, rng)
                    begin = time.perf_counter()
                    store.query(name, **params)
                    samples.append((time.perf_counter() - begin) * 1000)
            except KbError as err:  # reported in the table, and the run goes on
                watchdog.record(key, name, {"error": str(err).splitlines()[0][:120]})
                continue
        watchdog.record(key, name, {"p50": percentile(samples, 0.5), "p95": percentile(samples, 0.95),
                                    "runs": len(samples)})


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
        "graph": [f"/graph/organisation/{c}" for c in cases], "graph, a practice": [f"/graph/practice/{practice}"],
        "query console": ["/query"], "contribute": ["/contribute"],
        # The site's other pages: every route a visitor reads (the exports are downloads of the whole graph).
        "challenges": ["/challenges"], "outcomes": ["/outcomes"], "frameworks": ["/frameworks"],
        "timeline": ["/timeline"], "report": ["/report?country=GB&staff=40&practice=self-managing-teams"],
        "accessibility": ["/accessibility"],
    }


#: The in-process baseline of the page table: every page kind's p95 is also given as a multiple of its p95.
TRIVIAL_KIND, TRIVIAL_PATH = "trivial route (baseline)", "/bench-trivial"


def time_pages(config: dict[str, Any], urls: dict[str, list[str]], watchdog: Watchdog, key: str,
               budget_s: float = 3.0, most: int = 20) -> None:
    """p50 and p95 (ms) of every kind of page rendered by the app in this process, the page cache off.

    The first request of each kind is timed apart (``first``): it may build an index kept for the
    others.  Each kind is an item of ``watchdog`` (``out[key][kind]``), its first request included.
    """
    from webapp import create_app

    app = create_app({**config, "KB_PAGE_CACHE_MB": 0, "KB_RATE_LIMITS": False})
    # The baseline of the same run: a route answering "ok" through the same app and middleware.
    app.add_url_rule(TRIVIAL_PATH, "bench_trivial", lambda: "ok")
    client = app.test_client()
    for kind, paths in {TRIVIAL_KIND: [TRIVIAL_PATH], **urls}.items():
        if watchdog.has(key, kind):
            continue
        with watchdog.item(key, kind):
            begin = time.perf_counter()
            statuses = {client.get(paths[0]).status_code}
            first = (time.perf_counter() - begin) * 1000
            samples: list[float] = []
            started = time.perf_counter()
            while more_samples(samples, started, budget_s, most):
                path = paths[len(samples) % len(paths)]
                begin = time.perf_counter()
                statuses.add(client.get(path).status_code)
                samples.append((time.perf_counter() - begin) * 1000)
        watchdog.record(key, kind, {"p50": percentile(samples, 0.5), "p95": percentile(samples, 0.95),
                                    "first": first, "runs": len(samples), "statuses": sorted(statuses)})
    if (store := app.extensions.get("kb_store")) is not None:  # its buffer pool is not the next step's
        store.close()


def queries_phase(root: Path, store_path: Path, out: Figures, neo4j_note: str | None, rounds: int,
                  watchdog: Watchdog, pages_first: bool = False) -> None:
    """The named queries, comparable cases and page kinds on the embedded store, then on Neo4j unless
    ``neo4j_note`` says why not (kept as the reason in the report).

    ``pages_first`` (above :data:`LARGE` cases): the page kinds before the named queries, so that a phase
    stopped by its limit has measured the page kinds, which the goals judge, first.
    """
    from kb.store.ladybug import LadybugStore

    def named_queries() -> None:
        store = LadybugStore(store_path)
        time_queries(store, watchdog, "ladybug")
        if importlib.util.find_spec("kb.analysis") and not watchdog.has("comparable_ladybug"):
            with watchdog.item("comparable_ladybug"):
                comparable = time_comparable(store)
            out["comparable_ladybug"] = comparable
        store.close()
        log("  embedded store queries timed")

    if not pages_first:
        named_queries()
    if not watchdog.has("urls"):
        store = LadybugStore(store_path)
        with watchdog.item("urls"):
            urls = page_urls(store, random.Random(4))
        out["urls"] = urls
        store.close()
    time_pages({"KB_STORE": "ladybug", "KB_STORE_PATH": str(store_path)}, out["urls"], watchdog, "pages_ladybug")
    # The site's memory without the load test: this process has served every page kind over the store.
    out["pages_rss_mb"] = max(out.get("pages_rss_mb", 0), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    log(f"  embedded store pages timed (this process's peak RSS {out['pages_rss_mb']:.0f} MB)")
    if pages_first:
        named_queries()
    if neo4j_note:
        out["neo4j_note"] = neo4j_note
        return
    try:
        neo4j_queries(root, store_path, out["urls"], out, rounds, watchdog)
    except Exception as err:  # the figures measured so far still count
        out["neo4j_note"] = f"Neo4j failed: {type(err).__name__}: {str(err).splitlines()[0][:300] if str(err) else ''}"
        log(f"  {out['neo4j_note']}")


class Neo4jStopped(RuntimeError):
    """The benchmark's Neo4j server stopped answering, or exited; the message says what was seen."""


def memory_state() -> str:
    """The machine's available memory and memory pressure (PSI): why a server may crawl without crashing."""
    meminfo = Path("/proc/meminfo").read_text()
    available = int(re.search(r"MemAvailable:\s+(\d+)", meminfo).group(1)) // 1024
    pressure = ""
    with contextlib.suppress(OSError):
        pressure = "; memory pressure " + Path("/proc/pressure/memory").read_text().replace("\n", "; ").strip("; ")
    return f"{available:,} MB available{pressure}; load average {load_average()}"


def jvm_state(server: Any, kept: Path, why: str) -> str:
    """What the benchmark's Neo4j JVM is doing: alive or not, its memory, GC; its dump and logs kept in ``kept``.

    ``jcmd`` (beside the server's ``java``) writes every thread's stack and the heap's state to the
    kept folder; the server's own logs (debug.log, launcher.err, the GC log) are copied there, since
    the server's folder goes with the run's scratch folder.
    """
    kept.mkdir(parents=True, exist_ok=True)
    parts = [why]
    proc = getattr(server, "_proc", None)
    if proc is None or proc.poll() is not None:
        parts.append(f"the JVM exited (status {proc.returncode if proc else '?'})")
    else:
        status = Path(f"/proc/{proc.pid}/status").read_text()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024
        state = re.search(r"State:\s+(.*)", status).group(1)
        parts.append(f"the JVM (pid {proc.pid}) runs, RSS {rss:,} MB, state {state}")
        jcmd = server.java.parent / "jcmd" if server.java else None
        for command, name in (("Thread.print", "threads.txt"), ("GC.heap_info", "heap.txt")):
            if jcmd and jcmd.exists():
                with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                    done = subprocess.run([str(jcmd), str(proc.pid), command], capture_output=True, text=True,
                                          timeout=60)
                    (kept / name).write_text(done.stdout + done.stderr, encoding="utf-8")
        heap = (kept / "heap.txt").read_text() if (kept / "heap.txt").exists() else ""
        used = re.search(r"total (\d+)K, used (\d+)K", heap)
        if used:
            parts.append(f"heap {int(used.group(2)) // 1024:,} of {int(used.group(1)) // 1024:,} MB used")
    parts.append(memory_state())
    folder = Path(server.data_dir) if server.data_dir else None
    for source in ([folder / "launcher.err", folder / "launcher.out", *sorted(folder.glob("gc-*.log*")),
                    folder / "logs" / "debug.log", folder / "logs" / "neo4j.log"] if folder else []):
        with contextlib.suppress(OSError):
            shutil.copy2(source, kept / source.name)
    gc_logs = sorted(folder.glob("gc-*.log"), key=lambda path: path.stat().st_mtime) if folder else []
    if gc_logs:
        pauses = [line for line in gc_logs[-1].read_text(errors="replace").splitlines() if "Pause" in line]
        if pauses:
            parts.append(f"last GC: {pauses[-1].split('] ')[-1][:160]}")
    parts.append(f"its thread dump and logs are kept in {kept}")
    return "; ".join(parts)


def neo4j_answers(settings: Any, seconds: float = 20.0) -> str | None:
    """None if the server completes Bolt's handshake and a query on a fresh connection within ``seconds``,
    else why not."""
    import neo4j

    try:
        with neo4j.GraphDatabase.driver(settings.uri, auth=settings.auth, connection_timeout=seconds,
                                        connection_acquisition_timeout=seconds) as driver:
            driver.execute_query("RETURN 1", database_=settings.database)
    except Exception as err:  # any failure means the server cannot be used
        return f"{type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}"
    return None


def neo4j_queries(root: Path, store_path: Path, urls: dict[str, list[str]], out: Figures, rounds: int,
                  watchdog: Watchdog) -> None:
    """The first sync against the bare optimum on a fresh Neo4j; the same queries and pages there; one change.

    As ``bench/neo4j_load.py`` measures them: the JVM warmed up first (both ways of loading, on 100
    cases, not timed), then each round the database emptied and the bare optimum timed (the faster
    of its plain loads of the same rows: ``load_bare``, one ``UNWIND`` per label and relationship
    type each in its own transaction, and ``load_bare_batched``, batches in one transaction), the database
    emptied again and the project's first sync timed as ``graph_loader.py load --neo4j`` makes it
    (:func:`kb.load.neo4j.sync_to_neo4j`: the embedded store is already loaded, so it is the sync,
    which also keeps the record the later syncs of a part need).  The best of ``rounds`` counts.

    The server keeps its data in the phase's folder, so a phase started again after an item ran over
    its limit starts the server on the synced graph.  After every item a fresh connection must
    complete Bolt's handshake: a server that stops answering is reported as such (:class:`Neo4jStopped`,
    with its state, thread dump and logs kept) instead of every later query failing.
    """
    if not (REPO / "kb" / "store" / "neo4j.py").exists():
        out["neo4j_note"] = "skipped: kb/store/neo4j.py does not exist"
        return
    spec = importlib.util.spec_from_file_location("kb_tools_neo4j_server", REPO / "tools" / "neo4j" / "server.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    data, kept = store_path.parent / "neo4j", store_path.parent / "kept" / "neo4j"
    if "neo4j_first_over" in out:
        limit = out["neo4j_first_over"]["over_s"]
        out["neo4j_note"] = f"not measured further: the first sync and the bare optimum ran over {limit:.0f} s"
        return
    try:
        neo4j_parts(module, root, store_path, urls, out, rounds, watchdog, data, kept)
    except module.Neo4jUnavailable as err:
        out["neo4j_note"] = f"skipped: Neo4j unavailable ({err})"


def neo4j_parts(module: Any, root: Path, store_path: Path, urls: dict[str, list[str]], out: Figures, rounds: int,
                watchdog: Watchdog, data: Path, kept: Path) -> None:
    """:func:`neo4j_queries`' measurements: the first sync on a server of its own, then the rest on another."""
    from kb.store.neo4j import Neo4jStore

    if "neo4j_sync_s" not in out or not data.is_dir():
        shutil.rmtree(data, ignore_errors=True)
        with neo4j_server(module, data, kept, NEO4J_SYNC_HEAP, out, watchdog) as (server, settings):
            driver = settings.driver()
            try:
                with watchdog.item("neo4j_first_over", limit_s=NEO4J_FIRST_LIMIT_S):
                    first_and_bare(root, store_path, settings, driver, out, rounds)
            finally:
                driver.close()
    # The same graph served by a server of the size a site needs: after a first sync of 10,000 cases
    # the JVM would keep the sync's heap (G1 does not give it back) for the rest of the run.
    with neo4j_server(module, data, kept, NEO4J_HEAP, out, watchdog) as (server, settings):
        store = Neo4jStore(settings)
        try:
            time_queries(store, watchdog, "neo4j")
            answering(server, settings, kept, "the named queries")
            if importlib.util.find_spec("kb.analysis") and not watchdog.has("comparable_neo4j"):
                with watchdog.item("comparable_neo4j"):
                    comparable = time_comparable(store)
                out["comparable_neo4j"] = comparable
        finally:
            store.close()
        log("  Neo4j queries timed")
        time_pages({"KB_STORE": "neo4j", "NEO4J_URI": server.uri}, urls, watchdog, "pages_neo4j")
        answering(server, settings, kept, "the page kinds")
        log("  Neo4j pages timed")
        if not watchdog.has("neo4j_change_cli") and not watchdog.has("neo4j_change_over"):
            with watchdog.item("neo4j_change_over"):
                neo4j_change(root, store_path, settings, out)
            answering(server, settings, kept, "the one-change syncs")
        out["neo4j_counts"] = list(neo4j_counts(settings))


#: The benchmark's Neo4j for the first sync (one transaction of about 4 GB at 10,000 cases) and the
#: bare optimum, and for everything after it (named queries, page kinds, one-change syncs: one
#: transaction may use the heap less 1 GB; a query wanting more fails alone, MemoryLimitExceeded).
#: The fifth round's 10,000 run kept one 7 GB server throughout, beside a 100,000-case site of 10-12 GB
#: on this 24 GB machine without swap: the server stopped answering while the site's worker stalled.
NEO4J_SYNC_HEAP, NEO4J_HEAP, NEO4J_PAGECACHE = "7g", "4g", "1g"
#: The warm-up, bare optimum and first sync together (at 10,000 cases about 8 minutes on a busy machine).
NEO4J_FIRST_LIMIT_S = 3600.0


@contextlib.contextmanager
def neo4j_server(module: Any, data: Path, kept: Path, heap: str, out: Figures, watchdog: Watchdog) -> Any:
    """A Neo4j server on ``data`` (kept between starts) with ``heap``; yields it and its settings.

    Every start has its own GC log; when the phase fails or an item runs over its limit, the server's
    state, thread dump and logs are kept (:func:`jvm_state`) before it is stopped.
    """
    from kb.store.neo4j import Neo4jSettings

    free = int(re.search(r"MemAvailable:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024
    need = memory_mb(heap) + memory_mb(NEO4J_PAGECACHE) + 1024
    if free < need:
        log(f"  warning: {free:,} MB of memory available, the Neo4j server needs about {need:,} MB: the machine "
            "may run out (no swap: every process slows to a crawl, as the 10,000 run of the fifth round did)")
    transaction_max = f"{max(memory_mb(heap) - 1024, memory_mb(heap) // 2)}m"
    server = module.Neo4jServer(heap=heap, pagecache=NEO4J_PAGECACHE, tx_timeout="2h", transaction_max=transaction_max,
                                settings={"dbms.memory.transaction.total.max": transaction_max,
                                          "db.logs.query.enabled": "OFF"},
                                data_dir=data, jvm_flags=neo4j_jvm_flags(data, heap))
    hook = lambda what: log("  Neo4j when stopped: " + jvm_state(server, kept, f"{what} ran over"))  # noqa: E731
    watchdog.on_limit.append(hook)
    try:
        server.start(timeout=300)
        out.update({"neo4j_pid": server.pid, "neo4j_version": server.version,
                    f"neo4j_heap_{'sync' if heap == NEO4J_SYNC_HEAP else 'queries'}": heap})
        settings = Neo4jSettings(server.uri)
        answering(server, settings, kept, f"a start with a {heap} heap")
        yield server, settings
    except (Neo4jStopped, module.Neo4jUnavailable):
        raise
    except Exception as err:  # keep the server's state and logs with the error
        log("  Neo4j when it failed: " + jvm_state(server, kept, f"{type(err).__name__}"))
        raise
    finally:
        watchdog.on_limit.remove(hook)
        with contextlib.suppress(OSError, ValueError):
            out[f"neo4j_gc_{'sync' if heap == NEO4J_SYNC_HEAP else 'queries'}"] = gc_summary(
                sorted(data.glob(f"gc-{heap}-*.log*")))
        server.stop()


_GC_PAUSE = re.compile(r"GC\(\d+\) Pause (\w+).*? (\d+)M->(\d+)M\((\d+)M\) ([\d.]+)ms")


def gc_summary(logs: list[Path]) -> dict[str, Any]:
    """What the JVM's GC log says of a server's heap: its peak use before and after a collection, the pauses.

    >>> import tempfile; log = Path(tempfile.mkdtemp()) / "gc.log"
    >>> _ = log.write_text("[1.0s][info][gc] GC(3) Pause Young (Normal) (G1 Evacuation) 900M->300M(3072M) 12.5ms\\n"
    ...                    "[2.0s][info][gc] GC(4) Pause Full (G1 Compaction) 2900M->2100M(3072M) 950.0ms\\n")
    >>> gc_summary([log])
    {'pauses': 2, 'pause_s': 0.9625, 'longest_ms': 950.0, 'full': 1, 'peak_mb': 2900, 'live_mb': 2100, 'heap_mb': 3072}
    """
    pauses = [match for path in logs for match in _GC_PAUSE.finditer(path.read_text(errors="replace"))]
    if not pauses:
        return {"pauses": 0}
    return {"pauses": len(pauses), "pause_s": sum(float(m.group(5)) for m in pauses) / 1000,
            "longest_ms": max(float(m.group(5)) for m in pauses), "full": sum(m.group(1) == "Full" for m in pauses),
            "peak_mb": max(int(m.group(2)) for m in pauses), "live_mb": max(int(m.group(3)) for m in pauses),
            "heap_mb": max(int(m.group(4)) for m in pauses)}


def memory_mb(size: str) -> int:
    """A JVM-style size in MB.

    >>> memory_mb("7g"), memory_mb("512m")
    (7168, 512)
    """
    return int(float(size[:-1]) * {"g": 1024, "m": 1, "k": 1 / 1024}[size[-1].lower()])


def answering(server: Any, settings: Any, kept: Path, after: str) -> None:
    """Raise :class:`Neo4jStopped`, with the server's state, unless a fresh connection gets an answer."""
    why = neo4j_answers(settings)
    if why:
        raise Neo4jStopped(f"Neo4j stopped answering after {after} ({why}): "
                           + jvm_state(server, kept, "a fresh connection did not get an answer"))


def neo4j_jvm_flags(data: Path, heap: str) -> list[str]:
    """The GC's log of this start in the server's folder (kept when a phase fails), and an exit on OutOfMemoryError.

    Without the exit, a JVM whose heap ran out lingers: it accepts connections and answers none.
    """
    log_file = data / f"gc-{heap}-{time.strftime('%H%M%S')}.log"
    return [f"-Xlog:gc*,safepoint:file={log_file}:time,uptime,level,tags:filecount=4,filesize=20m",
            "-XX:+ExitOnOutOfMemoryError"]


def neo4j_counts(settings: Any) -> tuple[int, int]:
    """Nodes and relationships in the Neo4j database."""
    from bench.neo4j_load import counts

    driver = settings.driver()
    try:
        return counts(driver)
    finally:
        driver.close()


def first_and_bare(root: Path, store_path: Path, settings: Any, driver: Any, out: Figures, rounds: int) -> None:
    """The project's first sync and the bare optimum, best of ``rounds``, after warming the JVM (see above)."""
    from bench import neo4j_load
    from bench.generate_corpus import generate
    from bench.neo4j_load import DATABASE, load_bare, wipe
    from kb.load import load_content
    from kb.load.cache import ParseCache, cache_version
    from kb.load.neo4j import NEO4J_STATE, sync_to_neo4j
    from kb.load.rows import content_rows
    from kb.store.neo4j_sync import ensure_constraints, sync

    if settings.database not in (None, "", DATABASE):
        raise RuntimeError(f"the bare optimum writes to the database {DATABASE!r}, not {settings.database!r}")
    ensure_constraints(driver, DATABASE)  # what the first sync makes; the bare load needs them too
    with tempfile.TemporaryDirectory(prefix="kb-scale-warmup-") as scratch:
        small = content_rows(load_content(generate(100, Path(scratch) / "content")))
    for warm_up in (lambda: load_bare(driver, small), lambda: sync(settings, small, driver=driver)):
        wipe(driver)
        warm_up()
    log("  Neo4j: JVM warmed up on 100 cases (not timed)")
    rows = content_rows(load_content(root, cache=ParseCache(store_path / "cache", cache_version(root))))
    # The plain loads bench/neo4j_load.py takes the faster of: a statement per label and type, each
    # in its own transaction, or batches of the project's size in one transaction.
    plain = {"per_statement": load_bare}
    if hasattr(neo4j_load, "load_bare_batched"):
        plain["batched"] = neo4j_load.load_bare_batched
    bare: list[float] = []
    first: list[float] = []
    for round_ in range(rounds):
        ways = {}
        for way, load in plain.items():
            wipe(driver)
            begin = time.perf_counter()
            load(driver, rows)
            ways[way] = time.perf_counter() - begin
        bare.append(min(ways.values()))
        log(f"  Neo4j bare optimum: {bare[-1]:.1f} s (round {round_ + 1}; "
            + ", ".join(f"{way} {seconds:.1f} s" for way, seconds in ways.items()) + ")")
        out["neo4j_bare"] = {**series(bare), **{f"{way}_s": seconds for way, seconds in ways.items()}}
        wipe(driver)
        (store_path / NEO4J_STATE).unlink(missing_ok=True)  # a first sync: no record of an earlier one
        _, report = sync_to_neo4j(root, store_path, settings)
        if report is None or report.part:
            raise RuntimeError("the first sync was not a full sync of valid content")
        first.append(report.seconds)
        log(f"  Neo4j first sync: {first[-1]:.1f} s (round {round_ + 1})")
        out["neo4j_first"] = series(first)
    out.update({"neo4j_sync_s": min(first), "neo4j_bare_s": min(bare)})


def neo4j_change(root: Path, store_path: Path, settings: Any, out: Figures) -> None:
    """The whole ``graph_loader.py load --neo4j`` command after one changed case (worst and median of 3).

    Then one more change synced in this process, for the Neo4j part of the command alone and to
    check that a sync after one change sends that case's part only (not the whole graph).
    """
    from kb.load.neo4j import sync_to_neo4j

    case = sorted((root / "cases").glob("*.md"))[1]
    commands, parts = [], []
    for n in (96, 97, 98):
        edit_case(case, n)
        seconds, printed = load_command(root, store_path, "--neo4j", settings.uri)
        commands.append(seconds)
        # Its first line is the sync's report: "updated 1 nodes and 0 relationships (0.1 s)".
        said = re.search(r"\(([\d.]+) s\)$", printed.splitlines()[0]) if printed else None
        parts.append(float(said.group(1)) if said else None)
    out["neo4j_change_cli"] = {**series(commands), "neo4j_part": parts}
    out["neo4j_change_sync_s"] = max(commands)
    edit_case(case, 99)
    begin = time.perf_counter()
    _, report = sync_to_neo4j(root, store_path, settings)
    whole = time.perf_counter() - begin
    if report is None or not report.part or not report.changed:
        raise RuntimeError(f"the sync after one changed case compared {'a part' if report and report.part else 'all'}"
                           f" and {'changed' if report and report.changed else 'did not change'} the graph")
    out.update({"neo4j_change_part_s": report.seconds, "neo4j_change_inprocess_s": whole})
    log(f"  `load --neo4j` after one change: median {out['neo4j_change_cli']['median']:.2f} s, worst "
        f"{max(commands):.2f} s; in this process {whole:.2f} s, its Neo4j part {report.seconds:.2f} s")


# --- phase 3: the site under load ---------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app: str, env: dict[str, str], log_path: Path, wait_s: float = 60) -> tuple[subprocess.Popen, str]:
    """gunicorn on 127.0.0.1: 2 workers (one per core), 4 threads each; wait until it answers (``wait_s`` at most)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
               "--worker-class", "gthread", "--threads", "4", "--timeout", "120", "--chdir", str(REPO),
               "--log-level", "warning", app]
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=log_file, stderr=log_file,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=max(1.0, deadline - time.monotonic())).read()
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


def worker_peak_rss_mb(process: subprocess.Popen) -> list[float]:
    """The peak RSS (VmHWM) of each of the gunicorn master's children (its workers)."""
    peaks = []
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    for pid in children.read_text().split() if children.exists() else []:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
            peaks.append(int(match.group(1)) / 1024 if match else 0)
    return peaks


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


def warm_up(url: str, paths: list[str], limit_s: float) -> str:
    """Request each path once, for ``limit_s`` seconds at most in all; what did not answer, if anything."""
    deadline, failed, left = time.monotonic() + limit_s, 0, 0
    for n, path in enumerate(paths):
        if time.monotonic() >= deadline:
            left = len(paths) - n
            break
        try:
            urllib.request.urlopen(url + path, timeout=max(1.0, deadline - time.monotonic())).read()
        except OSError:
            failed += 1
    if not failed and not left:
        return ""
    return (f"the warm-up: {failed} of {len(paths)} requests failed or timed out, {left} not sent"
            f" (limit {limit_s:.0f} s)")


#: Seconds of each wrk run warming the page cache (:func:`warm_page_cache`).
WARM_RUN_S = 5


def warm_enough(runs: list[dict[str, float]], pages: int) -> bool:
    """Whether the page cache's warm-up runs (wrk's figures, in order) over ``pages`` paths reached the steady
    state: every path asked for eight times or more in all (with two workers, the chance that one of them was
    never asked for a given page is then 1 in 256), and the last run's rate within 10% of the one before it
    (while the workers still render pages for the first time the rate climbs: at 10,000 cases 75, 150, 1,200,
    3,200 req/s; the first runs, nearly all first renders, are too few requests to count as settled).

    >>> rates = [75, 150, 1200, 3200, 3300]
    >>> [warm_enough([{"rps": r, "requests": 5 * r} for r in rates[:n]], 500) for n in (2, 4, 5)]
    [False, False, True]
    >>> warm_enough([{"rps": 8, "requests": 40}] * 12, 500)  # 100,000 cases: a page takes seconds
    False
    """
    return (len(runs) >= 2 and sum(run["requests"] for run in runs) >= 8 * pages
            and abs(runs[-1]["rps"] - runs[-2]["rps"]) <= 0.1 * runs[-2]["rps"])


def warm_page_cache(run: Callable[[int], dict[str, float]], pages: int, least_s: float,
                    most_s: float) -> list[dict[str, float]]:
    """wrk runs of :data:`WARM_RUN_S` seconds (``run(seconds)``) over ``pages`` paths until each worker's page cache
    holds them (:func:`warm_enough`), for ``least_s`` seconds at least and ``most_s`` at most; the runs.

    A single run of a fixed length left the fill's end to chance: at 10,000 cases each worker renders about
    38 case pages a second, so its 500 took 13-15 s of a 15 s run, and the measured run after it caught the
    rest of the fill (each first render costs the CPU of about a hundred cached answers): 172 to 3,243 req/s
    from one run to the next of the same code.
    """
    runs: list[dict[str, float]] = []
    while True:
        runs.append(run(WARM_RUN_S))
        spent = WARM_RUN_S * len(runs)
        if spent >= most_s or (spent >= least_s and warm_enough(runs, pages)):
            return runs


def web_phase(store_path: Path, work: Path, out: Figures, duration: int, connections: int, limit_s: float) -> None:
    if not shutil.which("wrk") or not importlib.util.find_spec("gunicorn"):
        out["web_note"] = "skipped: needs wrk (apt-get install -y wrk) and gunicorn (requirements-dev.txt)"
        return
    from kb.store.ladybug import LadybugStore

    reader = LadybugStore(store_path)
    cases = [r["id"] for r in reader.run("MATCH (o:Organisation) RETURN o.id AS id")]
    reader.close()
    sample = random.Random(3).sample(cases, min(500, len(cases)))
    env = {"KB_STORE_PATH": str(store_path), "KB_RATE_LIMITS": "false", "KB_STORE": "ladybug"}
    site, url = start_gunicorn("webapp:create_app()", env, work / "gunicorn-site.log", wait_s=3 * limit_s)
    try:
        # Warm both workers' caches, within the limit of an item (at 100,000 cases a case page took minutes).
        if note := warm_up(url, [f"/cases/{c}" for c in sample[:20]] + [f"/compare?case={c}" for c in sample[:20]],
                           limit_s):
            out["web_warm_note"] = note
        # The steady state of a site with a page cache: every sampled page rendered once per worker
        # (warm-up runs, not counted).  The uncached run below measures what a first visit costs.
        warm = warm_page_cache(lambda seconds: wrk(url, [f"/cases/{c}" for c in sample], work, seconds, connections),
                               len(sample), least_s=max(15, duration), most_s=limit_s / 3)
        out["pages_warm_rps"] = [round(run["rps"]) for run in warm]
        log(f"  case pages, warming the page cache: {', '.join(map(str, out['pages_warm_rps']))} req/s "
            f"({WARM_RUN_S} s runs)")
        if not warm_enough(warm, len(sample)):
            out["web_cache_note"] = (f"the page cache's warm-up did not settle in {limit_s / 3:.0f} s (case pages "
                                     f"{out['pages_warm_rps'][0]} req/s, then {out['pages_warm_rps'][-1]}): "
                                     "the cached figures include pages rendered for the first time")
        out["pages"] = wrk(url, [f"/cases/{c}" for c in sample], work, duration, connections)
        log(f"  case pages: {out['pages']['rps']:.0f} req/s, p95 {out['pages']['p95']:.0f} ms")
        out["compare"] = wrk(url, [f"/compare?case={c}" for c in sample], work, duration, connections)
        log(f"  comparable cases: {out['compare']['rps']:.0f} req/s, p95 {out['compare']['p95']:.0f} ms")
        peaks = worker_peak_rss_mb(site)
        out.update({"site_worker_rss_mb": max(peaks, default=0.0), "site_workers_rss_sum_mb": sum(peaks)})
    finally:
        stop(site)
    # Every request rendered afresh: what a first visit to a page costs.
    site, url = start_gunicorn("webapp:create_app()", {**env, "KB_PAGE_CACHE_MB": "0"}, work / "gunicorn-site.log",
                               wait_s=3 * limit_s)
    try:  # the same warm-up as above, but no cache
        warm_up(url, [f"/cases/{c}" for c in sample[:20]] + [f"/compare?case={c}" for c in sample[:20]], limit_s)
        out["pages_uncached"] = wrk(url, [f"/cases/{c}" for c in sample], work, duration, connections)
        log(f"  case pages, uncached: {out['pages_uncached']['rps']:.0f} req/s, "
            f"p95 {out['pages_uncached']['p95']:.0f} ms")
    finally:
        stop(site)
    trivial, url = start_gunicorn("bench.loadtest.trivial:app", {}, work / "gunicorn-trivial.log")
    try:
        out["trivial"] = wrk(url, ["/ok"], work, duration, connections)
        log(f"  trivial route: {out['trivial']['rps']:.0f} req/s, p95 {out['trivial']['p95']:.1f} ms")
    finally:
        stop(trivial)


# --- the run: one subprocess per N and phase ----------------------------------------------------

def prepare_content(n: int, content: Path) -> str:
    """The N-case corpus in ``content``: hard links to ``bench/corpus/<n>`` when it is there, else made anew.

    Hard links cost no copy (1.3 GB at 100,000 cases); the edits replace files (:func:`edit_case`), so
    the shared corpus is never written to.  Returns where the files came from.
    """
    from bench.generate_corpus import DEFAULT_OUT, generate

    shared = DEFAULT_OUT / str(n)
    if (shared / "cases").is_dir() and len(list((shared / "cases").glob("*.md"))) == n:
        try:
            shutil.copytree(shared, content, copy_function=os.link)
        except OSError:  # another file system: copy
            shutil.rmtree(content, ignore_errors=True)
            shutil.copytree(shared, content)
        return str(shared)
    log(f"generating {n} cases into {content} (no bench/corpus/{n})")
    generate(n, content, jobs=os.cpu_count() or 1)
    return "generated for this run"


#: Set by SIGTERM or Ctrl-C in the parent: the phase running is asked to stop, and the report is printed.
class Stopped(Exception):
    pass


def _stop_on_signal(signum: int, _frame: Any) -> None:
    raise Stopped(signal.Signals(signum).name)


def neo4j_skipped(n: int, skip: bool, max_n: int | None) -> str | None:
    """Why Neo4j is not measured at N cases in this run (the report's reason), or None if it is.

    >>> neo4j_skipped(100_000, False, 10_000)
    'Neo4j measured up to 10,000 cases in this run (--neo4j-max-n 10000)'
    >>> neo4j_skipped(10_000, False, 10_000) is None, neo4j_skipped(100, True, None)
    (True, 'skipped (--skip-neo4j)')
    """
    if skip:
        return "skipped (--skip-neo4j)"
    if max_n is not None and n > max_n:
        return f"Neo4j measured up to {max_n:,} cases in this run (--neo4j-max-n {max_n})"
    return None


def run_phase(phase: str, n: int, work: Path, args: argparse.Namespace, limit_s: float | None = None,
              why_limit: str = "--phase-limit") -> dict[str, Any]:
    """One phase in a fresh Python; its figures come back through a JSON file it writes as it goes.

    If the phase fails or is stopped, what it wrote so far is returned with a note saying so.  A phase
    still running after ``limit_s`` seconds is stopped as the run's Ctrl-C stops it (its servers too),
    its figures are kept with the note that it ran over ``limit_s`` (``why_limit`` says whose limit),
    and the run goes on.
    """
    out = work / f"{phase}.json"
    command = [sys.executable, __file__, "--phase", phase, "--n", str(n), "--work", str(work),
               "--duration", str(args.duration), "--connections", str(args.connections),
               "--neo4j-rounds", str(args.neo4j_rounds), "--item-limit", str(args.item_limit)]
    if args.skip_neo4j:
        command.append("--skip-neo4j")
    if args.neo4j_max_n is not None:
        command += ["--neo4j-max-n", str(args.neo4j_max_n)]
    # The phase's progress and errors go to this stderr; its process group is its own, so that a phase
    # stopped for good takes its processes with it.
    process = subprocess.Popen(command, start_new_session=True)
    stopped: Stopped | None = None
    over = False
    try:
        process.wait(timeout=limit_s)
    except subprocess.TimeoutExpired:
        over = True
        log(f"  the {phase} phase ran over {limit_s:.0f} s ({why_limit}): stopping it; its servers are stopped too")
        end_phase(process)
    except Stopped as err:
        stopped = err
        log(f"  stopping the {phase} phase ({err}); its servers are stopped too")
        end_phase(process)
    figures = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    end_leftover_jvm(figures.get("neo4j_pid"))
    for key in ("running", "neo4j_pid"):  # the phase's own bookkeeping
        figures.pop(key, None)
    if stopped is not None:
        figures[f"{phase}_note"] = f"the {phase} phase was stopped ({stopped}); its figures so far are kept"
        raise PhaseStopped(figures) from stopped
    if over:
        figures[f"{phase}_note"] = (f"the {phase} phase ran over {limit_s:.0f} s ({why_limit}); it was stopped and "
                                    "its figures so far are kept")
        figures[f"{phase}_over_s"] = limit_s
    elif process.returncode != 0:
        log(f"  the {phase} phase failed (exit {process.returncode}); see the error above")
        figures[f"{phase}_note"] = f"the {phase} phase failed (exit {process.returncode}); its figures so far are kept"
    return figures


def end_phase(process: subprocess.Popen) -> None:
    """Stop a phase's process: SIGTERM (it stops its Neo4j and gunicorn on its way out), after 3 minutes
    its whole process group (a query running in the store's engine delays the signal until it returns)."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=180)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def supervise(argv: list[str], out: Path) -> int:
    """Run a phase (``argv`` with ``--started-again``) and start it again after each item over its limit.

    The phase's process ends when an item runs over its limit (:class:`Watchdog`); started again, it
    goes on after the items its JSON has.  This runs in the phase's own process, so a parent of an
    earlier version of this script (which knows nothing of limits) gets every item measured too.
    Its exit status is the last start's.
    """
    inner: subprocess.Popen | None = None
    stopping: list[int] = []

    def forward(signum: int, _frame: Any) -> None:  # the parent stops the phase: stop the start running
        stopping.append(signum)
        if inner is not None and inner.poll() is None:
            inner.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    for start in range(MAX_STARTS):
        inner = subprocess.Popen([sys.executable, __file__, *argv, "--started-again"])
        while inner.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                inner.wait(timeout=1)
        figures = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        running = figures.pop("running", None)
        end_leftover_jvm(figures.get("neo4j_pid"))
        if (stopping or inner.returncode == 0 or inner.returncode < 0
                or (inner.returncode != OVER_LIMIT and not running)):
            break
        if running and inner.returncode != OVER_LIMIT:  # faulthandler's backstop: its stacks are above
            key, name = running["key"], running["name"]
            over = {"over_s": running["limit_s"], "profile": ["not sampled: the stacks are in the run's output"]}
            figures[key] = over if name is None else {**figures.get(key, {}), name: over}
        out.write_text(json.dumps(figures), encoding="utf-8")
        log(f"  the phase goes on after the item that ran over its limit (start {start + 2})")
    return inner.returncode if inner.returncode >= 0 else 128 - inner.returncode


#: How many times a phase is started in all: once, and again after each item over its limit.
MAX_STARTS = 40


def end_leftover_jvm(pid: int | None) -> None:
    """Make sure the Neo4j JVM a phase's process started has gone (it stops when that process ends; a
    JVM that hangs would hold its store, which the phase started again needs)."""
    if not pid:
        return
    cmdline = Path(f"/proc/{pid}/cmdline")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if b"Launcher" in cmdline.read_bytes():
                time.sleep(0.5)
                continue
        return
    log(f"  the phase's Neo4j (pid {pid}) did not stop in 60 s: killed")
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


class PhaseStopped(Exception):
    """The run was stopped during a phase; ``figures`` is what that phase measured."""

    def __init__(self, figures: dict[str, Any]):
        super().__init__("stopped")
        self.figures = figures


def child(args: argparse.Namespace, argv: list[str]) -> int:
    work = Path(args.work)
    if args.phase == "queries" and not args.started_again:
        return supervise(argv, work / f"{args.phase}.json")
    # Stopped by the parent: unwind, so that every server started is stopped (finally blocks, atexit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    root, store = work / "content", work / "store"
    out = Figures(work / f"{args.phase}.json")
    if args.phase == "check":
        check_phase(root, out)
    elif args.phase == "load":
        load_phase(root, store, out)
    elif args.phase == "queries":
        queries_phase(root, store, out, neo4j_skipped(args.n, args.skip_neo4j, args.neo4j_max_n),
                      rounds=args.neo4j_rounds, watchdog=Watchdog(out, args.item_limit), pages_first=args.n > LARGE)
    else:
        web_phase(store, work, out, args.duration, args.connections, args.item_limit)
    return 0


PHASES = ("check", "load", "queries", "web")


def measure(n: int, args: argparse.Namespace, result: dict[str, Any], save: Callable[[], None]) -> None:
    """Every phase for N cases, each figure added to ``result`` (and saved) as soon as its phase returns."""
    work = Path(tempfile.mkdtemp(prefix=f"kb-scale-{n}-"))
    try:
        result["corpus"] = prepare_content(n, work / "content")
        if neo4j_note := neo4j_skipped(n, args.skip_neo4j, args.neo4j_max_n):
            result["neo4j_note"] = neo4j_note
        if n > LARGE:
            result["large_note"] = (f"above {LARGE:,} cases the previous floor, parse+validate of every document "
                                    "held at once and the warm full load are left out (each would take many minutes)")
        phases = [phase for phase in PHASES if not (phase == "web" and args.skip_web)]
        if args.skip_web:
            result["web_note"] = "skipped (--skip-web)"
        for at, phase in enumerate(phases):
            limit, why = phase_limit(phase, args, tuple(phases[at + 1:]))
            if limit is not None and limit <= 0:
                result[f"{phase}_note"] = f"the run's end came first ({why}): not started"
                log(f"N = {n:,}: {phase} phase not started: the run's end ({why}) came first")
                continue
            log(f"N = {n:,}: {phase} phase" + (f" (at most {limit:.0f} s: {why})" if limit is not None else ""))
            try:
                result.update(run_phase(phase, n, work, args, limit, why))
            except PhaseStopped as stopped:
                result.update(stopped.figures)
                raise Stopped("stopped") from None
            finally:
                save()
            if phase == "load" and "full_cold" not in result:
                return  # no store to measure further
        result["complete"] = True
    finally:
        if (work / "kept").is_dir():  # a server's logs and state when it stopped answering
            kept = args.kept / f"N{n}"
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(work / "kept", kept)
            result["kept_note"] = f"what a failed server left (thread dump, logs) is kept in {kept}"
            save()
        shutil.rmtree(work, ignore_errors=True)


def phase_limit(phase: str, args: argparse.Namespace, later: tuple[str, ...] = ()) -> tuple[float | None, str]:
    """The most seconds a phase may run (None: no limit) and whose limit it is: its ``--phase-limit``,
    or less if the run must end sooner (``--end-by``, less the time ``--reserve`` keeps for the ``later``
    phases of the same N)."""
    limit, why = args.phase_limit.get(phase), f"--phase-limit {phase}={args.phase_limit.get(phase, 0):.0f}"
    if args.end_by is not None:
        keeping = [other for other in later if args.reserve.get(other)]
        kept = sum(args.reserve[other] for other in keeping)
        left = args.end_by - time.time() - kept
        if limit is None or left < limit:
            limit, why = left, (f"--end-by {time.strftime('%H:%M', time.gmtime(args.end_by))} UTC"
                                + (f", {kept:.0f} s kept for the {' and '.join(keeping)} phase"
                                   + ("s" if len(keeping) > 1 else "") if kept else ""))
    return limit, why


def phase_seconds(pairs: list[str], option: str = "--phase-limit") -> dict[str, float]:
    """``--phase-limit load=2400 queries=900``: seconds by phase.

    >>> phase_seconds(["load=2400", "web=600"])
    {'load': 2400.0, 'web': 600.0}
    """
    limits = {}
    for pair in pairs:
        phase, _, seconds = pair.partition("=")
        if phase not in PHASES or not seconds:
            raise argparse.ArgumentTypeError(f"{option} {pair}: give PHASE=SECONDS, PHASE one of {PHASES}")
        limits[phase] = float(seconds)
    return limits


def end_by(text: str) -> float:
    """``--end-by 07:20``: that time (UTC) next, as a Unix time (tomorrow's if today's has passed)."""
    hours, minutes = (int(part) for part in text.split(":"))
    now = time.time()
    today = now - now % 86400 + hours * 3600 + minutes * 60
    return today if today > now else today + 86400


def git_commit() -> str:
    """The commit measured (with "+ changes" if the work tree differs from it)."""
    def git(*command: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *command], capture_output=True, text=True).stdout.strip()

    changed = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + (" + uncommitted changes" if changed else "")


def utc() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --- printing -----------------------------------------------------------------------------------

def get(r: dict[str, Any], *path: str) -> Any:
    """``r[path[0]][path[1]]...``, or None where a figure is missing (a phase skipped or failed)."""
    for key in path:
        if not isinstance(r, dict) or key not in r:
            return None
        r = r[key]
    return r


def median_and_worst(value: Any) -> tuple[float, float] | None:
    """A series' median and worst (or a single figure twice, as older runs kept it)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value["median"], value["max"]
    return value, value


def figures_table(results: list[dict[str, Any]]) -> str:
    header = ("| N | floor files/s (previous floor) | parse+validate files/s (× floor) | "
              "full load cold s (× floor; CPU s) | full load warm s | reload 1 file s (worst of 10) | "
              "`load` command after 1 change s (worst of 5) | "
              "load peak MB (validate's) | comparable p95 ms | case pages req/s, p95 ms, errors | "
              "uncached pages req/s, p95 ms | compare req/s, p95 ms | trivial req/s | pages ÷ trivial |")
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for r in results:
        fl, pv, previous = r.get("floor"), r.get("parse_validate"), r.get("floor_previous")
        pages, compare, trivial = r.get("pages"), r.get("compare"), r.get("trivial")
        uncached, comparable = r.get("pages_uncached"), r.get("comparable_ladybug")
        cold, reload, cli = r.get("full_cold"), median_and_worst(r.get("reload")), median_and_worst(r.get("reload_cli"))
        memory = load_memory_mb(r)
        lines.append(" | ".join([
            f"| {r['n']:,}",
            (f"{fl['files_per_s']:.0f}" + (f" ({previous['files_per_s']:.0f})" if previous else "")) if fl else "–",
            f"{pv['files_per_s']:.0f} ({pv['files_per_s'] / fl['files_per_s']:.2f}×)" if pv and fl else "–",
            (f"{cold:.1f} (" + (f"{cold / fl['seconds']:.1f}×; " if fl else "")
             + f"{r.get('full_cold_cpu_s', 0):.0f})") if cold is not None else "–",
            f"{r['full_warm']:.1f}" if "full_warm" in r else "–",
            f"{reload[0]:.2f} ({reload[1]:.2f})" if reload else "–",
            f"{cli[0]:.2f} ({cli[1]:.2f})" if cli else "–",
            (f"{memory:.0f}" if memory else "–") + (f" ({r['validate_rss_mb']:.0f})" if "validate_rss_mb" in r else ""),
            (f"over {over_limit(comparable):.0f} s" if over_limit(comparable) else f"{comparable['p95']:.1f}")
            if comparable else "–",
            f"{pages['rps']:.0f}, {pages['p95']:.0f}, {pages['errors']}" if pages else "–",
            f"{uncached['rps']:.0f}, {uncached['p95']:.0f}" if uncached else "–",
            f"{compare['rps']:.0f}, {compare['p95']:.0f}" if compare else "–",
            f"{trivial['rps']:.0f}" if trivial else "–",
            f"{pages['rps'] / trivial['rps']:.0%}" if pages and trivial else "–"]) + " |")
    return "\n".join(lines)


def extras(r: dict[str, Any]) -> str:
    """The figures of a run that have no column: other reloads, the site's memory, the Neo4j syncs, notes."""
    parts = []
    if "reload_unchanged" in r:
        parts.append(f"reload after no change {r['reload_unchanged']:.2f} s")
    if "floor" in r:
        parts.append(f"the floor {r['floor']['files_per_cpu_s']:.0f} files per CPU second")
    if "site_worker_rss_mb" in r:
        parts.append(f"site workers' peak RSS {r['site_worker_rss_mb']:.0f} MB each at most, "
                     f"{r.get('site_workers_rss_sum_mb', r['site_worker_rss_mb']):.0f} MB together")
    for key, what in (("neo4j_first", "first Neo4j sync"), ("neo4j_bare", "bare optimum")):
        if key in r:
            parts.append(f"{what} {', '.join(f'{s:.1f}' for s in r[key]['all'])} s")
    if "neo4j_change_cli" in r:
        said = [f"{s:.1f}" if s is not None else "?" for s in r["neo4j_change_cli"].get("neo4j_part", [])]
        parts.append("`load --neo4j` after one change " + ", ".join(f"{s:.2f}" for s in r["neo4j_change_cli"]["all"])
                     + " s" + (f" (its Neo4j part, as the command prints it: {', '.join(said)} s)" if said else ""))
    if "neo4j_change_part_s" in r:
        whole = f" {r['neo4j_change_inprocess_s']:.2f} s," if "neo4j_change_inprocess_s" in r else ""
        parts.append(f"one more change synced in-process{whole} its Neo4j part {r['neo4j_change_part_s']:.2f} s")
    elif "neo4j_change_sync_s" in r:
        parts.append(f"Neo4j sync of one changed case {r['neo4j_change_sync_s']:.2f} s")
    for part, what in (("sync", "the first sync's server"), ("queries", "the queries' and pages' server")):
        gc = r.get(f"neo4j_gc_{part}")
        if gc and gc.get("pauses"):
            parts.append(f"{what}: heap {r.get(f'neo4j_heap_{part}', '?')}, at most {gc['peak_mb']:,} MB used before a "
                         f"collection and {gc['live_mb']:,} MB after, {gc['pauses']:,} GC pauses ({gc['full']} full) "
                         f"of {gc['pause_s']:.1f} s in all, the longest {gc['longest_ms']:,.0f} ms")
    if "neo4j_counts" in r:
        parts.append(f"Neo4j: {r['neo4j_counts'][0]:,} nodes, {r['neo4j_counts'][1]:,} relationships")
    parts += [r[key] for key in sorted(r) if key.endswith("_note")]
    if "source" in r:
        parts.append(f"from {r['source']}")
    return f"N = {r['n']:,}: " + "; ".join(parts) + "."


def load_memory_mb(r: dict[str, Any]) -> float | None:
    """A load's peak: the loading process's RSS, or the PSS of it and its workers if higher."""
    figures = [r[key] for key in ("rss_mb", "full_cold_tree_mb", "full_warm_tree_mb") if key in r]
    return max(figures) if figures else None


def page_kinds(r: dict[str, Any], store: str) -> dict[str, dict[str, Any]]:
    """Every page kind timed on a store, without the in-process baseline."""
    return {kind: t for kind, t in r.get(f"pages_{store}", {}).items() if kind != TRIVIAL_KIND}


def slowest_page(r: dict[str, Any], store: str, figure: str = "p95") -> tuple[str, float] | None:
    """The page kind with the highest ``figure`` (p95 or first) on a store, and that figure (ms).

    A kind that ran over its limit counts as the limit (its figure is at least that).
    """
    pages = {kind: over_limit(t) * 1000 if over_limit(t) else t[figure] for kind, t in page_kinds(r, store).items()}
    return max(pages.items(), key=lambda item: item[1]) if pages else None


def _ms(r: dict[str, Any], store: str, kind: str, figure: str = "p95") -> str:
    """A page kind's figure for the goal table: "search 417" or "search over 120 s"."""
    timing = page_kinds(r, store)[kind]
    limit = over_limit(timing)
    return f"over {limit:.0f} s" if limit else f"{timing[figure]:,.0f} ms"


def _pages_goal(r: dict[str, Any], store: str, goal: float) -> tuple[str, bool] | None:
    slowest, kinds = slowest_page(r, store), page_kinds(r, store)
    if not slowest:
        return None
    over = sorted((over_limit(t) * 1000 if over_limit(t) else t["p95"], kind) for kind, t in kinds.items()
                  if over_limit(t) or t["p95"] >= goal)
    listed = ", ".join(f"{kind} {_ms(r, store, kind).removesuffix(' ms')}" for _, kind in reversed(over[-4:]))
    text = (f"{_ms(r, store, slowest[0])} ({slowest[0]}); {len(over)} of {len(kinds)} kinds over"
            + (f": {listed}" + (", …" if len(over) > 4 else "") if over else ""))
    missing = len(set(r.get("urls", {})) - set(kinds))
    if missing:  # a phase stopped half-way: the kinds it did not reach are not judged
        why = _short_note(r, ("neo4j_note", "queries_note") if store == "neo4j" else ("queries_note",))
        return f"{text}; {missing} more not measured ({why})", False if over else None
    return text, not over


def _first_request(r: dict[str, Any], store: str) -> tuple[str, None] | None:
    slowest = slowest_page(r, store, "first")
    return (f"{_ms(r, store, slowest[0], 'first')} ({slowest[0]})", None) if slowest else None


def _cli_goal(value: Any, goal: float, more: str = "") -> tuple[str, bool] | None:
    figures = median_and_worst(value)
    if figures is None:
        return None
    return f"{figures[0]:.2f} s (worst {figures[1]:.2f} s{more})", figures[0] < goal


def _neo4j_change(r: dict[str, Any]) -> tuple[str, bool] | None:
    if over_limit(r.get("neo4j_change_over")):
        return f"over {over_limit(r['neo4j_change_over']):.0f} s (the three commands and one sync together)", False
    part = f"; Neo4j part {r['neo4j_change_part_s']:.2f} s" if "neo4j_change_part_s" in r else ""
    return _cli_goal(r.get("neo4j_change_cli"), GOALS["neo4j_change_s"], part)


def _first_sync(r: dict[str, Any]) -> tuple[str, bool] | None:
    first, bare = r.get("neo4j_sync_s"), r.get("neo4j_bare_s")
    if not first or not bare:
        return None
    return f"{first / bare:.2f}× ({first:.1f} s / {bare:.1f} s)", first / bare <= GOALS["neo4j_vs_bare"]


def _full_load(r: dict[str, Any]) -> tuple[str, bool] | None:
    if "full_cold" not in r:
        return None
    return f"{r['full_cold']:.1f} s ({r.get('full_cold_cpu_s', 0):.0f} CPU s)", r["full_cold"] < GOALS["full_s"]


def _floor(r: dict[str, Any]) -> tuple[str, None] | None:
    fl = r.get("floor")
    if not fl:
        return None
    ratio = ""
    if "full_cold" in r:
        ratio = f"; the cold load {r['full_cold'] / fl['seconds']:.0f}× it" + (
            f" ({r['full_cold_cpu_s'] / fl['cpu_s']:.0f}× its CPU s)" if "full_cold_cpu_s" in r else "")
    return (f"{fl['files_per_s']:,.0f} files/s: {fl['seconds']:.1f} s ({fl['cpu_s']:.1f} CPU s) for these "
            f"{fl['files']:,} files{ratio}", None)


def _reload(r: dict[str, Any]) -> tuple[str, bool] | None:
    figures = median_and_worst(r.get("reload"))
    if figures is None:
        return None
    return f"{figures[1]:.2f} s (median {figures[0]:.2f} s)", figures[1] < GOALS["reload_s"]


def _memory(r: dict[str, Any]) -> tuple[str, bool] | None:
    memory = load_memory_mb(r)
    return (f"{memory:,.0f} MB", memory < GOALS["rss_mb"]) if memory else None


def _site_memory(r: dict[str, Any]) -> tuple[str, bool] | None:
    """The gunicorn workers' peaks summed; without the load test, the process that rendered every page kind."""
    if "site_worker_rss_mb" in r:
        total = r.get("site_workers_rss_sum_mb", r["site_worker_rss_mb"])
        return f"{total:,.0f} MB (its two workers)", total < GOALS["rss_mb"]
    if "pages_rss_mb" in r:
        # Not the site's own figure (that process also held every named query's results): shown, not judged.
        return f"{r['pages_rss_mb']:,.0f} MB (the benchmark's process after every named query and page kind)", None
    return None


def _comparable(r: dict[str, Any]) -> tuple[str, bool] | None:
    comparable = r.get("comparable_ladybug")
    if over_limit(comparable):
        return f"over {over_limit(comparable):.0f} s (200 requests and the first)", False
    return (f"{comparable['p95']:.1f} ms", comparable["p95"] < GOALS["compare_p95_ms"]) if comparable else None


#: Issue 29's goals: (goal, where a missing figure's reason is noted, the figure and whether it is met).
#: ``met`` None: a figure shown beside the goals, with no goal of its own.
GOAL_ROWS: list[tuple[str, tuple[str, ...], Callable[[dict[str, Any]], tuple[str, bool | None] | None]]] = [
    ("1. cold full load (`load --full`) under 10 s", ("load_note",), _full_load),
    ("1. the floor: the fastest parse the validator can use (one thread)", ("check_note",), _floor),
    ("2. reload after one changed file under 0.3 s (worst of 10)", ("load_note",), _reload),
    ("2. `graph_loader.py load` after one change under 1 s, with start-up (median of 5)", ("load_note",),
     lambda r: _cli_goal(r.get("reload_cli"), GOALS["reload_cli_s"])),
    ("3. every page kind p95 under 100 ms, embedded, no page cache (slowest)", ("queries_note",),
     lambda r: _pages_goal(r, "ladybug", GOALS["page_p95_ms"])),
    ("3. every page kind p95 under 300 ms, Neo4j, no page cache (slowest)", ("neo4j_note", "queries_note"),
     lambda r: _pages_goal(r, "neo4j", GOALS["page_p95_neo4j_ms"])),
    ("3. comparable cases p95 under 50 ms (embedded)", ("queries_note",), _comparable),
    ("3. the slowest first request of a page kind after a load, embedded (no goal)", ("queries_note",),
     lambda r: _first_request(r, "ladybug")),
    ("3. the slowest first request of a page kind after a sync, Neo4j (no goal)", ("neo4j_note", "queries_note"),
     lambda r: _first_request(r, "neo4j")),
    ("4. `graph_loader.py load --neo4j` after one change under 1 s, the whole command (median of 3)",
     ("neo4j_note", "queries_note"), _neo4j_change),
    ("4. first Neo4j sync within 1.2× of the bare optimum", ("neo4j_note", "queries_note"), _first_sync),
    ("5. peak memory of a load under 2 GB (with its worker processes)", ("load_note",), _memory),
    ("5. peak memory of the site under 2 GB (its workers' peak RSS, summed)", ("web_note", "queries_note"),
     _site_memory),
]


def _short_note(r: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        if key in r:
            return r[key].split(";")[0].split(": ")[0]
    return "not in this run" if "source" in r else "not reached"


def goals_table(results: list[dict[str, Any]], suite: tuple[str, bool] | None) -> str:
    """Issue 29's goals with each N's figure and whether it is met; goal 6 (the test suite) below it."""
    lines = ["| goal (issue 29; stated at N = 10,000, memory also at 100,000) | "
             + " | ".join(f"N = {r['n']:,}" for r in results) + " |",
             "|---|" + "---|" * len(results)]
    for goal, notes, figure in GOAL_ROWS:
        cells = []
        for r in results:
            found = figure(r)
            if found is None:
                cells.append(f"not measured: {_short_note(r, notes)}")
            else:
                value, met = found
                cells.append(value if met is None else f"{value}: {'yes' if met else '**no**'}")
        lines.append(f"| {goal} | " + " | ".join(cells) + " |")
    lines.append("| measured on | " + " | ".join(
        ", ".join(part for part in (f"commit {r['commit']}" if r.get("commit") else "", r.get("source", "")) if part)
        or "–" for r in results) + " |")
    if suite is None:
        lines.append("\n6. `.ci/run` under 12 minutes: not measured by this command (give `--suite-time FILE`, the "
                     "`time` output of `CI=true .ci/run`).")
    else:
        lines.append(f"\n6. `.ci/run` under 12 minutes: {suite[0]}: {'yes' if suite[1] else '**no**'}.")
    return "\n".join(lines)


def suite_time(path: Path) -> tuple[str, bool]:
    """Goal 6 from the ``time`` output of a CI run (``real 16m38.9s``) or a file holding its seconds."""
    text = path.read_text(encoding="utf-8")
    real, wall = re.search(r"real\s+(?:(\d+)m)?([\d.]+)s", text), re.search(r"wall\s+([\d.]+)\s*s", text)
    if real:
        seconds = int(real.group(1) or 0) * 60 + float(real.group(2))
    else:
        seconds = float(wall.group(1)) if wall else float(text.split()[0])
    failed = re.search(r"exit (\d+)", text)
    outcome = f"; the run failed, exit {failed.group(1)}" if failed and failed.group(1) != "0" else ""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(path.stat().st_mtime))
    return (f"{int(seconds // 60)} min {seconds % 60:.0f} s (the wall time in {path}, written {when}{outcome})",
            seconds < GOALS["suite_s"])


def pages_table(r: dict[str, Any]) -> str:
    """Every page kind's p50 and p95 on both stores, without the page cache."""
    embedded, neo4j = r.get("pages_ladybug", {}), r.get("pages_neo4j", {})
    if not embedded:
        return ""
    lines = [f"| page kind (N = {r['n']:,}, no page cache) | embedded p50 ms | p95 ms | × trivial | first ms | "
             "Neo4j p50 ms | p95 ms | × trivial | first ms |", "|---|---|---|---|---|---|---|---|---|"]

    def times(t: dict[str, Any], baseline: dict[str, Any] | None) -> list[str]:
        if over_limit(t):
            return [f"over {over_limit(t):.0f} s", "–", "–", "–"]
        ratio = f"{t['p95'] / baseline['p95']:.0f}×" if baseline and baseline["p95"] > 0 else "–"
        runs = f" ({t['runs']} run{'s' if t['runs'] > 1 else ''})" if t.get("runs", 3) < 3 else ""
        return [f"{t['p50']:.1f}", f"{t['p95']:.1f}{runs}", ratio, f"{t['first']:.0f}"]

    for kind in [*embedded, *(k for k in neo4j if k not in embedded)]:
        t, other = embedded.get(kind), neo4j.get(kind)
        cells = times(t, embedded.get(TRIVIAL_KIND)) if t else ["–"] * 4
        cells += times(other, neo4j.get(TRIVIAL_KIND)) if other else ["–"] * 4
        bad = [code for code in (t.get("statuses", []) if t else []) + (other.get("statuses", []) if other else [])
               if code >= 400]
        lines.append(f"| {kind}{' (status ' + ', '.join(map(str, sorted(set(bad)))) + ')' if bad else ''} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines) + over_limit_profiles(r)


def over_limit_profiles(r: dict[str, Any]) -> str:
    """Where the time went in each item (page kind, named query) that ran over its limit, as sampled."""
    found = []
    for key, store in (("pages_ladybug", "embedded"), ("pages_neo4j", "Neo4j"), ("ladybug", "embedded"),
                       ("neo4j", "Neo4j")):
        for name, timing in r.get(key, {}).items():
            if over_limit(timing):
                what = "page" if key.startswith("pages") else "named query"
                found.append(f"- {what} {name} ({store}), over {over_limit(timing):.0f} s: "
                             + ("; ".join(timing.get("profile", [])) or "not sampled"))
    for key in ("comparable_ladybug", "comparable_neo4j", "neo4j_first_over", "neo4j_change_over"):
        if over_limit(r.get(key)):
            found.append(f"- {key}, over {over_limit(r[key]):.0f} s: " + ("; ".join(r[key].get("profile", []))
                                                                         or "not sampled"))
    if not found:
        return ""
    return (f"\n\nWhere the time went in what ran over its limit (N = {r['n']:,}; the main thread sampled every "
            "0.1 s; the innermost line of the project's code, and the running line if elsewhere):\n\n"
            + "\n".join(found))


def queries_table(r: dict[str, Any]) -> str:
    ladybug, neo4j = r.get("ladybug", {}), r.get("neo4j", {})
    if not ladybug and not neo4j:
        return ""
    lines = [f"| named query (N = {r['n']:,}) | embedded p50 ms | p95 ms | Neo4j p50 ms | p95 ms |",
             "|---|---|---|---|---|"]

    def cells(timing: dict[str, Any] | None) -> str:
        if not timing:
            return "– | –"
        if "error" in timing:
            return f"error: {timing['error']} | –"
        if over_limit(timing):
            return f"over {over_limit(timing):.0f} s | –"
        runs = f" ({timing['runs']} run{'s' if timing['runs'] > 1 else ''})" if timing.get("runs", 3) < 3 else ""
        return f"{timing['p50']:.1f} | {timing['p95']:.1f}{runs}"

    for name in [*ladybug, *(k for k in neo4j if k not in ladybug)]:
        lines.append(f"| {name} | {cells(ladybug.get(name))} | {cells(neo4j.get(name))} |")
    for store in ("ladybug", "neo4j"):
        comparable = r.get(f"comparable_{store}")
        if comparable and not over_limit(comparable):
            lines.append(f"| comparable cases ({store}; first call {comparable['first_ms']:.0f} ms) | "
                         f"{comparable['p50']:.1f} | {comparable['p95']:.1f} | | |")
    return "\n".join(lines)


def environment() -> str:
    from importlib import metadata

    versions = []
    for package in ("ladybug", "neo4j", "PyYAML", "pyromark", "markdown-it-py", "jsonschema", "jsonschema-rs", "Flask",
                    "gunicorn"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{package} {metadata.version(package)}")
    if shutil.which("wrk"):
        versions.append(subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" [")[0].strip())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") >> 30
    return (f"{platform.node()}: {os.cpu_count()} cores, {memory} GiB, Python {platform.python_version()}, "
            f"{', '.join(versions)}")


def describe_run(run: dict[str, Any]) -> str:
    """Where, when and on what code a run measured."""
    ended = (f"; ended {run['ended']}, load average {run['load_end']}" if run.get("ended") else
             "; did not finish")
    return (f"`{run['command']}`: commit {run['commit']}, started {run['started']} (load average "
            f"{run['load_start']}){ended}.  {run['environment']}")


def report(runs: list[dict[str, Any]], results: list[dict[str, Any]], suite: tuple[str, bool] | None) -> str:
    """The run(s) described, the goal table, the figures table and each N's extras."""
    results = sorted(results, key=lambda r: r["n"])
    return ("\n".join(f"> {describe_run(run)}" for run in runs) + "\n\n" + goals_table(results, suite) + "\n\n"
            + figures_table(results) + "\n\n" + "\n".join(extras(r) for r in results) + "\n")


def details(results: list[dict[str, Any]]) -> str:
    """Every page kind and named query of each N."""
    return "\n\n".join(part for r in sorted(results, key=lambda r: r["n"])
                       for part in (pages_table(r), queries_table(r)) if part) + "\n"


def read_results(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The runs and results of a JSON file this script wrote (older runs kept a bare list of results)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, list):
        return [], data
    return data.get("runs", []), data["results"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="numbers of cases")
    parser.add_argument("--max-n", type=int, default=None, help="leave out sizes above this")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--neo4j-rounds", type=int, default=1,
                        help="rounds of the bare optimum and the first sync; the best of each counts")
    parser.add_argument("--item-limit", type=float, default=120.0, metavar="SECONDS",
                        help="most seconds one named query or page kind is measured for (its first request and "
                        "samples); one that takes longer is reported as over it, with where its time went")
    parser.add_argument("--skip-neo4j", action="store_true")
    parser.add_argument("--neo4j-max-n", type=int, default=None, metavar="N",
                        help="measure Neo4j up to N cases only (the embedded store, the site and memory at every size)")
    parser.add_argument("--phase-limit", nargs="+", default=[], metavar="PHASE=SECONDS",
                        help="most seconds a phase (check, load, queries, web) runs at each size; one over it is "
                        "stopped, reported as over it with what it measured, and the run goes on")
    parser.add_argument("--end-by", metavar="HH:MM",
                        help="the run's end (UTC): a phase still running then is stopped as over its limit, and "
                        "the phases after it are reported as not started")
    parser.add_argument("--reserve", nargs="+", default=[], metavar="PHASE=SECONDS",
                        help="with --end-by: the time kept for a later phase of the same size (an earlier phase of "
                        "that size is stopped sooner to leave it)")
    parser.add_argument("--skip-web", action="store_true")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this Markdown file")
    parser.add_argument("--json", type=Path, help="every figure as JSON, written as the run goes "
                        "(default: a new file in the temporary folder)")
    parser.add_argument("--resume", action="store_true", help="keep the sizes the --json file has in full")
    parser.add_argument("--include", type=Path, nargs="+", default=[], metavar="JSON",
                        help="add the results of other runs of this script (their JSON) to the tables")
    parser.add_argument("--report", type=Path, nargs="+", metavar="JSON",
                        help="measure nothing: print the tables of these runs' JSON files")
    parser.add_argument("--suite-time", type=Path, metavar="FILE",
                        help="goal 6: the `time` output of `CI=true .ci/run` (or its seconds)")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--started-again", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        args.phase_limit = phase_seconds(args.phase_limit)
        args.reserve = phase_seconds(args.reserve, "--reserve")
    except argparse.ArgumentTypeError as err:
        parser.error(str(err))
    args.end_by = end_by(args.end_by) if args.end_by else None
    if args.phase:
        return child(args, sys.argv[1:] if argv is None else argv)
    suite = suite_time(args.suite_time) if args.suite_time else None
    runs: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for path in args.report or []:
        found_runs, found = read_results(path)
        runs += found_runs
        results += found
    if args.report:
        return print_report(args, runs, results, suite)
    included: list[dict[str, Any]] = []
    for path in args.include:
        found_runs, found = read_results(path)
        runs += found_runs
        included += [{**r, "source": r.get("source", str(path))} for r in found]
    json_path = args.json or Path(tempfile.gettempdir()) / f"kb-scale-{time.strftime('%Y%m%d-%H%M%S')}.json"
    args.kept = json_path.with_name(json_path.stem + "-kept")
    kept_runs: list[dict[str, Any]] = []
    if args.resume and json_path.exists():
        kept_runs, earlier = read_results(json_path)
        results = [r for r in earlier if r.get("complete")]
        measured = ", ".join(f"{r['n']:,}" for r in results) or "no size"
        log(f"resuming: {measured} already measured in {json_path}")
    done = {r["n"] for r in results}
    sizes = [n for n in args.sizes if (args.max_n is None or n <= args.max_n) and n not in done]
    run = {"command": "python bench/scale.py " + " ".join(sys.argv[1:] if argv is None else argv),
           "commit": git_commit(), "started": utc(), "load_start": load_average(), "environment": environment()}
    runs += [*kept_runs, run]

    def save() -> None:
        partial = json_path.with_suffix(".tmp")
        partial.write_text(json.dumps({"runs": [*kept_runs, run], "results": results}, indent=1), encoding="utf-8")
        os.replace(partial, json_path)

    log(f"{describe_run(run)}  Figures go to {json_path} as they are measured.")
    previous = {sig: signal.signal(sig, _stop_on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for n in sizes:
            result: dict[str, Any] = {"n": n, "commit": run["commit"]}
            results.append(result)
            measure(n, args, result, save)
            print(f"\n## N = {n:,}\n\n{details([result])}", flush=True)
    except Stopped as err:
        log(f"stopped ({err}): the report of what was measured follows")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        run.update(ended=utc(), load_end=load_average())
        save()
    return print_report(args, runs, results + included, suite)


def print_report(args: argparse.Namespace, runs: list[dict[str, Any]], results: list[dict[str, Any]],
                 suite: tuple[str, bool] | None) -> int:
    text = report(runs, results, suite)
    print("\n" + text)
    if args.markdown:
        args.markdown.write_text(text + "\n" + details(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
