"""Retrieval by meaning against the site's search, on the same questions (tests/search_questions.yaml).

Issue 25 allows embeddings only from a model that a registry package ships (nothing downloaded at run time),
kept only where they win.  WordLlama ships its 256-dimension model inside its wheel; this script loads it from
there with downloads disabled and prints, overall and per question type, rank 1 / top 3 / top 10 for:

- the site's search (BM25 with intents, :mod:`kb.analysis.search`);
- the embeddings alone (cosine between the question and each passage, with its case's name and section);
- both fused by reciprocal rank over the site's best 200 candidates, for a few settings.

Not a dependency of the project (the result: the site's search wins, so none is used).  To run it::

    pip install wordllama==0.4.0.post1
    python bench/search_embeddings.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing from the network, even by mistake

from kb.analysis.search import search_index_for
from kb.graph.rows import graph_rows
from kb.load import load_content
from kb.store.ladybug import LadybugStore, rebuild
from tests.search_quality import TYPES, Score, by_type, load_questions, score, summary

REPO = Path(__file__).resolve().parent.parent
#: Reciprocal rank fusion: (k, weight of the embeddings' rank) tried.
FUSIONS = ((60, 1.0), (60, 0.5), (10, 0.5), (10, 0.25))


@dataclass
class _Found:
    passages: list[Any]
    best_match: Any = None


def _model() -> Any:
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError:
        sys.exit("this benchmark needs WordLlama: pip install wordllama==0.4.0.post1")
    # The wheel holds weights/ and tokenizers/ beside the code: that folder is the cache, downloads off.
    return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)


def _line(name: str, scores: list[Score]) -> None:
    f = summary(scores)
    print(f"{name:<34} rank 1 {f['top1']:>4.0%}  top 3 {f['top3']:>4.0%}  top 10 {f['top10']:>4.0%}  "
          f"MRR {f['mrr']:.2f}")


def main() -> int:
    result = load_content(REPO)
    if not result.ok:
        print("the content does not validate; run: python graph_loader.py validate", file=sys.stderr)
        return 2
    model = _model()
    with tempfile.TemporaryDirectory() as folder:
        rebuild(Path(folder) / "store", graph_rows(result.corpus))
        store = LadybugStore(Path(folder) / "store")
        try:
            index = search_index_for(store)
        finally:
            store.close()
    keys = list(index.passages)
    vectors = model.embed([f"{index.passages[k].owner_name}. {index.passages[k].section}. {index.passages[k].text}"
                           for k in keys], norm=True)
    row = {key: n for n, key in enumerate(keys)}

    def alone(question: str) -> _Found:
        similarity = vectors @ model.embed([question], norm=True)[0]
        return _Found([index.passages[keys[i]] for i in similarity.argsort()[::-1][:20]])

    def fused(k: int, weight: float):
        def search(question: str) -> _Found:
            found = index.search(question, passage_limit=200)
            query = model.embed([question], norm=True)[0]
            by_meaning = sorted(found.passages, key=lambda hit: -float(vectors[row[hit.key]] @ query))
            meaning_rank = {hit.key: n for n, hit in enumerate(by_meaning, 1)}
            ranked = sorted(enumerate(found.passages, 1),
                            key=lambda item: -(1 / (k + item[0]) + weight / (k + meaning_rank[item[1].key])))
            return _Found([hit for _, hit in ranked[:20]], found.best_match)
        return search

    questions = load_questions()
    # short name (the per-type table's column) -> (long name, scores)
    results = {"site": ("site search (BM25 with intents)", score(index, questions)),
               "embeddings": ("embeddings alone (WordLlama 256)", score(index, questions, alone))}
    for k, weight in FUSIONS:
        results[f"fused {k} x{weight}"] = (f"fused, k={k}, embeddings x{weight}",
                                           score(index, questions, fused(k, weight)))
    print(f"{len(questions)} questions, {len(keys)} passages\n")
    for long_name, scores in results.values():
        _line(long_name, scores)
    print("\nper type, rank 1 / top 3:")
    names = list(results)
    print(f"{'type':<26}" + "".join(f"{n:>16}" for n in names))
    per_type = {name: by_type(scores) for name, (_, scores) in results.items()}
    for kind in per_type[names[0]]:
        print(f"{TYPES[kind]:<26}" + "".join(
            f"{per_type[n][kind]['top1']:>9.0%} /{per_type[n][kind]['top3']:>4.0%}" for n in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
