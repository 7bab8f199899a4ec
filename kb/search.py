"""Full-text search over cases and concepts: ranked, with highlighted snippets, tolerant of typos in names.

The index is built from store rows (named queries ``search_organisations`` and
``search_concepts``), so it works on every store, and is held in memory:

- **Ranking**: tantivy (Rust's Lucene-like engine; BM25 over stemmed,
  accent-folded words, English stop words left out), with names weighted above aliases, summaries and
  definitions, and those above the text of the page.
- **Typos in names**: a query word found nowhere in the corpus is matched
  against the words of names and aliases with rapidfuzz (optimal string
  alignment distance: 1 for words of 4–5 letters, 2 for longer ones) and the
  nearest is searched as well; the results say which words were corrected.
- **Snippets**: tantivy picks the best fragment; we escape it and wrap the
  matched words in ``<mark>``, so the content's own text never becomes HTML.

:class:`SearchCache` keeps one index per version of the graph.

>>> index = SearchIndex([SearchDocument("organisation", "buurtzorg", "Buurtzorg Nederland", ("Buurtzorg",),
...                                     "Home care by self-managing nurse teams.", "")])
>>> found = index.search("buurtzrog")
>>> found.corrections, [hit.id for hit in found.hits]
({'buurtzrog': 'buurtzorg'}, ['buurtzorg'])
>>> found.hits[0].name_html
'<mark>Buurtzorg</mark> Nederland'
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import tantivy
from markdown_it import MarkdownIt
from rapidfuzz import process
from rapidfuzz.distance import OSA

__all__ = ["SearchCache", "SearchDocument", "SearchHit", "SearchIndex", "SearchResults", "documents_from_store",
           "plain_text"]

#: Field -> weight in the ranking: a match in a name counts most.
FIELD_BOOSTS = {"name": 4.0, "aliases": 3.0, "text": 2.0, "body": 1.0}
MAX_QUERY_WORDS = 20
SNIPPET_CHARS = 220

_WORD = re.compile(r"\w+")
_CITATION = re.compile(r"\[src:[^\]]*\]", re.IGNORECASE)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?)])")
_markdown = MarkdownIt("commonmark", {"html": False})


class _Queryable(Protocol):
    def query(self, name: str, **params: Any) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class SearchDocument:
    """One thing search can find: a case (``organisation``) or a concept (``practice``, ``framework``...)."""

    kind: str
    id: str
    name: str
    aliases: tuple[str, ...]
    text: str  # the summary of a case, the definition of a concept
    body: str  # plain text of the page


@dataclass(frozen=True)
class SearchHit:
    kind: str
    id: str
    name: str
    score: float
    name_html: str  # the name, escaped, with matched words in <mark>
    snippet: str  # plain text
    snippet_html: str  # the snippet, escaped, with matched words in <mark>


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[SearchHit]
    total: int  # documents matching, of which ``hits`` are the best
    corrections: dict[str, str] = field(default_factory=dict)  # query word -> name word searched as well

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def plain_text(markdown: str) -> str:
    """The readable text of Markdown: no markup, no link targets, no ``[src: ...]`` citations.

    >>> plain_text("## Context\\n\\nA [team](x.md) of **12**. [src: a, b]\\n\\n- one\\n- two")
    'Context\\nA team of 12.\\none\\ntwo'
    """
    blocks = []
    for token in _markdown.parse(_CITATION.sub("", markdown or "")):
        if token.type == "inline":
            text = "".join(child.content if child.type in ("text", "code_inline") else " "
                           for child in token.children or [] if child.type in ("text", "code_inline", "softbreak"))
            blocks.append(re.sub(r"\s+", " ", text).strip())
        elif token.type in ("code_block", "fence"):
            blocks.append(token.content.strip())
    # Removing citations leaves a space before the punctuation that followed them.
    return "\n".join(_SPACE_BEFORE_PUNCTUATION.sub(r"\1", block) for block in blocks if block)


def _store_rows(store: _Queryable) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return store.query("search_organisations"), store.query("search_concepts")


def _documents(organisations: list[dict[str, Any]], concepts: list[dict[str, Any]]) -> list[SearchDocument]:
    documents = [SearchDocument("organisation", row["id"], row["name"], tuple(row["aliases"] or ()),
                                row["summary"] or "", plain_text(row["body"] or "")) for row in organisations]
    documents += [SearchDocument(row["label"].lower(), row["id"], row["name"], tuple(row["aliases"] or ()),
                                 row["definition"] or "", plain_text(row["body"] or "")) for row in concepts]
    return documents


def documents_from_store(store: _Queryable) -> list[SearchDocument]:
    """Every case and concept of a store as search documents, in a stable order."""
    return _documents(*_store_rows(store))


def _fold(word: str) -> str:
    """Lower case without accents, as the index's analyzer sees a word."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(ch))


def _analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stopword("english"))  # "the", "of"... would match every page
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer("english"))
            .build())


class SearchIndex:
    """An in-memory full-text index of search documents."""

    def __init__(self, documents: Iterable[SearchDocument]):
        self.documents = {(doc.kind, doc.id): doc for doc in documents}
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("key", stored=True, tokenizer_name="raw")
        for name in FIELD_BOOSTS:
            builder.add_text_field(name, stored=True, tokenizer_name="kb_text")
        self._schema = builder.build()
        self._index = tantivy.Index(self._schema)
        self._index.register_tokenizer("kb_text", _analyzer())
        writer = self._index.writer(heap_size=15_000_000, num_threads=1)
        for doc in self.documents.values():
            writer.add_document(tantivy.Document(key=f"{doc.kind}:{doc.id}", name=doc.name,
                                                 aliases=" · ".join(doc.aliases), text=doc.text, body=doc.body))
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()
        self._searcher = self._index.searcher()
        self._words = {_fold(w) for doc in self.documents.values()
                       for part in (doc.name, *doc.aliases, doc.text, doc.body) for w in _WORD.findall(part)}
        self._name_words = sorted({_fold(w) for doc in self.documents.values()
                                   for part in (doc.name, *doc.aliases) for w in _WORD.findall(part) if len(w) >= 4})

    def correct(self, word: str) -> str | None:
        """The name word nearest to a word found nowhere in the corpus, if it is close enough.

        Words shorter than four letters are left alone: too many short words are one edit apart.
        """
        word = _fold(word)
        if len(word) < 4 or word in self._words:
            return None
        limit = 1 if len(word) < 6 else 2
        best = process.extractOne(word, self._name_words, scorer=OSA.distance, score_cutoff=limit)
        return best[0] if best else None

    def search(self, query: str, limit: int = 50) -> SearchResults:
        """The documents best matching ``query``, best first (ties by kind and id)."""
        words = _WORD.findall(query.lower())[:MAX_QUERY_WORDS]
        corrections = {word: fix for word in dict.fromkeys(words) if (fix := self.correct(word))}
        terms = [*words, *corrections.values()]
        if not terms:
            return SearchResults(query, [], 0)
        # Only words reach the query parser (no field names, quotes or operators from the user).
        parsed = self._index.parse_query(" ".join(terms), list(FIELD_BOOSTS), field_boosts=FIELD_BOOSTS)
        found = self._searcher.search(parsed, limit)
        generators = {name: self._snippets(parsed, name) for name in ("name", "text", "body")}
        hits = []
        for score, address in found.hits:
            stored = self._searcher.doc(address)
            kind, _, doc_id = stored["key"][0].partition(":")
            doc = self.documents[(kind, doc_id)]
            name_html = _highlight(generators["name"].snippet_from_doc(stored), whole=doc.name)
            snippet, snippet_html = self._best_snippet(stored, generators, doc)
            hits.append(SearchHit(kind, doc_id, doc.name, round(score, 4), name_html, snippet, snippet_html))
        hits.sort(key=lambda hit: (-hit.score, hit.kind, hit.id))
        return SearchResults(query, hits, found.count, corrections)

    def _snippets(self, query: tantivy.Query, field_name: str) -> tantivy.SnippetGenerator:
        generator = tantivy.SnippetGenerator.create(self._searcher, query, self._schema, field_name)
        generator.set_max_num_chars(SNIPPET_CHARS if field_name != "name" else 1000)
        return generator

    @staticmethod
    def _best_snippet(stored: tantivy.Document, generators: dict, doc: SearchDocument) -> tuple[str, str]:
        """The summary's fragment if it has a match, else the page text's, else the start of the summary."""
        for field_name in ("text", "body"):
            snippet = generators[field_name].snippet_from_doc(stored)
            if snippet.highlighted():
                # Mark a fragment cut out of a longer text (tantivy's range is in bytes of the field);
                # what is left at either end may be only punctuation, which is kept instead.
                whole, cut = getattr(doc, field_name).encode("utf-8"), snippet.fragment_range()
                before, after = whole[:cut.start].decode("utf-8"), whole[cut.end:].decode("utf-8")
                before = "… " if _WORD.search(before) else before.lstrip()
                after = " …" if _WORD.search(after) else after.rstrip()
                text = before + snippet.fragment() + after
                return text, html.escape(before) + _highlight(snippet) + html.escape(after)
        start = _shorten(doc.text or doc.body)
        return start, html.escape(start)


def _shorten(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def _highlight(snippet: tantivy.Snippet, whole: str | None = None) -> str:
    """The snippet's fragment (or all of ``whole``, the field it came from) escaped, with <mark> around matches.

    tantivy gives the matches as byte offsets into the fragment, and the fragment's own byte range in the field.
    """
    ranges = sorted((r.start, r.end) for r in snippet.highlighted())
    if whole is None:
        data = snippet.fragment().encode("utf-8")
    else:
        data, shift = whole.encode("utf-8"), snippet.fragment_range().start
        ranges = [(start + shift, end + shift) for start, end in ranges]
    out, position = [], 0
    for start, end in ranges:
        out.append(html.escape(data[position:start].decode("utf-8")))
        out.append("<mark>" + html.escape(data[start:end].decode("utf-8")) + "</mark>")
        position = end
    out.append(html.escape(data[position:].decode("utf-8")))
    return "".join(out)


def _fingerprint(rows: Any) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode("utf-8")).hexdigest()


class SearchCache:
    """One search index per version of the graph, rebuilt when the store's content changes.

    A store's version is its ``generation`` attribute when it has one (the embedded store names a
    new generation on every load).  For other stores (Neo4j) it is a fingerprint of the indexed rows,
    checked at most every ``check_every`` seconds, so that a burst of searches costs no extra queries.
    """

    def __init__(self, check_every: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.check_every = check_every
        self._clock = clock
        self._lock = threading.Lock()
        self._version: str | None = None
        self._checked = float("-inf")
        self._index: SearchIndex | None = None

    def index_for(self, store: _Queryable) -> SearchIndex:
        """The search index of the store's current content, built at most once per version."""
        now, rows = self._clock(), None
        version = getattr(store, "generation", None)
        with self._lock:
            if self._index is not None:
                if version and version == self._version:
                    return self._index
                if not version and now - self._checked < self.check_every:
                    return self._index
        if not version:
            rows = _store_rows(store)
            version = _fingerprint(rows)
        with self._lock:
            self._checked = now
            if self._index is not None and version == self._version:
                return self._index
        index = SearchIndex(_documents(*(rows or _store_rows(store))))
        with self._lock:
            self._version, self._index = version, index
        return index
