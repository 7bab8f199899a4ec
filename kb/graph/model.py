"""Stage 4: the domain model built from validated documents.

The model is plain dataclasses: :class:`Corpus` holds organisations (cases),
concepts, sources and the controlled lists.  Every claim keeps the file and
line it came from, so that the graph, the site and the exports can show its
provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.check.vocabulary import Vocabulary
from kb.content.body import Figure, ScopeMark, View
from kb.content.parse import Document
from kb.evidence import DEFAULT_SCOPE, grade_for, reliability_for
from kb.kinds import CLAIM_TYPES, CONCEPT_FOLDERS, RELATION_TYPES

__all__ = [
    "Claim",
    "Concept",
    "Corpus",
    "Organisation",
    "Relation",
    "SizeFigure",
    "Source",
    "TimelineEvent",
    "build_corpus",
    "own_reliabilities",
    "scope_of",
    "size_band",
    "source_of",
]

SIZE_BANDS = ((10, "1-9"), (50, "10-49"), (250, "50-249"), (1000, "250-999"), (10000, "1000-9999"))


@dataclass
class Source:
    id: str
    title: str
    url: str = ""
    publication: str = ""
    author: str = ""
    publisher: str = ""
    date: str = ""
    type: str = ""
    reliability: str = ""
    language: str = ""  # BCP 47 tag of the title's language when it is not English (the site marks it up)
    #: Organisations (case ids or names) whose own people wrote it, or that commissioned or paid for it.
    affiliation: list[str] = field(default_factory=list)
    declared_in: list[str] = field(default_factory=list)


@dataclass
class Concept:
    id: str
    kind: str
    name: str
    definition: str
    aliases: list[str]
    broader: str
    includes: list[str]
    body: str
    file: str
    sources: list[str] = field(default_factory=list)
    reliability: dict[str, str] = field(default_factory=dict)  # of each source it declares


@dataclass
class Claim:
    """One bullet of Practices, Challenges or Outcomes: organisation -> concept, with evidence."""

    org: str
    concept: str
    kind: str  # practice, framework, challenge or outcome
    detail: str
    sources: list[str]
    status: str
    figures: list[Figure]
    views: list[View]
    file: str
    line: int
    scope: str = DEFAULT_SCOPE  # whom it is about (kb.evidence.SCOPES)
    about: list[str] = field(default_factory=list)  # the group: case ids or names, where given
    evidence: str = ""  # grade id (kb.evidence.GRADES), derived from the sources and status
    key: str = ""  # an explicit [key: name] for its graph id (kb.graph.rows.stable_ids)

    @property
    def rel_type(self) -> str:
        return CLAIM_TYPES[self.kind]

    @property
    def is_own(self) -> bool:
        """Whether the claim is about the organisation itself (only those become its edges)."""
        return self.scope == DEFAULT_SCOPE


@dataclass
class Relation:
    org: str
    type: str
    target: str
    sources: list[str]
    note: str
    since: int | None
    status: str
    file: str
    line: int
    evidence: str = ""

    @property
    def rel_type(self) -> str:
        return RELATION_TYPES[self.type]


@dataclass
class SizeFigure:
    measure: str
    value: float
    unit: str
    year: int
    source: str
    note: str
    status: str
    line: int
    evidence: str = ""
    key: str = ""  # an explicit key: for its graph id (kb.graph.rows.stable_ids)


@dataclass
class TimelineEvent:
    when: str
    text: str
    sources: list[str]
    line: int


@dataclass
class Disputed:
    """A bullet of the Contested claims section."""

    title: str
    detail: str
    status: str
    sources: list[str]
    views: list[View]
    line: int
    scope: str = DEFAULT_SCOPE
    about: list[str] = field(default_factory=list)
    evidence: str = ""
    key: str = ""  # an explicit [key: name] for its graph id (kb.graph.rows.stable_ids)


@dataclass
class Organisation:
    id: str
    name: str
    kind: str
    country: str
    sectors: list[str]
    status: str
    summary: str
    file: str
    aliases: list[str] = field(default_factory=list)
    city: str = ""
    region: str = ""
    founded: int | None = None
    adopted: int | None = None  # the year self-management (or the model) was adopted
    model_status: str = ""  # what became of it: ongoing, scaled-back, abandoned, pilot-ended, never-completed, unknown
    model_status_year: int | None = None  # the year it was scaled back, abandoned or ended
    legal_form: str = ""
    ownership: str = ""
    website: str = ""
    wikidata: str = ""  # the Wikidata item (Q...), where a page the contributor read shows it
    profile_sources: list[str] = field(default_factory=list)
    size: list[SizeFigure] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)
    disputes: list[Disputed] = field(default_factory=list)
    body: str = ""
    reliability: dict[str, str] = field(default_factory=dict)  # for its claims (own_reliabilities)

    def grade(self, sources: list[str], status: str = "") -> str:
        """The evidence grade of something this case says, citing these of its sources."""
        return grade_for([self.reliability.get(s, "") for s in sources], status)

    def latest(self, measure: str) -> SizeFigure | None:
        figures = [f for f in self.size if f.measure == measure]
        return max(figures, key=lambda f: f.year) if figures else None

    @property
    def size_band(self) -> str:
        staff = self.latest("staff")
        return size_band(staff.value) if staff else "unknown"


@dataclass
class Corpus:
    organisations: dict[str, Organisation]
    concepts: dict[str, Concept]
    sources: dict[str, Source]
    vocabulary: Vocabulary

    def concepts_of(self, kind: str) -> list[Concept]:
        return [c for c in self.concepts.values() if c.kind == kind]


def size_band(staff: float) -> str:
    """The staff-size band used for facets and comparisons.

    >>> size_band(8), size_band(1500), size_band(14000)
    ('1-9', '1000-9999', '10000+')
    """
    for limit, band in SIZE_BANDS:
        if staff < limit:
            return band
    return "10000+"


def build_corpus(documents: list[Document], vocabulary: Vocabulary) -> Corpus:
    """Build the model from documents that passed validation (links already resolved)."""
    sources: dict[str, Source] = {}
    concepts: dict[str, Concept] = {}
    organisations: dict[str, Organisation] = {}
    for doc in documents:
        for raw in doc.data.get("sources", []) or []:
            source = sources.setdefault(raw["id"], source_of(raw))
            source.declared_in.append(doc.data["id"])
        if doc.role in CONCEPT_FOLDERS:
            concepts[doc.data["id"]] = _concept(doc)
        elif doc.role == "case":
            organisations[doc.data["id"]] = _organisation(doc)
    return Corpus(organisations, concepts, sources, vocabulary)


_SOURCE_KEYS = {"id", "title", "url", "publication", "author", "publisher", "date", "type", "reliability",
                "language", "affiliation"}


def source_of(raw: dict) -> Source:
    """The :class:`Source` a valid declaration in a file's ``sources`` list describes (not yet declared anywhere).

    >>> source_of({"id": "a-s1", "title": "A", "url": "https://a.example/", "pages": "3"})
    Source(id='a-s1', title='A', url='https://a.example/', publication='', author='', publisher='', date='', \
type='', reliability='', language='', affiliation=[], declared_in=[])
    """
    return Source(**{k: list(v) if k == "affiliation" else v for k, v in raw.items() if k in _SOURCE_KEYS})


def _concept(doc: Document) -> Concept:
    data = doc.data
    return Concept(
        id=data["id"], kind=data["kind"], name=data["name"], definition=data["definition"],
        aliases=list(data.get("aliases", [])), broader=data.get("broader", ""),
        includes=list(data.get("includes", [])), body=doc.front.body.strip(), file=doc.where,
        sources=[s["id"] for s in data.get("sources", [])],
        reliability={s["id"]: s.get("reliability", "") for s in data.get("sources", [])},
    )


def scope_of(marks: list[ScopeMark], parent: tuple[str, list[str]] = (DEFAULT_SCOPE, [])) -> tuple[str, list[str]]:
    """(scope, about) of a bullet or sub-bullet from its ``[about: …]`` marks; none: its parent's.

    Validation allows at most one mark with a known kind, so the first one is the one.
    """
    if not marks:
        return parent[0], list(parent[1])
    return marks[0].kind, list(marks[0].about)


def own_reliabilities(data: dict) -> dict[str, str]:
    """Source id -> how reliable each source a case file declares is for that organisation's claims: its
    ``reliability``, but its own account at best when its ``affiliation`` names the organisation
    (by id, name or alias; :func:`kb.evidence.reliability_for`).

    >>> own_reliabilities({"id": "zappos", "name": "Zappos", "sources": [
    ...     {"id": "hbr", "reliability": "third-party", "affiliation": ["Zappos"]},
    ...     {"id": "nyt", "reliability": "third-party"}]})
    {'hbr': 'self-reported', 'nyt': 'third-party'}
    """
    aliases = data.get("aliases") if isinstance(data.get("aliases"), list) else []
    names = [n for n in (data.get("id"), data.get("name"), *aliases) if isinstance(n, str)]
    return {s["id"]: reliability_for(s.get("reliability") or "", s.get("affiliation") or [], names)
            for s in data.get("sources") or [] if isinstance(s, dict) and isinstance(s.get("id"), str)}


def _organisation(doc: Document) -> Organisation:
    data = doc.data

    org = Organisation(
        id=data["id"], name=data["name"], kind=data["kind"], country=data["country"],
        sectors=list(data["sectors"]), status=data["status"], summary=data["summary"].strip(),
        file=doc.where, aliases=list(data.get("aliases", [])), city=data.get("city", ""),
        region=data.get("region", ""), founded=data.get("founded"), adopted=data.get("adopted"),
        model_status=data.get("model_status", ""), model_status_year=data.get("model_status_year"),
        legal_form=data.get("legal_form", ""), ownership=data.get("ownership", ""),
        website=data.get("website", ""), wikidata=data.get("wikidata", ""),
        profile_sources=list(data["profile_sources"]),
        sources=[s["id"] for s in data["sources"]], body=doc.front.body,
        reliability=own_reliabilities(data),
    )
    # Every source a case cites is declared in its own file, with the same reliability everywhere
    # (validation), so the file alone grades its claims, also when only it is reloaded.
    evidence = org.grade
    for i, raw in enumerate(data.get("size", []) or []):
        org.size.append(SizeFigure(raw["measure"], float(raw["value"]), raw.get("unit", ""), raw["year"],
                                   raw["source"], raw.get("note", ""), raw.get("status", ""),
                                   doc.at("size", i)[0], evidence([raw["source"]], raw.get("status", "")),
                                   raw.get("key", "")))
    for i, raw in enumerate(data.get("relations", []) or []):
        org.relations.append(Relation(org.id, raw["type"], raw["target"], list(raw["sources"]),
                                      raw.get("note", ""), raw.get("since"), raw.get("status", ""),
                                      doc.where, doc.at("relations", i)[0],
                                      evidence(raw["sources"], raw.get("status", ""))))
    for item in doc.body.items if doc.body else []:
        scope, about = scope_of(item.scope_marks)
        for sub in [*item.figures, *item.views]:
            sub.scope, sub.about = scope_of(sub.scope_marks, (scope, about))
            sub.evidence = evidence(sub.sources, getattr(sub, "status", ""))
        # A contested bullet may rest on its views alone: then they are what it cites.
        cited = item.sources or list(dict.fromkeys(s for view in item.views for s in view.sources))
        if item.concept_id:
            org.claims.append(Claim(org.id, item.concept_id, item.concept_kind, item.detail, item.sources,
                                    item.status, item.figures, item.views, doc.where, item.line,
                                    scope, about, evidence(cited, item.status), item.key))
        elif item.section == "timeline":
            org.timeline.append(TimelineEvent(item.title, item.detail, item.sources, item.line))
        elif item.section == "contested claims":
            org.disputes.append(Disputed(item.title, item.detail, item.status or "contested",
                                         item.sources, item.views, item.line, scope, about,
                                         evidence(cited, item.status), item.key))
    return org
