"""The registry of concept kinds, claim types and relations between organisations: declared once.

Shared by every stage (like :mod:`kb.evidence`): the content finder walks each kind's folder, the body
parser reads each section's claims, the model and the graph name each claim's relationship type, the
queries and the analysis select claims by it and the site links each kind's pages.  A new kind of
concept is one more :class:`ConceptKind` here.

>>> CONCEPT_FOLDERS["framework"], KIND_OF_FOLDER["challenges"], CLAIM_TYPES["outcome"]
('frameworks', 'challenge', 'REPORTED')
>>> KIND_OF_CLAIM_TYPE["FACED"], CLAIM_REL_TYPES
('challenge', ('USES_PRACTICE', 'USES_FRAMEWORK', 'FACED', 'REPORTED'))
>>> SECTION_KINDS, RELATION_TYPES["adopted-model-of"]
({'practices': 'practice', 'challenges': 'challenge', 'outcomes': 'outcome'}, 'ADOPTED_MODEL_OF')
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CLAIM_REL_TYPES",
    "CLAIM_TYPES",
    "CONCEPT_FOLDERS",
    "CONCEPT_LABELS",
    "KINDS",
    "KIND_OF_CLAIM_TYPE",
    "KIND_OF_FOLDER",
    "RELATION_REL_TYPES",
    "RELATION_TYPES",
    "SECTION_KINDS",
    "ConceptKind",
    "concept_kind",
]


@dataclass(frozen=True)
class ConceptKind:
    """One kind of concept and everything named after it."""

    id: str  # practice
    folder: str  # its folder under concepts/ and its pages' URL folder: practices
    label: str  # its node label in the graph: Practice
    title: str  # its list page's title: Practices
    claim_type: str  # the relationship type of an organisation's claim about one: USES_PRACTICE
    section: str  # the case-file section its claims are written in: practices


#: The kinds, in the order a case page lists its claims (what it does, then what it met and reported).
#: Frameworks are written in the Practices section: a framework is a set of practices.
KINDS: tuple[ConceptKind, ...] = (
    ConceptKind("practice", "practices", "Practice", "Practices", "USES_PRACTICE", "practices"),
    ConceptKind("framework", "frameworks", "Framework", "Frameworks", "USES_FRAMEWORK", "practices"),
    ConceptKind("challenge", "challenges", "Challenge", "Challenges", "FACED", "challenges"),
    ConceptKind("outcome", "outcomes", "Outcome", "Outcomes", "REPORTED", "outcomes"),
)
_BY_ID = {k.id: k for k in KINDS}

#: Kind -> folder (concepts/<folder>/ and the site's /<folder>/<id>).
CONCEPT_FOLDERS: dict[str, str] = {k.id: k.folder for k in KINDS}
#: Folder -> kind.
KIND_OF_FOLDER: dict[str, str] = {k.folder: k.id for k in KINDS}
#: Node labels of the concepts.
CONCEPT_LABELS: tuple[str, ...] = tuple(k.label for k in KINDS)
#: Kind -> relationship type of a claim about a concept of that kind.
CLAIM_TYPES: dict[str, str] = {k.id: k.claim_type for k in KINDS}
#: The claim relationship types.
CLAIM_REL_TYPES: tuple[str, ...] = tuple(CLAIM_TYPES.values())
#: Claim relationship type -> kind.
KIND_OF_CLAIM_TYPE: dict[str, str] = {k.claim_type: k.id for k in KINDS}
#: Case-file section -> the kind a claim bullet there links to by default (a framework link in
#: Practices is a framework claim: the link's folder decides).
SECTION_KINDS: dict[str, str] = {"practices": "practice", "challenges": "challenge", "outcomes": "outcome"}

#: Relations between organisations: front-matter ``relations[].type`` -> relationship type.
RELATION_TYPES: dict[str, str] = {
    "partner-of": "PARTNER_OF",
    "adopted-model-of": "ADOPTED_MODEL_OF",
    "inspired-by": "INSPIRED_BY",
    "part-of": "PART_OF",
}
RELATION_REL_TYPES: tuple[str, ...] = tuple(RELATION_TYPES.values())


def concept_kind(kind_id: str) -> ConceptKind:
    """The kind with this id (``KeyError`` for an unknown one: kinds are checked before here).

    >>> concept_kind("challenge").title
    'Challenges'
    """
    return _BY_ID[kind_id]
