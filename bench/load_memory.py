"""Peak memory of a cold full load as the number of cases grows, against a baseline checkout in the same run.

For each corpus (a content root, e.g. ``bench/corpus/1000``) it runs ``graph_loader.py load --full
--quiet`` into a fresh store, once with this checkout and once with ``--baseline`` (another checkout
of the project, e.g. ``git worktree add /tmp/base main``), alternating, and samples every 50 ms the
summed PSS of the loading process and its worker processes (``/proc/<pid>/smaps_rollup``: pages
shared after a fork count once).  It prints, per corpus and checkout, the peak (and the largest RSS of
one of the processes, from ``wait4``), wall and CPU seconds (the process and the workers it reaped),
and the ratio to the baseline::

    nice python bench/load_memory.py bench/corpus/1000 bench/corpus/10000 /tmp/mem-corpus-20000 \\
        --baseline /tmp/base

A load with more than about a minute of CPU should hold the shared lock (``flock /tmp/bench.lock``).
Extra environment for both checkouts (e.g. ``KB_LADYBUG_LOAD_BUFFER_MB=1024``) passes through.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.scale import process_tree, pss_mb  # noqa: E402  (run as a script: the checkout first)


def measure_load(checkout: Path, corpus: Path, every: float = 0.05) -> dict[str, float]:
    """One cold full load of ``corpus`` by ``checkout``'s ``graph_loader.py``, in a fresh store."""
    store = Path(tempfile.mkdtemp(prefix="kb-loadmem-"))
    try:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, str(checkout / "graph_loader.py"), "load", "--full", "--quiet",
                                    "--root", str(corpus), "--store", str(store / "store")], cwd=checkout)
        peak = {"pss": 0.0}
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(every):
                peak["pss"] = max(peak["pss"], sum(pss_mb(pid) for pid in process_tree(process.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        sampler.join()
        wall = time.perf_counter() - started
        if process.returncode:
            raise SystemExit(f"the load of {corpus} by {checkout} failed ({process.returncode})")
        return {"peak_mb": peak["pss"], "rss_mb": usage.ru_maxrss / 1024, "wall_s": wall,
                "cpu_s": usage.ru_utime + usage.ru_stime}
    finally:
        shutil.rmtree(store, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+", type=Path, help="content roots (cases/, concepts/, vocabulary/)")
    parser.add_argument("--baseline", type=Path, help="another checkout of the project to compare with")
    parser.add_argument("--repeat", type=int, default=1, help="loads per corpus and checkout (the lowest peak kept)")
    args = parser.parse_args(argv)
    checkouts = ([("baseline", args.baseline.resolve())] if args.baseline else []) + [("this", REPO)]
    print(f"load average at start: {os.getloadavg()[0]:.1f}", flush=True)
    rows = []
    for corpus in args.corpora:
        cases = len(list((corpus / "cases").glob("*.md")))
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.repeat):
            for name, checkout in checkouts:
                result = measure_load(checkout, corpus.resolve())
                print(f"  {cases:>7,} cases, {name}: peak {result['peak_mb']:.0f} MB (max RSS {result['rss_mb']:.0f}),"
                      f" {result['wall_s']:.1f} s, {result['cpu_s']:.1f} CPU s", flush=True)
                if name not in best or result["peak_mb"] < best[name]["peak_mb"]:
                    best[name] = result
        rows.append((cases, best))
    print(f"load average at end: {os.getloadavg()[0]:.1f}\n")
    header = "| cases | " + " | ".join(f"{name} peak MB (max RSS; wall s; CPU s)" for name, _ in checkouts)
    print(header + (" | this ÷ baseline |" if args.baseline else " |"))
    print("|---:" * (len(checkouts) + 1 + bool(args.baseline)) + "|")
    for cases, best in rows:
        cells = [f"{best[name]['peak_mb']:.0f} ({best[name]['rss_mb']:.0f}; {best[name]['wall_s']:.0f};"
                 f" {best[name]['cpu_s']:.0f})" for name, _ in checkouts]
        ratio = [f"{best['this']['peak_mb'] / best['baseline']['peak_mb']:.2f}"] if args.baseline else []
        print(f"| {cases:,} | " + " | ".join(cells + ratio) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
