"""Question search: the passages that answer a question, then the cases and concepts that match it.

The index is built from store rows (named queries ``search_organisations``, ``search_concepts`` and
``sources``), so it works on every store, and is held in memory.  It has two parts:

- **Passages** (:mod:`kb.analysis.passages`): each bullet and each paragraph of a case's or
  concept's page, with its case (or concept), section and sources.  These answer questions.
- **Documents**: each case and concept as a whole (name, aliases, summary or definition, text),
  listed after the passages.

How a question is searched (:meth:`SearchIndex.search`):

1. **Words**: the question is cut into words; common words ("the", "of", "which", "could"...,
   :data:`STOP_WORDS`) are left out, the others are stemmed (Snowball English, as the index is:
   "nurses" finds "nurse", "managing" finds "management") and accent-folded.  A question of
   common words only gets a helpful answer, not an error.
2. **Typos in names**: a word found nowhere in the corpus is matched against the words of names
   and aliases with rapidfuzz (optimal string alignment distance 1 for words of 4–5 letters, 2 for
   longer ones) and the nearest is searched instead; the results say which words were corrected.
3. **Synonyms**: a concept's name and its aliases stand for each other, so "advice-seeking
   process" also finds passages saying "advice process", and passages that link the concept.
4. **Intent** (:mod:`kb.analysis.intents`): the words that say what kind of answer is wanted are
   kept, never dropped as common: "how many" asks for figures, "when" for dates and timeline
   entries, "where" for places, "who" for people, "vs" or "compared with" for a comparison, "what
   went wrong" for challenges and reversals, "cost", "inspection", "how long" and "end" for the
   sections a case gives them (Funding and cost, Regulation and inspection, Transition, How it
   ended).  A passage in such a section counts :data:`INTENT_SECTION_BOOST` times more, one whose
   text shows that kind of answer (a number, a year, a place, a named person...)
   :data:`INTENT_BOOST` times.
5. **Ranking**: BM25 (tantivy, Rust's Lucene-like engine) over the passage text and what the
   passage is about: its case's or concept's names (a passage rarely repeats them), weighted
   lower its section and the concepts it links; the words in their order as a phrase, and near
   each other, add to the score (leaving out the name of an organisation the question names:
   its own passages count :data:`NAMED_OWNER_BOOST` times more instead).  The best candidates are
   then re-ranked by **coverage** (the share of the question's weight, by IDF, that a passage
   matches: a passage matching one rare word of five ranks below one matching four) and
   **proximity** (the shortest stretch of the passage holding the matched words).  At equal
   relevance, stronger evidence first; ``min_grade`` keeps only passages at least that strong.
6. **Best match**: a case or concept whose name or alias the question contains is shown first,
   as a card (:meth:`SearchIndex._named`).
7. **Highlights** (:mod:`kb.analysis.snippets`): the matched words are wrapped in ``<mark>`` in
   escaped text, so the content's own text never becomes HTML.

Steps 1 and 3 share their words with the index through :mod:`kb.analysis.words`.

:func:`search_index_for` gives the store's index, built once per version of its graph.

>>> index = SearchIndex([SearchDocument("organisation", "buurtzorg", "Buurtzorg Nederland", ("Buurtzorg",),
...                                     "Home care by self-managing nurse teams.", "")])
>>> found = index.search("buurtzrog")
>>> found.corrections, [hit.id for hit in found.hits]
({'buurtzrog': 'buurtzorg'}, ['buurtzorg'])
>>> found.hits[0].name_html
'<mark>Buurtzorg</mark> Nederland'
>>> index.search("of the").common_words
['of', 'the']
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import pickle
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import tantivy
from rapidfuzz import process
from rapidfuzz.distance import OSA

from kb.analysis.intents import INTENT_BY_ID, Signs, consumed_words, question_intents
from kb.analysis.lessons import passage_grade
from kb.analysis.passages import Passage, plain_text
from kb.analysis.search_engine import commit_documents, new_index, open_index
from kb.analysis.search_plan import STOP_STEMS, Plan, Term, names_by_stem
from kb.analysis.search_results import PassageHit, SearchDocument, SearchHit, SearchResults
from kb.analysis.search_store import documents_from_store, index_inputs, passages_from_store
from kb.analysis.snippets import best_snippet, highlight_words, shorten
from kb.analysis.words import STOP_WORDS, WORD, contains, fold, folded_words, nearness, places, stem, stems
from kb.collector import cycle_collector_paused
from kb.evidence import grade, meets_grade
from kb.slug import slug
from kb.store import GraphStore
from kb.store.versioned import derived_on_disk

__all__ = ["STOP_WORDS", "PassageHit", "SearchDocument", "SearchHit", "SearchIndex", "SearchResults",
           "documents_from_store", "passages_from_store", "plain_text", "search_index_for"]

#: Field -> weight of a match in the ranking of documents: a match in a name counts most.
FIELD_BOOSTS = {"name": 4.0, "aliases": 3.0, "text": 2.0, "body": 1.0}
#: Field -> weight of a match in the ranking of passages: the passage's own words count most.
#: ``owner``: the names of its case or concept, which its passages rarely repeat (measured: 1.5 answers more of the
#: question set in the top 3 than 0.35, 0.8 or 3).
PASSAGE_BOOSTS = {"text": 1.0, "owner": 1.5, "about": 0.35}
#: Extra weight of the question's words as a phrase (in order, next to each other), and near each other.
PHRASE_BOOST, NEAR_BOOST, NEAR_SLOP = 2.0, 1.0, 6
#: A synonym (a concept's other names) counts a little less than the words typed.
SYNONYM_BOOST, CONCEPT_LINK_BOOST = 0.7, 0.8
#: What a question's intent words ask for (:mod:`kb.analysis.intents`): a passage in a section of that kind of
#: answer counts :data:`INTENT_SECTION_BOOST` times more, one whose text shows it :data:`INTENT_BOOST` times.
INTENT_SECTION_BOOST, INTENT_BOOST = 2.0, 1.25
NAMED_OWNER_BOOST = 1.5  # a passage of the organisation the question names, over one that mentions it
#: How many of the best candidates are re-ranked by coverage and proximity.
RERANK_DEPTH = 200
MAX_QUERYWORDS = 20
_WORDS_PLACED = 4  # up to so many question words, a candidate's tokens are scanned for each (else made a set)
SNIPPET_CHARS = 220
PASSAGE_CHARS = 700
#: What :meth:`SearchIndex.read` reads besides the two tantivy indexes: every table the index holds, in one pickle.
_TABLES_FILE = "tables.pickle"
_TABLES = ("_where", "documents", "passages", "sources", "_signs", "_words", "_name_words", "_concept_names",
           "_name_labels", "_organisation_names", "organisations")

# -- the index --------------------------------------------------------------------------------------

class SearchIndex:
    """An in-memory full-text index of passages, and of cases and concepts as whole documents."""

    def __init__(self, documents: Iterable[SearchDocument], passages: Iterable[Passage] = (),
                 sources: Iterable[dict[str, Any]] = (), places: Sequence[str] = (),
                 where: dict[tuple[str, str], str] | None = None, folder: Path | None = None):
        """``places``: the place names a passage may hold (:func:`kb.analysis.intents.place_names`); ``where``:
        (kind, id) -> where a case is (:func:`kb.analysis.intents.whereabouts`), searched with its names.
        ``folder``: an empty folder to write the index into, for :meth:`read` (else it is kept in memory)."""
        self._where = where or {}
        self.documents = {(doc.kind, doc.id): doc for doc in documents}
        self.passages = {passage.key: passage for passage in passages}
        self.sources = {row["id"]: row for row in sources}
        signs = Signs(places, [name for doc in self.documents.values() if doc.kind == "organisation"
                               for name in (doc.name, *doc.aliases)])
        # Each passage's words cut once, for its signs and for the corpus's words (the typo check's vocabulary).
        words = {key: set(WORD.findall(passage.text)) for key, passage in self.passages.items()}
        self._signs = {key: signs.of(passage.text, words[key]) for key, passage in self.passages.items()}
        self._docs_index = self._build_documents(folder)
        self._passage_index = self._build_passages(folder)
        self._words = folded_words([part for doc in self.documents.values()
                                    for part in (doc.name, *doc.aliases, doc.text, doc.body)], also=words.values())
        names = [part for doc in self.documents.values() for part in (doc.name, *doc.aliases)]
        self._name_words = sorted(folded_words(names, min_length=4))
        self._concept_names, self._name_labels = self._synonym_table()
        self._organisation_names = names_by_stem(self.documents)
        #: Every organisation's document by id.
        self.organisations = {doc.id: doc for (kind, _), doc in self.documents.items() if kind == "organisation"}
        if folder is not None:
            with (folder / _TABLES_FILE).open("wb") as out:
                pickle.dump({name: getattr(self, name) for name in _TABLES}, out, protocol=pickle.HIGHEST_PROTOCOL)
        self._ready()

    @classmethod
    def read(cls, folder: Path) -> SearchIndex:
        """The index a :class:`SearchIndex` built with ``folder`` wrote there (about a second at 10,000 cases where
        building it takes a minute): its two tantivy indexes and its tables."""
        index = cls.__new__(cls)
        # Some hundred thousand objects without cycles: the collector's passes would double the time.  One full
        # collection after them puts them in the oldest generation at once; else the automatic collections walked
        # them over the next requests (at 10,000 cases a young one of 0.4 s, then a full one of 0.46 s in a later
        # search: the benchmark's p95 of 416 ms).
        with cycle_collector_paused(collect_after=True), (folder / _TABLES_FILE).open("rb") as tables:
            index.__dict__.update(pickle.load(tables))
        index._docs_index = open_index(folder / "documents")
        index._passage_index = open_index(folder / "passages")
        index._ready()
        return index

    def _ready(self) -> None:
        """What every index holds besides its tables: its searchers, and the caches filled as questions come."""
        self._docs_schema, self._passage_schema = self._docs_index.schema, self._passage_index.schema
        self._docs = self._docs_index.searcher()
        self._passage_searcher = self._passage_index.searcher()
        self._grades: dict[str, str] = {}
        # Each candidate's stems for the re-ranking, kept once made: the best 200 were stemmed again on every
        # question (the same text gives the same stems within an index).
        self._passage_stems: dict[str, tuple[list[str], set[str]]] = {}
        self._document_stems: dict[tuple[str, str], tuple[list[str], set[str]]] = {}
        # Each candidate's key by its address in its index, kept once read: reading a stored document decompresses
        # a block of its stored text (a tenth of a search at 10,000 cases, for the one field wanted).
        self._passage_keys: dict[tuple[int, int], str] = {}
        self._document_keys: dict[tuple[int, int], str] = {}

    # building

    def _build_documents(self, folder: Path | None) -> tantivy.Index:
        index = new_index(list(FIELD_BOOSTS), folder=folder and folder / "documents")
        commit_documents(index, (tantivy.Document(key=f"{doc.kind}:{doc.id}", name=doc.name,
                                              aliases=" · ".join(doc.aliases), text=doc.text, body=doc.body)
                             for doc in self.documents.values()))
        return index

    def _owner_names(self, passage: Passage) -> str:
        """The names of the case or concept a passage belongs to, and where a case is."""
        owner = self.documents.get((passage.owner_kind, passage.owner_id))
        return " · ".join([passage.owner_name, *(owner.aliases if owner else ()),
                           self._where.get((passage.owner_kind, passage.owner_id), "")])

    def _about(self, passage: Passage) -> str:
        """What a passage is about besides its own words and its owner: its section, the groups its scope names,
        its concepts."""
        names = [passage.section, *passage.about]
        for kind, concept_id in passage.concepts:
            concept = self.documents.get((kind, concept_id))
            if concept:
                names += [concept.name, *concept.aliases]
        return " · ".join(names)

    def _build_passages(self, folder: Path | None) -> tantivy.Index:
        index = new_index(list(PASSAGE_BOOSTS), raw=("concepts",), folder=folder and folder / "passages")
        commit_documents(index, (tantivy.Document(key=p.key, text=p.text, owner=self._owner_names(p),
                                                  about=self._about(p),
                                                  concepts=[f"{kind}:{cid}" for kind, cid in p.concepts])
                                 for p in self.passages.values()))
        return index

    def _synonym_table(self) -> tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], str]]:
        """Every name and alias of every concept, as stems without common words -> the concept's ``kind:id``;
        and those stems -> the name as written."""
        table: dict[tuple[str, ...], str] = {}
        labels: dict[tuple[str, ...], str] = {}
        for (kind, concept_id), doc in self.documents.items():
            if kind == "organisation":
                continue
            for name in (doc.name, *doc.aliases, concept_id.replace("-", " ")):
                key = tuple(stem(w) for w in WORD.findall(name) if fold(w) not in STOP_WORDS)
                if key and all(key) and key not in table:
                    table[key], labels[key] = f"{kind}:{concept_id}", name
        return table, labels

    # the question

    def correct(self, word: str) -> str | None:
        """The name word nearest to a word found nowhere in the corpus, if it is close enough.

        Words shorter than four letters are left alone: too many short words are one edit apart.
        """
        word = fold(word)
        if len(word) < 4 or word in self._words:
            return None
        limit = 1 if len(word) < 6 else 2
        best = process.extractOne(word, self._name_words, scorer=OSA.distance, score_cutoff=limit)
        return best[0] if best else None

    def _plan(self, query: str) -> Plan:
        words = [fold(w) for w in WORD.findall(query)][:MAX_QUERYWORDS]
        intents = question_intents(query)
        consumed = consumed_words(query, intents)
        terms, common, corrections = [], [], {}
        for position, word in enumerate(words):
            if word in STOP_WORDS or word in consumed:
                common.append(word)
                continue
            fixed = self.correct(word)
            if fixed:
                corrections[word] = fixed
            if term_stem := stem(fixed or word):
                terms.append(Term(position, fixed or word, term_stem))
        question = tuple(term.stem for term in terms)
        synonyms = []
        for size in range(len(question), 0, -1):  # longest names first; each question word in one name at most
            for start in range(len(question) - size + 1):
                concept = self._concept_names.get(question[start:start + size])
                if concept and not any(set(question[start:start + size]) & set(used) for used, _, _ in synonyms):
                    names = [names for names, key in self._concept_names.items() if key == concept]
                    synonyms.append((question[start:start + size], names, concept))
        # The intent words are kept (shown as what the question asks for), never listed as too common.
        intent_words = {w for intent in intents for cue in intent.cues for w in cue}
        return Plan(terms, list(dict.fromkeys(w for w in common if w not in intent_words)), corrections, synonyms,
                     tuple(intent.id for intent in intents), frozenset(stem(w) for w in words) - {""})

    # searching

    def grade_of(self, passage: Passage) -> str:
        """A passage's evidence grade (cached: the sources do not change within an index)."""
        if passage.key not in self._grades:
            self._grades[passage.key] = passage_grade(passage, self.sources)
        return self._grades[passage.key]

    def search(self, query: str, limit: int = 50, passage_limit: int = 20,
               min_grade: str | None = None) -> SearchResults:
        """The passages answering ``query`` (with ``min_grade``, only those whose grade is at least it) and the
        documents matching it, best first (ties: stronger evidence, then a stable order)."""
        plan = self._plan(query)
        synonyms = {" ".join(t.word for t in plan.terms if t.stem in covered): sorted(
            self._name_labels[n] for n in names if n != covered) for covered, names, _ in plan.synonyms}
        if not plan.terms:
            return SearchResults(query, [], 0, plan.corrections, common_words=plan.common_words)
        passages, passages_total = self._search_passages(plan, passage_limit, min_grade)
        hits, total = self._search_documents(plan, limit)
        return SearchResults(query, hits, total, plan.corrections, passages, passages_total, plan.common_words,
                             {typed: names for typed, names in synonyms.items() if names},
                             list(dict.fromkeys(term.word for term in plan.terms)), list(plan.intents),
                             self._card(self._named(plan, hits), plan))

    def _card(self, hit: SearchHit | None, plan: Plan) -> SearchHit | None:
        """The best match as a card shows it: what the case or concept is (its summary or definition), not
        the stretch of its page where the name first occurs (which may open with a section's heading)."""
        doc = self.documents.get((hit.kind, hit.id)) if hit is not None else None
        if doc is None or not doc.text:
            return hit
        marks = {term.stem for term in plan.terms}
        summary = shorten(doc.text, 2 * SNIPPET_CHARS)
        return dataclasses.replace(hit, snippet=summary, snippet_html=highlight_words(summary, marks))

    def _named(self, plan: Plan, hits: list[SearchHit]) -> SearchHit | None:
        """The case or concept the question names: the best document hit whose name or an alias has all its
        words in the question; failing that, one which the question's words are all part of (a name query:
        "Morning Star" for Morning Star Packing Company; not "What evidence is there from the UK?" for The Otesha
        Project UK)."""
        asked = {term.stem for term in plan.terms}
        names = {hit: [doc.name, *doc.aliases] if (doc := self.documents.get((hit.kind, hit.id))) else [hit.name]
                 for hit in hits[:5]}
        return next((hit for hit, own in names.items() if any(map(plan.names, own))),
                    None if plan.intents else  # a question asking for a kind of answer is not a name look-up
                    next((hit for hit, own in names.items()
                          if any(asked <= set(stems(name)) - STOP_STEMS for name in own)), None))

    def _organisations_named(self, plan: Plan) -> set[tuple[str, str]]:
        """The organisations whose name or an alias the question contains in full (all its words)."""
        return {key for term in plan.terms for key, own in self._organisation_names.get(term.stem, ())
                if plan.names_stems(own)}

    def _query(self, schema: tantivy.Schema, plan: Plan, boosts: dict[str, float],
               phrase_fields: Sequence[str], concepts_field: str | None,
               names: frozenset[str] = frozenset()) -> tantivy.Query:
        """Every word in every field (BM25), plus the phrase, nearness and synonyms as extra weight.  ``names``:
        the stems of the organisations the question names, left out of the phrase and nearness (their own
        passages rarely repeat their name, and should not lose to passages that do)."""
        Q, should = tantivy.Query, tantivy.Occur.Should
        parts = [(should, Q.boost_query(Q.term_query(schema, name, term.stem), boost))
                 for term in plan.terms for name, boost in boosts.items()]
        asked = [term for term in plan.terms if term.stem not in names]
        if len(asked) > 1:
            first = asked[0].position
            phrase = [(term.position - first, term.stem) for term in asked]
            for name in phrase_fields:
                parts.append((should, Q.boost_query(Q.phrase_query(schema, name, phrase), PHRASE_BOOST)))
                parts.append((should, Q.boost_query(
                    Q.phrase_query(schema, name, [t.stem for t in asked], slop=NEAR_SLOP), NEAR_BOOST)))
                for one, two in itertools.pairwise(asked):  # pairs of neighbouring words
                    parts.append((should, Q.boost_query(
                        Q.phrase_query(schema, name, [one.stem, two.stem], slop=2), NEAR_BOOST / 2)))
        for covered, names, concept in plan.synonyms:
            for name_stems in names:
                if name_stems == covered:
                    continue
                for field_name in phrase_fields:
                    other = (Q.term_query(schema, field_name, name_stems[0]) if len(name_stems) == 1
                             else Q.phrase_query(schema, field_name, list(name_stems), slop=1))
                    parts.append((should, Q.boost_query(other, SYNONYM_BOOST * len(covered))))
            if concepts_field:
                parts.append((should, Q.boost_query(Q.term_query(schema, concepts_field, concept),
                                                    CONCEPT_LINK_BOOST * len(covered))))
        return Q.boolean_query(parts)

    def _weights(self, searcher: tantivy.Searcher, field_name: str, plan: Plan) -> dict[str, float]:
        """Each question word's IDF in a field: rare words weigh more in the coverage of a match."""
        n = max(searcher.num_docs, 1)
        return {term.stem: math.log(1 + (n - (df := searcher.doc_freq(field_name, term.stem)) + 0.5) / (df + 0.5))
                for term in plan.terms}

    @staticmethod
    def _rerank(score: float, tokens: list[str], extra: set[str], plan: Plan,
                weights: dict[str, float], named: frozenset[str] = frozenset()) -> tuple[float, set[str]]:
        """The BM25 score scaled by coverage and proximity; and the question's stems found."""
        asked = {term.stem for term in plan.terms}
        # The places of a few words are found in C, one pass each; a set of a document's thousands of tokens (to
        # look up many words) costs several passes.
        where = places(tokens, asked) if len(asked) <= _WORDS_PLACED else None
        words = where.keys() if where is not None else set(tokens)
        found = {term.stem for term in plan.terms if term.stem in words or term.stem in extra}
        for covered, names, _concept in plan.synonyms:  # a synonym covers the words it stands for
            if not found.issuperset(covered) and (any(contains(tokens, name) for name in names)
                                                  or any(n == (c,) for n in names for c in extra)):
                found |= set(covered)
        total = sum(weights.values()) or 1.0
        coverage = sum(weights[s] for s in found if s in weights) / total
        wanted = {stem for stem in asked if stem in words and stem not in named}
        closeness = nearness(tokens, wanted, where) if len(wanted) > 1 else 0.0
        return score * (0.2 + 0.8 * coverage ** 2) * (1 + 0.5 * closeness), found

    def _search_passages(self, plan: Plan, limit: int,
                         min_grade: str | None = None) -> tuple[list[PassageHit], int]:
        if not self.passages:
            return [], 0
        searcher, schema = self._passage_searcher, self._passage_schema
        named = self._organisations_named(plan)
        name_stems = frozenset(s for key in named for name in (self.documents[key].name, *self.documents[key].aliases)
                               for s in stems(name))
        query = self._query(schema, plan, PASSAGE_BOOSTS, ("text",), "concepts", name_stems)
        found = searcher.search(query, RERANK_DEPTH, count=True)
        weights = self._weights(searcher, "text", plan)
        ranked = []
        for score, address in found.hits:
            passage = self.passages[_key_at(searcher, address, self._passage_keys)]
            if min_grade and not meets_grade(self.grade_of(passage), min_grade):
                continue
            tokens, about = self._stems_of_passage(passage)
            final, matched = self._rerank(score, tokens, about, plan, weights, name_stems)
            final *= self._intent_weight(passage, plan.intents)
            if (passage.owner_kind, passage.owner_id) in named:
                final *= NAMED_OWNER_BOOST
            ranked.append((final, passage, matched))
        # Stronger evidence first at equal relevance (scores equal to 3 decimals).
        ranked.sort(key=lambda item: (-round(item[0], 3), -grade(self.grade_of(item[1])).strength, item[1].key))
        marks = self._markstems(plan)
        hits = [PassageHit(p.key, p.owner_kind, p.owner_id, p.owner_name, p.section, slug(p.section), p.text,
                           highlight_words(shorten(p.text, PASSAGE_CHARS, marks), marks), p.sources, p.concepts,
                           round(final, 4), tuple(t.word for t in plan.terms if t.stem in matched), self.grade_of(p),
                           p.scope, p.about, p.status)
                for final, p, matched in ranked[:limit]]
        return hits, found.count

    def _stems_of_passage(self, passage: Passage) -> tuple[list[str], set[str]]:
        """A passage's text as stems, and what it is about (owner, section, concepts) as stems and concept keys."""
        kept = self._passage_stems.get(passage.key)
        if kept is None:
            about = set(stems(f"{self._owner_names(passage)} {self._about(passage)}")) | {
                f"{k}:{c}" for k, c in passage.concepts}
            kept = self._passage_stems.setdefault(passage.key, (stems(passage.text), about))
        return kept

    def _stems_of_document(self, doc: SearchDocument) -> tuple[list[str], set[str]]:
        """A document's summary and text as stems, and its names as stems."""
        kept = self._document_stems.get((doc.kind, doc.id))
        if kept is None:
            kept = self._document_stems.setdefault(
                (doc.kind, doc.id), (stems(f"{doc.text} {doc.body}"), set(stems(" ".join((doc.name, *doc.aliases))))))
        return kept

    def _intent_weight(self, passage: Passage, intents: Sequence[str]) -> float:
        """How much more a passage counts for holding the kinds of answer the question asks for."""
        weight = 1.0
        for intent in map(INTENT_BY_ID.get, intents):
            if passage.section.lower() in intent.sections or self.grade_of(passage) in intent.grades:
                weight *= INTENT_SECTION_BOOST
            elif intent.id in self._signs[passage.key] or passage.owner_kind in intent.owners:
                weight *= INTENT_BOOST
        return weight

    def _markstems(self, plan: Plan) -> set[str]:
        """The stems to highlight: the question's words and the synonyms searched."""
        marks = {term.stem for term in plan.terms}
        for _covered, names, _concept in plan.synonyms:
            marks |= {s for name in names for s in name}
        return marks

    def _search_documents(self, plan: Plan, limit: int) -> tuple[list[SearchHit], int]:
        searcher, schema = self._docs, self._docs_schema
        query = self._query(schema, plan, FIELD_BOOSTS, ("text", "body"), None)
        found = searcher.search(query, max(limit, RERANK_DEPTH // 2), count=True)
        weights = self._weights(searcher, "body", plan)
        marks = self._markstems(plan)
        ranked = []
        for score, address in found.hits:
            kind, _, doc_id = _key_at(searcher, address, self._document_keys).partition(":")
            doc = self.documents[(kind, doc_id)]
            tokens, extra = self._stems_of_document(doc)
            final, _ = self._rerank(score, tokens, extra, plan, weights)
            ranked.append((final, doc))
        ranked.sort(key=lambda item: (-item[0], item[1].kind, item[1].id))
        hits = []
        for final, doc in ranked[:limit]:
            snippet = best_snippet((doc.text, doc.body), marks, SNIPPET_CHARS)
            hits.append(SearchHit(doc.kind, doc.id, doc.name, round(final, 4), highlight_words(doc.name, marks),
                                  snippet, highlight_words(snippet, marks)))
        return hits, found.count


def _key_at(searcher: tantivy.Searcher, address: tantivy.DocAddress, keys: dict[tuple[int, int], str]) -> str:
    """The ``key`` of the document at ``address`` in ``searcher``'s index, read once into ``keys``."""
    where = (address.segment_ord, address.doc)
    key = keys.get(where)
    if key is None:
        key = keys.setdefault(where, searcher.doc(address)["key"][0])
    return key


def search_index_for(store: GraphStore) -> SearchIndex:
    """The search index of the store's graph, built once per version of it and kept on disk beside it where the
    store allows (:func:`kb.store.versioned.derived_on_disk`): the site's other workers, and a worker started
    again, read it in about a second instead of building it again (a minute of CPU at 10,000 cases)."""
    return derived_on_disk(store, "search-index", _index_from_store, SearchIndex.read)


def _index_from_store(store: GraphStore, folder: Path | None) -> SearchIndex:
    return SearchIndex(*index_inputs(store), folder=folder)
