"""Every page kind of the site on a Neo4j store, this checkout against a baseline checkout, in one run.

The site reads a Neo4j server that already holds a synced graph (``graph_loader.py load --neo4j``);
each checkout's app runs in a process of its own (``--child``), the page cache off, with the
structures every worker builds as it starts already built (:func:`webapp.store.build_derived_in_background`),
and times the same addresses (``bench/scale.py``'s page list, sampled once with a fixed seed).  The
checkouts take turns (baseline, this one, baseline, ...), so the machine's load falls on both alike;
the table gives each page kind's p50 and p95 (best of the rounds), the CPU milliseconds per request
of the site's process, the round trips to Neo4j per request, and this checkout's p95 as a ratio of
the baseline's.

    python bench/neo4j_pages.py --uri bolt://127.0.0.1:7687 --store /tmp/store --baseline /tmp/before
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def child(repo: Path, uri: str, store: str, urls: dict[str, list[str]], budget_s: float) -> dict[str, Any]:
    """Time every page kind with ``repo``'s site (run in a process of its own)."""
    sys.path.insert(0, str(repo))
    import neo4j

    from webapp import create_app
    from webapp.store import build_derived_in_background

    trips = {"n": 0}
    for cls in (neo4j.Session, neo4j.Driver):  # every query a page sends: session runs and managed queries
        method = "run" if cls is neo4j.Session else "execute_query"
        original = getattr(cls, method)

        def counted(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            trips["n"] += 1
            return _original(self, *args, **kwargs)
        setattr(cls, method, counted)

    app = create_app({"KB_STORE": "neo4j", "NEO4J_URI": uri, "KB_STORE_PATH": store, "KB_PAGE_CACHE_MB": 0,
                      "KB_RATE_LIMITS": False})
    begin = time.perf_counter()
    build_derived_in_background(app).join()
    built = time.perf_counter() - begin
    client = app.test_client()
    pages: dict[str, Any] = {}
    for kind, paths in urls.items():
        begin = time.perf_counter()
        first = client.get(paths[0]).status_code
        first_ms = (time.perf_counter() - begin) * 1000
        samples: list[float] = []
        trips["n"] = 0
        cpu = time.process_time()
        started = time.perf_counter()
        statuses = {first}
        while len(samples) < 3 or (len(samples) < 20 and time.perf_counter() - started < budget_s):
            begin = time.perf_counter()
            statuses.add(client.get(paths[len(samples) % len(paths)]).status_code)
            samples.append((time.perf_counter() - begin) * 1000)
        pages[kind] = {"p50": percentile(samples, 0.5), "p95": percentile(samples, 0.95), "first": first_ms,
                       "cpu_ms": (time.process_time() - cpu) * 1000 / len(samples),
                       "queries": trips["n"] / len(samples), "statuses": sorted(statuses)}
    return {"built_s": built, "pages": pages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uri", required=True, help="the Neo4j server holding the synced graph")
    parser.add_argument("--store", required=True, help="the embedded store of the same files (the console's)")
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the code to compare with")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--budget", type=float, default=3.0, help="seconds per page kind and round")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--urls", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        urls = json.loads(args.urls.read_text())
        print(json.dumps(child(args.child, args.uri, args.store, urls, args.budget)))
        return

    sys.path.insert(0, str(REPO))
    from bench.scale import page_urls
    from kb.store.neo4j import Neo4jSettings, Neo4jStore

    store = Neo4jStore(Neo4jSettings(args.uri))
    urls = page_urls(store, random.Random(3))
    store.close()
    urls_file = Path(f"/tmp/neo4j-pages-{time.time_ns()}.json")
    urls_file.write_text(json.dumps(urls))
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "this": []}
    try:
        for round_ in range(args.rounds):
            for name, repo in (("baseline", args.baseline.resolve()), ("this", REPO)):
                output = subprocess.run([sys.executable, __file__, "--uri", args.uri, "--store", args.store,
                                         "--baseline", str(args.baseline), "--budget", str(args.budget),
                                         "--child", str(repo), "--urls", str(urls_file)],
                                        check=True, capture_output=True, text=True, cwd=repo).stdout
                runs[name].append(json.loads(output.splitlines()[-1]))
                print(f"round {round_ + 1}, {name}: indexes built in {runs[name][-1]['built_s']:.1f} s",
                      file=sys.stderr, flush=True)
    finally:
        urls_file.unlink()
    if args.json:
        args.json.write_text(json.dumps({"urls": urls, "runs": runs}, indent=1))
    print("| page kind | baseline p50 ms | p95 ms | CPU ms | queries | this p50 ms | p95 ms | CPU ms | queries "
          "| p95 this ÷ baseline |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind in urls:
        cells = []
        best = {}
        for name in ("baseline", "this"):
            pages = [run["pages"][kind] for run in runs[name]]
            best[name] = min(page["p95"] for page in pages)
            cells += [f"{min(p['p50'] for p in pages):.1f}", f"{best[name]:.1f}",
                      f"{min(p['cpu_ms'] for p in pages):.1f}", f"{pages[0]['queries']:.1f}"]
        print(f"| {kind} | {' | '.join(cells)} | {best['this'] / best['baseline']:.2f}× |")


if __name__ == "__main__":
    main()
