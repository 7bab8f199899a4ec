"""What the question search is built from, read from a store (named queries ``search_organisations``,
``search_concepts`` and ``sources``): every case and concept as a document, and every passage of their pages.

Apart from :mod:`kb.analysis.search` so that the static site can list the same documents and passages
without building an index.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from kb.analysis.intents import place_names, whereabouts
from kb.analysis.passages import Passage, passages_of, plain_text
from kb.analysis.search_results import SearchDocument
from kb.store import GraphStore

__all__ = ["TEXTS_PER_READ", "IndexInputs", "documents_from_store", "index_inputs", "organisation_texts",
           "passages_from_store"]

#: Organisations whose text one read of ``search_organisations`` returns (about 7.5 kB each on the synthetic corpus).
TEXTS_PER_READ = 2000


class IndexInputs(NamedTuple):
    """The arguments of :class:`kb.analysis.search.SearchIndex` for one store's graph."""

    documents: list[SearchDocument]
    passages: list[Passage]
    sources: list[dict[str, Any]]
    places: list[str]
    where: dict[tuple[str, str], str]


def organisation_texts(store: GraphStore) -> Iterator[dict[str, Any]]:
    """Every organisation's row of ``search_organisations`` (its text: name, aliases, summary, page body), in id order.

    Read :data:`TEXTS_PER_READ` at a time: in one query, the embedded store's reader held every case's page
    text in its buffer pool (a 1 GB pool was too small for it at 100,000 cases; 512 MB does a page at a time).
    """
    after = ""
    while True:
        rows = store.query("search_organisations", after=after, limit=TEXTS_PER_READ)
        yield from rows
        if len(rows) < TEXTS_PER_READ:
            return
        after = rows[-1]["id"]


def _store_rows(store: GraphStore) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return list(organisation_texts(store)), store.query("search_concepts")


def _documents(organisations: list[dict[str, Any]], concepts: list[dict[str, Any]]) -> list[SearchDocument]:
    documents = [SearchDocument("organisation", row["id"], row["name"], tuple(row["aliases"] or ()),
                                row["summary"] or "", plain_text(row["body"] or "")) for row in organisations]
    documents += [SearchDocument(row["label"].lower(), row["id"], row["name"], tuple(row["aliases"] or ()),
                                 row["definition"] or "", plain_text(row["body"] or "")) for row in concepts]
    return documents


def _passages(organisations: list[dict[str, Any]], concepts: list[dict[str, Any]]) -> list[Passage]:
    found = [p for row in organisations for p in passages_of("organisation", row["id"], row["name"], row["body"])]
    found += [p for row in concepts for p in passages_of(row["label"].lower(), row["id"], row["name"], row["body"])]
    return found


def documents_from_store(store: GraphStore) -> list[SearchDocument]:
    """Every case and concept of a store as search documents, in a stable order."""
    return _documents(*_store_rows(store))


def passages_from_store(store: GraphStore) -> list[Passage]:
    """Every passage of every case and concept of a store, in a stable order."""
    return _passages(*_store_rows(store))


def index_inputs(store: GraphStore) -> IndexInputs:
    """Everything a search index of the store's graph is built from, read once."""
    organisations, concepts = _store_rows(store)
    places = place_names((row["country"] for row in organisations if row["country"]),
                         (row["city"] for row in organisations if row["city"]))
    where = {("organisation", row["id"]): whereabouts(row["country"], row.get("region"), row["city"])
             for row in organisations}
    return IndexInputs(_documents(organisations, concepts), _passages(organisations, concepts),
                       store.query("sources"), places, where)
