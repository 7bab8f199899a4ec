"""Documents -> graph rows: the one function every load writes the graph with.

The graph is a sum of parts.  Each case file gives a part of its own: its organisation and all it
owns (claims, figures, views, relations, timeline).  The rest is shared, no one file's: the
sectors, the concept pages' nodes, the sources (each as its first declaration, in file order,
says) and the countries.  :func:`graph_part` makes any such part; the whole graph is every case's
part plus the shared one, which is what :func:`kb.graph.rows.graph_rows` makes of a whole corpus:

>>> from pathlib import Path
>>> from kb.check.vocabulary import load_vocabulary
>>> from kb.graph.model import build_corpus
>>> from kb.graph.rows import graph_rows
>>> from kb.load.read import load_content
>>> result = load_content(Path("tests/fixtures/mini"))
>>> vocabulary = load_vocabulary(Path("tests/fixtures/mini/vocabulary"))
>>> cases = [d for d in result.documents if d.role == "case"]
>>> concepts = [d for d in result.documents if d.role != "case"]
>>> whole = graph_part(vocabulary, cases=cases, concepts=concepts, sources=first_declarations(result.documents),
...                    countries=countries_of(cases), sectors=True)
>>> whole == graph_rows(build_corpus(result.documents, vocabulary)) == content_rows(result)
True

The full load (:mod:`kb.load.full`) makes the case parts chunk by chunk and the shared part at the
end; an incremental load (:mod:`kb.load.incremental`) makes the parts of the changed cases and of
the sources they touch.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from kb.check.vocabulary import Vocabulary, country_name
from kb.content.parse import Document
from kb.graph.model import Corpus, build_corpus, source_of
from kb.graph.rows import GraphRows, graph_rows
from kb.load.results import LoadResult

__all__ = ["as_list", "content_rows", "countries_of", "counts_by_file", "first_declarations", "first_of", "graph_part"]

_NO_SECTORS = Vocabulary({})


def graph_part(vocabulary: Vocabulary, *, cases: Sequence[Document] = (), concepts: Sequence[Document] = (),
               sources: Iterable[dict] = (), countries: Iterable[str] = (), sectors: bool = False) -> GraphRows:
    """The nodes and relationships of part of the graph, from valid documents (links resolved).

    ``cases`` give their organisations and all they own; ``concepts`` their concepts; ``sources``
    are source declarations (each source once: its first declaration); ``countries`` are country
    codes; ``sectors`` adds the vocabulary's sectors.  Nothing else comes in: a case's declared
    sources and its country are shared nodes, written only when named here.
    """
    corpus = build_corpus([*cases, *concepts], vocabulary if sectors else _NO_SECTORS)
    corpus = Corpus(corpus.organisations, corpus.concepts, {raw["id"]: source_of(raw) for raw in sources},
                    corpus.vocabulary)
    rows = graph_rows(corpus)
    rows.nodes.pop("Country", None)
    for country in sorted(set(countries)):
        rows.add_node("Country", id=country, name=country_name(country))
    return rows


def content_rows(result: LoadResult) -> GraphRows:
    """The whole graph of content read without errors (:func:`kb.load.read.load_content`): every
    case's part and the shared part, as :func:`graph_part` makes them for the stores.

    What the notebook API, the Neo4j sync and the exports are given.
    """
    documents = result.documents
    cases = [doc for doc in documents if doc.role == "case"]
    return graph_part(result.corpus.vocabulary, cases=cases, concepts=[doc for doc in documents if doc.role != "case"],
                      sources=first_declarations(documents), countries=countries_of(cases), sectors=True)


def first_declarations(documents: Iterable[Document]) -> list[dict]:
    """Each source's first declaration, in file order (the one the model keeps)."""
    return first_of(source for doc in documents for source in as_list(doc.data.get("sources")))


def first_of(declarations: Iterable[object]) -> list[dict]:
    """The first of each source's declarations (dicts with an ``id``), in the order given.

    >>> first_of([{"id": "a", "title": "A"}, "not a declaration", {"id": "a", "title": "B"}, {"id": "b"}])
    [{'id': 'a', 'title': 'A'}, {'id': 'b'}]
    """
    first: dict[str, dict] = {}
    for source in declarations:
        if isinstance(source, dict) and "id" in source:
            first.setdefault(source["id"], source)
    return list(first.values())


def countries_of(cases: Iterable[Document]) -> set[str]:
    """The countries of valid case documents."""
    return {doc.data["country"] for doc in cases}


def counts_by_file(rows: GraphRows) -> dict[str, dict[str, int]]:
    """Nodes per label and relationships per type (``rel:TYPE``) that each file put in the graph."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for label, nodes in rows.nodes.items():
        for node in nodes:
            if node.get("file"):
                counts[node["file"]][label] += 1
    for rel in rows.rels:
        counts[rel.props["file"]]["rel:" + rel.type] += 1
    return {file: dict(c) for file, c in counts.items()}


def as_list(value: object) -> list:
    """A front-matter value that should be a list, or [] (an invalid file's data is read too)."""
    return value if isinstance(value, list) else []
