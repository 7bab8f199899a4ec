"""Stage 4–5, graph: the domain model built from valid documents, and the graph it gives (rows, networkx).

May import: ``kb.problems``, ``kb.content`` and ``kb.check``.  ``schema`` declares every label and property once.
"""

from kb.graph.rows import GraphRows, graph_rows, to_networkx

__all__ = ["GraphRows", "graph_rows", "to_networkx"]
