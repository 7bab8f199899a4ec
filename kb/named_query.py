"""A named query: Cypher written once, with its parameters and what it answers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NamedQuery"]


@dataclass(frozen=True)
class NamedQuery:
    """Cypher with ``$parameters``; ``{rel_type:r}`` and ``{node_label:n}`` mark dialect differences."""

    name: str
    description: str
    cypher: str
    params: tuple[str, ...] = ()
