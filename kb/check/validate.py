"""Stage 3: check documents against the JSON Schemas and against each other.

:func:`validate` returns every problem in every file, each located at a line
and column, with a hint saying how to fix it.  It also resolves each body link
to a concept id (setting ``item.concept_id``), which the model stage relies on.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
from collections import defaultdict
from functools import cache
from importlib import resources

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from kb.check.contributor_rules import (
    country_hint,
    explain_bad_figure,
    flow_mapping_comma_hint,
    mark_problems,
    placeholder_problems,
)
from kb.check.duplicates import organisation_problems
from kb.check.vocabulary import Vocabulary
from kb.content.body import KNOWN_SECTIONS, Item, ScopeMark
from kb.content.parse import Document
from kb.evidence import OLD_RELIABILITY, RELIABILITIES, SCOPES, is_case_id
from kb.kinds import CONCEPT_FOLDERS, KIND_OF_FOLDER, SECTION_KINDS
from kb.problems import Problem
from kb.slug import slug
from kb.suggest import Suggestions, did_you_mean

__all__ = ["cross_file_problems", "file_problems", "resolve_links", "schema_for", "scope_targets", "sort_problems",
           "validate"]

_SRC_IN_TEXT = re.compile(r"\[src:\s*([^\]]*)\]", re.IGNORECASE)
FIGURE_HINT = "write it as: figure: **18%** of staff left (2015) [src: id]"


@cache
def schema_for(role: str) -> Draft202012Validator:
    """The compiled JSON Schema validator for a case or a concept."""
    name = "case.schema.json" if role == "case" else "concept.schema.json"
    schema = json.loads(resources.files("kb.schemas").joinpath(name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


@cache
def _quick_check(role: str) -> jsonschema_rs.Validator:
    """The same schema compiled by jsonschema-rs: about 100 times faster, but with terse errors.

    It checks formats too, so it accepts nothing the Python validator rejects; a document it
    rejects goes through the Python validator for the located, explained errors.
    """
    return jsonschema_rs.validator_for(schema_for(role).schema, validate_formats=True)


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
    problems.extend(_schema_problems(doc))
    problems.extend(_identity_problems(doc))
    if doc.role == "case":
        problems.extend(_case_problems(doc, vocabulary))
        problems.extend(mark_problems(doc))
        problems.extend(placeholder_problems(doc))
    return problems


# --- one file ---------------------------------------------------------------------------------

def _schema_problems(doc: Document) -> list[Problem]:
    try:
        if _quick_check(doc.role).is_valid(doc.data):
            return []
    except (ValueError, TypeError):
        pass  # a value jsonschema-rs cannot take (none in YAML we accept): check it the slow way
    validator = schema_for(doc.role)
    problems = []
    for error in validator.iter_errors(doc.data):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            # Point at the unexpected key itself rather than at its mapping.
            extra = [k for k in error.instance if k not in error.schema.get("properties", {})]
            path += tuple(extra[:1])
        line, col = doc.at(*path)
        message, hint = _explain(error, validator.schema)
        if error.validator == "additionalProperties" and len(path) > len(error.absolute_path):
            hint = flow_mapping_comma_hint(doc, tuple(error.absolute_path), path[-1]) or hint
        elif path and path[-1] == "country" and error.validator in ("pattern", "type"):
            hint = country_hint(error.instance)
        problems.append(Problem(doc.where, line, col, message, hint, code="schema"))
    return problems


def _explain(error: ValidationError, schema: dict) -> tuple[str, str]:
    """Turn a jsonschema error into a sentence a contributor can act on."""
    where = _dotted(error.absolute_path)
    validator, value = error.validator, error.validator_value
    if validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        key = missing[0] if missing else "?"
        return f"{where or 'front matter'}: missing required key '{key}'", f"add '{key}:'"
    if validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message.split("(")[-1])
        allowed = list(error.schema.get("properties", {}))
        key = extra[0] if extra else "?"
        return (f"{where or 'front matter'}: unknown key '{key}'",
                did_you_mean(key, allowed) or f"allowed keys: {', '.join(allowed)}")
    if validator == "enum" and where.endswith(".reliability") and error.instance in OLD_RELIABILITY:
        return (f"{where}: {error.instance!r} is an old reliability value",
                f"use {' | '.join(RELIABILITIES)}: {error.instance!r} usually becomes "
                f"{OLD_RELIABILITY[error.instance]}; see docs/case-format.md")
    if validator == "enum":
        return (f"{where}: {error.instance!r} is not allowed",
                did_you_mean(str(error.instance), [str(v) for v in value])
                or f"use one of: {', '.join(map(str, value))}")
    if validator == "type":
        return f"{where}: expected {value}, found {type(error.instance).__name__}", _type_hint(value)
    if validator == "pattern":
        return f"{where}: {error.instance!r} has the wrong form", _pattern_hint(where, value)
    if validator in ("minimum", "maximum"):
        return f"{where}: {error.instance!r} is out of range", f"must be {validator} {value}"
    if validator == "format":
        return f"{where}: {error.instance!r} is not a valid {value}", "write a full URL starting with https://"
    if validator == "anyOf" and where.startswith("sources"):
        return f"{where}: a source needs a 'url' or a 'publication'", "add url: https://… (or publication: for print)"
    if validator in ("minLength", "minItems"):
        return f"{where}: too short or empty", f"give at least {value}"
    if validator in ("maxLength", "maxItems"):
        return f"{where}: too long", f"keep it to at most {value}"
    if validator == "uniqueItems":
        return f"{where}: has duplicate entries", "remove the repeated entry"
    return f"{where}: {error.message}", ""


def _type_hint(expected: str) -> str:
    return {
        "integer": "write a whole number without quotes, e.g. 2006",
        "array": "write a list, e.g. [a, b]",
        "object": "write a mapping of keys to values",
        "string": "quote the value",
    }.get(expected, "")


def _pattern_hint(where: str, pattern: str) -> str:
    if "[a-z0-9]" in pattern:
        return "use lowercase letters, digits and single hyphens, e.g. self-managing-teams"
    if "A-Z" in pattern:
        return "use a two-letter ISO 3166-1 code in capitals, e.g. NL or GB"
    if "https?" in pattern:
        return "write a full URL starting with http:// or https://"
    if "\\d{4}" in pattern:
        return "write the date as YYYY, YYYY-MM or YYYY-MM-DD"
    if "^[^," in pattern:
        return "aliases are plain phrases without commas, quotes or brackets"
    return f"must match {pattern}"


def _dotted(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


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
    problems.extend(_source_reference_problems(doc))
    problems.extend(_body_problems(doc))
    return problems


def _declared_sources(doc: Document) -> list[str]:
    return [s["id"] for s in _list(doc.data.get("sources")) if isinstance(s, dict) and isinstance(s.get("id"), str)]


def _source_reference_problems(doc: Document) -> list[Problem]:
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
        if not 1800 <= figure.year <= dt.date.today().year + 1:
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

def cross_file_problems(documents: list[Document], links: bool = True) -> list[Problem]:
    """Problems between files: duplicate ids, conflicting sources, concept hierarchy, links, relations.

    With ``links=False`` the body links of the cases are not resolved: how a link resolves depends
    only on its own file and the concept pages, so ``kb.load.incremental`` resolves (:func:`resolve_links`) only
    the files that changed when the concept pages did not.
    """
    usable = _usable(documents)
    problems = _duplicate_id_problems(usable)
    concepts = {d.data["id"]: d for d in usable if d.role in CONCEPT_FOLDERS}
    cases = {d.data["id"]: d for d in usable if d.role == "case"}
    problems.extend(_source_consistency_problems(usable))
    problems.extend(organisation_problems(usable))
    problems.extend(_scope_target_problems(list(cases.values())))
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
            elif target not in cases:
                problems.append(Problem(doc.where, line, col, f"unknown organisation '{target}'",
                                        did_you_mean(target, list(cases)) or "add its case file first",
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


#: What must be the same wherever a source id is declared: which source it is, and how reliable.
_SOURCE_IDENTITY = ("url", "publication")
_SOURCE_AGREEMENT = ("title", "reliability")


def _source_consistency_problems(documents: list[Document]) -> list[Problem]:
    """A source id names one source: the same url (or publication), title and reliability in every file."""
    first: dict[str, tuple[Document, int, dict]] = {}
    problems = []
    for doc in documents:
        for i, source in enumerate(_list(doc.data.get("sources"))):
            if not isinstance(source, dict) or not isinstance(source.get("id"), str):
                continue
            key = source["id"]
            if key not in first:
                first[key] = (doc, i, source)
                continue
            other_doc, other_i, other = first[key]
            if other_doc is doc:
                continue
            there = f"{other_doc.where}:{other_doc.at('sources', other_i, 'id')[0]}"
            if tuple(source.get(k) for k in _SOURCE_IDENTITY) != tuple(other.get(k) for k in _SOURCE_IDENTITY):
                line, col = doc.at("sources", i, "id")
                problems.append(Problem(doc.where, line, col,
                                        f"source id '{key}' names a different source in {there}",
                                        "use a new id for this source, or the same url as there",
                                        code="source-conflict"))
                continue
            for field_name in _SOURCE_AGREEMENT:
                if source.get(field_name) != other.get(field_name):
                    line, col = doc.at("sources", i, field_name) if field_name in source else doc.at("sources", i, "id")
                    wanted = other.get(field_name)
                    problems.append(Problem(
                        doc.where, line, col,
                        f"source '{key}' has a different {field_name} than in {there}",
                        f"write {field_name}: {wanted}" if wanted is not None else
                        f"remove {field_name} here or add it there: a source id has one {field_name} in every file",
                        code="source-conflict"))
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


def _scope_target_problems(cases: list[Document]) -> list[Problem]:
    """Groups in ``[about: kind: a, b]`` written as ids must be cases (names in words are free)."""
    known = {d.data["id"] for d in cases}
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


