"""A named query: Cypher written once, with its parameters and what it answers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NamedQuery", "cypher_list"]


def cypher_list(values: tuple[str, ...]) -> str:
    """A Cypher list literal of fixed names (relationship types, labels) declared in the code.

    >>> cypher_list(("FACED", "REPORTED"))
    "['FACED', 'REPORTED']"
    """
    return "[" + ", ".join(f"'{value}'" for value in values) + "]"


@dataclass(frozen=True)
class NamedQuery:
    """Cypher with ``$parameters``; ``{rel_type:r}`` and ``{node_label:n}`` mark dialect differences."""

    name: str
    description: str
    cypher: str
    params: tuple[str, ...] = ()
    #: Parameter values that make a good example (console examples run with these).
    defaults: tuple[tuple[str, str], ...] = ()
    #: A title for researchers, when the query is one of the console's examples.
    title: str = ""

    @property
    def default_params(self) -> dict[str, str]:
        return dict(self.defaults)
