"""Stage 3: check documents against the JSON Schemas and against each other.

:func:`validate` returns every problem in every file, each located at a line
and column, with a hint saying how to fix it.  It also resolves each body link
to a concept id (setting ``item.concept_id``), which the model stage relies on.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections import defaultdict
from collections.abc import Collection

from kb.check.contributor_rules import (
    explain_bad_figure,
    mark_problems,
    placeholder_problems,
)
from kb.check.duplicates import concept_problems, organisation_problems
from kb.check.facts import fact_problems
from kb.check.schema_check import schema_for, schema_problems
from kb.check.sources import affiliation_problems, source_consistency_problems, source_reference_problems
from kb.check.vocabulary import Vocabulary
from kb.content.body import KNOWN_SECTIONS, Item, ScopeMark
from kb.content.parse import Document
from kb.evidence import SCOPES, is_case_id
from kb.kinds import CONCEPT_FOLDERS, KIND_OF_FOLDER, SECTION_KINDS
from kb.problems import Problem
from kb.slug import slug
from kb.suggest import Suggestions, did_you_mean

__all__ = ["cross_file_problems", "file_problems", "resolve_links", "schema_for", "scope_targets", "sort_problems",
           "validate"]

FIGURE_HINT = "write it as: figure: **18%** of staff left (2015) [src: id]"


def validate(documents: list[Document], vocabulary: Vocabulary) -> list[Problem]:
    """Check every document and the references between them; return all problems, sorted."""
    problems: list[Problem] = []
    for doc in documents:
        problems.extend(file_problems(doc, vocabulary))
    problems.extend(cross_file_problems(documents))
    return sort_problems(problems)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems without repeats, in file, line, column order."""
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.col, p.message))


def file_problems(doc: Document, vocabulary: Vocabulary) -> list[Problem]:
    """The problems a file has on its own: parsing, schema, identity and the case rules.

    They depend only on the file's path and bytes, the schemas and the vocabulary, so ``kb.load.cache``
    keeps them by content hash.  (Relative links in the prose are checked against the files on disk.)
    """
    problems = list(doc.problems)
    if doc.front is None or doc.front.data is None:
        return problems
    problems.extend(schema_problems(doc))
    problems.extend(_identity_problems(doc))
    problems.extend(fact_problems(doc))
    if doc.role == "case":
        problems.extend(_case_problems(doc, vocabulary))
        problems.extend(mark_problems(doc))
        problems.extend(placeholder_problems(doc))
    unfinished = {p.line for p in problems if p.code == "unfinished"}
    if unfinished:  # a line still holding TODO says so once, not once for every rule the TODO breaks
        problems = [p for p in problems if p.line not in unfinished or p.code == "unfinished"]
    return problems


# --- one file ---------------------------------------------------------------------------------

def _identity_problems(doc: Document) -> list[Problem]:
    data, problems = doc.data, []
    doc_id = data.get("id")
    if isinstance(doc_id, str) and doc_id != doc.stem:
        line, col = doc.at("id")
        problems.append(Problem(doc.where, line, col, f"id '{doc_id}' does not match the file name '{doc.stem}.md'",
                                f"rename the file to {doc_id}.md or set id: {doc.stem}", code="id"))
    if doc.role in CONCEPT_FOLDERS and data.get("kind") not in (None, doc.role):
        line, col = doc.at("kind")
        problems.append(Problem(doc.where, line, col,
                                f"kind '{data.get('kind')}' does not match the folder '{CONCEPT_FOLDERS[doc.role]}'",
                                f"set kind: {doc.role} or move the file", code="kind"))
    return problems


def _case_problems(doc: Document, vocabulary: Vocabulary) -> list[Problem]:
    data, problems = doc.data, []
    country = data.get("country")
    if isinstance(country, str) and re.fullmatch(r"[A-Z]{2}", country) and not vocabulary.has_country(country):
        line, col = doc.at("country")
        hint = "UK is GB in ISO 3166-1" if country == "UK" else "use an ISO 3166-1 alpha-2 code"
        problems.append(Problem(doc.where, line, col, f"unknown country code '{country}'", hint, code="country"))
    for i, sector in enumerate(_list(data.get("sectors"))):
        if isinstance(sector, str) and sector not in vocabulary.sectors:
            line, col = doc.at("sectors", i)
            problems.append(Problem(doc.where, line, col, f"unknown sector '{sector}'",
                                    did_you_mean(sector, list(vocabulary.sectors))
                                    or "see vocabulary/sectors.yaml", code="sector"))
    founded = data.get("founded")
    if isinstance(founded, int) and founded > dt.date.today().year:
        line, col = doc.at("founded")
        problems.append(Problem(doc.where, line, col, f"founded year {founded} is in the future",
                                "check the year", code="year"))
    problems.extend(source_reference_problems(doc))
    problems.extend(affiliation_problems(doc))
    problems.extend(_body_problems(doc))
    return problems


def _body_problems(doc: Document) -> list[Problem]:
    problems = []
    for section in doc.body.sections:
        if section.key not in KNOWN_SECTIONS:
            problems.append(Problem(doc.where, section.line, 1, f"unknown section '## {section.title}'",
                                    did_you_mean(section.key, list(KNOWN_SECTIONS)) or
                                    f"known sections: {', '.join(KNOWN_SECTIONS)}", code="section"))
    for item in doc.body.items:
        problems.extend(_item_problems(doc, item))
    problems.extend(_broken_link_problems(doc))
    return problems


_RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#|/)([^)\s#]+)(?:#[^)\s]*)?\)", re.IGNORECASE)


def _broken_link_problems(doc: Document) -> list[Problem]:
    """Relative links in the body must lead to a file of the repository (they are clicked on GitHub)."""
    problems = []
    folder = doc.file.path.parent
    for offset, line in enumerate(doc.front.body.split("\n")):
        for match in _RELATIVE_LINK.finditer(line):
            target = match.group(1)
            # Concept links are checked (with suggestions) as claims; here the rest, e.g. See also.
            if "concepts/" not in target and not (folder / target).exists():
                problems.append(Problem(doc.where, doc.front.body_start_line + offset, match.start(1) + 1,
                                        f"link '{target}' leads to no file", "fix the path or remove the link",
                                        severity="warning", code="broken-link"))
    return problems


def _item_problems(doc: Document, item: Item) -> list[Problem]:
    problems = []

    def report(message: str, hint: str, line: int = item.line, col: int = 1, code: str = "item") -> None:
        problems.append(Problem(doc.where, line, col, message, hint, code=code))

    if item.section in SECTION_KINDS:
        if not item.href:
            report(f"{item.section} bullet does not start with a link to a concept page",
                   f"start with [Name](../concepts/{item.section}/<id>.md)")
    elif item.section == "timeline" and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?(s|–\d{4})?", item.title):
        report("timeline bullet does not start with a bold year", "write - **2006**: what happened [src: id]")
    needs_source = item.section in SECTION_KINDS or item.section in ("timeline", "contested claims")
    if needs_source and not item.sources and not (item.status == "contested" and item.views):
        report(f"{item.section} bullet cites no source", "add [src: source-id] at the end of the bullet",
               code="unsourced")
    for line, text in item.bad_figures:
        report(*explain_bad_figure(text), line=line, code="figure")
    for figure in item.figures:
        if not figure.sources:
            report("figure cites no source", "add [src: source-id] after the year", line=figure.line,
                   code="unsourced")
        if figure.year > dt.date.today().year:
            report(f"figure year {figure.year} is in the future", "give the year the figure describes",
                   line=figure.line, code="year")
        elif figure.year < 1800:
            report(f"figure year {figure.year} is out of range", "give the year the figure describes",
                   line=figure.line, code="year")
    if item.status == "contested" and len(item.views) < 2:
        report("a contested claim needs each side as a 'view:' sub-bullet", "add - view: … [src: id] for each side",
               code="contested")
    for view in item.views:
        if not view.sources:
            report("view cites no source", "add [src: source-id] to the view", line=view.line, code="unsourced")
    problems.extend(_scope_mark_problems(doc, item))
    return problems


_SCOPED_SECTIONS = {*SECTION_KINDS, "contested claims"}
SCOPE_HINT = "write [about: supported], [about: inspired], [about: franchised] or [about: general]"


def _scope_mark_problems(doc: Document, item: Item) -> list[Problem]:
    """``[about: …]`` marks: a known kind, at most one per bullet or sub-bullet, only on claims."""
    problems = []
    groups = [item.scope_marks] + [sub.scope_marks for sub in [*item.figures, *item.views]]
    for marks in groups:
        for mark in marks:
            problems.extend(_one_scope_mark_problems(doc, mark))
        for extra in marks[1:]:
            problems.append(Problem(doc.where, extra.line, extra.col, "a bullet has more than one [about: …] mark",
                                    "keep one; a figure: or view: sub-bullet can carry its own", code="scope"))
    if item.scope_marks and item.section not in _SCOPED_SECTIONS:
        mark = item.scope_marks[0]
        problems.append(Problem(doc.where, mark.line, mark.col,
                                f"[about: …] has no effect in a {item.section.title()} bullet",
                                "scope applies to bullets of Practices, Challenges, Outcomes and Contested claims",
                                severity="warning", code="scope"))
    return problems


def _one_scope_mark_problems(doc: Document, mark: ScopeMark) -> list[Problem]:
    def problem(message: str, hint: str) -> Problem:
        return Problem(doc.where, mark.line, mark.col, message, hint, code="scope")

    if not mark.kind:
        return [problem(f"{mark.text} names no scope", SCOPE_HINT)]
    if mark.kind not in SCOPES:
        return [problem(f"unknown scope '{mark.kind}' in {mark.text}",
                        did_you_mean(mark.kind, list(SCOPES)) or SCOPE_HINT)]
    if mark.kind == "self" and mark.about:
        return [problem("[about: self] takes no group", "remove the group, or use supported, inspired or franchised")]
    return []


# --- across files -----------------------------------------------------------------------------

def cross_file_problems(documents: list[Document], links: bool = True, *, every_case: list | None = None,
                        changed: set[str] | None = None, known_ids: Collection[str] | None = None,
                        look_alikes: list[Problem] | None = None) -> list[Problem]:
    """Problems between files: duplicate ids, conflicting sources, concept hierarchy, links, relations.

    With ``links=False`` the body links of the cases are not resolved: how a link resolves depends
    only on its own file and the concept pages, so ``kb.load.incremental`` resolves (:func:`resolve_links`) only
    the files that changed when the concept pages did not.

    A reload (``kb.load.incremental``) passes the files it ``changed`` (paths), ``every_case`` (in
    file order: the ids a relation may name, and the names compared for look-alikes, whose pairs
    with a changed file are compared) and, as ``documents``, only the concept pages, the changed
    files and the unchanged files that share an id, a source id or a source's page with them or
    relate to a case that is gone: a problem needs one of those, as the files were without errors.
    Instead of ``every_case`` it may pass every case's id (``known_ids``, in file order) and the
    look-alike problems of the pairs with a changed file, found through its manifest's indexes.
    """
    usable = _usable(documents)
    problems = _duplicate_id_problems(usable)
    concepts = {d.data["id"]: d for d in usable if d.role in CONCEPT_FOLDERS}
    cases = {d.data["id"]: d for d in usable if d.role == "case"}
    if known_ids is not None:
        known: Collection[str] = known_ids
    else:
        known = cases if every_case is None else {d.data["id"]: d for d in _usable(every_case) if d.role == "case"}
    problems.extend(source_consistency_problems(usable))
    if look_alikes is not None:
        problems.extend(look_alikes)
    else:
        problems.extend(organisation_problems(usable if every_case is None else every_case, involving=changed))
    problems.extend(concept_problems([d for d in usable if d.role in CONCEPT_FOLDERS]))
    problems.extend(_scope_target_problems(list(cases.values()), known))
    problems.extend(_concept_problems(concepts))
    if links:
        problems.extend(_link_problems(list(cases.values()), concepts))
    for doc in cases.values():
        for i, relation in enumerate(_list(doc.data.get("relations"))):
            target = relation.get("target") if isinstance(relation, dict) else None
            if not isinstance(target, str):
                continue
            line, col = doc.at("relations", i, "target")
            if target == doc.data["id"]:
                problems.append(Problem(doc.where, line, col, "an organisation cannot relate to itself",
                                        "remove this relation", code="relation"))
            elif target not in known:
                problems.append(Problem(doc.where, line, col, f"unknown organisation '{target}'",
                                        did_you_mean(target, list(known)) or "add its case file first",
                                        code="unknown-organisation"))
    return problems


def resolve_links(cases: list[Document], documents: list[Document]) -> list[Problem]:
    """Resolve the body links of ``cases`` to the concept pages among ``documents``; return link problems.

    Each resolved bullet gets ``item.concept_id`` and ``item.concept_kind``, which the model needs.
    """
    concepts = {d.data["id"]: d for d in _usable(documents) if d.role in CONCEPT_FOLDERS}
    return _link_problems([d for d in _usable(cases) if d.role == "case"], concepts)


def _usable(documents: list[Document]) -> list[Document]:
    return [d for d in documents if d.front is not None and d.front.data is not None
            and isinstance(d.data.get("id"), str)]


def _link_problems(cases: list[Document], concepts: dict[str, Document]) -> list[Problem]:
    aliases = _alias_index(concepts)
    problems = []
    for doc in cases:
        for item in doc.body.items:
            if item.section in SECTION_KINDS and item.href:
                problems.extend(_resolve_link(doc, item, concepts, aliases))
    return problems


def _duplicate_id_problems(documents: list[Document]) -> list[Problem]:
    by_key: dict[tuple[str, str], list[Document]] = defaultdict(list)
    for doc in documents:
        by_key[("case" if doc.role == "case" else "concept", doc.data["id"])].append(doc)
    problems = []
    for (_, doc_id), docs in by_key.items():
        for doc in docs[1:]:
            line, col = doc.at("id")
            problems.append(Problem(doc.where, line, col, f"duplicate id '{doc_id}', also in {docs[0].where}",
                                    "ids must be unique; merge the files or rename one", code="duplicate-id"))
    return problems


def scope_targets(doc: Document) -> list[tuple[str, str, int, int]]:
    """(case id, mark, line, col) for every group in a case's ``[about: kind: …]`` marks written as an id.

    A stand-in for an unchanged file (``kb.cache.StubDocument``) has them recorded instead of a body.
    """
    recorded = getattr(doc, "scope_targets", None)
    if recorded is not None:
        return [tuple(target) for target in recorded]
    targets = []
    for item in doc.body.items if getattr(doc, "body", None) else []:
        for mark in item.scope_marks + [m for sub in [*item.figures, *item.views] for m in sub.scope_marks]:
            targets.extend((name, mark.text, mark.line, mark.col) for name in mark.about if is_case_id(name))
    return targets


def _scope_target_problems(cases: list[Document], known: Collection[str]) -> list[Problem]:
    """Groups in ``[about: kind: a, b]`` written as ids must be cases (names in words are free)."""
    problems = []
    for doc in cases:
        for name, text, line, col in scope_targets(doc):
            if name not in known:
                problems.append(Problem(
                    doc.where, line, col, f"unknown case '{name}' in {text}",
                    did_you_mean(name, sorted(known)) or
                    "name a case id from cases/, or write the group in words, e.g. other Dutch care providers",
                    code="unknown-organisation"))
    return problems


def _concept_problems(concepts: dict[str, Document]) -> list[Problem]:
    problems = []
    for doc in concepts.values():
        broader = doc.data.get("broader")
        if isinstance(broader, str):
            line, col = doc.at("broader")
            target = concepts.get(broader)
            if target is None:
                same_kind = [k for k, d in concepts.items() if d.role == doc.role and k != doc.data["id"]]
                problems.append(Problem(doc.where, line, col, f"unknown broader concept '{broader}'",
                                        did_you_mean(broader, same_kind) or "name an existing concept id",
                                        code="unknown-concept"))
            elif target.role != doc.role:
                problems.append(Problem(doc.where, line, col,
                                        f"broader concept '{broader}' is a {target.role}, not a {doc.role}",
                                        "a broader concept must be of the same kind", code="broader"))
            elif _has_cycle(doc.data["id"], concepts):
                problems.append(Problem(doc.where, line, col, f"broader concepts form a cycle through '{broader}'",
                                        "remove one 'broader:' link in the cycle", code="cycle"))
        for i, practice in enumerate(_list(doc.data.get("includes"))):
            target = concepts.get(practice) if isinstance(practice, str) else None
            if isinstance(practice, str) and (target is None or target.role != "practice"):
                line, col = doc.at("includes", i)
                problems.append(Problem(doc.where, line, col, f"unknown practice '{practice}'",
                                        did_you_mean(practice, [k for k, d in concepts.items()
                                                                 if d.role == "practice"])
                                        or "name an existing practice id", code="unknown-concept"))
    return problems


def _has_cycle(start: str, concepts: dict[str, Document]) -> bool:
    seen, current = set(), start
    while current in concepts:
        if current in seen:
            return start in seen
        seen.add(current)
        current = concepts[current].data.get("broader")
        if current == start:
            return True
    return False


def _alias_index(concepts: dict[str, Document]) -> dict[str, str]:
    index = {}
    for concept_id, doc in concepts.items():
        for alias in _list(doc.data.get("aliases")):
            if isinstance(alias, str):
                index[slug(alias)] = concept_id
    return index


def _resolve_link(doc: Document, item: Item, concepts: dict[str, Document],
                  aliases: dict[str, str]) -> list[Problem]:
    """Resolve a body link to a concept id; say what is wrong when it does not resolve."""
    expected = SECTION_KINDS[item.section]
    allowed_kinds = {expected, "framework"} if expected == "practice" else {expected}
    folder_hint = f"../concepts/{CONCEPT_FOLDERS[expected]}/<id>.md"
    href = item.href.split("#")[0]
    target = posixpath.normpath(posixpath.join("cases", href))
    parts = target.split("/")
    if len(parts) != 3 or parts[0] != "concepts" or not parts[2].endswith(".md") or parts[1] not in KIND_OF_FOLDER:
        return [Problem(doc.where, item.line, item.href_col, f"link '{item.href}' does not point to a concept page",
                        f"link to {folder_hint}", code="link")]
    kind, stem = KIND_OF_FOLDER[parts[1]], parts[2][:-3]
    if kind not in allowed_kinds:
        article = "an" if kind[0] in "aeiou" else "a"
        return [Problem(doc.where, item.line, item.href_col,
                        f"a bullet under {item.section.title()} links to {article} {kind} page",
                        f"move the bullet to the right section or link to {folder_hint}", code="link")]
    if stem in concepts and concepts[stem].role == kind:
        item.concept_id, item.concept_kind = stem, kind
        return []
    alias_of = aliases.get(slug(stem))
    if alias_of and concepts[alias_of].role in allowed_kinds:
        item.concept_id, item.concept_kind = alias_of, concepts[alias_of].role
        real = f"../concepts/{CONCEPT_FOLDERS[item.concept_kind]}/{alias_of}.md"
        return [Problem(doc.where, item.line, item.href_col, f"'{stem}' is an alias of '{alias_of}'",
                        f"link to {real} so the link works on GitHub", severity="warning", code="alias")]
    return [Problem(doc.where, item.line, item.href_col, f"unknown {kind} '{stem}'",
                    _concept_suggestion(stem, kind, concepts, aliases) or f"create concepts/{parts[1]}/{stem}.md",
                    code="unknown-concept")]


def _concept_suggestion(stem: str, kind: str, concepts: dict[str, Document], aliases: dict[str, str]) -> str:
    """Did-you-mean among the concepts of ``kind`` only, by id or alias, always naming ids.

    An alias that is close suggests its concept's id (the link that works), and the word just typed
    is never suggested back.
    """
    names = {k: k for k, d in concepts.items() if d.role == kind}
    names.update({alias: concept_id for alias, concept_id in aliases.items()
                  if concepts[concept_id].role == kind and alias not in names})
    suggestions = [c for c in Suggestions((text, concept_id) for text, concept_id in names.items()).closest(stem, 3)
                   if c != stem]
    return f"did you mean {' or '.join(repr(m) for m in suggestions[:2])}?" if suggestions else ""


# --- helpers ----------------------------------------------------------------------------------

def _list(value: object) -> list:
    return value if isinstance(value, list) else []


