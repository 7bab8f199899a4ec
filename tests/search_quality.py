"""Scoring question search against tests/search_questions.yaml (used by the test and by bench/search_quality.py).

Each question has a type (:data:`TYPES`) and lists the passages that answer it by case (or concept), section and
a phrase the passage contains; a name look-up is answered by the best-match card instead (``name: kind/id``).
A question's score is the rank of the first right passage among the results (``None`` when none is in the first
:data:`DEPTH`), or 1 when the best-match card is the case or concept it names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

QUESTIONS = Path(__file__).parent / "search_questions.yaml"
DEPTH = 20
#: The question types, in the order the file and the tables list them, each with the words the tables show.
TYPES = {
    "figures": "figures", "people": "people", "places": "places", "dates": "dates",
    "comparisons": "comparisons", "went-wrong": "what went wrong", "names": "name look-ups",
    "cost": "cost and funding", "regulation": "regulation and inspection", "transition": "transition",
    "ending": "how it ended", "how-why": "how and why",
}


@dataclass(frozen=True)
class Answer:
    owner_kind: str
    owner_id: str
    section: str
    phrase: str
    card: bool = False  # a name look-up: answered by the best-match card, not by a passage

    @classmethod
    def from_yaml(cls, entry: dict[str, Any]) -> Answer:
        # An unquoted phrase with a comma reads as two keys in a YAML flow mapping: quote it.
        if extra := set(entry) - {"case", "concept", "section", "phrase", "name"}:
            raise ValueError(f"{QUESTIONS.name}: answer {entry} has unknown keys {sorted(extra)} (quote a phrase "
                             "that has a comma)")
        if "name" in entry:
            kind, _, owner = entry["name"].partition("/")
            return cls(kind, owner, "", "", card=True)
        if "case" in entry:
            kind, owner = "organisation", entry["case"]
        else:
            kind, _, owner = entry["concept"].partition("/")
        return cls(kind, owner, entry.get("section") or "", _norm(entry["phrase"]))

    def matches(self, passage: Any) -> bool:
        return not self.card and (passage.owner_kind, passage.owner_id) == (self.owner_kind, self.owner_id) \
            and passage.section.lower() == self.section.lower() and self.phrase in _norm(passage.text)

    def names(self, hit: Any) -> bool:
        """Whether a best-match card (a document hit) is the case or concept this name look-up asks for."""
        return self.card and hit is not None and (hit.kind, hit.id) == (self.owner_kind, self.owner_id)

    def __str__(self) -> str:
        if self.card:
            return f"best match {self.owner_kind}/{self.owner_id}"
        return f"{self.owner_id} / {self.section or '(intro)'} / “{self.phrase}”"


@dataclass(frozen=True)
class Question:
    text: str
    type: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Score:
    question: Question
    rank: int | None  # of the first right passage, from 1 (1 for the right best-match card)
    top: str  # the passage ranked first (or the card), as owner / section


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = [Question(e["question"], e["type"], tuple(Answer.from_yaml(a) for a in e["answers"]))
                 for e in entries]
    unknown = sorted({q.type for q in questions} - set(TYPES))
    if unknown:
        raise ValueError(f"{path}: unknown question type {', '.join(unknown)}; use one of: {', '.join(TYPES)}")
    return questions


def unanswerable(index: Any, questions: list[Question]) -> list[str]:
    """Answers that name no passage (or no case or concept) of the content: a phrase edited away, a section renamed."""
    passages = list(index.passages.values())
    return [f"{q.text}: {a}" for q in questions for a in q.answers
            if not (a.card and (a.owner_kind, a.owner_id) in index.documents)
            and not any(a.matches(p) for p in passages)]


def score(index: Any, questions: list[Question],
          search: Callable[[str], Any] | None = None) -> list[Score]:
    """Each question's rank; ``search`` (question -> results) defaults to the index's own search."""
    search = search or (lambda text: index.search(text, passage_limit=DEPTH))
    scores = []
    for question in questions:
        found = search(question.text)
        card = getattr(found, "best_match", None)
        if any(a.names(card) for a in question.answers):
            scores.append(Score(question, 1, f"best match {card.kind}/{card.id}"))
            continue
        passages = found.passages
        rank = next((n for n, hit in enumerate(passages, 1) if any(a.matches(hit) for a in question.answers)), None)
        top = f"{passages[0].owner_id} / {passages[0].section}" if passages else "(nothing)"
        if card is not None:
            top = f"best match {card.kind}/{card.id}; {top}"
        scores.append(Score(question, rank, top))
    return scores


def summary(scores: list[Score]) -> dict[str, float]:
    """Share of questions answered at rank 1, in the top 3, in the top 10, and the mean reciprocal rank."""
    n = len(scores) or 1
    return {"top1": sum(s.rank == 1 for s in scores) / n,
            "top3": sum(s.rank is not None and s.rank <= 3 for s in scores) / n,
            "top10": sum(s.rank is not None and s.rank <= 10 for s in scores) / n,
            "mrr": sum(1 / s.rank for s in scores if s.rank) / n}


def by_type(scores: list[Score]) -> dict[str, dict[str, float]]:
    """:func:`summary` for each question type (in :data:`TYPES` order), with ``n``, the number of questions."""
    return {kind: {"n": len(group), **summary(group)} for kind in TYPES
            if (group := [s for s in scores if s.question.type == kind])}
