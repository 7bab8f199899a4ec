"""Scoring question search against tests/search_questions.yaml (used by the test and by bench/search_quality.py).

Each question lists the passages that answer it by case (or concept), section and a phrase the
passage contains; a question's score is the rank of the first right passage among the results
(``None`` when none is in the first :data:`DEPTH`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kb.analysis.search import SearchIndex

QUESTIONS = Path(__file__).parent / "search_questions.yaml"
DEPTH = 20


@dataclass(frozen=True)
class Answer:
    owner_kind: str
    owner_id: str
    section: str
    phrase: str

    @classmethod
    def from_yaml(cls, entry: dict[str, Any]) -> Answer:
        if "case" in entry:
            kind, owner = "organisation", entry["case"]
        else:
            kind, _, owner = entry["concept"].partition("/")
        return cls(kind, owner, entry.get("section") or "", _norm(entry["phrase"]))

    def matches(self, passage: Any) -> bool:
        return (passage.owner_kind, passage.owner_id) == (self.owner_kind, self.owner_id) \
            and passage.section.lower() == self.section.lower() and self.phrase in _norm(passage.text)

    def __str__(self) -> str:
        return f"{self.owner_id} / {self.section or '(intro)'} / “{self.phrase}”"


@dataclass(frozen=True)
class Question:
    text: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Score:
    question: Question
    rank: int | None  # of the first right passage, from 1
    top: str  # the passage ranked first, as owner / section


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Question(e["question"], tuple(Answer.from_yaml(a) for a in e["answers"])) for e in entries]


def unanswerable(index: SearchIndex, questions: list[Question]) -> list[str]:
    """Answers that name no passage of the content (a phrase edited away, a section renamed)."""
    passages = list(index.passages.values())
    return [f"{q.text}: {a}" for q in questions for a in q.answers if not any(a.matches(p) for p in passages)]


def score(index: SearchIndex, questions: list[Question]) -> list[Score]:
    scores = []
    for question in questions:
        found = index.search(question.text, passage_limit=DEPTH).passages
        rank = next((n for n, hit in enumerate(found, 1) if any(a.matches(hit) for a in question.answers)), None)
        top = f"{found[0].owner_id} / {found[0].section}" if found else "(nothing)"
        scores.append(Score(question, rank, top))
    return scores


def summary(scores: list[Score]) -> dict[str, float]:
    """Share of questions answered at rank 1, in the top 3, in the top 10, and the mean reciprocal rank."""
    n = len(scores) or 1
    return {"top1": sum(s.rank == 1 for s in scores) / n,
            "top3": sum(s.rank is not None and s.rank <= 3 for s in scores) / n,
            "top10": sum(s.rank is not None and s.rank <= 10 for s in scores) / n,
            "mrr": sum(1 / s.rank for s in scores if s.rank) / n}
