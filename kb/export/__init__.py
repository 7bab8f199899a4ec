"""Stage 9, export: the graph for other tools (GraphML, node-link JSON, CSV) and as networkx read back from a store.

May import: every stage up to ``kb.analysis``; nothing in ``kb.load``, ``kb.contrib`` or ``kb.cli``.
"""

from kb.export.formats import FORMATS, export_graph

__all__ = ["FORMATS", "export_graph"]
