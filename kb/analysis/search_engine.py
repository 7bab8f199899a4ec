"""The tantivy indexes the search reads (:mod:`kb.analysis.search`): made in memory or in a folder, opened
from a folder, filled in one commit.  Every index tokenises its text fields with the project's analyser
(:data:`kb.analysis.words.ANALYZER`), so the question's words and the index's are cut and stemmed alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import tantivy

from kb.analysis.words import ANALYZER


def new_index(fields: Sequence[str], raw: Sequence[str] = (), folder: Path | None = None) -> tantivy.Index:
    """A new index: ``key`` stored as is, ``raw`` fields matched whole, ``fields`` analysed; in ``folder`` if given
    (it must not exist yet), else in memory.  Only ``key`` is stored: a hit is read by its key, its text kept by the
    search's own tables (storing the texts as well made the documents' index on disk three times larger)."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    for name in raw:
        builder.add_text_field(name, stored=False, tokenizer_name="raw")
    for name in fields:
        builder.add_text_field(name, stored=False, tokenizer_name="kb_text")
    if folder is not None:
        folder.mkdir()
    index = tantivy.Index(builder.build(), path=None if folder is None else str(folder), reuse=False)
    index.register_tokenizer("kb_text", ANALYZER)
    return index


def open_index(folder: Path) -> tantivy.Index:
    """An index :func:`new_index` wrote into ``folder``."""
    index = tantivy.Index.open(str(folder))
    index.register_tokenizer("kb_text", ANALYZER)
    return index


def commit_documents(index: tantivy.Index, documents: Iterable[tantivy.Document]) -> None:
    """Every document added in one commit, merged and made visible to the index's next searcher."""
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    for document in documents:
        writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
