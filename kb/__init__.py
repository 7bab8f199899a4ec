"""Knowledge base of self-managing organisations: case files -> validated graph -> stores.

The data flows one way, one module per stage::

    files -> frontmatter/body -> parse -> validate -> model -> graph -> store -> queries

For notebooks, one call gives the graph as networkx:

>>> import kb
>>> G = kb.load_graph()
>>> G.nodes["Organisation:zappos"]["country"]
'US'
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from .graph import graph_rows, to_networkx
from .pipeline import LoadResult, load_content
from .problems import ValidationFailed

__all__ = ["REPO_ROOT", "LoadResult", "ValidationFailed", "load_content", "load_graph"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def load_graph(root: Path | str | None = None) -> nx.MultiDiGraph:
    """Read and validate the content below ``root`` (the repository by default) as a MultiDiGraph.

    Node keys are ``"Label:id"``; every node has ``label`` and its properties, every edge ``type``
    and its evidence (``detail``, ``figure``, ``sources``, ``status``, ``file``, ``line``).
    Raises :class:`ValidationFailed` (with ``.problems``) if the content has errors.
    """
    result = load_content(Path(root) if root else REPO_ROOT)
    if not result.ok:
        raise ValidationFailed(result.problems)
    return to_networkx(graph_rows(result.corpus))
