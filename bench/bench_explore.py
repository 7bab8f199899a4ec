"""Benchmark the explore pages' computations at scale; prints timings and ratios to the targets.

Comparable cases must answer in under 50 ms at the 95th percentile with 10,000 cases; the
patterns page is computed once per graph version and then served from the cache.

Usage::

    python bench/bench_explore.py --synthetic 10000         # in-memory rows shaped like the real cases
    python graph_loader.py load --root bench/corpus/10000 --store /tmp/s10k
    python bench/bench_explore.py --store /tmp/s10k         # a loaded store, also through the Flask app

Ratios below 1.0 are within the target.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb import analysis
from kb.analysis import CaseQuery

TARGET_MS = 50.0
# Vocabulary sizes and per-case counts, as in the real content (2026-11).
VOCABULARY = {"practice": 31, "framework": 4, "challenge": 18, "outcome": 13}
PER_CASE = {"practice": (3, 8), "framework": (0, 1), "challenge": (1, 5), "outcome": (1, 5)}
REL = {"practice": "USES_PRACTICE", "framework": "USES_FRAMEWORK", "challenge": "FACED", "outcome": "REPORTED"}
COUNTRIES = ["US", "GB", "NZ", "DE", "NL", "FR", "CN", "BR", "SE", "JP", "IN", "ES", "DK"]


def synthetic_index(n: int, seed: int = 0) -> analysis.CaseIndex:
    """An index of ``n`` cases whose concept use is skewed like the real one (a few concepts are common)."""
    rng = random.Random(seed)
    sectors = [f"sector-{i}" for i in range(23)]
    profiles, claims = [], []
    for case in range(n):
        case_id = f"case-{case:05d}"
        profiles.append({"id": case_id, "name": f"Case {case:05d}", "country": rng.choice(COUNTRIES),
                         "sectors": rng.sample(sectors, rng.randint(1, 3)),
                         "size_band": rng.choice([*analysis.SIZE_ORDER, "unknown"])})
        for kind, (low, high) in PER_CASE.items():
            ids = [f"{kind}-{i}" for i in range(VOCABULARY[kind])]
            weights = [1 / (rank + 1) for rank in range(len(ids))]  # Zipf-like: rank 1 is used most
            chosen = {rng.choices(ids, weights)[0] for _ in range(rng.randint(low, high))}
            claims += [{"organisation": case_id, "type": REL[kind], "concept": c, "status": None} for c in chosen]
    sector_rows = [{"id": s, "name": s, "broader": sectors[i % 5] if i >= 5 else None} for i, s in enumerate(sectors)]
    return analysis.build_index(profiles, claims, sector_rows=sector_rows)


def timed(label: str, runs: list[Callable[[], object]], target_ms: float | None = TARGET_MS) -> None:
    times = []
    for run in runs:
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    ratio = f"  p95/target {p95 / target_ms:.2f}" if target_ms else ""
    print(f"{label:<44} n={len(times):<4} p50 {statistics.median(times):7.2f} ms  p95 {p95:7.2f} ms  "
          f"max {times[-1]:7.2f} ms{ratio}")


def bench_index(index: analysis.CaseIndex, samples: int, seed: int) -> None:
    rng = random.Random(seed)
    cases = rng.sample(sorted(index.profiles), min(samples, index.n_cases))
    timed("comparable cases of a case (limit 10)",
          [lambda c=c: analysis.rank_comparable(index, analysis.query_for_case(index, c), 10, exclude={c})
           for c in cases])
    described = []
    for _ in range(samples):
        practices = rng.sample(sorted(index.concepts["practice"]) or
                               sorted(c for k, c in index.postings if k == "practice"), 4)
        described.append(CaseQuery(practices=frozenset(practices), country=rng.choice(COUNTRIES),
                                   size_band=rng.choice(analysis.SIZE_ORDER)))
    timed("comparable cases of a description", [lambda q=q: analysis.rank_comparable(index, q, 10)
                                                for q in described])
    timed("patterns: two matrices + centrality (once)", [lambda: (
        analysis.cross_matrix(index, "practice", "challenge"), analysis.cross_matrix(index, "practice", "outcome"),
        analysis.most_connected(index))], target_ms=None)


def bench_store(path: Path, samples: int, seed: int) -> None:
    from kb.store.ladybug import LadybugStore
    from webapp import create_app

    store = LadybugStore(path)
    started = time.perf_counter()
    index = analysis.index_for(store)
    print(f"index from the store: {index.n_cases} cases, {(time.perf_counter() - started):.2f} s (once per load)")
    bench_index(index, samples, seed)
    client = create_app({"TESTING": True, "KB_STORE_PATH": str(path)}).test_client()
    cases = random.Random(seed).sample(sorted(index.profiles), min(samples, index.n_cases))
    client.get("/patterns.json")  # warm the per-version caches as a running site would be
    timed("GET /compare.json?case=... (Flask, whole request)",
          [lambda c=c: client.get(f"/compare.json?case={c}") for c in cases])
    timed("GET /compare?case=... (HTML)", [lambda c=c: client.get(f"/compare?case={c}") for c in cases[:50]],
          target_ms=200.0)
    timed("GET /patterns (HTML, cached matrices)", [lambda: client.get("/patterns") for _ in range(10)],
          target_ms=200.0)
    concepts = sorted(index.concepts["practice"])[:20]
    timed("GET /practices/<id> (HTML)", [lambda c=c: client.get(f"/practices/{c}") for c in concepts],
          target_ms=200.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=0, help="number of synthetic cases")
    parser.add_argument("--store", type=Path, help="a loaded LadybugDB store folder")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.store:
        bench_store(args.store, args.samples, args.seed)
    else:
        started = time.perf_counter()
        index = synthetic_index(args.synthetic or 10000, args.seed)
        print(f"synthetic index: {index.n_cases} cases, built in {time.perf_counter() - started:.2f} s")
        bench_index(index, args.samples, args.seed)


if __name__ == "__main__":
    main()
