"""Reloads after one-file edits, one after another, on a copy of a synthetic corpus, against a baseline.

``bench/scale.py`` times ten reloads right after its full loads; this times a series in a process
that does nothing else, shows the write-ahead log each reload leaves (later reloads replay it),
then times ``graph_loader.py load`` after one more edit, as a contributor runs it (with Python's
start-up and imports)::

    python bench/reload_series.py --n 10000 --edits 10 --command-edits 5
    python bench/reload_series.py --n 10000 --baseline /path/to/baseline/checkout

With ``--baseline``, the same series runs first with the code of that checkout (a ``git worktree``
of an earlier commit), then with this one, and the ratios are printed: both in the same run, so
that the machine's other work weighs on both.  Each series copies ``bench/corpus/<n>`` to a
temporary folder (made by ``bench/generate_corpus.py``), loads it in full once (not timed), then
edits one case at a time.  CPU seconds are the process's (and LadybugDB's threads'), beside wall seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="corpus size (bench/corpus/<n>)")
    parser.add_argument("--edits", type=int, default=10, help="reloads timed in the process")
    parser.add_argument("--command-edits", type=int, default=5, help="graph_loader.py load runs timed after them")
    parser.add_argument("--baseline", type=Path, help="a checkout whose code runs the same series first")
    parser.add_argument("--code", type=Path, default=REPO, help=argparse.SUPPRESS)  # the checkout to time
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one line of figures, for --baseline
    args = parser.parse_args(argv)
    corpus = REPO / "bench" / "corpus" / str(args.n)
    if not corpus.is_dir():
        parser.error(f"{corpus} does not exist: run python bench/generate_corpus.py {args.n} first")
    if args.baseline:
        return _compare(args)
    figures = series(args.code.resolve(), corpus, args.edits, args.command_edits, quiet=args.json)
    if args.json:
        print(json.dumps(figures))
    return 0


def series(code: Path, corpus: Path, edits: int, command_edits: int, quiet: bool = False) -> dict[str, list[float]]:
    """Time ``edits`` reloads in this process and ``command_edits`` load commands, with ``code``'s kb."""
    sys.path.insert(0, str(code))
    from kb.load import load_embedded
    from kb.store.ladybug import current_generation

    say = (lambda *_: None) if quiet else (lambda text: print(text, flush=True))
    work = Path(tempfile.mkdtemp(prefix="kb-reloads-"))
    figures: dict[str, list[float]] = {"wall": [], "cpu": [], "command_wall": [], "command_cpu": []}
    try:
        root, store = work / "content", work / "store"
        shutil.copytree(corpus, root)
        load_embedded(root, store, full=True)
        cases = sorted((root / "cases").glob("*.md"))
        for n in range(edits + command_edits):
            _edit(cases[(n * 997) % len(cases)], n)
            if n < edits:
                cpu = time.process_time()
                load = load_embedded(root, store)
                assert load.mode == "incremental", load.mode
                figures["wall"].append(load.seconds)
                figures["cpu"].append(time.process_time() - cpu)
                log = current_generation(store).with_name("graph.lbug.wal")
                say(f"edit {n + 1:2d}: {load.seconds:.2f} s ({figures['cpu'][-1]:.2f} CPU s), "
                    f"log {log.stat().st_size // 1024 if log.exists() else 0} kB")
            else:
                wall, cpu = _command(code, root, store)
                figures["command_wall"].append(wall)
                figures["command_cpu"].append(cpu)
                say(f"edit {n + 1:2d}: graph_loader.py load {wall:.2f} s ({cpu:.2f} CPU s)")
        say(_summary(figures, corpus.name))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figures


def _edit(case: Path, n: int) -> None:
    """A contributor's edit: one more sentence in the case's summary."""
    text = case.read_text(encoding="utf-8")
    case.write_text(re.sub(r"^(summary: .*)$", rf"\1 Edited {n}.", text, count=1, flags=re.MULTILINE),
                    encoding="utf-8")


def _command(code: Path, root: Path, store: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``graph_loader.py load`` (a process of its own, start-up included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(code / "graph_loader.py"), "load", "--quiet", "--root", str(root),
                    "--store", str(store)], check=True, cwd=code)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _summary(figures: dict[str, list[float]], n: str) -> str:
    lines = [f"{len(figures['wall'])} reloads at N = {int(n):,}: median {statistics.median(figures['wall']):.2f} s, "
             f"worst {max(figures['wall']):.2f} s (CPU median {statistics.median(figures['cpu']):.2f} s, "
             f"worst {max(figures['cpu']):.2f} s)"] if figures["wall"] else []
    if figures["command_wall"]:
        walls = figures["command_wall"]
        lines.append(f"graph_loader.py load after one change: median {statistics.median(walls):.2f} s, "
                     f"worst {max(walls):.2f} s (CPU median {statistics.median(figures['command_cpu']):.2f} s)")
    return "\n".join(lines)


def _compare(args: argparse.Namespace) -> int:
    """The series with the baseline's code, then with this checkout's, and their ratios."""
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the start", flush=True)
    results = {}
    for name, code in (("baseline", args.baseline.resolve()), ("this checkout", REPO)):
        commit = subprocess.run(["git", "-C", str(code), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        print(f"--- {name}: {code} at {commit}", flush=True)
        run = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--n", str(args.n), "--edits",
                              str(args.edits), "--command-edits", str(args.command_edits), "--code", str(code),
                              "--json"], check=True, capture_output=True, text=True)
        results[name] = json.loads(run.stdout.strip().splitlines()[-1])
        print(_summary(results[name], str(args.n)), flush=True)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
    base, new = results["baseline"], results["this checkout"]
    print(f"\n| N = {args.n:,} | baseline | this checkout | ratio |\n|---|---:|---:|---:|")
    for label, key, pick in (("reload, median s", "wall", statistics.median), ("reload, worst s", "wall", max),
                             ("reload, median CPU s", "cpu", statistics.median),
                             ("load command, median s", "command_wall", statistics.median),
                             ("load command, worst s", "command_wall", max),
                             ("load command, median CPU s", "command_cpu", statistics.median)):
        if base[key] and new[key]:
            before, after = pick(base[key]), pick(new[key])
            print(f"| {label} | {before:.2f} | {after:.2f} | {after / before:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
