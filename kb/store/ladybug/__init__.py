"""The embedded default store: LadybugDB, rebuilt from the Markdown, switched atomically.

Layout of a store folder::

    <store>/CURRENT                  names the generation readers open
    <store>/generations/<gen>/graph.lbug

A rebuild writes a new generation beside the current one, checks it, and only
then replaces ``CURRENT`` (``os.replace`` is atomic).  A failed or killed
rebuild leaves ``CURRENT`` naming the previous, complete generation; readers
holding an old generation keep working after a switch.

A small change (:func:`apply_change`, from ``kb.load.incremental``) is also a new generation:
the current database file and a copy of its write-ahead log, changed with parameterised Cypher in
one transaction, checked, then switched to.  LadybugDB rewrites whole column chunks at a checkpoint
(seconds at 10,000 cases, for one changed case), so the update is committed to the log and not
checkpointed: readers replay the log when they open the generation (about 0.7 ms per kB of log).
Since nothing but a checkpoint writes to the database file, the new generation's file is a hard
link to the current one (copying some 400 MB at 10,000 cases took most of a reload's time); only
a load that will checkpoint works on a real copy (:class:`GenerationCopy`).
Once the log has grown past :data:`MAX_WAL_BYTES` (some twenty edits), the load that passes it
also checkpoints; once checkpoints have grown the file past :data:`MAX_GROWTH` times its size after
the last full rebuild, the next load rebuilds.  Loads into one store run one at a time (:func:`load_lock`).
The store keeps the manifest of the files the current generation was built from, by key
(``kb.store.keyed_manifest``).

The package, along its seams: :mod:`~kb.store.ladybug.generations` (the store folder: pointer,
generations, manifests, lock), :mod:`~kb.store.ladybug.writer` (a whole generation, bulk-loaded),
:mod:`~kb.store.ladybug.change` (a small change applied to a copy) and
:mod:`~kb.store.ladybug.reader` (:class:`LadybugStore`, what the site and the console read with).
"""

from kb.store.ladybug.change import apply_change, change_statements
from kb.store.ladybug.generations import (
    KEEP_GENERATIONS,
    LINK_MARGIN,
    MAX_DB_BYTES,
    MAX_GROWTH,
    MAX_WAL_BYTES,
    GenerationCopy,
    current_generation,
    current_manifest,
    database_bytes,
    load_lock,
    needs_rebuild,
)
from kb.store.ladybug.reader import (
    DATABASE_SETTINGS,
    LadybugStore,
    load_buffer_bytes,
    preload_engine,
    reader_buffer_bytes,
)
from kb.store.ladybug.writer import GenerationWriter, StagedPart, ddl_statements, rebuild

__all__ = ["DATABASE_SETTINGS", "KEEP_GENERATIONS", "LINK_MARGIN", "MAX_DB_BYTES", "MAX_GROWTH", "MAX_WAL_BYTES",
           "GenerationCopy", "GenerationWriter", "LadybugStore", "StagedPart", "apply_change", "change_statements",
           "current_generation", "current_manifest", "database_bytes", "ddl_statements", "load_buffer_bytes",
           "load_lock", "needs_rebuild", "preload_engine", "reader_buffer_bytes", "rebuild"]
