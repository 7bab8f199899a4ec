"""A new case file, with placeholders the validator points at; ``templates/case.md`` is the same text.

:func:`case_skeleton` writes the text of a new case: the schema line, the sections of
:data:`SECTIONS`, the id (a slug of the name), and the word ``TODO`` wherever the contributor must
write something.  ``templates/case.md`` is :func:`template_text`, the skeleton of "Organisation
Name" (a test keeps the file equal to it), so that copying the template and running ``new-case``
give the same file.
Every placeholder is chosen so that ``python graph_loader.py validate`` reports it, at its line,
until it is filled: ``kind: TODO`` is not an allowed kind, ``summary: TODO`` is too short, a body
link to ``../concepts/practices/TODO`` is not a concept page, ``[src: TODO]`` names no declared
source, and so on.  A file straight from ``new-case`` therefore never validates by accident.

>>> case_id_for("Société Coopérative Ouvrière")
'societe-cooperative-ouvriere'
>>> text = case_skeleton("Precision Nutrition", country="CA")
>>> text.splitlines()[1], "id: precision-nutrition" in text, "country: CA" in text
('# yaml-language-server: $schema=../kb/schemas/case.schema.json', True, True)
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from slugify import slugify

from kb.check.duplicates import OrganisationNames
from kb.content.files import REPO_ROOT, ContentLayout, discover
from kb.content.parse import parse_file
from kb.problems import KbError

__all__ = ["PLACEHOLDER", "SECTIONS", "TEMPLATE", "NewCaseError", "case_id_for", "case_skeleton",
           "existing_organisations", "template_text", "write_new_case"]

#: The word that marks every placeholder (editors highlight it; ``grep -n TODO`` finds them all).
PLACEHOLDER = "TODO"
TEMPLATE = REPO_ROOT / "templates" / "case.md"
_SCHEMA_LINE = "# yaml-language-server: $schema=../kb/schemas/case.schema.json"
_ID_MAX_LENGTH = 80  # the schema's limit on slugs
#: The sections of a new case, in the order of docs/case-format.md (those it always has something for).
SECTIONS = ("Context", "Practices", "Challenges", "Outcomes", "Timeline", "Contested claims", "Lessons")
_SCOPE_NOTE = """<!-- Scope: without a mark a bullet is about this organisation, which is right for most bullets.
     A claim about others gets [about: supported], [about: inspired], [about: franchised] or
     [about: general] next to the link, optionally naming the group with case ids or in words:
     [about: supported: other care providers]. See docs/case-format.md. -->"""
_NEW_CASE_HEADER = ("# Made by `python graph_loader.py new-case`. Replace every TODO with what your sources say, "
                    "delete\n# what you have no source for, and check with: python graph_loader.py validate "
                    "cases/{case_id}.md")
_TEMPLATE_HEADER = ("# Copy this file to cases/<id>.md, or run: python graph_loader.py new-case \"Name\". Replace "
                    "every TODO\n# with what your sources say, delete what you have no source for, and check with: "
                    "python graph_loader.py validate")

#: What each section of a new case starts with; every placeholder line cites [src: TODO], which
#: the validator reports as an unknown source until it names a declared one.
_SECTION_PLACEHOLDERS = {
    "context": "TODO: what the organisation does, where, and how it came to manage itself this way. [src: TODO]",
    "practices": "- [TODO](../concepts/practices/TODO): TODO [src: TODO]",
    "challenges": "- [TODO](../concepts/challenges/TODO): TODO [src: TODO]\n"
                  "  - figure: **TODO** what the number counts (TODO) [src: TODO]\n" + _SCOPE_NOTE,
    "outcomes": "- [TODO](../concepts/outcomes/TODO): TODO [src: TODO]",
    "timeline": "- **TODO**: TODO [src: TODO]",
    "contested claims": "- **TODO** [contested]: TODO, or delete this section. [src: TODO]\n"
                        "  - view: TODO [src: TODO]\n"
                        "  - view: TODO [src: TODO]",
    "lessons": "TODO: what others can learn from this case, or delete this section. [src: TODO]",
}
_GENERIC_PLACEHOLDER = "TODO, or delete this section. [src: TODO]"


class NewCaseError(KbError):
    """The case cannot be created (the file exists, or the name gives no usable id)."""


def case_id_for(name: str) -> str:
    """The id (and file name) of a case: the name as a slug, accents transliterated.

    Uses python-slugify, which turns any script into ASCII (``Ærø`` -> ``aero``).

    >>> case_id_for("W. L. Gore & Associates")
    'w-l-gore-associates'
    >>> case_id_for("Haier 海尔")
    'haier-hai-er'
    >>> case_id_for("!!!")
    ''
    """
    return slugify(name, max_length=_ID_MAX_LENGTH, word_boundary=True)


def existing_organisations(layout: ContentLayout) -> list[OrganisationNames]:
    """The name, aliases and website of every case file that can be read."""
    found = []
    for file in discover(layout, [layout.cases] if layout.cases.is_dir() else []):
        if file.role == "case":
            names = OrganisationNames.of(parse_file(file, layout))
            if names:
                found.append(names)
    return found


def case_skeleton(name: str, case_id: str | None = None, *, country: str | None = None,
                  sectors: tuple[str, ...] | list[str] = (), kind: str | None = None,
                  website: str | None = None, header: str = _NEW_CASE_HEADER) -> str:
    """The text of a new case file: front matter with placeholders, then the sections of :data:`SECTIONS`.

    ``country``, ``sectors`` and ``kind`` fill those keys; each one not given stays ``TODO``.

    >>> text = case_skeleton("Gamma Co-op", kind="cooperative", sectors=["retail"])
    >>> [line[:13] for line in text.splitlines() if line.startswith(("kind:", "sectors:", "country:"))]
    ['kind: coopera', 'country: TODO', 'sectors: [ret']
    """
    case_id = case_id or case_id_for(name)
    front = _front_matter(name, case_id, country, list(sectors), kind, header.format(case_id=case_id), website)
    body = "\n\n".join(f"## {title}\n\n{_SECTION_PLACEHOLDERS.get(title.lower(), _GENERIC_PLACEHOLDER)}"
                       for title in SECTIONS)
    return f"{front}\n\n{body}\n"


def template_text() -> str:
    """What ``templates/case.md`` holds: the skeleton of a case named "Organisation Name"."""
    return case_skeleton("Organisation Name", "organisation-id", header=_TEMPLATE_HEADER)


def write_new_case(cases_folder: Path, name: str, case_id: str | None = None, **options: object) -> Path:
    """Write ``cases/<id>.md``; refuse to touch a file that exists.

    Raises
    ------
    NewCaseError
        If the name gives an empty id or the file already exists.
    """
    case_id = case_id or case_id_for(name)
    if not case_id:
        raise NewCaseError(f"cannot make an id from the name {name!r}; give one with --id")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case_id) or len(case_id) > _ID_MAX_LENGTH:
        raise NewCaseError(f"id {case_id!r} must be lowercase letters, digits and single hyphens")
    path = cases_folder / f"{case_id}.md"
    if path.exists() or path.is_symlink():
        raise NewCaseError(f"{cases_folder.name}/{path.name} already exists; edit it, or choose another id with --id")
    text = case_skeleton(name, case_id, **options)
    cases_folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    return path


def _front_matter(name: str, case_id: str, country: str | None, sectors: list[str], kind: str | None,
                  header: str, website: str | None = None) -> str:
    sector_list = f"[{', '.join(sectors)}]" if sectors else f"[{PLACEHOLDER}]"
    lines = [
        "---",
        _SCHEMA_LINE,
        header,
        "# Format: docs/case-format.md. How to cite and what counts as evidence: CONTRIBUTING.md.",
        f"id: {case_id}",
        f"name: {_yaml_string(name)}",
        f"kind: {kind or PLACEHOLDER}" + ("" if kind else
                                         "             # company | nonprofit | charity | cooperative | public-body |"
                                         "\n                       # social-enterprise | network | partnership |"
                                         " programme | school"),
        f"country: {country or PLACEHOLDER}" + ("" if country else
                                                "          # ISO 3166-1 alpha-2 code in capitals, e.g. NL, GB, US"),
        f"sectors: {sector_list}" + ("" if sectors else "        # ids from vocabulary/sectors.yaml"),
        "founded: TODO          # the year, e.g. 2006; delete the line if no source gives it",
        "status: TODO           # active | closed | acquired | merged | dormant | pilot-ended | unknown",
        "summary: TODO          # one paragraph of 40 to 2,000 characters, in your own words",
        "profile_sources: [TODO]   # ids of the sources for founded, place, legal form and status",
        "# Optional, each fact with a source (uncomment what you use):",
        "# aliases: [Other name]",
        "# city: City",
        "# region: Region",
        "# legal_form: Private company",
        "# ownership: Owned by its staff",
        f"website: {_yaml_string(website)}" if website else "# website: https://example.org/",
        "# size:",
        "#   - {measure: staff, value: 100, year: 2020, source: source-id}",
        "# relations:   # partner-of | adopted-model-of | inspired-by | part-of, with another case's id",
        "#   - {type: adopted-model-of, target: holacracyone, since: 2012, sources: [source-id]}",
        "sources:",
        "  - id: TODO-source    # a short slug, e.g. guardian-2019; cite it in the text as [src: guardian-2019]",
        "    title:             # TODO: the title as published",
        "    publisher:         # TODO: who published it: a newspaper, a website, the organisation itself",
        "    date: TODO         # YYYY, YYYY-MM or YYYY-MM-DD",
        "    url: TODO          # https://... (for print without a URL, write publication: instead)",
        "    type: TODO         # article | blog | book | report | academic | web | news | video | official",
        "    reliability: TODO  # independent | third-party | self-reported | opinion (CONTRIBUTING.md, "
        "'Which reliability')",
        "    # affiliation: [organisation-id]   # optional: whose own people wrote it, or who paid for it",
        "---",
    ]
    return "\n".join(lines)


def _yaml_string(value: str) -> str:
    """A YAML scalar for ``value``: plain when that reads back the same, quoted otherwise.

    >>> _yaml_string("Buurtzorg"), _yaml_string("Zappos: the Holacracy years"), _yaml_string("2006")
    ('Buurtzorg', "'Zappos: the Holacracy years'", "'2006'")
    """
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10_000, default_flow_style=True)
    return dumped.strip().removesuffix("...").strip()
