"""How well question search answers everyday questions: the rank of the first right passage for each.

The questions and their answers are in tests/search_questions.yaml (written from the content); the
test tests/test_search_quality.py asserts a floor on the same figures.

Usage::

    python bench/search_quality.py                 # the repository's content, through the embedded store
    python bench/search_quality.py --markdown      # the table as Markdown, for the README

Prints one row per question (rank of the first right passage, or "-" if not in the first 20, and
the passage ranked first), then the share answered at rank 1, in the top 3 and in the top 10, the mean
reciprocal rank, and the time per question.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.analysis.search import search_index_for
from kb.graph.rows import graph_rows
from kb.load import load_content
from kb.store.ladybug import LadybugStore, rebuild
from tests.search_quality import DEPTH, TYPES, by_type, load_questions, score, summary, unanswerable

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPO, help="content folder (default: the repository)")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    args = parser.parse_args()
    result = load_content(args.root)
    if not result.ok:
        print("the content does not validate; run: python graph_loader.py validate", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        rebuild(Path(folder) / "store", graph_rows(result.corpus))
        store = LadybugStore(Path(folder) / "store")
        try:
            started = time.perf_counter()
            index = search_index_for(store)
            built = time.perf_counter() - started
            questions = load_questions()
            missing = unanswerable(index, questions)
            started = time.perf_counter()
            scores = score(index, questions)
            per_question = (time.perf_counter() - started) / max(len(questions), 1)
        finally:
            store.close()
    figures, per_type = summary(scores), by_type(scores)
    if args.markdown:
        print("| # | type | question | rank of first right passage | ranked first |")
        print("|---:|---|---|---:|---|")
        for n, s in enumerate(scores, 1):
            print(f"| {n} | {TYPES[s.question.type]} | {s.question.text} | {s.rank or '–'} | {s.top} |")
        print()
        print("| type | questions | rank 1 | top 3 | top 10 |")
        print("|---|---:|---:|---:|---:|")
        for kind, f in per_type.items():
            print(f"| {TYPES[kind]} | {f['n']:.0f} | {f['top1']:.0%} | {f['top3']:.0%} | {f['top10']:.0%} |")
        print(f"| **all** | {len(scores)} | {figures['top1']:.0%} | {figures['top3']:.0%} | {figures['top10']:.0%} |")
        print()
        print("| questions | passages indexed | rank 1 | top 3 | top 10 | MRR | per question |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| {len(scores)} | {len(index.passages)} | {figures['top1']:.0%} | {figures['top3']:.0%} | "
              f"{figures['top10']:.0%} | {figures['mrr']:.2f} | {per_question * 1000:.0f} ms |")
    else:
        print(f"{'rank':>5}  {'type':<12}  question  ->  passage ranked first")
        for s in scores:
            print(f"{s.rank or '-':>5}  {s.question.type:<12}  {s.question.text}  ->  {s.top}")
        print()
        print(f"{'type':<26} {'n':>3} {'rank 1':>7} {'top 3':>6} {'top 10':>7}")
        for kind, f in per_type.items():
            print(f"{TYPES[kind]:<26} {f['n']:>3.0f} {f['top1']:>7.0%} {f['top3']:>6.0%} {f['top10']:>7.0%}")
        print()
        print(f"{len(scores)} questions, {len(index.passages)} passages (index built in {built:.2f} s); "
              f"first right passage at rank 1: {figures['top1']:.0%}, top 3: {figures['top3']:.0%}, "
              f"top 10: {figures['top10']:.0%} (not in the first {DEPTH}: "
              f"{sum(s.rank is None for s in scores)}); MRR {figures['mrr']:.2f}; "
              f"{per_question * 1000:.0f} ms a question")
    for line in missing:
        print(f"warning: an answer names no passage: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
