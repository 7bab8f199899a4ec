"""Reloads after one-file edits, one after another, on a copy of a synthetic corpus, against a baseline.

``bench/scale.py`` times ten reloads right after its full loads; this times a series in a process
that does nothing else, shows the write-ahead log each reload leaves (later reloads replay it),
then times ``graph_loader.py load`` after one more edit, as a contributor runs it (with Python's
start-up and imports)::

    python bench/reload_series.py --n 10000 --edits 10 --command-edits 5
    python bench/reload_series.py --n 10000 --baseline /path/to/baseline/checkout

With ``--baseline``, the code of that checkout (a ``git worktree`` of an earlier commit) and this
one's each run in a process of their own, on their own copy, and take turns: each edit is made in
both copies and loaded by both, the order alternating, so that the machine's other work weighs on
both alike; the ratios are printed at the end.  Each copy is ``bench/corpus/<n>`` (made by
``bench/generate_corpus.py``) loaded in full once (not timed), or, with ``--loaded`` (and
``--baseline-loaded``), a folder holding ``content/`` and ``store/`` that a full load with the
same code made, copied.  CPU seconds are the process's (and LadybugDB's threads'), beside wall seconds.
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
    parser.add_argument("--baseline", type=Path, help="a checkout whose code runs the same series, in turns")
    parser.add_argument("--loaded", type=Path, help="content/ and store/ loaded by this checkout's code, to copy")
    parser.add_argument("--baseline-loaded", type=Path, help="the same, loaded by the baseline's code")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)  # a checkout to time, taking orders
    args = parser.parse_args(argv)
    corpus = REPO / "bench" / "corpus" / str(args.n)
    if not corpus.is_dir() and not args.loaded:
        parser.error(f"{corpus} does not exist: run python bench/generate_corpus.py {args.n} first")
    if args.worker:
        return _work(args.worker, corpus, args.loaded)
    sides = [("this checkout", REPO, args.loaded)]
    if args.baseline:
        sides.insert(0, ("baseline", args.baseline.resolve(), args.baseline_loaded))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the start", flush=True)
    workers = {name: _Worker(code, corpus, loaded) for name, code, loaded in sides}
    figures = {name: {"wall": [], "cpu": [], "command_wall": [], "command_cpu": []} for name in workers}
    for name, worker in workers.items():
        commit = subprocess.run(["git", "-C", str(worker.code), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        print(f"{name}: {worker.code} at {commit}", flush=True)
    try:
        for n in range(args.edits + args.command_edits):
            names = list(workers) if n % 2 == 0 else list(workers)[::-1]
            for name in names:
                kind = "reload" if n < args.edits else "command"
                answer = workers[name].ask(f"{kind} {n}")
                prefix = "" if kind == "reload" else "command_"
                figures[name][prefix + "wall"].append(answer["wall"])
                figures[name][prefix + "cpu"].append(answer["cpu"])
                log = f", log {answer['log_kb']} kB" if "log_kb" in answer else ""
                print(f"edit {n + 1:2d}, {name}: {'graph_loader.py load ' if prefix else ''}{answer['wall']:.2f} s "
                      f"({answer['cpu']:.2f} CPU s){log}", flush=True)
    finally:
        for worker in workers.values():
            worker.close()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
    for name in workers:
        print(f"{name}: {_summary(figures[name], args.n)}")
    if args.baseline:
        _ratios(figures["baseline"], figures["this checkout"], args.n)
    return 0


class _Worker:
    """A process timing loads with one checkout's code, on its own copy of the corpus."""

    def __init__(self, code: Path, corpus: Path, loaded: Path | None):
        self.code = code
        command = [sys.executable, str(Path(__file__).resolve()), "--n", corpus.name, "--worker", str(code)]
        self.process = subprocess.Popen([*command, *(["--loaded", str(loaded)] if loaded else [])],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.ask("ready")

    def ask(self, order: str) -> dict:
        self.process.stdin.write(order + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the worker for {self.code} stopped")
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def _work(code: Path, corpus: Path, loaded: Path | None) -> int:
    """Load a copy in full (or copy ``loaded``), then time what stdin orders, one JSON line each."""
    sys.path.insert(0, str(code))
    from kb.load import load_embedded
    from kb.store.ladybug import current_generation

    work = Path(tempfile.mkdtemp(prefix="kb-reloads-"))
    try:
        root, store = work / "content", work / "store"
        if loaded:
            shutil.copytree(loaded / "content", root)
            shutil.copytree(loaded / "store", store)
            load_embedded(root, store)  # the copies have new inodes: their stat signatures are taken again
        else:
            shutil.copytree(corpus, root)
            load_embedded(root, store, full=True)
        cases = sorted((root / "cases").glob("*.md"))
        for order in sys.stdin:
            kind, _, number = order.strip().partition(" ")
            answer: dict = {}
            if kind in ("reload", "command"):
                n = int(number)
                _edit(cases[(n * 997) % len(cases)], n)
            if kind == "reload":
                cpu = time.process_time()
                load = load_embedded(root, store)
                if load.mode != "incremental":
                    raise RuntimeError(f"a reload was {load.mode}")
                log = current_generation(store).with_name("graph.lbug.wal")
                answer = {"wall": load.seconds, "cpu": time.process_time() - cpu,
                          "log_kb": log.stat().st_size // 1024 if log.exists() else 0}
            elif kind == "command":
                wall, cpu = _command(code, root, store)
                answer = {"wall": wall, "cpu": cpu}
            print(json.dumps(answer), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _edit(case: Path, n: int) -> None:
    """A contributor's edit: one more sentence in the case's summary."""
    text = case.read_text(encoding="utf-8")
    case.write_text(re.sub(r"^(summary: .*)$", rf"\1 Edited {n}.", text, count=1, flags=re.MULTILINE),
                    encoding="utf-8")


def _contributor_environment(code: Path) -> dict[str, str]:
    """The environment a contributor's ``python`` runs in: it keeps the checkout's bytecode.

    With PYTHONDONTWRITEBYTECODE set (as in some sandboxes and CI images) every run compiles the
    hundred-odd modules of ``kb`` from source again: 0.06 of 0.19 CPU seconds of the imports here.
    The bytecode is written once, untimed, as the first run of a contributor's checkout would.
    """
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "kb"), str(code / "graph_loader.py")],
                   check=True, env=environment, stdout=subprocess.DEVNULL)
    return environment


def _command(code: Path, root: Path, store: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``graph_loader.py load`` (a process of its own, start-up included)."""
    environment = _contributor_environment(code)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(code / "graph_loader.py"), "load", "--quiet", "--root", str(root),
                    "--store", str(store)], check=True, cwd=code, stdout=subprocess.DEVNULL, env=environment)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _summary(figures: dict[str, list[float]], n: int) -> str:
    lines = [f"{len(figures['wall'])} reloads at N = {n:,}: median {statistics.median(figures['wall']):.2f} s, "
             f"worst {max(figures['wall']):.2f} s (CPU median {statistics.median(figures['cpu']):.2f} s, "
             f"worst {max(figures['cpu']):.2f} s)"] if figures["wall"] else []
    if figures["command_wall"]:
        walls = figures["command_wall"]
        lines.append(f"graph_loader.py load after one change: median {statistics.median(walls):.2f} s, "
                     f"worst {max(walls):.2f} s (CPU median {statistics.median(figures['command_cpu']):.2f} s)")
    return "; ".join(lines)


def _ratios(base: dict[str, list[float]], new: dict[str, list[float]], n: int) -> None:
    print(f"\n| N = {n:,} | baseline | this checkout | ratio |\n|---|---:|---:|---:|")
    for label, key, pick in (("reload, median s", "wall", statistics.median), ("reload, worst s", "wall", max),
                             ("reload, median CPU s", "cpu", statistics.median),
                             ("load command, median s", "command_wall", statistics.median),
                             ("load command, worst s", "command_wall", max),
                             ("load command, median CPU s", "command_cpu", statistics.median)):
        if base[key] and new[key]:
            before, after = pick(base[key]), pick(new[key])
            print(f"| {label} | {before:.2f} | {after:.2f} | {after / before:.2f}× |")


if __name__ == "__main__":
    sys.exit(main())
