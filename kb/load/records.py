"""Manifest records: what a generation keeps of each file it was built from, and stand-ins made from them.

:func:`record_for` makes a file's :class:`~kb.store.manifest.FileRecord` as it is loaded;
:func:`stub_document` turns the record of an unchanged case file back into just what the
cross-file checks read, so an incremental load need not read the file.

>>> import marshal
>>> fact = ("a-s1", "https://a.example/", None, 9, 7, "A", "opinion", (10, 12), (11, 18), (12, 10))
>>> record = FileRecord("cases/a.md", "case", "0" * 64, (1, 2, 3), (), (), b"", "a", "NL", ("a-s1",),
...                     marshal.dumps((fact,)), (("b", 20, 11),), (2, 5))
>>> doc = stub_document(record)
>>> doc.data["sources"], doc.at("relations", 0, "target"), doc.at("sources", 0, "reliability")
([{'id': 'a-s1', 'url': 'https://a.example/', 'title': 'A', 'reliability': 'opinion'}], (20, 11), (11, 18))
"""

from __future__ import annotations

import marshal

from kb.check.duplicates import OrganisationNames, look_alike_keys
from kb.check.sources import normalised_url
from kb.check.validate import scope_targets
from kb.load.cache import CachedFile
from kb.load.rows import as_list
from kb.problems import Problem
from kb.store.manifest import FileRecord

__all__ = ["StubDocument", "record_for", "stub_document"]


def record_for(loaded: CachedFile, link_problems: list[Problem], counts: dict[str, int]) -> FileRecord:
    """The manifest record of a file that was loaded into a generation."""
    document = loaded.document
    data = document.data
    record = FileRecord(document.where, document.role, loaded.sha256, loaded.stat, tuple(loaded.problems),
                        tuple(link_problems), marshal.dumps(counts),
                        id=data.get("id") if isinstance(data.get("id"), str) else "")
    if not record.id:
        return record
    facts = tuple((s.get("id"), s.get("url"), s.get("publication"), *document.at("sources", i, "id"),
                   s.get("title"), s.get("reliability"), document.at("sources", i, "title"),
                   document.at("sources", i, "reliability"), document.at("sources", i, "url"))
                  for i, s in enumerate(as_list(data.get("sources"))) if isinstance(s, dict))
    pages = tuple(normalised_url(url) if isinstance(url, str) and url.strip() else "" for _, url, *_ in facts)
    record = record._replace(source_ids=tuple(fact[0] for fact in facts), source_facts=marshal.dumps(facts),
                             pages=pages)
    if document.role != "case":
        return record
    relations = tuple((r.get("target"), *document.at("relations", i, "target"))
                      for i, r in enumerate(as_list(data.get("relations"))) if isinstance(r, dict))
    country = data.get("country") if isinstance(data.get("country"), str) else ""
    return record._replace(relations=relations, country=country, id_at=document.at("id"),
                           scope_targets=tuple(scope_targets(document)), names=_names(document))


def _names(document: object) -> tuple:
    """What the look-alike check (:func:`kb.check.duplicates.organisation_problems`) reads of a case."""
    data = document.data
    if not isinstance(data.get("name"), str):
        return ()
    aliases = tuple(a for a in data["aliases"] if isinstance(a, str)) if isinstance(data.get("aliases"), list) else ()
    website = data.get("website") if isinstance(data.get("website"), str) else ""
    keys, site, _ = look_alike_keys(OrganisationNames.of(document))
    return data["name"], aliases, website, document.at("name"), document.at("website"), keys, site


class StubDocument:
    """A stand-in for an unchanged case file with just what the cross-file checks read.

    It answers ``front``, ``data``, ``role``, ``where`` and ``at()`` like a
    :class:`~kb.content.parse.Document`, and nothing else: its prose is not there (link resolution is kept
    in the record), so it is only for :func:`kb.check.validate.cross_file_problems` with ``links=False``
    and for reading declarations.  Ten thousand of these are made on every incremental load.
    """

    __slots__ = ("data", "look_alike", "positions", "role", "scope_targets", "source_pages", "where")

    def __init__(self, data: dict, positions: dict[tuple, tuple[int, int]], role: str, where: str,
                 scope_targets: tuple[tuple, ...] = (), source_pages: tuple[str, ...] = ()):
        self.data, self.positions, self.role, self.where = data, positions, role, where
        self.scope_targets = scope_targets  # what kb.check.validate.scope_targets found in its body
        self.source_pages = source_pages  # every declared source's page, even where ``data`` lists only some
        self.look_alike: tuple | None = None  # kb.check.duplicates.look_alike_keys, recorded

    @property
    def front(self) -> StubDocument:
        return self  # ``front.data`` is the data, as on a document

    def at(self, *path: object) -> tuple[int, int]:
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))


def stub_document(record: FileRecord, sources_of_interest: set[str] | None = None,
                  with_relations: bool = True) -> StubDocument:
    """The :class:`StubDocument` of an unchanged case file.

    With ``sources_of_interest``, only those of its sources are listed: a source no other file
    declares cannot conflict with another file's, and leaving it out saves the checks most of their work.
    Without ``with_relations`` its relations are left out: a reload checks the relations of the
    unchanged cases near the change only (``kb.load.incremental``), the others only by their ids and names.
    """
    sources, relations = [], []
    positions: dict[tuple, tuple[int, int]] = {("id",): record.id_at}
    wanted = record.source_ids if sources_of_interest is None else sources_of_interest.intersection(record.source_ids)
    for source_id, url, publication, line, col, title, reliability, title_at, reliability_at, url_at in (
            record.sources if wanted else ()):
        if source_id not in wanted:
            continue
        positions[("sources", len(sources), "id")] = (line, col)
        positions[("sources", len(sources), "title")] = tuple(title_at)
        positions[("sources", len(sources), "reliability")] = tuple(reliability_at)
        positions[("sources", len(sources), "url")] = tuple(url_at)
        source = {"id": source_id}
        for key, value in (("url", url), ("publication", publication), ("title", title),
                           ("reliability", reliability)):
            if value is not None:
                source[key] = value
        sources.append(source)
    for i, (target, line, col) in enumerate(record.relations if with_relations else ()):
        relations.append({"target": target})
        positions[("relations", i, "target")] = (line, col)
    data = {"id": record.id, "country": record.country, "sources": sources, "relations": relations}
    stub = StubDocument(data, positions, record.role, record.display, record.scope_targets, record.pages)
    if record.names:
        data["name"], aliases, data["website"], positions[("name",)], positions[("website",)], keys, site = record.names
        data["aliases"] = list(aliases)
        stub.look_alike = (keys, site, frozenset(page for page in record.pages if page))
    return stub
