"""Stage 3, the sources: declared once in a file and cited, one source per id and per page, and who wrote them.

- In a file: every cited source id is declared, every declared one is cited, no id twice
  (:func:`source_reference_problems`); a source whose ``affiliation`` names the file's own
  organisation is its own account, so it cannot be ``independent`` (:func:`affiliation_problems`).
- Across files (:func:`source_consistency_problems`): a source id names one source (the same url or
  publication, title and reliability wherever it is declared), and one page (its URL, compared
  without scheme, ``www.``, trailing slash or fragment) is not declared under two ids.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import pairwise
from urllib.parse import urlsplit

from kb.content.files import committed_text
from kb.content.frontmatter import split_front_matter
from kb.content.parse import Document
from kb.evidence import OWN_RELIABILITY, names_organisation
from kb.problems import Problem
from kb.suggest import did_you_mean

__all__ = ["affiliation_problems", "normalised_url", "source_consistency_problems", "source_reference_problems"]

_SRC_IN_TEXT = re.compile(r"\[src:\s*([^\]]*)\]", re.IGNORECASE)


def _declared_sources(doc: Document) -> list[str]:
    return [s["id"] for s in _list(doc.data.get("sources")) if isinstance(s, dict) and isinstance(s.get("id"), str)]


def source_reference_problems(doc: Document) -> list[Problem]:
    """Every cited source id must be declared in the file; every declared one should be cited."""
    declared = _declared_sources(doc)
    problems = []
    seen: set[str] = set()
    for i, source_id in enumerate(declared):
        if source_id in seen:
            line, col = doc.at("sources", i, "id")
            problems.append(Problem(doc.where, line, col, f"source id '{source_id}' is declared twice",
                                    "give each source its own id", code="duplicate-source"))
        seen.add(source_id)
    cited: set[str] = set()
    for source_id, line, col in _front_citations(doc) + _body_citations(doc):
        cited.add(source_id)
        if source_id not in seen:
            hint = did_you_mean(source_id, declared) or "declare it under sources: in the front matter"
            problems.append(Problem(doc.where, line, col, f"unknown source '{source_id}'", hint,
                                    code="unknown-source"))
    for i, source_id in enumerate(declared):
        if source_id not in cited:
            line, col = doc.at("sources", i, "id")
            problems.append(Problem(doc.where, line, col, f"source '{source_id}' is declared but never cited",
                                    f"cite it with [src: {source_id}] or remove it", severity="warning",
                                    code="unused-source"))
    return problems


def _front_citations(doc: Document) -> list[tuple[str, int, int]]:
    data, cites = doc.data, []
    for i, source_id in enumerate(_list(data.get("profile_sources"))):
        cites.append((source_id, *doc.at("profile_sources", i)))
    for i, figure in enumerate(_list(data.get("size"))):
        if isinstance(figure, dict) and "source" in figure:
            cites.append((figure["source"], *doc.at("size", i, "source")))
    for i, relation in enumerate(_list(data.get("relations"))):
        for j, source_id in enumerate(_list(relation.get("sources") if isinstance(relation, dict) else None)):
            cites.append((source_id, *doc.at("relations", i, "sources", j)))
    return [c for c in cites if isinstance(c[0], str)]


def _body_citations(doc: Document) -> list[tuple[str, int, int]]:
    cites = []
    for offset, line in enumerate(doc.front.body.split("\n")):
        for match in _SRC_IN_TEXT.finditer(line):
            for part in re.split(r"[,;]", match.group(1)):
                if part.strip():
                    col = match.start() + line[match.start():].find(part.strip()) + 1
                    cites.append((part.strip(), doc.front.body_start_line + offset, col))
    return cites


#: What must be the same wherever a source id is declared: which source it is, and how reliable.
_SOURCE_IDENTITY = ("url", "publication")
_SOURCE_AGREEMENT = ("title", "reliability")
#: Compared too when both files are read in full (not stand-ins of unchanged files in a reload).
_SOURCE_DETAILS = ("date", "publisher", "type", "author", "language")


def source_consistency_problems(documents: list[Document]) -> list[Problem]:
    """A source id names one source, and one page is one source as reliable wherever it is declared."""
    declared = [(doc, i, source) for doc in documents for i, source in enumerate(_list(doc.data.get("sources")))
                if isinstance(source, dict) and isinstance(source.get("id"), str)]
    return _same_id_problems(declared) + _same_page_problems(declared)


def _there(doc: Document, i: int) -> str:
    return f"{doc.where}:{doc.at('sources', i, 'id')[0]}"


def _same_id_problems(declared: list[tuple[Document, int, dict]]) -> list[Problem]:
    """One description wherever a source id is declared; a difference blames the files that changed it.

    Which declaration is wrong is judged against git: a file whose declaration differs from its own
    committed version (HEAD) made the change, and is told where else to make it.  Without git (or when
    every file or none changed it) the value most files have is the reference, then the first file's.
    """
    groups: dict[str, list[tuple[Document, int, dict]]] = defaultdict(list)
    for entry in declared:
        groups[entry[2]["id"]].append(entry)
    problems = []
    for key, entries in groups.items():
        if len({id(doc) for doc, _, _ in entries}) < 2:
            continue
        if len({_identity(source) for _, _, source in entries}) > 1:
            problems += _disagreement(key, entries, "url", _identity)
            continue
        for field_name in _SOURCE_AGREEMENT:
            if len({repr(source.get(field_name)) for _, _, source in entries}) > 1:
                problems += _disagreement(key, entries, field_name, lambda s, f=field_name: s.get(f))
        if any(getattr(doc, "text", None) is None for doc, _, _ in entries):
            continue  # a stand-in of an unchanged file (a reload) carries only the keys above
        for field_name in _SOURCE_DETAILS:  # left out in one file is fine; "2020" agrees with "2020-07-25"
            given = [e for e in entries if e[2].get(field_name) not in (None, "")]
            values = sorted({str(e[2][field_name]) for e in given}, key=len)
            if any(not longer.startswith(shorter) if field_name == "date" else longer != shorter
                   for shorter, longer in pairwise(values)):
                problems += _disagreement(key, given, field_name, lambda s, f=field_name: s.get(f))
    return problems


def _identity(source: dict) -> tuple:
    return tuple(source.get(k) for k in _SOURCE_IDENTITY)


def _disagreement(key: str, entries: list[tuple[Document, int, dict]], field_name: str,
                  value_of: Callable[[dict], object]) -> list[Problem]:
    blamed, reference, by_git = _blamed(key, entries, value_of)
    problems = []
    for doc, i, source in blamed:
        others = [e for e in entries if e[0] is not doc]
        agreeing = [e for e in others if value_of(e[2]) == reference] or others
        there = ", ".join(_there(d, j) for d, j, _ in agreeing[:3]) + (" …" if len(agreeing) > 3 else "")
        wanted = reference if field_name != "url" else (reference[0] or reference[1])
        shown = field_name if field_name in source else "id"
        line, col = doc.at("sources", i, shown)
        message = (f"source id '{key}' names a different source in {there}" if field_name == "url" else
                   f"source '{key}' has a different {field_name} than in {there}")
        problems.append(Problem(doc.where, line, col, message,
                                _conflict_hint(field_name, wanted, by_git, sorted({d.where for d, _, _ in others})),
                                code="source-conflict"))
    return problems


def _blamed(key: str, entries: list[tuple[Document, int, dict]],
            value_of: Callable[[dict], object]) -> tuple[list, object, bool]:
    """The declarations to blame, the value they should have, and whether git said so."""
    committed = {id(doc): _committed_source(doc, key) for doc, _, _ in entries}
    changed = [e for e in entries
               if committed[id(e[0])] is not None and value_of(e[2]) != value_of(committed[id(e[0])])]
    if changed and len(changed) < len(entries):
        return changed, value_of(next(e for e in entries if e not in changed)[2]), True
    counts = Counter(repr(value_of(source)) for _, _, source in entries)
    best = max(counts.values())
    reference = value_of(next(s for _, _, s in entries if counts[repr(value_of(s))] == best))
    return [e for e in entries if value_of(e[2]) != reference], reference, False


def _conflict_hint(field_name: str, wanted: object, by_git: bool, elsewhere: list[str]) -> str:
    if by_git:
        return (f"this file changed it: a source id has one {field_name} in every file, so change it also in "
                f"{', '.join(elsewhere)}, or change it back to {wanted}")
    if field_name == "url":
        return "use a new id for this source, or the same url as there"
    if wanted is None:
        return f"remove {field_name} here or add it there: a source id has one {field_name} in every file"
    return f"write {field_name}: {wanted}"


def _committed_source(doc: Document, key: str) -> dict | None:
    """The declaration of source ``key`` in the committed version of ``doc``'s file, or None."""
    file = getattr(doc, "file", None)
    text = committed_text(file.path) if file is not None else None
    if text is None:
        return None
    data = split_front_matter(text, doc.where).data or {}
    return next((s for s in _list(data.get("sources")) if isinstance(s, dict) and s.get("id") == key), None)


def _same_page_problems(declared: list[tuple[Document, int, dict]]) -> list[Problem]:
    """One page (by its normalised URL) is one source: declared under a second id, it would be two."""
    first: dict[str, tuple[Document, int, dict]] = {}
    problems = []
    for doc, i, source in declared:
        if not isinstance(source.get("url"), str) or not source["url"].strip():
            continue
        other_doc, other_i, other = first.setdefault(normalised_url(source["url"]), (doc, i, source))
        if other["id"] == source["id"]:
            continue
        if other.get("reliability") != source.get("reliability"):
            line, col = doc.at("sources", i, "reliability") if "reliability" in source else doc.at("sources", i, "url")
            problems.append(Problem(
                doc.where, line, col,
                f"source '{source['id']}' is the page of source '{other['id']}' ({_there(other_doc, other_i)}) "
                f"with another reliability ({source.get('reliability') or 'none'} here, "
                f"{other.get('reliability') or 'none'} there)",
                f"one page has one reliability: cite it as [src: {other['id']}] and remove this source, or give both "
                f"reliability: {other.get('reliability')}", code="source-conflict"))
            continue
        line, col = doc.at("sources", i, "url")
        problems.append(Problem(
            doc.where, line, col,
            f"source '{source['id']}' is the page of source '{other['id']}' ({_there(other_doc, other_i)})",
            f"one page is one source: declare it as id: {other['id']} (with the same title and reliability) and "
            f"cite it as [src: {other['id']}]", code="duplicate-source"))
    return problems


def normalised_url(url: str) -> str:
    """A URL as the page it names, for comparing: no scheme, ``www.``, fragment or trailing slash; host in
    lower case.

    >>> normalised_url("https://www.Example.org/a/b/#part"), normalised_url("http://example.org/a/b")
    ('example.org/a/b', 'example.org/a/b')
    >>> normalised_url("https://example.org/a?id=2")
    'example.org/a?id=2'
    """
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def affiliation_problems(doc: Document) -> list[Problem]:
    """Warn when a source affiliated with the file's own organisation is called ``independent``.

    A source the organisation's own people wrote or co-wrote, or that it commissioned or paid for,
    is its own account (kb.evidence grades its claims so); calling it independent says otherwise.
    """
    data = doc.data
    names = [n for n in (data.get("id"), data.get("name"), *_list(data.get("aliases"))) if isinstance(n, str)]
    problems = []
    for i, source in enumerate(_list(data.get("sources"))):
        if not isinstance(source, dict) or source.get("reliability") != "independent":
            continue
        affiliation = [a for a in _list(source.get("affiliation")) if isinstance(a, str)]
        if names_organisation(affiliation, names):
            line, col = doc.at("sources", i, "reliability")
            problems.append(Problem(
                doc.where, line, col,
                f"source '{source.get('id')}' is called independent, but its affiliation names "
                f"{data.get('name') or data.get('id')} itself",
                "a source its own people wrote or co-wrote, or that it commissioned or paid for, is its own account "
                f"and grades its claims as such: write reliability: {OWN_RELIABILITY} if its people wrote it, "
                "third-party if others did the work it commissioned or paid for, or correct the affiliation "
                "(docs/case-format.md#evidence-grades)", severity="warning", code="affiliation"))
    return problems


def _list(value: object) -> list:
    return value if isinstance(value, list) else []
