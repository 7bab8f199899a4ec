"""Python's cycle collector paused while many objects without cycles are made or read.

The loads, the Neo4j sync and the search index make or read some hundred thousand small objects
(documents, rows, records, hashes) that hold no cycles and live until the step is done; each automatic
collection, set off again and again by them, walks every one (measured: a fifth of a full load's
worker CPU, two thirds of hashing the sync's rows).  One place says how it is paused and resumed.

>>> import gc
>>> with cycle_collector_paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["cycle_collector_paused"]


@contextlib.contextmanager
def cycle_collector_paused(collect_after: bool = False) -> Iterator[None]:
    """The collector off inside the block, on again after it if it was on before; ``collect_after``: one
    collection then (what the block made that does hold cycles goes at once, not at some later step)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
            if collect_after:
                gc.collect()
