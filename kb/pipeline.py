"""The pipeline in one place: files -> parse -> validate -> model.

>>> from pathlib import Path
>>> result = load_content(Path("."))
>>> result.ok, len(result.corpus.organisations) > 0
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


def load_content(root: Path, progress: Callable[[Iterable], Iterable] | None = None) -> LoadResult:
    """Parse and validate all content below ``root``; build the corpus if it has no errors.

    ``progress`` may wrap the list of files (e.g. ``tqdm``) to show parsing progress.
    """
    layout = ContentLayout(root)
    vocabulary = load_vocabulary(layout.vocabulary)
    files = discover(layout)
    documents = [parse_file(f, layout) for f in (progress(files) if progress else files)]
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
    strays = [Problem(layout.display(p), 1, 1, "not in a content folder, so it is not loaded",
                      "case files go in cases/, concept pages in concepts/<kind>s/", code="location")
              for p in paths if p.is_file() and layout.role_of(p) is None]
    wanted = {layout.display(p.resolve()) for p in paths}
    return strays + [p for p in result.problems
                     if any(p.path == w or p.path.startswith(w.rstrip("/") + "/") for w in wanted)]
