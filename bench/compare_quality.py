"""Ranking quality of comparable cases: nDCG@5 of the site's scoring and of the earlier ones.

Each case of the judged list (``tests/comparable_judged.yaml``: neighbours graded 2 or 1 by hand,
with why) is compared with every other case; the first five results are scored with nDCG@5 (gain
2**grade - 1, log2 discount) against the ideal order of its judged neighbours.  The previous scoring
(sector 10 points, related service 6, one budget of 8 for practices, frameworks and challenges, no
outcomes) runs on the sector hierarchy it had: health care and social care not yet under a common
broader sector.  The first scoring of issue 25 (``WITHOUT_RELATIONS``) is the site's without the
relations between cases (partner of, part of, adopted the model of, inspired by): no shared model, no
related-case points.

    python bench/compare_quality.py            # builds the real content's graph in a temporary folder
    python bench/compare_quality.py --grid     # and the grid of the model budget and related-case points

``--grid`` also guards against fitting the weights to the list: leave one judged case out, pick the grid's
best values on the other cases, score the case left out with them; the mean of those scores is what the
chosen values can be expected to give on a case not yet judged.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.analysis.compare import (  # noqa: E402
    MODEL,
    PREVIOUS_SCORING,
    SCORING,
    WITHOUT_RELATIONS,
    Scoring,
    query_for_case,
    rank_comparable,
)
from kb.analysis.index import CaseIndex  # noqa: E402

JUDGED = ROOT / "tests" / "comparable_judged.yaml"
K = 5
#: The top sector issue 25 added to ``vocabulary/sectors.yaml``; the previous scoring runs without it.
NEW_TOP = "health-and-social-care"


def judged() -> dict[str, dict[str, int]]:
    """Case -> judged neighbour -> grade (2 close, 1 useful); the list also says why, with sources."""
    data = yaml.safe_load(JUDGED.read_text(encoding="utf-8"))
    return {case: {other: int(entry[0]) for other, entry in neighbours.items()}
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


def scores(index: CaseIndex) -> dict[str, tuple[float, float, float]]:
    """Case -> (nDCG@5 of the previous scoring, of issue 25's first without relations, of the site's)."""
    before = previous_hierarchy(index)
    return {case: (ndcg(top_cases(before, case, PREVIOUS_SCORING), grades),
                   ndcg(top_cases(index, case, WITHOUT_RELATIONS), grades),
                   ndcg(top_cases(index, case, SCORING), grades))
            for case, grades in judged().items()}


def means(results: dict[str, tuple[float, ...]]) -> tuple[float, ...]:
    """The mean of each column over the judged cases."""
    return tuple(sum(column) / len(results) for column in zip(*results.values(), strict=True))


#: The grid: the model-or-framework budget, the points of a declared relation between the two cases, and how
#: much a model counts when followed only as inspired by it.
GRID_MODEL = (3.0, 4.0, 5.0, 6.0, 8.0)
GRID_RELATED = (0.0, 1.0, 2.0, 3.0, 4.0)
GRID_INSPIRED = (1.0, 0.75, 0.5, 0.25)


def with_weights(model: float, related: float, inspired: float = SCORING.inspired_by) -> Scoring:
    budgets = tuple((kinds, model if kinds == (MODEL,) else points) for kinds, points in SCORING.budgets)
    return dataclasses.replace(SCORING, budgets=budgets, related_case=related, inspired_by=inspired)


def grid(index: CaseIndex) -> dict[tuple[float, float, float], dict[str, float]]:
    """(model budget, related points, inspired-by weight) -> judged case -> nDCG@5."""
    cases = judged()
    return {(model, related, inspired): {case: ndcg(top_cases(index, case, with_weights(model, related, inspired)),
                                                    grades) for case, grades in cases.items()}
            for model in GRID_MODEL for related in GRID_RELATED for inspired in GRID_INSPIRED}


def leave_one_out(results: dict[tuple[float, ...], dict[str, float]]) -> float:
    """Mean nDCG@5 of each judged case under the grid values best on the other cases (ties: the smaller)."""
    cases = list(next(iter(results.values())))
    held_out = []
    for case in cases:
        best = max(sorted(results), key=lambda weights: sum(v for c, v in results[weights].items() if c != case))
        held_out.append(results[best][case])
    return sum(held_out) / len(held_out)


def real_index() -> CaseIndex:
    from kb.analysis.index import load_index
    from kb.graph.rows import graph_rows
    from kb.load import load_content
    from kb.store import open_store
    from kb.store.ladybug import rebuild

    result = load_content(ROOT)
    if not result.ok:
        raise SystemExit("the content does not validate: run graph_loader.py validate")
    with tempfile.TemporaryDirectory(prefix="compare-quality-") as temporary:
        folder = Path(temporary) / "store"
        rebuild(folder, graph_rows(result.corpus))
        store = open_store("ladybug", folder)
        try:
            return load_index(store)  # read in full: the store is not needed after
        finally:
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--grid", action="store_true", help="also the grid of weights and its leave-one-out check")
    args = parser.parse_args()
    index = real_index()
    results = scores(index)
    print(f"{'case':48} {'previous':>9} {'no relations':>13} {'now':>6}")
    for case, (old, unrelated, new) in results.items():
        print(f"{case:48} {old:9.3f} {unrelated:13.3f} {new:6.3f}")
    old, unrelated, new = means(results)
    print(f"{'mean nDCG@5 over ' + str(len(results)) + ' judged cases':48} {old:9.3f} {unrelated:13.3f} {new:6.3f}"
          f"   (now / previous: {new / old:.2f}x; now / no relations: {new / unrelated:.2f}x)")
    if args.grid:
        table = grid(index)
        inspired = SCORING.inspired_by
        print(f"\nmean nDCG@5 by model budget (rows) and related-case points (columns), inspired-by {inspired:g}")
        print("model " + "".join(f"{related:>7g}" for related in GRID_RELATED))
        for model in GRID_MODEL:
            print(f"{model:5g} " + "".join(f"{sum(table[(model, r, inspired)].values()) / len(results):7.3f}"
                                           for r in GRID_RELATED))
        model, related = SCORING.budgets[0][1], SCORING.related_case
        print(f"by inspired-by weight, at model {model:g} and related {related:g}: " + ", ".join(
            f"{w:g}: {sum(table[(model, related, w)].values()) / len(results):.3f}" for w in GRID_INSPIRED))
        print(f"leave-one-out (best grid values on the other {len(results) - 1} cases): {leave_one_out(table):.3f}")


if __name__ == "__main__":
    main()
