"""Stage 9, export: the graph for other tools (GraphML, node-link JSON, CSV, Cypher, RDF), a citable data
package of all of them, and networkx read back from a store.

May import: every stage up to ``kb.analysis``; nothing in ``kb.pipeline``, ``kb.contrib`` or ``kb.cli``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kb.export.formats import FORMATS, export_graph

if TYPE_CHECKING:  # the command line starts without networkx (a sixth of a second); exports import it
    import networkx as nx

__all__ = ["EXPORT_FORMATS", "FORMATS", "export_graph", "write_export"]

#: Every format of ``graph_loader.py export``: the single-file ones, RDF, and the data package.
EXPORT_FORMATS = (*FORMATS, "turtle", "datapackage")


def write_export(graph: nx.MultiDiGraph, fmt: str, output: Path, root: Path | None = None,
                 base_uri: str = "") -> list[Path]:
    """Write ``graph`` as ``fmt`` (one of :data:`EXPORT_FORMATS`); return the files written.

    ``root``: the content folder, whose git revision the data package records.  ``base_uri``: the base of
    the RDF URIs (:mod:`kb.export.rdf`; default a ``urn:`` base that claims no web address).
    """
    from kb.export.datapackage import write_datapackage
    from kb.export.rdf import DEFAULT_BASE_URI, write_turtle

    if fmt == "turtle":
        return write_turtle(graph, output, base_uri or DEFAULT_BASE_URI)
    if fmt == "datapackage":
        return write_datapackage(graph, output, root or Path("."), base_uri or DEFAULT_BASE_URI)
    return export_graph(graph, fmt, output)
