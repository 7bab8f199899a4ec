"""A deterministic synthetic corpus of case files, for benchmarks and scaling tests.

``generate(n, out_dir, seed=0)`` writes ``n`` valid case files to ``out_dir/cases/`` and copies the
real shared vocabulary (``concepts/`` and ``vocabulary/``) beside them, so ``out_dir`` is a content
root that ``kb.load_content`` and ``graph_loader.py load --root`` accept as it is.

Cases link only to the repository's real concept ids and sectors.  Their shape follows what the 25
real cases look like (measured 2026-11): about 12 sources per case (a few shared between cases),
3-8 practices, 1-5 challenges and outcomes, 3-4 figures, an uncertain claim or two, a contested one
now and then, relations between organisations in about a third of the cases, and bodies of 4-17 kB
(median about 6 kB) of cited prose.  The same ``n`` and ``seed`` always give the same bytes.

Command line (``bench/corpus/`` is git-ignored)::

    python bench/generate_corpus.py 1000                 # -> bench/corpus/1000/
    python bench/generate_corpus.py 100 --out /tmp/c100 --seed 7

>>> import tempfile, pathlib
>>> root = generate(3, pathlib.Path(tempfile.mkdtemp()))
>>> len(list((root / "cases").glob("*.md")))
3
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import random
import shutil
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "bench" / "corpus"

__all__ = ["DEFAULT_OUT", "generate"]

# Weighted choices, from the real cases' counts.
_KINDS = {"company": 13, "programme": 3, "nonprofit": 2, "charity": 2, "social-enterprise": 1, "network": 1,
          "school": 1, "cooperative": 1, "public-body": 1}
_STATUSES = {"active": 19, "unknown": 3, "pilot-ended": 2, "merged": 1, "closed": 1, "acquired": 1}
_COUNTRIES = {"US": 10, "GB": 7, "NZ": 2, "DE": 2, "NL": 2, "FR": 1, "CN": 1, "BR": 1, "SE": 1, "JP": 1,
              "IN": 1, "ES": 1, "DK": 1}
_SOURCE_TYPES = {"web": 73, "news": 68, "blog": 65, "article": 24, "report": 15, "official": 10, "academic": 6,
                 "book": 4, "video": 2}
_RELIABILITY = {"third-party": 144, "self-reported": 80, "opinion": 33, "independent": 9}
_MEASURES = {"staff": 45, "revenue": 21, "sites": 5, "teams": 3, "students": 3, "clients": 2, "patients": 2,
             "members": 2, "units": 2, "users": 1}
_UNITS = {"": 39, "%": 28, "USD m": 4, "USD bn": 3, "EUR": 3, "EUR m": 2, "GBP m": 1}
_RELATIONS = ("partner-of", "adopted-model-of", "inspired-by", "part-of")

_WORD_TEXT = (
    "team teams nurses staff colleagues managers coaches clients patients customers founders board owners "
    "decision decisions advice process role roles circle circles meeting meetings budget budgets pay salary "
    "training onboarding hiring recruitment growth turnover trust autonomy accountability transparency "
    "hierarchy structure practice model pilot programme region neighbourhood service quality cost costs "
    "overheads revenue profit contract agreement agreements feedback peers peer review plans planning "
    "schedule workload care support network community local national early later first second new small "
    "large shared self-managing self-organising independent central regional informal formal open clear "
    "slow quick steady uneven modest strong weak reported described measured observed said found noted "
    "adopted dropped changed kept moved expanded reduced introduced tested scaled replaced trained hired "
    "with without within across between after before during through under over about around because while"
)
_WORDS = _WORD_TEXT.split()


@dataclass
class _Concepts:
    """The real shared vocabulary the synthetic cases link to."""

    by_kind: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # kind -> [(id, name)]
    sectors: list[str] = field(default_factory=list)


def _read_vocabulary(repo: Path) -> _Concepts:
    concepts = _Concepts()
    for kind in ("practice", "challenge", "outcome", "framework"):
        entries = []
        for path in sorted((repo / "concepts" / f"{kind}s").glob("*.md")):
            front = path.read_text(encoding="utf-8").split("---", 2)[1]
            entries.append((path.stem, yaml.safe_load(front)["name"]))
        concepts.by_kind[kind] = entries
    sectors = yaml.safe_load((repo / "vocabulary" / "sectors.yaml").read_text(encoding="utf-8"))
    concepts.sectors = [row["id"] for row in sectors]
    return concepts


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _count(rng: random.Random, low: int, median: float, high: int) -> int:
    """A skewed count: log-normal around ``median``, clipped to [low, high] (real counts are skewed)."""
    return max(low, min(high, round(rng.lognormvariate(math.log(max(median, 0.5)), 0.45))))


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(count))


def _sentence(rng: random.Random) -> str:
    text = _words(rng, rng.randint(6, 18))
    return text[0].upper() + text[1:] + "."


def _detail(rng: random.Random, chars: int) -> str:
    text = ""
    while len(text) < chars:
        text += (" " if text else "") + _sentence(rng)
    return text[0].lower() + text[1:]


def _paragraph(rng: random.Random, sources: list[str]) -> str:
    cited = ", ".join(rng.sample(sources, k=min(len(sources), rng.randint(1, 2))))
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6))) + f" [src: {cited}]"


@dataclass
class _Case:
    """One synthetic organisation as it will be written."""

    id: str
    front: dict
    body: list[str]


def _sources(rng: random.Random, case_id: str, shared: list[dict]) -> list[dict]:
    count = _count(rng, 4, 10, 33)
    sources = []
    for k in range(count):
        kind = _pick(rng, _SOURCE_TYPES)
        source = {"id": f"{case_id}-s{k}", "title": _sentence(rng)[:-1][:120],
                  "publisher": _words(rng, 2).title(), "date": f"{rng.randint(1995, 2025)}-{rng.randint(1, 12):02d}",
                  "type": kind, "reliability": _pick(rng, _RELIABILITY)}
        if kind == "book":
            source["publication"] = f"{_words(rng, 3).title()} (print)"
        else:
            source["url"] = f"https://example.org/{case_id}/{k}"
        sources.append(source)
    if rng.random() < 0.15:  # a few widely read sources are cited by many cases
        sources.append(dict(rng.choice(shared)))
    return sources


def _figure(rng: random.Random, source: str) -> str:
    unit = _pick(rng, _UNITS)
    value = rng.randint(1, 99) if unit == "%" else rng.randint(2, 20000)
    unit_text = unit if unit == "%" else f" {unit}" if unit else ""
    label = _words(rng, rng.randint(2, 6))
    return f"figure: **{value:,}{unit_text}** {label} ({rng.randint(1995, 2025)}) [src: {source}]"


def _item_bullets(rng: random.Random, kind: str, concepts: _Concepts, sources: list[str], median: float,
                  high: int, budget: dict[str, int]) -> list[str]:
    pool = list(concepts.by_kind[kind])
    if kind == "practice" and rng.random() < 0.3:
        pool = pool + concepts.by_kind["framework"]
    chosen = rng.sample(pool, k=min(len(pool), _count(rng, 1, median, high)))
    bullets = []
    for concept_id, name in chosen:
        folder = next(k for k, entries in concepts.by_kind.items() if (concept_id, name) in entries) + "s"
        status = ""
        if budget["contested"] > 0 and rng.random() < 0.15:
            status, budget["contested"] = " [contested]", budget["contested"] - 1
        elif budget["uncertain"] > 0 and rng.random() < 0.25:
            status, budget["uncertain"] = " [uncertain]", budget["uncertain"] - 1
        cited = ", ".join(rng.sample(sources, k=min(len(sources), _count(rng, 1, 2, 5))))
        detail = _detail(rng, _count(rng, 44, 175, 399))
        lines = [f"- [{name}](../concepts/{folder}/{concept_id}.md){status}: {detail} [src: {cited}]"]
        if budget["figures"] > 0 and rng.random() < 0.5:
            budget["figures"] -= 1
            lines.append("  - " + _figure(rng, rng.choice(sources)))
        if status == " [contested]":
            lines += [f"  - view: {_detail(rng, 80)} [src: {source}]" for source in rng.sample(sources, k=2)]
        bullets.append("\n".join(lines))
    return bullets


def _dispute(rng: random.Random, ids: list[str]) -> str:
    views = rng.sample(ids, k=min(rng.choice((2, 2, 3)), len(ids)))
    return (f"- **{_words(rng, 3).capitalize()}** [contested]: {_detail(rng, 120)} [src: {rng.choice(ids)}]\n"
            + "\n".join(f"  - view: {_detail(rng, 90)} [src: {source}]" for source in views))


def _case(rng: random.Random, index: int, case_ids: list[str], concepts: _Concepts, shared: list[dict]) -> _Case:
    case_id = case_ids[index]
    sources = _sources(rng, case_id, shared)
    ids = [s["id"] for s in sources]
    front = {
        "id": case_id, "name": f"{_words(rng, 2).title()} {index:05d}", "kind": _pick(rng, _KINDS),
        "country": _pick(rng, _COUNTRIES), "city": _words(rng, 1).title() + "ton",
        "sectors": rng.sample(concepts.sectors, k=_count(rng, 1, 1.3, 4)),
        "founded": rng.randint(1900, 2022), "status": _pick(rng, _STATUSES),
        "summary": _detail(rng, rng.randint(320, 490)).capitalize(),
        "profile_sources": ids[:rng.randint(1, 3)],
    }
    if rng.random() < 0.5:
        front["legal_form"] = _words(rng, 3).capitalize()
    if rng.random() < 0.6:
        front["website"] = f"https://{case_id}.example.org/"
    front["size"] = [{"measure": _pick(rng, _MEASURES), "value": rng.randint(5, 50000),
                      "year": rng.randint(2000, 2025), "source": rng.choice(ids)}
                     for _ in range(_count(rng, 0, 3, 12) if rng.random() < 0.85 else 0)]
    others = _Without(case_ids, index)
    front["relations"] = [{"type": rng.choice(_RELATIONS), "target": target, "sources": [rng.choice(ids)]}
                          for target in rng.sample(others, k=min(len(others), rng.choice((0, 0, 0, 1, 1, 2))))]
    front["sources"] = sources
    budget = {"figures": _count(rng, 0, 3.5, 11), "contested": rng.choice((0, 0, 0, 1, 1, 2)),
              "uncertain": _count(rng, 0, 1.5, 7)}
    body = ["## Context", "\n\n".join(_paragraph(rng, ids) for _ in range(rng.randint(1, 3))),
            "## Practices", "\n".join(_item_bullets(rng, "practice", concepts, ids, 4.5, 8, budget)),
            "## Challenges", "\n".join(_item_bullets(rng, "challenge", concepts, ids, 2.3, 5, budget)),
            "## Outcomes", "\n".join(_item_bullets(rng, "outcome", concepts, ids, 2.1, 9, budget)),
            "## Timeline", "\n".join(f"- **{year}**: {_sentence(rng)} [src: {rng.choice(ids)}]"
                                     for year in sorted(rng.sample(range(1990, 2026), k=rng.randint(2, 6))))]
    disputes = [_dispute(rng, ids) for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3)))]
    if disputes:
        body += ["## Contested claims", "\n".join(disputes)]
    prose_target = min(17000, max(4000, int(rng.lognormvariate(math.log(5400), 0.35))))
    lessons = []
    while sum(map(len, body)) + sum(map(len, lessons)) < prose_target:
        lessons.append(_paragraph(rng, ids))
    body += ["## Lessons", "\n\n".join(lessons) or _paragraph(rng, ids)]
    uncited = [i for i in ids if f"{i}]" not in "\n".join(body) and f"{i}," not in "\n".join(body)]
    if uncited:  # every declared source is cited somewhere, as the validator expects
        body += ["## Open questions", f"{_sentence(rng)} [src: {', '.join(uncited)}]"]
    return _Case(case_id, front, body)


class _Without(Sequence):
    """The case ids but one, without copying them (a copy per case made 100,000 cases quadratic).

    ``random.sample`` picks by index, so it draws the same targets as from a list of the others.
    """

    def __init__(self, ids: list[str], left_out: int):
        self.ids, self.left_out = ids, left_out

    def __len__(self) -> int:
        return len(self.ids) - 1

    def __getitem__(self, i: int) -> str:  # type: ignore[override]  # sample() takes single items only
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.ids[i if i < self.left_out else i + 1]


#: LibYAML's emitter writes the same text as PyYAML's own for these files (checked on 10,000 cases), four
#: times faster: most of writing a corpus was the YAML.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _write(case: _Case, folder: Path) -> None:
    front = yaml.dump(case.front, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=1000)
    text = ("---\n# yaml-language-server: $schema=../../kb/schemas/case.schema.json\n" + front + "---\n\n"
            + "\n\n".join(case.body) + "\n")
    (folder / f"{case.id}.md").write_text(text, encoding="utf-8")


def generate(n: int, out_dir: Path | str, seed: int = 0, repo: Path = REPO, jobs: int = 1) -> Path:
    """Write ``n`` synthetic cases plus the real concepts and sectors below ``out_dir``; return it.

    ``out_dir`` is emptied first.  Deterministic: the same ``n`` and ``seed`` give the same files,
    whatever ``jobs`` (worker processes; each case has a random generator of its own).
    """
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    (out / "cases").mkdir(parents=True)
    shutil.copytree(repo / "concepts", out / "concepts")
    shutil.copytree(repo / "vocabulary", out / "vocabulary")
    concepts = _read_vocabulary(repo)
    rng = random.Random(seed)
    case_ids = [f"org-{i:05d}-{_words(rng, 1)}" for i in range(n)]
    shared = [{"id": f"shared-{k}", "title": f"Widely cited study number {k}", "publisher": "Shared Press",
               "url": f"https://example.org/shared/{k}", "type": "report", "reliability": "third-party"}
              for k in range(50)]
    writing = _Writing(seed, case_ids, concepts, shared, out / "cases")
    if jobs <= 1:
        writing.write(range(n))
        return out
    step = 1000
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(writing.write, [range(i, min(n, i + step)) for i in range(0, n, step)]))
    return out


@dataclass
class _Writing:
    """What writing a case needs: picklable, so that worker processes write ranges of cases."""

    seed: int
    case_ids: list[str]
    concepts: _Concepts
    shared: list[dict]
    folder: Path

    def write(self, indexes: range) -> None:
        for index in indexes:
            _write(_case(random.Random(f"{self.seed}/{index}"), index, self.case_ids, self.concepts, self.shared),
                   self.folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a deterministic synthetic corpus of N case files.")
    parser.add_argument("n", type=int, help="number of cases")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: bench/corpus/N)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1; the files are the same)")
    args = parser.parse_args(argv)
    out = generate(args.n, args.out or DEFAULT_OUT / str(args.n), seed=args.seed, jobs=args.jobs)
    print(f"wrote {args.n} cases to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
