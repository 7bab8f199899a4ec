"""Stage 3, facts that cannot be true, and text that is not finished.

- :func:`fact_problems` (one file): a year in the future (a source's date, a size figure, a timeline
  entry, ``adopted``, ``model_status_year``, a relation's ``since``) is an error, and so is ``TODO``,
  ``TBD``, ``FIXME``, ``XXX`` or *lorem ipsum* anywhere in a file.  Years are compared with the current
  year, never a day: the parse cache (:mod:`kb.load.cache`) is kept per year, so what it remembers
  stays right.
- :func:`figure_conflict_problems` (one file): two size figures of the same measure, unit and year that
  disagree (:func:`kb.figures.disagree`) are a warning on each but the first, naming the other's value and
  source, unless every one of them is marked ``status: contested`` (sources disagree) or ``uncertain``:
  then the case page shows each with its source.
- :func:`manager_question_problems` (one file): the sections that answer a manager's questions
  (``Transition``, ``Funding and cost``, ``Regulation and inspection``, ``How it ended``): each sentence
  of fact cites a source (a ``[src: …]`` after it in its paragraph or bullet), and ``model_status`` must
  not contradict ``status`` or the sections: warnings with the fix; ``adopted`` after
  ``model_status_year`` is an error.
- :func:`reliability_problems` (one file, ``validate`` only, with the content bar): a source without
  ``reliability`` is a warning (``--strict`` fails): who is speaking decides a claim's grade, and a
  source without it is graded as a commentator's impression.
- :func:`unmarked_other_organisation_problems` (all cases): a claim that says what happens *at* another
  organisation of the knowledge base ("at Semco employees set their own salaries", by name or alias,
  after at, in, within or inside) but has no ``[about: …]`` mark counts as the case's own; a warning
  suggests the mark.  A claim that only names another organisation (a partner, a model, a tool:
  "tested Buurtzorg's principles", "decides with Loomio") is the case's own and passes.  It needs
  every case's names, so ``validate`` runs it with the content bar, not ``load``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kb.content.items import CITED_SECTIONS, Section
from kb.content.parse import Document
from kb.figures import disagree
from kb.figures import number as figure_number
from kb.kinds import SECTION_KINDS
from kb.problems import Problem

__all__ = ["fact_problems", "figure_conflict_problems", "manager_question_problems", "placeholder_text_problems",
           "reliability_problems",
           "unmarked_other_organisation_problems"]

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX+)\b|\blorem ipsum\b", re.IGNORECASE)
_PLACEHOLDER_WORDS = ("todo", "tbd", "fixme", "xxx", "lorem ipsum")  # what _PLACEHOLDER can match, case-folded
_UPPER_ONLY = {"TODO", "TBD", "FIXME"}  # as words in capitals; "todo" or "tbd" in prose is left alone
_COMMENT = re.compile(r"(^|\s)#.*$")
RELIABILITY_HINT = ("add reliability: independent | third-party | self-reported | opinion — who is speaking; "
                    "see CONTRIBUTING.md, 'Which reliability'")


def fact_problems(doc: Document) -> list[Problem]:
    """Future years, sources without reliability, and placeholder text in one file."""
    problems = placeholder_text_problems(doc)
    if doc.front is None or doc.front.data is None:
        return problems
    if doc.role == "case":
        problems += _future_year_problems(doc) + figure_conflict_problems(doc) + manager_question_problems(doc)
    return problems


#: Organisation ``status`` values with which self-management cannot be ``ongoing``.
_STOPPED = ("closed", "pilot-ended")
#: ``model_status`` values of a case that stepped back: each needs the year and a ``How it ended`` section.
STEPPED_BACK = ("abandoned", "scaled-back", "pilot-ended")
_CITATION = re.compile(r"\[src:[^\]]*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_WORD = re.compile(r"[A-Za-z]{2,}")


def manager_question_problems(doc: Document) -> list[Problem]:
    """The sections answering a manager's questions and the fields saying what became of self-management.

    Warnings: a sentence of fact in ``Transition``, ``Funding and cost``, ``Regulation and inspection`` or
    ``How it ended`` that no ``[src: …]`` follows in its paragraph or bullet; ``model_status`` ``ongoing``
    in an organisation that closed or a pilot that ended; ``abandoned``, ``scaled-back`` or ``pilot-ended``
    without ``model_status_year`` or without a ``How it ended`` section; a ``How it ended`` section on a
    case whose self-management is ``ongoing``.  An error: ``adopted`` after ``model_status_year``.
    """
    found = []
    sections = doc.body.sections if doc.body is not None else []
    for section in sections:
        if section.key in CITED_SECTIONS:
            found += _uncited_sentences(doc, section)
    return found + _model_status_problems(doc, {section.key: section for section in sections})


def _uncited_sentences(doc: Document, section: Section) -> list[Problem]:
    """A warning for each run of sentences of fact that ends a paragraph or bullet without a citation.

    The paragraphs are the Markdown parser's (:attr:`Section.paragraphs`): a wrapped line starting
    "2015. " stays in its paragraph, as CommonMark reads it.
    """
    found = []
    for first_line, paragraph in section.paragraphs:
        text, line_at = "", []
        for number, line in enumerate(paragraph.split("\n"), first_line):
            line_at.append((len(text), number))
            text += line + " "
        cited_up_to = max((m.end() for m in _CITATION.finditer(text)), default=0)
        rest = _HTML_COMMENT.sub(lambda m: " " * len(m.group(0)), text[cited_up_to:])
        start = cited_up_to
        for sentence in _SENTENCE_END.split(rest):
            offset = rest.index(sentence) if sentence else 0
            words = sentence.strip()
            if _WORD.search(words) and not words.rstrip("\"'”’) ").endswith("?"):
                line = max(number for position, number in line_at if position <= start + offset)
                quoted = words if len(words) <= 60 else words[:57].rstrip() + "…"
                found.append(Problem(
                    doc.where, line, 1, f"section '{section.title}': the sentence '{quoted}' cites no source",
                    "end it (or the sentences it belongs with) with [src: id] naming the source you read that "
                    "says it, or remove it", severity="warning", code="uncited-sentence"))
                break  # one per paragraph: the fix is one citation at its end
    return found


def _model_status_problems(doc: Document, sections: dict[str, Any]) -> list[Problem]:
    status, model, year, adopted = (doc.data.get(key) for key in ("status", "model_status", "model_status_year",
                                                                   "adopted"))
    found = []

    def warn(key: str, message: str, hint: str, code: str = "model-status") -> None:
        line, col = doc.at(key)
        found.append(Problem(doc.where, line, col, message, hint, severity="warning", code=code))

    if model == "ongoing" and status in _STOPPED:
        warn("model_status", f"model_status 'ongoing' contradicts status '{status}'",
             "self-management cannot go on in an organisation that closed or a pilot that ended: "
             "give what became of it (abandoned, pilot-ended, scaled-back or unknown)")
    if model in STEPPED_BACK and year is None:
        warn("model_status", f"model_status '{model}' without model_status_year",
             "add model_status_year: the year your sources say it happened (the case page, the timeline and "
             "the report 'Organisations like mine' show it)")
    if model in STEPPED_BACK and "how it ended" not in sections:
        warn("model_status", f"model_status '{model}' without a 'How it ended' section",
             "add '## How it ended': what happened and why, each sentence with [src: id] (the report "
             "'Organisations like mine' shows it to managers)")
    if model == "ongoing" and "how it ended" in sections:
        found.append(Problem(doc.where, sections["how it ended"].line, 1,
                             "a 'How it ended' section, but model_status is 'ongoing'",
                             "if self-management was scaled back, abandoned or the pilot ended, say so in "
                             "model_status (with model_status_year); otherwise rename or remove the section",
                             severity="warning", code="model-status"))
    if isinstance(adopted, int) and isinstance(year, int) and adopted > year:
        line, col = doc.at("adopted")
        found.append(Problem(doc.where, line, col,
                             f"adopted {adopted} is after model_status_year {year}: self-management cannot end "
                             "before it began", "check both years against their sources and correct one",
                             code="model-status"))
    return found


def figure_conflict_problems(doc: Document) -> list[Problem]:
    """A warning for each size figure that disagrees with an earlier one of the same measure, unit and year."""
    groups: dict[tuple, list[tuple[int, dict]]] = {}
    for i, size in enumerate(_list(doc.data.get("size"))):
        if isinstance(size, dict) and isinstance(size.get("value"), (int, float)) and size.get("year") is not None:
            key = (size.get("measure"), size.get("unit") or "", size.get("year"))
            groups.setdefault(key, []).append((i, size))
    found = []
    for (measure, unit, year), sizes in groups.items():
        if not disagree(s["value"] for _i, s in sizes):
            continue
        if all(s.get("status") in ("contested", "uncertain") for _i, s in sizes):
            continue  # marked: the page shows each figure with its source
        (_first, first), what = sizes[0], f"{measure}{' in ' + unit if unit else ''} in {year}"
        for i, size in sizes[1:]:
            if disagree([first["value"], size["value"]]):
                line, col = doc.at("size", i, "value")
                found.append(Problem(
                    doc.where, line, col,
                    f"{what}: {figure_number(size['value'])} (source '{size.get('source')}') disagrees with "
                    f"{figure_number(first['value'])} (source '{first.get('source')}')",
                    "read both sources again; if they do disagree, mark both figures status: contested "
                    "(the case page then says which source gives which), else correct or remove one",
                    severity="warning", code="figure-conflict"))
    return found


def _future_year_problems(doc: Document) -> list[Problem]:
    this_year = dt.date.today().year
    data, found = doc.data, []

    def check(value: object, path: tuple, what: str) -> None:
        years = [int(y) for y in _YEAR.findall(str(value))] if isinstance(value, (str, int)) else []
        if any(year > this_year for year in years):
            line, col = doc.at(*path)
            found.append(Problem(doc.where, line, col, f"{what} {value} is in the future",
                                 f"give the year it happened or was published (this is {this_year})", code="year"))

    for key in ("adopted", "model_status_year"):
        check(data.get(key), (key,), key)
    for i, source in enumerate(_list(data.get("sources"))):
        if isinstance(source, dict) and "date" in source:
            check(source["date"], ("sources", i, "date"), f"source '{source.get('id', i)}' date")
    for i, size in enumerate(_list(data.get("size"))):
        if isinstance(size, dict) and "year" in size:
            check(size["year"], ("size", i, "year"), "size year")
    for i, relation in enumerate(_list(data.get("relations"))):
        if isinstance(relation, dict) and "since" in relation:
            check(relation["since"], ("relations", i, "since"), "relation since")
    for item in doc.body.items if doc.body is not None else []:
        if item.section == "timeline" and any(int(y) > this_year for y in _YEAR.findall(item.title)):
            found.append(Problem(doc.where, item.line, 1, f"timeline entry **{item.title}** is in the future",
                                 f"give the year it happened (this is {this_year})", code="year"))
    return found


def reliability_problems(doc: Document) -> list[Problem]:
    """A warning for each source of a case without ``reliability``."""
    found = []
    for i, source in enumerate(_list(doc.data.get("sources"))):
        if isinstance(source, dict) and isinstance(source.get("id"), str) and "reliability" not in source:
            line, col = doc.at("sources", i, "id")
            found.append(Problem(doc.where, line, col, f"source '{source['id']}' has no reliability",
                                 RELIABILITY_HINT, severity="warning", code="reliability"))
    return found


def placeholder_text_problems(doc: Document) -> list[Problem]:
    """``TODO`` and the like anywhere in a file (YAML comments aside: they explain, they are not content).

    >>> from pathlib import Path
    >>> from kb.content.files import SourceFile
    >>> from kb.content.frontmatter import split_front_matter
    >>> text = "---\\nid: x  # TODO later\\n---\\nTBD: the rest\\n"
    >>> doc = Document(SourceFile(Path("x.md"), "x.md", "case"), text, split_front_matter(text, "x.md"), None)
    >>> [(p.line, p.col, p.message) for p in placeholder_text_problems(doc)]
    [(4, 1, "placeholder 'TBD' left in the text")]
    """
    if doc.text is None or not _may_hold_placeholder(doc.text):  # lines are split only to locate one
        return []
    lines = doc.text.split("\n")
    front_end = doc.front.body_start_line - 1 if doc.front is not None else 0
    found = []
    for number, line in enumerate(lines, start=1):
        visible = _COMMENT.sub("", line) if number <= front_end else line
        for match in _PLACEHOLDER.finditer(visible):
            word = match.group(0)
            if word.upper() in _UPPER_ONLY and word != word.upper():
                continue
            found.append(Problem(doc.where, number, match.start() + 1, f"placeholder '{word}' left in the text",
                                 "write what your sources say, or delete what you have no source for",
                                 code="unfinished"))
            break  # one per line is enough to find it
    return found


def _may_hold_placeholder(text: str) -> bool:
    """Whether a placeholder's letters occur at all: plain substring tests on the case-folded text are
    about ten times quicker than the case-insensitive pattern, which tries every position of the file."""
    folded = text.casefold()
    return any(word in folded for word in _PLACEHOLDER_WORDS) and _PLACEHOLDER.search(text) is not None


# --- claims about other organisations -----------------------------------------------------------

_CLAIM_SECTIONS = {*SECTION_KINDS, "contested claims"}
_LEGAL_FORMS = {"inc.", "inc", "ltd", "ltd.", "llc", "gmbh", "bv", "b.v.", "plc", "co.", "corp."}
_LINK_OR_MARK = re.compile(r"\[[^\]]*\]\([^)]*\)|\[[^\]]*\]")


def unmarked_other_organisation_problems(documents: list[Document]) -> list[Problem]:
    """A claim naming another case's organisation without an ``[about: …]`` mark: a warning with the mark."""
    cases = [d for d in documents if d.role == "case" and d.body is not None and d.front is not None
             and isinstance(d.data.get("id"), str)]
    owner_of: dict[str, set[str]] = {}
    for doc in cases:
        for name in [doc.data.get("name"), *_list(doc.data.get("aliases"))]:
            if isinstance(name, str) and len(re.sub(r"[^A-Za-z]", "", name)) >= 3 and name.lower() not in _LEGAL_FORMS:
                owner_of.setdefault(name, set()).add(doc.data["id"])
    if not owner_of:
        return []
    alternatives = "|".join(re.escape(n) for n in sorted(owner_of, key=len, reverse=True))
    names = re.compile(rf"\b(?:at|in|within|inside)\s+(?:the\s+)?(?P<name>{alternatives})(?![\w-])")
    found = []
    for doc in cases:
        own = doc.data["id"]
        for item in doc.body.items:
            if item.section not in _CLAIM_SECTIONS or item.scope_marks:
                continue
            text = _LINK_OR_MARK.sub(" ", item.text)
            others = [(m.group("name"), sorted(owner_of[m.group("name")])[0]) for m in names.finditer(text)
                      if own not in owner_of[m.group("name")]]
            if others:
                name, other = others[0]
                found.append(Problem(
                    doc.where, item.line, 1,
                    f"this claim names {name} ({other}), another organisation of the knowledge base, without an "
                    "[about: …] mark, so it counts as this organisation's own",
                    f"if it is about {name}, mark it [about: inspired: {other}] (or supported, franchised, general); "
                    "if it is this organisation's own, mark it [about: self]", severity="warning", code="scope"))
    return found


def _list(value: object) -> list:
    return value if isinstance(value, list) else []
