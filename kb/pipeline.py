"""The pipeline in one place: files -> parse -> validate -> model.

>>> from pathlib import Path
>>> result = load_content(Path("."))
>>> result.ok, len(result.corpus.organisations) > 0
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .files import ContentLayout, discover
from .model import Corpus, build_corpus
from .parse import Document, parse_file
from .problems import Problem
from .validate import validate
from .vocabulary import load_vocabulary

__all__ = ["LoadResult", "check_paths", "load_content"]


@dataclass
class LoadResult:
    """What a load produced: the problems and, when there were no errors, the corpus."""

    problems: list[Problem]
    documents: list[Document] = field(default_factory=list)
    corpus: Corpus | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def load_content(root: Path) -> LoadResult:
    """Parse and validate all content below ``root``; build the corpus if it has no errors."""
    layout = ContentLayout(root)
    vocabulary = load_vocabulary(layout.vocabulary)
    documents = [parse_file(f, layout) for f in discover(layout)]
    problems = validate(documents, vocabulary)
    result = LoadResult(problems, documents)
    if result.ok:
        result.corpus = build_corpus(documents, vocabulary)
    return result


def check_paths(root: Path, paths: list[Path]) -> list[Problem]:
    """Validate the whole content but report only problems in the given files or folders.

    Cross-file checks need every file, so the whole content is always read.
    """
    result = load_content(root)
    if not paths:
        return result.problems
    layout = ContentLayout(root)
    wanted = {layout.display(p.resolve()) for p in paths}
    return [p for p in result.problems
            if any(p.path == w or p.path.startswith(w.rstrip("/") + "/") for w in wanted)]
