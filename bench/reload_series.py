"""Reloads after one-file edits, one after another, on a copy of a synthetic corpus.

``bench/scale.py`` times five reloads right after two full loads; this times a longer series (and
shows the write-ahead log each leaves, which later reloads replay), in a process that does nothing
else::

    python bench/reload_series.py --n 10000 --edits 12

It copies ``bench/corpus/<n>`` to a temporary folder (made by ``bench/generate_corpus.py`` on first
use of ``bench/scale.py``), loads it in full once (not timed), then edits one case at a time.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="corpus size (bench/corpus/<n>)")
    parser.add_argument("--edits", type=int, default=12)
    args = parser.parse_args(argv)
    from kb.load import load_embedded
    from kb.store.ladybug import current_generation

    corpus = REPO / "bench" / "corpus" / str(args.n)
    if not corpus.is_dir():
        parser.error(f"{corpus} does not exist: run python bench/scale.py --sizes {args.n} first")
    work = Path(tempfile.mkdtemp(prefix="kb-reloads-"))
    try:
        root, store = work / "content", work / "store"
        shutil.copytree(corpus, root)
        load_embedded(root, store, full=True)
        cases = sorted((root / "cases").glob("*.md"))
        times = []
        for n in range(args.edits):
            case = cases[(n * 997) % len(cases)]
            text = case.read_text(encoding="utf-8")
            case.write_text(re.sub(r"^(summary: .*)$", rf"\1 Edited {n}.", text, count=1, flags=re.MULTILINE),
                            encoding="utf-8")
            load = load_embedded(root, store)
            assert load.mode == "incremental", load.mode
            log = current_generation(store).with_name("graph.lbug.wal")
            times.append(load.seconds)
            print(f"edit {n + 1:2d}: {load.seconds:.2f} s, log {log.stat().st_size // 1024 if log.exists() else 0} kB",
                  flush=True)
        print(f"{args.edits} reloads at N = {args.n:,}: median {statistics.median(times):.2f} s, "
              f"worst {max(times):.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
