"""Located problems and the exceptions that carry them.

Every stage of the pipeline reports what is wrong with the content as a
:class:`Problem` (file, line, column, message, hint) rather than raising, so that
``validate`` can list every problem in every file at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["KbError", "Problem", "QueryError", "StoreError", "ValidationFailed"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in one content file.

    >>> str(Problem("cases/x.md", 3, 1, "unknown sector 'car'", "did you mean 'care'?"))
    "cases/x.md:3:1: error: unknown sector 'car' (did you mean 'care'?)"
    """

    path: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: str = "error"  # "error", "warning" or "note" (worth a look; fails nothing)
    code: str = ""

    def __str__(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}{hint}"

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def is_warning(self) -> bool:
        """A warning (``validate --strict`` fails on it); a "note" is neither error nor warning."""
        return self.severity == "warning"


class KbError(Exception):
    """Base class of the knowledge base's own errors."""


class ValidationFailed(KbError):
    """The content has errors; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.is_error]
        super().__init__(f"{len(errors)} error(s) in the content; the store was left unchanged")


class StoreError(KbError):
    """The graph store is missing, unreadable or unreachable."""


class QueryError(KbError):
    """A query was refused or failed; the message is meant for the user."""


class GraphNotLoaded(StoreError):
    """The store is reachable but holds no graph of this project (never loaded, or reset)."""
