"""The search index's build: its CPU seconds by phase, a profile, and its answers to compare two builds.

Reads the index's inputs from an embedded store (the named queries, the bodies cut into passages), then
builds :class:`kb.analysis.search.SearchIndex` into a temporary folder, as a site worker does the first
time a graph version is searched::

    nice python bench/search_build.py /tmp/store-10000                  # CPU and wall seconds by phase
    nice python bench/search_build.py /tmp/store-10000 --profile 25     # and cProfile's 25 dearest functions
    nice python bench/search_build.py /tmp/store-1000 --answers a.json  # the ranked answers to 100+ questions
    nice python bench/search_build.py /tmp/store-10000 --baseline /tmp/old-checkout --runs 3

``--answers`` writes, for every question of tests/search_questions.yaml and a question built from each of
some of the store's cases, the ranked passages and documents (keys, order, scores, highlights): two files
written by two versions of the code are equal when the build kept every answer.  ``--baseline`` runs this
script in the other checkout's code and in this one, alternately, and prints each one's CPU seconds and
the ratio (this one over the baseline), best/median/worst of ``--runs``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _answers(index: object, store: object) -> list[dict[str, object]]:
    import yaml

    questions = [entry["question"] for entry in yaml.safe_load((REPO / "tests/search_questions.yaml").read_text())]
    rows = store.query("search_organisations", after="", limit=60)  # type: ignore[attr-defined]
    for n, row in enumerate(rows):  # names, places and the words of their summaries, asked in several ways
        words = " ".join((row["summary"] or "").split()[:6])
        questions += [row["name"], f"When did {row['name']} start?", f"how many {words}",
                      f"Who founded {row['name']} and what went wrong?"][n % 4:n % 4 + 1]
        questions.append(f"{words} in {row['country'] or 'Europe'}")
    found = []
    for question in questions:
        result = index.search(question, passage_limit=20)  # type: ignore[attr-defined]
        found.append({"question": question,
                      "passages": [(h.key, h.score, h.text_html, h.matched, h.evidence) for h in result.passages],
                      "documents": [(h.kind, h.id, h.score, h.name_html, h.snippet_html) for h in result.hits],
                      "total": [result.total, result.passages_total], "corrections": result.corrections,
                      "best": None if result.best_match is None else [result.best_match.id,
                                                                       result.best_match.snippet_html]})
    return found


def build_once(store_path: Path, profile: int, answers: Path | None) -> dict[str, float]:
    from kb.analysis.search import SearchIndex
    from kb.analysis.search_store import index_inputs
    from kb.store.ladybug import LadybugStore

    store = LadybugStore(store_path)
    store.version()
    profiler = cProfile.Profile() if profile else None
    figures = {}
    with tempfile.TemporaryDirectory(prefix="search-build-") as scratch:
        (Path(scratch) / "index").mkdir()
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        inputs = index_inputs(store)
        figures["inputs_cpu"] = time.process_time() - cpu
        index = SearchIndex(*inputs, folder=Path(scratch) / "index")
        if profiler:
            profiler.disable()
        figures["cpu"] = time.process_time() - cpu
        figures["wall"] = time.perf_counter() - wall
        figures["build_cpu"] = figures["cpu"] - figures["inputs_cpu"]
        figures["disk_mb"] = sum(path.stat().st_size for path in Path(scratch).rglob("*") if path.is_file()) / 2**20
        cpu = time.process_time()
        index = SearchIndex.read(Path(scratch) / "index")
        figures["read_cpu"] = time.process_time() - cpu
        figures["passages"] = len(index.passages)
        if answers:
            answers.write_text(json.dumps(_answers(index, store), indent=1, ensure_ascii=False) + "\n")
    store.close()
    if profiler:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(profile)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(profile)
    return figures


def _run_in(tree: Path, store: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run([sys.executable, str(REPO / "bench/search_build.py"), str(store), "--json"], cwd=tree,
                         env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def compare(store: Path, baseline: Path, runs: int) -> None:
    pairs = []
    for n in range(runs):
        before, after = _run_in(baseline, store), _run_in(REPO, store)
        pairs.append((before, after))
        print(f"run {n + 1}: baseline {before['cpu']:.1f} CPU s ({before['wall']:.1f} s wall; inputs "
              f"{before['inputs_cpu']:.1f}), this {after['cpu']:.1f} CPU s ({after['wall']:.1f} s wall; inputs "
              f"{after['inputs_cpu']:.1f}); ratio {after['cpu'] / before['cpu']:.2f}x", flush=True)
    for label, key in (("build CPU s", "cpu"), ("wall s", "wall"), ("read CPU s", "read_cpu"),
                       ("MB on disk", "disk_mb")):
        before = sorted(b[key] for b, _ in pairs)
        after = sorted(a[key] for _, a in pairs)
        ratios = sorted(a[key] / b[key] for b, a in pairs)
        print(f"{label}: baseline {before[0]:.2f}/{statistics.median(before):.2f}/{before[-1]:.2f}, "
              f"this {after[0]:.2f}/{statistics.median(after):.2f}/{after[-1]:.2f} (best/median/worst); "
              f"ratio {ratios[0]:.2f}/{statistics.median(ratios):.2f}/{ratios[-1]:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="an embedded store folder (holding CURRENT)")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's N dearest functions")
    parser.add_argument("--answers", type=Path, help="write the ranked answers to questions into this JSON file")
    parser.add_argument("--baseline", type=Path, help="a checkout of the code to compare against")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args(argv)
    if args.baseline:
        compare(args.store.resolve(), args.baseline.resolve(), args.runs)
        return 0
    sys.path.insert(0, str(Path.cwd()) if os.environ.get("PYTHONPATH") else str(REPO))
    figures = build_once(args.store, args.profile, args.answers)
    print(json.dumps(figures) if args.json else
          "  ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
