"""What one site worker keeps for a graph version: RSS and Python objects after each structure it derives.

A gunicorn worker opens the embedded store and builds, once per graph version, the case index, the
search index, the lessons' passages and the sources by id (:func:`webapp.store.build_derived_in_background`
and the first requests).  This builds them in that order in one process and prints, after each, its CPU
seconds, the Python objects alive (tracemalloc) and the process's RSS (the store's buffer pool, native
libraries and the freed memory Python keeps included), then the source files holding most of the objects::

    nice python bench/worker_memory.py /tmp/store-1000     # a store folder a full load wrote

``KB_LADYBUG_BUFFER_MB`` bounds the reader's pool as it does the site's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def rss_mb() -> int:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="an embedded store folder (holding CURRENT)")
    parser.add_argument("--top", type=int, default=8, help="source files listed by the memory of their objects")
    args = parser.parse_args(argv)

    from kb.analysis.index import index_for
    from kb.analysis.lessons import lesson_passages_for, sources_by_id
    from kb.analysis.search import search_index_for
    from kb.store.ladybug import LadybugStore

    store = LadybugStore(args.store)
    store.version()
    tracemalloc.start()
    print(f"store opened: RSS {rss_mb()} MB")
    for name, build in (("case index", index_for), ("search index", search_index_for),
                        ("lesson passages", lesson_passages_for), ("sources by id", sources_by_id)):
        cpu = time.process_time()
        build(store)
        alive, peak = tracemalloc.get_traced_memory()
        print(f"{name}: {time.process_time() - cpu:.1f} CPU s; Python objects {alive / 2**20:.0f} MB "
              f"(peak {peak / 2**20:.0f}); RSS {rss_mb()} MB", flush=True)
    for stat in tracemalloc.take_snapshot().statistics("filename")[:args.top]:
        print(f"  {stat.size / 2**20:7.1f} MB  {stat.traceback[0].filename.removeprefix(str(REPO) + '/')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
