"""The concepts a case can link to, listed and searched (``python graph_loader.py concepts``).

>>> from pathlib import Path
>>> from kb.content.files import ContentLayout
>>> found = list_concepts(ContentLayout(Path("tests/fixtures/mini")), "practice")
>>> [c.id for c in search_concepts(found, "coach")]
['coaches-not-managers']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rapidfuzz import fuzz, process

from kb.content.files import ContentLayout, discover
from kb.content.parse import parse_file
from kb.kinds import CONCEPT_FOLDERS

__all__ = ["ConceptEntry", "closest_concepts", "list_concepts", "search_concepts"]


@dataclass(frozen=True)
class ConceptEntry:
    """One concept page as the list shows it."""

    kind: str
    id: str
    name: str
    definition: str
    aliases: tuple[str, ...] = ()
    broader: str = ""
    path: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["aliases"] = list(self.aliases)
        return data

    def text(self) -> str:
        return " ".join((self.id.replace("-", " "), self.name, *self.aliases, self.definition)).lower()


def list_concepts(layout: ContentLayout, kind: str | None = None) -> list[ConceptEntry]:
    """Every concept page (of ``kind``), by kind then id; pages whose front matter cannot be read are left out."""
    order = list(CONCEPT_FOLDERS)
    entries = []
    for file in discover(layout, [layout.concepts] if layout.concepts.is_dir() else []):
        if file.role not in CONCEPT_FOLDERS or (kind and file.role != kind):
            continue
        data = parse_file(file, layout).data
        if not isinstance(data.get("id"), str):
            continue
        aliases = tuple(a for a in data.get("aliases") or [] if isinstance(a, str)) \
            if isinstance(data.get("aliases"), list) else ()
        entries.append(ConceptEntry(file.role, data["id"], str(data.get("name") or data["id"]),
                                    str(data.get("definition") or ""), aliases,
                                    data["broader"] if isinstance(data.get("broader"), str) else "", file.display))
    return sorted(entries, key=lambda e: (order.index(e.kind), e.id))


def search_concepts(entries: list[ConceptEntry], words: str) -> list[ConceptEntry]:
    """The entries whose id, name, aliases or definition contain every one of ``words`` (any case)."""
    wanted = [w for w in words.lower().replace("-", " ").split() if w]
    return [e for e in entries if all(w in e.text() for w in wanted)]


def closest_concepts(entries: list[ConceptEntry], words: str, limit: int = 3) -> list[ConceptEntry]:
    """When nothing contains the words: the entries whose id, name or alias is closest to them."""
    choices = {}
    for index, entry in enumerate(entries):
        for label in (entry.id.replace("-", " "), entry.name, *entry.aliases):
            choices[(index, label)] = label.lower()
    best: list[int] = []
    for _label, _score, (index, _) in process.extract(words.lower(), choices, scorer=fuzz.WRatio, limit=limit * 4,
                                                       score_cutoff=60):
        if index not in best:
            best.append(index)
    return [entries[i] for i in best[:limit]]
