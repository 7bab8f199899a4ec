"""A cold full load timed by phase, in one process: wall seconds and CPU seconds of each phase.

Issue 29's goal 1 (a cold full load of 10,000 cases under 10 s): where its time goes.  The load is
:func:`kb.load.full.full_load` into an empty store, as ``graph_loader.py load --full`` runs it, with
its phases timed from outside (the functions below wrapped, nothing else changed):

- the reading: the worker processes read, check and stage the case files, chunk by chunk (their CPU
  seconds are the children's; the parent's are its own, taking the chunks in);
- the cross-file checks and the shared part of the graph (the parent);
- the bulk load: LadybugDB's ``COPY`` of every staging file and its checkpoints (the parent, with
  LadybugDB's threads);
- the count check of the new database and the manifest's write.

    flock /tmp/bench.lock nice python bench/load_phases.py bench/corpus/10000
    python bench/load_phases.py bench/corpus/1000 --keep-staging /tmp/staged   # also copy the staging files

Run it in two checkouts in turns to compare them (the same corpus, one process each).  Without
``PYTHONDONTWRITEBYTECODE`` set, or after ``python -m compileall kb``, no time goes to compiling.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kb.load.full as full  # the checkout's own package, whatever the current folder
from kb.load.cache import ParseCache, cache_version
from kb.store.ladybug import writer

PHASES: list[tuple[str, float, float, float]] = []  # name, wall s, CPU s of this process, CPU s of its children


def _now() -> tuple[float, float, float]:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def _timed(owner: Any, name: str, phase: str) -> None:
    """Wrap ``owner.name`` so that each call adds its wall and CPU seconds to :data:`PHASES` as ``phase``."""
    original: Callable = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        before = _now()
        try:
            return original(*args, **kwargs)
        finally:
            after = _now()
            PHASES.append((phase, *(b - a for a, b in zip(before, after, strict=True))))
    setattr(owner, name, timed)


def _keeping_staging(folder: Path) -> None:
    """Copy the staging files to ``folder`` before the bulk load (to compare two checkouts' byte for byte)."""
    original = writer._Staging.copy_into

    def copy_into(self: Any, *args: Any, **kwargs: Any) -> Any:
        shutil.copytree(self.folder, folder, dirs_exist_ok=True)
        return original(self, *args, **kwargs)
    writer._Staging.copy_into = copy_into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--keep-staging", type=Path, help="copy the staging files here before the bulk load")
    args = parser.parse_args()
    _timed(full, "_read_cases", "reading (worker processes)")
    _timed(full, "_check_and_stage", "cross-file checks and shared part")
    _timed(writer._Staging, "_copy_all", "bulk load (COPY, checkpoints)")
    _timed(writer, "_check_node_counts", "count check")
    _timed(writer, "write_manifest", "manifest")
    if args.keep_staging:
        _keeping_staging(args.keep_staging)
    root, store = args.corpus.resolve(), Path(tempfile.mkdtemp(prefix="load-phases-"))
    print(f"{root} at load average {os.getloadavg()[0]:.1f}", flush=True)
    try:
        started = _now()
        load = full.full_load(root, store, ParseCache(store / "cache", cache_version(root)))
        ended = _now()
    finally:
        shutil.rmtree(store, ignore_errors=True)
    print(f"{load.nodes and sum(load.nodes.values()):,} nodes, {load.rels and sum(load.rels.values()):,} "
          f"relationships; load average at the end {os.getloadavg()[0]:.1f}")
    print("| phase | wall s | CPU s (this process) | CPU s (workers) |\n|---|---:|---:|---:|")
    for phase, wall, mine, children in [*PHASES, ("whole load", *(b - a for a, b in zip(started, ended, strict=True)))]:
        print(f"| {phase} | {wall:.2f} | {mine:.2f} | {children:.2f} |")


if __name__ == "__main__":
    main()
