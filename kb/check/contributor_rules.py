"""Rules that catch a contributor's common mistakes, each with a located problem and a fix.

Kept apart from :mod:`kb.check.validate` (the schema, reference and source rules) so that each set of
rules can change without the other:

* :func:`mark_problems`: a mistyped mark (``[uncertan]``, ``[scr: a]``) would silently drop the
  claim's flag or its sources, so every bracketed word in a claim section that is not a known mark
  is an error, with a did-you-mean.
* :func:`placeholder_problems`: a value left as in ``templates/case.md`` ("Organisation Name",
  ``https://example.org/article``, the example source) is an error.
* :func:`explain_bad_figure`: why a ``figure:`` sub-bullet does not parse (a currency sign before
  the number, no year, ...).
* :func:`flow_mapping_comma_hint` and :func:`country_hint`: friendlier hints for two schema errors.
* :func:`content_bar_problems`: the bar the repository's content is held to (a case has at least
  three practices or frameworks, a challenge and an outcome; every concept is used).  These are
  warnings, reported by ``validate`` (``--strict`` makes them fail), not by ``load``: a thin case is
  still valid data.

Every function here reads only the documents it is given (and the template), never the store.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pycountry

from kb.check.facts import reliability_problems, unmarked_other_organisation_problems
from kb.content.body import parse_body
from kb.content.frontmatter import split_front_matter
from kb.content.parse import Document
from kb.kinds import CONCEPT_FOLDERS, SECTION_KINDS
from kb.problems import Problem
from kb.suggest import closest

__all__ = [
    "KNOWN_MARKS",
    "MIN_CHALLENGES",
    "MIN_OUTCOMES",
    "MIN_PRACTICES",
    "TEMPLATE",
    "content_bar_problems",
    "country_code_for",
    "country_hint",
    "explain_bad_figure",
    "flow_mapping_comma_hint",
    "mark_problems",
    "placeholder_problems",
    "thin_case_problems",
    "unused_concept_problems",
]

#: Marks a claim bullet may carry, as written.  ``[about: …]`` is the scope of a claim (its own
#: rules are in kb.check.validate); here it is only known, so that it is not reported as a typo.
KNOWN_MARKS = ("[contested]", "[uncertain]", "[src: id, …]", "[about: …]", "[key: name]")
_FLAG_MARKS = ("contested", "uncertain")
_KEYED_MARKS = ("src", "about", "key")
#: Editorial brackets that are not marks (inside a quotation).
_EDITORIAL = {"sic"}
#: Sections whose bullets carry marks.
_MARKED_SECTIONS = {*SECTION_KINDS, "timeline", "contested claims"}
# A bracketed text that is not a link, a reference-style link, an image or a footnote.
# ``[src: …]`` and ``[about: …]`` are skipped at once: they are most of the brackets in a case.  The
# bracket comes first and what may not stand before it is looked at from there, so that the search
# jumps from one "[" to the next (a look-behind first was tried at every character: 3x the time).
_BRACKETS = re.compile(r"\[(?<![!\]\\]\[)(?!\s*(?i:src|about)\s*:)([^\[\]\n]*)\](?![(\[])")
_REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_KEYED = re.compile(r"^\s*([A-Za-z][\w-]*)\s*[:=]\s*(.*)$")
_WORD = re.compile(r"^\s*([A-Za-z][A-Za-z-]{1,24})\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")

#: The case template (the same file new-case starts from); its example values are placeholders.
TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "case.md"

#: The content bar: what every case in the repository has at least.
MIN_PRACTICES, MIN_CHALLENGES, MIN_OUTCOMES = 3, 1, 1


# --- marks ------------------------------------------------------------------------------------

def mark_problems(doc: Document) -> list[Problem]:
    """Bracketed words in claim sections that look like marks but are none of the known ones.

    >>> from kb.content.files import SourceFile
    >>> from kb.content.parse import Document
    >>> from kb.content.frontmatter import split_front_matter
    >>> text = "---\\nid: x\\n---\\n## Practices\\n\\n- [T](../concepts/practices/t.md) [uncertan]: y [src: a]\\n"
    >>> front = split_front_matter(text, "cases/x.md")
    >>> doc = Document(SourceFile(Path("cases/x.md"), "cases/x.md", "case"), text, front,
    ...                parse_body(front.body, front.body_start_line))
    >>> [str(p) for p in mark_problems(doc)]
    ["cases/x.md:6:35: error: unknown mark '[uncertan]' (did you mean '[uncertain]'?)"]
    """
    if doc.body is None or doc.front is None:
        return []
    lines = doc.front.body.split("\n")
    first = doc.front.body_start_line
    problems = []
    for start, end in _marked_ranges(doc, len(lines)):
        chunk = "\n".join(lines[start:end])
        if "`" in chunk or "~~~" in chunk:  # code: go line by line, leaving fences and code spans alone
            found = _marks_line_by_line(lines, start, end)
        else:  # the usual case: one regex pass over the whole section
            found = _marks_in_chunk(chunk, start)
        for index, col, message, hint in found:
            problems.append(Problem(doc.where, first + index, col, message, hint, code="unknown-mark"))
    return problems


def _marks_in_chunk(chunk: str, start: int) -> list[tuple[int, int, str, str]]:
    found = []
    for match in _BRACKETS.finditer(chunk):
        line_start = chunk.rfind("\n", 0, match.start()) + 1
        line_end = chunk.find("\n", match.start())
        line = chunk[line_start: line_end if line_end >= 0 else len(chunk)]
        column = match.start() - line_start
        if _REFERENCE_DEFINITION.match(line) or _in_quotation(line, column):
            continue  # a link reference definition; an editorial insertion in a quotation: "[they] decide"
        problem = _mark_problem(match.group(1))
        if problem:
            found.append((start + chunk.count("\n", 0, match.start()), column + 1, *problem))
    return found


def _marks_line_by_line(lines: list[str], start: int, end: int) -> list[tuple[int, int, str, str]]:
    found, fenced = [], False
    for index in range(start, end):
        line = lines[index]
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced or "[" not in line:
            continue
        visible = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        found.extend((index + offset, col, message, hint)
                     for offset, col, message, hint in _marks_in_chunk(visible, 0))
    return found


def _in_quotation(line: str, position: int) -> bool:
    before = line[:position]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


def _marked_ranges(doc: Document, line_count: int) -> list[tuple[int, int]]:
    """(start, end) body-line indexes of each section whose bullets carry marks."""
    first = doc.front.body_start_line
    sections = doc.body.sections
    ranges = []
    for position, section in enumerate(sections):
        if section.key not in _MARKED_SECTIONS:
            continue
        end = sections[position + 1].line - first if position + 1 < len(sections) else line_count
        ranges.append((section.line - first + 1, end))
    return ranges


def _mark_problem(inner: str) -> tuple[str, str] | None:
    keyed = _KEYED.match(inner)
    if keyed:
        word = keyed.group(1).lower()
        if word in _KEYED_MARKS:
            return None
        match = closest(word, _KEYED_MARKS, limit=1, cutoff=0.5) or (
            ["src"] if word in ("source", "sources", "cite", "ref") else [])
        shown = f"[{keyed.group(1)}: {keyed.group(2).strip()}]"
        if match:
            return f"unknown mark '{shown}'", f"did you mean '[{match[0]}: {keyed.group(2).strip()}]'?"
        return f"unknown mark '{shown}'", _known_marks()
    parts = [part.strip().lower() for part in inner.split(",")]
    if len(parts) > 1 and all(_WORD.match(part) for part in parts) and any(
            closest(part, _FLAG_MARKS, limit=1, cutoff=0.75) for part in parts):
        return (f"unknown mark '[{inner}]'",
                f"write each mark in its own brackets: {' '.join(f'[{part}]' for part in parts)}")
    word = _WORD.match(inner)
    if not word:
        return None  # an editorial insertion such as [the company's], [2], […]
    lowered = word.group(1).lower()
    if lowered in _FLAG_MARKS or lowered in _EDITORIAL:
        return None
    match = closest(lowered, _FLAG_MARKS, limit=1)
    if match:
        return f"unknown mark '[{word.group(1)}]'", f"did you mean '[{match[0]}]'?"
    return (f"unknown mark '[{word.group(1)}]'",
            f"{_known_marks()}; a link needs its target: [text](../concepts/…/id.md)")


def _known_marks() -> str:
    return f"known marks: {', '.join(KNOWN_MARKS)}"


# --- template placeholders --------------------------------------------------------------------

_FRONT_PLACEHOLDER_KEYS = ("id", "name", "city", "legal_form", "summary", "website")
_SOURCE_PLACEHOLDER_KEYS = ("id", "title", "publisher", "url")
_PLACEHOLDER_HINTS = {
    "id": "use the organisation's name as a slug, the same as the file name",
    "name": "write the organisation's real name",
    "city": "write the city its sources give, or delete the line",
    "legal_form": "write the legal form its sources give, or delete the line",
    "summary": "write one paragraph about this organisation in your own words",
    "website": "write the organisation's own web address, or delete the line",
    "sources.id": "give the source a short id of its own, e.g. guardian-2019, and cite it as [src: guardian-2019]",
    "sources.title": "write the title as published",
    "sources.publisher": "write who published it",
    "sources.url": "write the address of the page you read",
}
#: The new-case skeleton's commented-out website, should someone uncomment it unchanged.
_EXTRA_PLACEHOLDERS = {"website": {"https://example.org/"}}


@cache
def _template_placeholders(template: Path = TEMPLATE) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """The template's placeholder values: by front-matter key, and its sentences in the body."""
    text = template.read_text(encoding="utf-8")
    front = split_front_matter(text, "template")
    data = front.data or {}
    values: dict[str, set[str]] = {key: set(_EXTRA_PLACEHOLDERS.get(key, ())) for key in _FRONT_PLACEHOLDER_KEYS}
    for key in _FRONT_PLACEHOLDER_KEYS:
        if isinstance(data.get(key), str):
            values[key].add(_normal(data[key]))
    for key in _SOURCE_PLACEHOLDER_KEYS:
        values[f"sources.{key}"] = {_normal(s[key]) for s in data.get("sources", [])
                                    if isinstance(s, dict) and isinstance(s.get(key), str)}
    body = parse_body(front.body, front.body_start_line)
    sentences = {_normal(item.detail) for item in body.items if len(item.detail.split()) >= 3}
    sentences |= {_normal(_strip_sources(section.text)) for section in body.sections
                  if section.key not in _MARKED_SECTIONS and section.text}
    return {key: frozenset(v) for key, v in values.items()}, frozenset(s for s in sentences if s)


def placeholder_problems(doc: Document) -> list[Problem]:
    """Values still as ``templates/case.md`` has them: an unchanged template never validates clean."""
    if doc.role != "case" or doc.front is None or doc.front.data is None:
        return []
    front_values, sentences = _template_placeholders()
    data, problems = doc.data, []

    def report(path: tuple, key: str, value: str) -> None:
        line, col = doc.at(*path)
        shown = value if len(value) <= 60 else value[:57] + "…"
        problems.append(Problem(doc.where, line, col, f"{_dotted(path)}: {shown!r} is the template's placeholder",
                                _PLACEHOLDER_HINTS[key], code="placeholder"))

    for key in _FRONT_PLACEHOLDER_KEYS:
        value = data.get(key)
        if isinstance(value, str) and _normal(value) in front_values[key]:
            report((key,), key, value)
    for i, source in enumerate(data.get("sources") if isinstance(data.get("sources"), list) else []):
        if not isinstance(source, dict):
            continue
        for key in _SOURCE_PLACEHOLDER_KEYS:
            value = source.get(key)
            if isinstance(value, str) and _normal(value) in front_values[f"sources.{key}"]:
                report(("sources", i, key), f"sources.{key}", value)
    if doc.body is not None:
        longest = 2 * max(map(len, sentences), default=0)  # a longer text cannot be one (spaces aside)
        for item in doc.body.items:
            if item.detail and len(item.detail) <= longest and _normal(item.detail) in sentences:
                problems.append(Problem(doc.where, item.line, 1, f"'{item.detail}' is the template's example text",
                                        "say what your sources report, in your own words", code="placeholder"))
        for section in doc.body.sections:
            prose = section.key not in _MARKED_SECTIONS and section.text and len(section.text) <= 2 * longest
            if prose and _normal(_strip_sources(section.text)) in sentences:
                problems.append(Problem(doc.where, section.line + 2, 1,
                                        f"the {section.title} section is still the template's example text",
                                        "write it in your own words, or delete the section", code="placeholder"))
    return problems


def _normal(text: str) -> str:
    return " ".join(text.split()).lower()


def _strip_sources(text: str) -> str:
    return re.sub(r"\[src:[^\]]*\]", "", text, flags=re.IGNORECASE)


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --- figures ----------------------------------------------------------------------------------

_FIGURE_EXAMPLE = "figure: **18%** of staff left (2015) [src: id]"
_BOLD = re.compile(r"^\*\*(?P<inside>[^*]*)\*\*(?P<after>.*)$")
_CURRENCY = re.compile(r"^\s*(?P<sign>[$€£¥₹]|US\$|A\$|C\$)\s*(?P<number>\d[\d,.]*)\s*(?P<rest>.*)$")
_CURRENCY_CODES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "A$": "AUD", "C$": "CAD"}


def explain_bad_figure(text: str) -> tuple[str, str]:
    """Why a ``figure:`` sub-bullet did not parse, and how to write it; ``text`` has its marks removed.

    >>> explain_bad_figure("**$24** million revenue (2019)")[1]
    'write the currency after the number: **24 USD** million revenue (2019)'
    >>> explain_bad_figure("**12** nurses per team")[0]
    'figure is not in the expected form: it has no year'
    """
    text = text.strip()
    bold = _BOLD.match(text)
    if not bold:
        if re.match(r"^\d", text):
            return ("figure is not in the expected form: the number is not in bold",
                    f"put two asterisks either side of it: {_FIGURE_EXAMPLE}")
        return ("figure is not in the expected form: it does not start with a bold number",
                f"write it as: {_FIGURE_EXAMPLE}")
    inside, after = bold.group("inside").strip(), bold.group("after").strip()
    currency = _CURRENCY.match(inside)
    if currency:
        code = _CURRENCY_CODES.get(currency.group("sign"), currency.group("sign"))
        unit = f"{currency.group('rest')} {code}".strip()
        return (f"figure is not in the expected form: '{currency.group('sign')}' comes before the number",
                f"write the currency after the number: **{currency.group('number')} {unit}** {after}".strip())
    if not re.match(r"^[-+]?\d", inside):
        return (f"figure is not in the expected form: '{inside}' is not a number",
                "put only the number and its unit in bold, the words after it: **30%** of staff left (2016)")
    if not re.search(r"\(\s*\d{4}\s*\)\s*$", after):
        if re.search(r"\b(1[89]|20)\d{2}\b", after):
            return ("figure is not in the expected form: the year is not in brackets at the end",
                    "end it with the one year the figure describes, in brackets: … (2015) [src: id]")
        return ("figure is not in the expected form: it has no year",
                "end it with the year the figure describes, in brackets, before the source: … (2015) [src: id]")
    return "figure is not in the expected form", f"write it as: {_FIGURE_EXAMPLE}"


# --- friendlier schema hints ------------------------------------------------------------------

_PREVIOUS_PAIR = re.compile(r"([\w-]+)\s*:\s*([^,{}:]*?)\s*,\s*$")


def flow_mapping_comma_hint(doc: Document, path: tuple, key: str) -> str:
    """A hint for ``size[0]: unknown key '000 employees'``: a comma in a ``{…}`` value split it.

    Returns "" when the unknown key is not such a piece of a value (then the usual hint stands).
    """
    if doc.text is None or (*path, key) not in (doc.front.positions if doc.front else {}):
        return ""
    value = doc.data
    try:
        for part in path:
            value = value[part]
    except (KeyError, IndexError, TypeError):
        return ""
    if not isinstance(value, dict) or value.get(key) is not None:
        return ""
    line, col = doc.at(*path, key)
    lines = doc.text.split("\n")
    text = lines[line - 1] if line - 1 < len(lines) else ""
    start = text.rfind(key, 0, col)  # the position is that of the (empty) value; the key comes before it
    before = text[:start] if start >= 0 else text[: col - 1]
    if "{" not in before:
        return ""
    previous = _PREVIOUS_PAIR.search(before)
    if previous:
        whole = text[previous.start(2): start + len(key)] if start >= 0 else f"{previous.group(2)},{key}"
        return (f"a comma inside {{…}} starts a new key: quote the value, {previous.group(1)}: \"{whole}\"; "
                f"write a number without thousands separators (13000)")
    return "a comma inside {…} starts a new key: quote a value that contains a comma"


_COUNTRY_NAMES = {
    "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "great britain": "GB", "britain": "GB", "usa": "US", "u.s.": "US", "u.s.a.": "US", "america": "US",
    "united states of america": "US", "holland": "NL", "the netherlands": "NL", "uae": "AE",
}


def country_code_for(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a contributor most likely meant, or None.

    >>> [country_code_for(t) for t in ("United States", "USA", "us", "UK", "Deutschland?", "Netherlands")]
    ['US', 'US', 'US', 'GB', None, 'NL']
    """
    cleaned = str(text).strip()
    if not cleaned:
        return None
    if cleaned.lower() in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[cleaned.lower()]
    try:
        return pycountry.countries.lookup(cleaned).alpha_2
    except LookupError:
        pass
    names = {}
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)):
            if name:
                names[name.lower()] = country.alpha_2
    match = closest(cleaned.lower(), names, limit=1, cutoff=0.85)
    return names[match[0]] if match else None


def country_hint(value: object) -> str:
    """The hint for a country value that is not an alpha-2 code."""
    code = country_code_for(str(value)) if isinstance(value, (str, int)) else None
    if code == "GB" and str(value).strip().upper() in ("UK", "U.K."):
        return "did you mean 'GB'? the United Kingdom is GB in ISO 3166-1"
    if code:
        name = pycountry.countries.get(alpha_2=code)
        shown = getattr(name, "common_name", None) or name.name
        return f"did you mean '{code}' ({shown})? countries are ISO 3166-1 alpha-2 codes in capitals"
    return "use a two-letter ISO 3166-1 code in capitals, e.g. NL, GB or US"


# --- the content bar (validate only) ----------------------------------------------------------

def content_bar_problems(documents: list[Document]) -> list[Problem]:
    """Warnings for content below the repository's bar: thin cases and unused concepts.

    Links must have been resolved (``validate`` does it) so that bullets know their concept kind.
    """
    usable = [d for d in documents if d.front is not None and d.front.data is not None
              and isinstance(d.data.get("id"), str)]
    problems = []
    for doc in usable:
        if doc.role == "case" and doc.body is not None:
            problems.extend(thin_case_problems(doc))
            problems.extend(reliability_problems(doc))
    problems.extend(unused_concept_problems(usable))
    problems.extend(unmarked_other_organisation_problems(usable))
    return problems


def thin_case_problems(doc: Document) -> list[Problem]:
    """A case needs three sourced practices or frameworks, a sourced challenge and a sourced outcome."""
    counts: Counter[str] = Counter()
    for item in doc.body.items:
        if item.concept_kind and (item.sources or item.views):
            counts["practice" if item.concept_kind == "framework" else item.concept_kind] += 1
    problems = []
    for section, kind, wanted, what in (("practices", "practice", MIN_PRACTICES, "practices or frameworks"),
                                        ("challenges", "challenge", MIN_CHALLENGES, "challenges"),
                                        ("outcomes", "outcome", MIN_OUTCOMES, "outcomes")):
        if counts[kind] >= wanted:
            continue
        heading = doc.body.section(section)
        line, col = (heading.line, 1) if heading else doc.at("id")
        problems.append(Problem(
            doc.where, line, col,
            f"the case has {counts[kind]} sourced {what}; every case needs at least {wanted}",
            f"add a sourced bullet under ## {section.title()} linking to a concept page; "
            f"list them with: python graph_loader.py concepts --kind {kind}",
            severity="warning", code="thin-case"))
    return problems


_CONCEPT_LINK = re.compile(r"\]\((?:\.\./)?concepts/([a-z]+)/([^)\s#/]+)\.md(?:#[^)\s]*)?\)")


def unused_concept_problems(documents: list[Document]) -> list[Problem]:
    """Every concept is claimed by a case, linked from a case's prose, or broader than / included in one."""
    concepts = {d.data["id"]: d for d in documents if d.role in CONCEPT_FOLDERS}
    used: set[str] = set()
    for doc in documents:
        if doc.role != "case":
            continue
        if doc.body is not None:
            used.update(item.concept_id for item in doc.body.items if item.concept_id)
        if doc.front is not None:
            used.update(stem for _folder, stem in _CONCEPT_LINK.findall(doc.front.body))
    reachable = set(used)
    for concept_id in used:
        current, seen = concepts.get(concept_id), set()
        while current is not None and current.data["id"] not in seen:
            seen.add(current.data["id"])
            includes = current.data.get("includes")
            if isinstance(includes, list):
                reachable.update(i for i in includes if isinstance(i, str))
            broader = current.data.get("broader")
            if not isinstance(broader, str):
                break
            reachable.add(broader)
            current = concepts.get(broader)
    problems = []
    for concept_id, doc in sorted(concepts.items()):
        if concept_id in reachable:
            continue
        line, col = doc.at("id")
        problems.append(Problem(
            doc.where, line, col, f"no case uses the {doc.role} '{concept_id}'",
            "link to it from a case (a bullet or its prose), make it the broader: concept of a used one, "
            "or add it in the pull request of the case that needs it",
            severity="warning", code="unused-concept"))
    return problems
