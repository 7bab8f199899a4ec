"""Bring the embedded store up to date: a full rebuild or an incremental load, chosen by a scan.

:func:`load_embedded` is what ``graph_loader.py load`` runs.  It refuses content with misnamed
files, then compares the files with the current generation's manifest (:mod:`kb.load.scan`): when
only a few case files changed it applies them to a copy of the current generation
(:mod:`kb.load.incremental`), otherwise it rebuilds (:mod:`kb.load.full`).  Either way the new
generation is checked before readers are switched to it, and a failed load leaves the previous one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from kb.collector import cycle_collector_paused
from kb.content.files import ContentLayout, misnamed_files
from kb.load.cache import ParseCache, cache_version
from kb.load.incremental import incremental_load
from kb.load.results import EmbeddedLoad
from kb.load.scan import scan_changes

__all__ = ["load_embedded"]


def load_embedded(root: Path, store: Path, *, full: bool = False,
                  progress: Callable[[Iterable], Iterable] | None = None,
                  step: Callable[[str], None] | None = None) -> EmbeddedLoad:
    """Validate the content and bring the embedded store in ``store`` up to date, atomically.

    After a first load, a load reparses only the files whose content changed, and when only a few
    case files changed it updates a copy of the current generation rather than rebuilding the
    graph; ``full=True`` always rebuilds.  ``progress`` may wrap the files of a full load (a
    progress bar), ``step`` hears the steps of writing a generation.

    >>> import shutil, tempfile
    >>> root, store = Path(tempfile.mkdtemp()) / "content", Path(tempfile.mkdtemp()) / "store"
    >>> _ = shutil.copytree("tests/fixtures/mini", root)
    >>> load_embedded(root, store).mode, load_embedded(root, store).mode
    ('full', 'unchanged')
    """
    from kb.store import ladybug

    with ladybug.load_lock(store):
        started = time.perf_counter()
        misnamed = misnamed_files(ContentLayout(root))
        if misnamed:  # a content file that would be passed over: refuse rather than lose it silently
            return EmbeddedLoad(misnamed, "refused", generation=ladybug.current_generation(store),
                                seconds=time.perf_counter() - started)
        cache = ParseCache(store / "cache", cache_version(root))
        manifest = None if full else ladybug.current_manifest(store)
        scan = scan_changes(root, manifest, cache.version) if manifest else None
        if scan is None or (scan.anything and ladybug.needs_rebuild(store, manifest.built_bytes)):
            from kb.load.full import full_load  # its process pool and bulk load: not a reload's imports

            load = full_load(root, store, cache, progress, step)
        else:
            with cycle_collector_paused():  # the records and rows it reads and makes hold no cycles
                load = incremental_load(root, store, manifest, cache, scan)
        load.seconds = time.perf_counter() - started
        return load


