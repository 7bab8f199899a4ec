"""Ranking quality of comparable cases: nDCG@5 of the site's scoring and of the previous one.

Each case of the judged list (``tests/comparable_judged.yaml``: neighbours graded 2 or 1 by hand,
with why) is compared with every other case; the first five results are scored with nDCG@5 (gain
2**grade - 1, log2 discount) against the ideal order of its judged neighbours.  The previous scoring
(sector 10 points, related service 6, one budget of 8 for practices, frameworks and challenges, no
outcomes) runs on the sector hierarchy it had: health care and social care not yet under a common
broader sector.

    python bench/compare_quality.py            # builds the real content's graph in a temporary folder
"""

from __future__ import annotations

import dataclasses
import math
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.analysis.compare import PREVIOUS_SCORING, SCORING, Scoring, query_for_case, rank_comparable  # noqa: E402
from kb.analysis.index import CaseIndex  # noqa: E402

JUDGED = ROOT / "tests" / "comparable_judged.yaml"
K = 5
#: The top sector issue 25 added to ``vocabulary/sectors.yaml``; the previous scoring runs without it.
NEW_TOP = "health-and-social-care"


def judged() -> dict[str, dict[str, int]]:
    """Case -> judged neighbour -> grade (2 close, 1 useful)."""
    data = yaml.safe_load(JUDGED.read_text(encoding="utf-8"))
    return {case: {other: int(grade_why[0]) for other, grade_why in neighbours.items()}
            for case, neighbours in data.items()}


def ndcg(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    """nDCG@k of ``ranked`` against graded relevance.

    >>> ndcg(["a", "b"], {"a": 2, "b": 1}), round(ndcg(["b", "a"], {"a": 2, "b": 1}), 3)
    (1.0, 0.797)
    """
    def dcg(gains: list[int]) -> float:
        return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))

    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(case, 0) for case in ranked]) / ideal if ideal else 0.0


def previous_hierarchy(index: CaseIndex) -> CaseIndex:
    """The index with the sector hierarchy before issue 25 (no common top for health and social care)."""
    sectors = {s: (name, "" if broader == NEW_TOP else broader) for s, (name, broader) in index.sectors.items()
               if s != NEW_TOP}
    return dataclasses.replace(index, sectors=sectors, _memo={})


def top_cases(index: CaseIndex, case: str, scoring: Scoring, k: int = K) -> list[str]:
    return [m["id"] for m in rank_comparable(index, query_for_case(index, case), limit=k, exclude={case},
                                             scoring=scoring)]


def scores(index: CaseIndex) -> dict[str, tuple[float, float]]:
    """Case -> (nDCG@5 of the previous scoring, of the site's)."""
    before = previous_hierarchy(index)
    return {case: (ndcg(top_cases(before, case, PREVIOUS_SCORING), grades),
                   ndcg(top_cases(index, case, SCORING), grades))
            for case, grades in judged().items()}


def real_index() -> CaseIndex:
    from kb.analysis.index import load_index
    from kb.graph.rows import graph_rows
    from kb.load import load_content
    from kb.store import open_store
    from kb.store.ladybug import rebuild

    result = load_content(ROOT)
    if not result.ok:
        raise SystemExit("the content does not validate: run graph_loader.py validate")
    folder = Path(tempfile.mkdtemp(prefix="compare-quality-")) / "store"
    rebuild(folder, graph_rows(result.corpus))
    return load_index(open_store("ladybug", folder))


def main() -> None:
    results = scores(real_index())
    print(f"{'case':48} {'previous':>9} {'now':>6}")
    for case, (old, new) in results.items():
        print(f"{case:48} {old:9.3f} {new:6.3f}")
    old = sum(o for o, _n in results.values()) / len(results)
    new = sum(n for _o, n in results.values()) / len(results)
    print(f"{'mean nDCG@5 over ' + str(len(results)) + ' judged cases':48} {old:9.3f} {new:6.3f}"
          f"   (now / previous: {new / old:.2f}x)")


if __name__ == "__main__":
    main()
