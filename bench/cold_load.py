"""A cold full load (``graph_loader.py load --full``) against the floor and against a baseline checkout.

Issue 29's goal 1: a cold full load of 10,000 cases under 10 s, with located errors kept.  One run
measures, in the same command:

- **the floor**: the fastest parse that still gives the validator what it needs, in one thread:
  reading every content file, LibYAML's event stream of its front matter (each event with its
  line and column: the graph keeps the line of each size figure and relation, the checks locate
  every value) and pyromark's events of its body with their byte ranges.  Beside it the previous
  floor, LibYAML composing the node tree (what the loader builds its values from);
- **the full load** of this checkout, and of ``--baseline`` (another checkout, e.g. ``git worktree
  add /tmp/base main``) when given, each a fresh ``graph_loader.py load --full`` process into an
  empty store: wall seconds and CPU seconds (the process and its workers), runs alternating.

    flock /tmp/bench.lock nice python bench/cold_load.py --corpus bench/corpus/10000 --baseline /tmp/base

The corpora are ``bench/generate_corpus.py``'s.  Ratios are against the floor and the baseline
measured in the same run: on a shared machine the wall time moves with the other work, the CPU
seconds much less.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def content_files(root: Path) -> list[Path]:
    return sorted((root / "cases").glob("*.md")) + sorted((root / "concepts").glob("*/*.md"))


def floor(root: Path, compose: bool = False) -> dict[str, float]:
    """CPU seconds of the fastest parse with positions (``compose``: LibYAML's node tree instead of its events)."""
    import pyromark
    import yaml

    files = content_files(root)
    started, cpu = time.perf_counter(), time.process_time()
    for path in files:
        text = path.read_bytes().decode("utf-8")
        _, front, body = text.split("---\n", 2)
        if compose:
            yaml.compose(front, Loader=yaml.CSafeLoader)
        else:
            for _event in yaml.parse(front, Loader=yaml.CSafeLoader):
                pass
        for _event in pyromark.events_with_range(body, merge_text=True):
            pass
    cpu_s = time.process_time() - cpu
    return {"files": len(files), "seconds": time.perf_counter() - started, "cpu_s": cpu_s,
            "files_per_cpu_s": len(files) / cpu_s}


def full_load(checkout: Path, root: Path) -> dict[str, float]:
    """One cold full load by ``checkout``'s command line, into an empty store; wall and CPU seconds."""
    store = Path(tempfile.mkdtemp(prefix="cold-load-"))
    python = checkout / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else Path(sys.executable)), str(checkout / "graph_loader.py"), "load",
               "--full", "--root", str(root), "--store", str(store), "--quiet"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        subprocess.run(command, check=True, cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)})
        wall = time.perf_counter() - started
    finally:
        shutil.rmtree(store, ignore_errors=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "peak_mb": after.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "bench" / "corpus" / "10000")
    parser.add_argument("--baseline", type=Path, help="another checkout to load the same corpus with")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    root = args.corpus.resolve()
    print(f"corpus {root} ({len(content_files(root)):,} files), load average {os.getloadavg()[0]:.1f}", flush=True)
    floors = [floor(root) for _ in range(2)]
    composed = [floor(root, compose=True) for _ in range(2)]
    best, best_composed = min(f["cpu_s"] for f in floors), min(f["cpu_s"] for f in composed)
    files = floors[0]["files"]
    print(f"floor (LibYAML events + pyromark events): {best:.2f} CPU s, {files / best:,.0f} files per CPU second; "
          f"composing LibYAML's nodes instead: {best_composed:.2f} CPU s ({files / best_composed:,.0f} files/s)",
          flush=True)
    checkouts = {"this checkout": REPO} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
    for _ in range(args.runs):
        for name, checkout in checkouts.items():
            result = full_load(checkout, root)
            runs[name].append(result)
            print(f"  {name}: {result['wall']:.1f} s wall, {result['cpu']:.1f} CPU s", flush=True)
    print(f"\n| full load of {files:,} files | wall s (best / median) | CPU s (best / median) | CPU ms a file "
          "| CPU × floor |")
    print("|---|---:|---:|---:|---:|")
    for name, results in runs.items():
        walls, cpus = [r["wall"] for r in results], [r["cpu"] for r in results]
        print(f"| {name} | {min(walls):.1f} / {statistics.median(walls):.1f} | {min(cpus):.1f} / "
              f"{statistics.median(cpus):.1f} | {min(cpus) / files * 1000:.2f} | {min(cpus) / best:.1f}× |")
    if args.baseline:
        pairs = list(zip(runs["this checkout"], runs["baseline"], strict=True))
        walls = ", ".join(f"{a['wall'] / b['wall']:.2f}" for a, b in pairs)
        cpus = ", ".join(f"{a['cpu'] / b['cpu']:.2f}" for a, b in pairs)
        print(f"\nthis checkout / baseline, run by run: wall {walls}; CPU {cpus}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
