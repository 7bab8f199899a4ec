"""The graph as RDF (Turtle, via rdflib), with a stable URI for every node.

URIs are built from a base URI (the site's public address, e.g. ``https://kb.example.org/``) and
the node's id, which the loader keeps stable across edits (``docs/neo4j.md``): nodes that have a
page on the site get that page's address (``<base>cases/buurtzorg``, ``<base>practices/advice-process``,
``<base>sources/<id>``), so a URI leads to its human-readable page; the others get
``<base>id/<label>/<id>`` (figures, claims, views, sectors, countries).

Vocabulary: organisations are ``schema:Organization`` and ``owl:sameAs`` their Wikidata item where
the case names one (``wikidata:``); concepts and sectors are ``skos:Concept`` (``skos:prefLabel``,
``skos:altLabel``, ``skos:definition``, ``skos:broader``); sources are ``schema:CreativeWork``.
Every node is also typed with the project's own class (``kb:Organisation``...), every property the
graph has is written as ``kb:<property>`` (typed as in :mod:`kb.graph.schema`), and every relationship
is a triple ``kb:<relationshipType>`` plus, for its provenance, an ``rdf:Statement`` carrying the
relationship's sources, evidence grade, scope, file and line.  The project's vocabulary lives at
``<base>vocab#``.  The document says its licence (CC BY-SA 4.0) on the dataset node ``<base>``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import networkx as nx
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SDO, SKOS, XSD

from kb.export.formats import CONTENT_LICENCE
from kb.graph.schema import CONCEPT_LABELS, NODE_PROPERTIES, REL_PROPERTIES
from kb.kinds import KINDS

__all__ = ["DEFAULT_BASE_URI", "WIKIDATA_ENTITY", "node_uri", "rdf_graph", "write_turtle"]

#: Used when no base is given: a valid, stable URI scheme that claims no web address.
DEFAULT_BASE_URI = "urn:x-self-management-kb:"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
#: Labels with a page of their own on the site, and that page's folder.
PAGE_FOLDERS = {"Organisation": "cases", **{kind.label: kind.folder for kind in KINDS}, "Source": "sources"}
_TYPES = {"INT64": XSD.integer, "DOUBLE": XSD.double, "BOOLEAN": XSD.boolean}
_CLASSES = {"Organisation": [SDO.Organization], "Source": [SDO.CreativeWork], "Sector": [SKOS.Concept],
            **{label: [SKOS.Concept] for label in CONCEPT_LABELS}}
#: Properties that a well-known vocabulary names better (the kb: property is written as well).
_WELL_KNOWN = {
    ("Organisation", "name"): [SDO.name, RDFS.label], ("Organisation", "summary"): [SDO.description],
    ("Organisation", "aliases"): [SDO.alternateName], ("Source", "title"): [SDO.name, RDFS.label],
    ("Source", "author"): [SDO.author], ("Source", "publisher"): [SDO.publisher],
    ("Source", "date"): [SDO.datePublished], ("Sector", "name"): [SKOS.prefLabel, RDFS.label],
    ("Country", "name"): [RDFS.label],
    **{(label, "name"): [SKOS.prefLabel, RDFS.label] for label in CONCEPT_LABELS},
    **{(label, "definition"): [SKOS.definition] for label in CONCEPT_LABELS},
    **{(label, "aliases"): [SKOS.altLabel] for label in CONCEPT_LABELS},
}
_WIKIDATA_ID = re.compile(r"^Q[1-9][0-9]*$")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def normalise_base(base_uri: str) -> str:
    """The base with the separator its URIs need: ``/`` after a web address, nothing after ``urn:...:``."""
    base = base_uri.strip() or DEFAULT_BASE_URI
    return base if base.endswith(("/", ":", "#")) else base + "/"


def node_uri(base: str, label: str, node_id: str) -> URIRef:
    """The stable URI of a node.

    >>> str(node_uri("https://kb.example.org/", "Organisation", "buurtzorg"))
    'https://kb.example.org/cases/buurtzorg'
    >>> str(node_uri("https://kb.example.org/", "Figure", "buurtzorg/staff 2015"))
    'https://kb.example.org/id/figure/buurtzorg%2Fstaff%202015'
    """
    folder = PAGE_FOLDERS.get(label)
    path = f"{folder}/{quote(node_id, safe='')}" if folder else f"id/{label.lower()}/{quote(node_id, safe='')}"
    return URIRef(normalise_base(base) + path)


def _camel(relationship_type: str) -> str:
    """``USES_PRACTICE`` -> ``usesPractice``."""
    first, *rest = relationship_type.lower().split("_")
    return first + "".join(word.capitalize() for word in rest)


def _literals(value: object, kind: str) -> list[Literal]:
    values = value if isinstance(value, list) else [value]
    out = []
    for item in values:
        if item is None or item == "":
            continue
        datatype = _TYPES.get(kind)
        if datatype is XSD.integer:
            item = int(item)
        out.append(Literal(item, datatype=datatype) if datatype else Literal(str(item)))
    return out


def rdf_graph(graph: nx.MultiDiGraph, base_uri: str = DEFAULT_BASE_URI, revision: str = "") -> Graph:
    """The graph as an rdflib ``Graph`` (see the module's docstring for the vocabulary)."""
    base = normalise_base(base_uri)
    kb = Namespace(base + "vocab#")
    out = Graph()
    for prefix, namespace in (("kb", kb), ("schema", SDO), ("skos", SKOS), ("owl", OWL), ("dcterms", DCTERMS)):
        out.bind(prefix, namespace)
    _add_dataset(out, kb, URIRef(base), revision)
    for _key, data in graph.nodes(data=True):
        _add_node(out, kb, base, data)
    for start, end, data in graph.edges(data=True):
        _add_edge(out, kb, base, graph.nodes[start], graph.nodes[end], data)
    return out


def _add_dataset(out: Graph, kb: Namespace, dataset: URIRef, revision: str) -> None:
    """The dataset's own description: title, licence, credit and the content's revision."""
    out.add((dataset, RDF.type, URIRef("http://rdfs.org/ns/void#Dataset")))
    out.add((dataset, DCTERMS.title, Literal("Self-management case graph")))
    out.add((dataset, DCTERMS.license, URIRef(CONTENT_LICENCE["licence_url"])))
    out.add((dataset, DCTERMS.rightsHolder, Literal(CONTENT_LICENCE["attribution"])))
    if revision:
        out.add((dataset, kb.revision, Literal(revision)))


def _add_node(out: Graph, kb: Namespace, base: str, data: dict) -> None:
    """One node: its classes, its properties as literals, Wikidata and web links."""
    label = data["label"]
    subject = node_uri(base, label, str(data["id"]))
    out.add((subject, RDF.type, kb[label]))
    for cls in _CLASSES.get(label, []):
        out.add((subject, RDF.type, cls))
    kinds = NODE_PROPERTIES.get(label, {})
    for name, value in data.items():
        if name in ("label", "broader"):  # broader: the BROADER relationship says it, as a URI
            continue
        literals = _literals(value, kinds.get(name, "STRING"))
        for predicate in [kb[name], *_WELL_KNOWN.get((label, name), [])]:
            for literal in literals:
                out.add((subject, predicate, literal))
    if label == "Organisation" and _WIKIDATA_ID.match(str(data.get("wikidata") or "")):
        out.add((subject, OWL.sameAs, URIRef(WIKIDATA_ENTITY + data["wikidata"])))
    web = str(data.get("website") or data.get("url") or "")
    if label in ("Organisation", "Source") and _URL.match(web):
        out.add((subject, SDO.url, URIRef(web)))


def _add_edge(out: Graph, kb: Namespace, base: str, start: dict, end: dict, data: dict) -> None:
    """One relationship as a triple, and its provenance (sources, scope, grade...) as a reified statement."""
    start_uri = node_uri(base, start["label"], str(start["id"]))
    end_uri = node_uri(base, end["label"], str(end["id"]))
    predicate = kb[_camel(data["type"])]
    out.add((start_uri, predicate, end_uri))
    if data["type"] == "BROADER":
        out.add((start_uri, SKOS.broader, end_uri))
    provenance = {name: value for name, value in data.items() if name != "type" and value not in (None, "", [])}
    if not provenance:
        return
    statement = BNode()
    out.add((statement, RDF.type, RDF.Statement))
    out.add((statement, RDF.subject, start_uri))
    out.add((statement, RDF.predicate, predicate))
    out.add((statement, RDF.object, end_uri))
    for name, value in provenance.items():
        if name == "sources":
            for source in value:
                out.add((statement, kb.source, node_uri(base, "Source", str(source))))
            continue
        for literal in _literals(value, REL_PROPERTIES.get(name, "STRING")):
            out.add((statement, kb[name], literal))


def write_turtle(graph: nx.MultiDiGraph, output: Path, base_uri: str = DEFAULT_BASE_URI,
                 revision: str = "") -> list[Path]:
    """Write the graph as Turtle to ``output``; return the files written."""
    output.parent.mkdir(parents=True, exist_ok=True)
    header = "".join(f"# {line}\n" for line in CONTENT_LICENCE_TEXT.splitlines())
    output.write_text(header + rdf_graph(graph, base_uri, revision).serialize(format="turtle"), encoding="utf-8")
    return [output]


CONTENT_LICENCE_TEXT = (f"The self-management case graph as RDF. Licence: {CONTENT_LICENCE['licence']} "
                        f"({CONTENT_LICENCE['licence_url']}); credit: {CONTENT_LICENCE['attribution']}.")
