"""Fold a generation's write-ahead log into a copy of it, off the reload's path.

An incremental load commits to the log of a copied generation rather than checkpointing it
(``kb.store.ladybug``): a checkpoint rewrites whole column chunks, seconds at 10,000 cases.  But
every reader, and the next reload, replays that log when it opens the generation (about 0.7 ms
per kB).  Once a reload leaves more than :data:`COMPACT_LOG_BYTES` of log, it starts this module
in a process of its own (:func:`start`), which copies the generation, checkpoints the copy and
switches ``CURRENT`` to it, unless a newer load came first (checked under the store's load
lock), in which case the copy is dropped.  Readers see the same graph before and after.

Run by hand: ``python -m kb.store.compact <store folder> <generation>``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import ladybug

from .ladybug import (
    MAX_DB_BYTES,
    GenerationCopy,
    _remove_old_generations,
    _switch_pointer,
    current_generation,
    load_lock,
)

__all__ = ["COMPACT_LOG_BYTES", "compact", "start"]

#: Log a reload may leave before a background compaction folds it in (some five edits' worth).
COMPACT_LOG_BYTES = 256 * 1024


def start(store: Path, generation: str) -> subprocess.Popen:
    """Compact ``generation`` in a detached process (it outlives a ``graph_loader.py load``)."""
    package_root = Path(__file__).resolve().parents[2]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(package_root),
                                                                            os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-m", "kb.store.compact", str(store), generation],
                            env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def compact(store: Path, generation: str) -> Path | None:
    """Checkpoint a copy of ``generation`` and make it current; None if a newer load came first."""
    from ..cache import MANIFEST

    source = store / "generations" / generation / "graph.lbug"
    if current_generation(store) != source:
        return None
    copy = GenerationCopy.start(store)
    try:
        target = copy.wait()
        if copy.source != source:  # a load switched generations before the copy began
            copy.discard()
            return None
        shutil.copyfile(source.parent / MANIFEST, copy.folder / MANIFEST)
        database = ladybug.Database(str(target), max_db_size=MAX_DB_BYTES)
        connection = ladybug.Connection(database)
        try:
            connection.execute("CHECKPOINT")
        finally:
            connection.close()
            database.close()
        with load_lock(store):
            if current_generation(store) != source:
                copy.discard()
                return None
            _switch_pointer(store, copy.generation)
    except BaseException:
        copy.discard()
        raise
    _remove_old_generations(store, keep=copy.generation)
    return target


if __name__ == "__main__":
    compact(Path(sys.argv[1]), sys.argv[2])
