"""Knowledge base of self-managing organisations: case files -> validated graph -> stores.

The data flows one way, one package per stage (``kb.load`` runs them in order)::

    content -> check -> graph -> store -> (queries) -> analysis -> export
    files, front matter   schemas, vocabulary   model, rows   LadybugDB, Neo4j   named Cypher   site's answers

``kb.load`` reads the content and brings a store up to date (a full load, or an incremental one
after a small change); ``kb.contrib`` and ``kb.cli`` are the contributors' tools and the command
line.  ``tests/test_layers.py`` keeps every import pointing to an earlier stage.

For notebooks, one call gives the graph as networkx:

>>> import kb
>>> G = kb.load_graph()
>>> G.nodes["Organisation:zappos"]["country"]
'US'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kb.content.files import REPO_ROOT
from kb.graph.rows import to_networkx
from kb.load import LoadResult, content_rows, load_content
from kb.problems import ValidationFailed

if TYPE_CHECKING:  # networkx takes a sixth of a second to import: only the notebook API needs it
    import networkx as nx

__all__ = ["REPO_ROOT", "LoadResult", "ValidationFailed", "load_content", "load_graph"]



def load_graph(root: Path | str | None = None) -> nx.MultiDiGraph:
    """Read and validate the content below ``root`` (the repository by default) as a MultiDiGraph.

    Node keys are ``"Label:id"``; every node has ``label`` and its properties, every edge ``type``
    and its evidence (``detail``, ``figure``, ``sources``, ``status``, ``file``, ``line``).
    Raises :class:`ValidationFailed` (with ``.problems``) if the content has errors.
    """
    result = load_content(Path(root) if root else REPO_ROOT)
    if not result.ok:
        raise ValidationFailed(result.problems)
    return to_networkx(content_rows(result))
