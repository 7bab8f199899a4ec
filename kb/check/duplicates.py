"""Two case files about one organisation, or two concept pages for one concept.

Organisations are found by name, alias, website and shared sources; concepts by id, name and alias.

Names are compared after normalisation (case, accents, ``&``/"and", punctuation, legal forms such
as Ltd or Stichting, a bracketed addition), then fuzzily with RapidFuzz; websites by host and path
(``https://www.buurtzorg.com/`` and ``http://buurtzorg.com`` are one site).

* The same normalised name or alias, or the same website, is an **error** (``duplicate-organisation``):
  one organisation would become two nodes and its claims would be split between them.
* A very similar name is a **note** (``similar-organisation``): worth a look, but two organisations
  may really have near names, so it fails nothing, not even ``validate --strict``.
* Most of the sources of the smaller file shared (by normalised URL: at least three, and four in five),
  or a very similar name and a source in common, is an **error** too: a copied file under a new name.
* Two cases of which one names the other in ``relations:`` are known to be different and never reported.
* Two concept pages with the same normalised id, name or alias (case, accents, punctuation and a
  plural ``s`` aside: ``self-managing-team`` and ``self-managing-teams``) are an **error**
  (``duplicate-concept``) on the later file, naming the other (:func:`concept_problems`).

``new-case`` uses :func:`matches_for` to refuse a second file for an organisation already there.

>>> name_keys("Stichting Buurtzorg Nederland")
('buurtzorg nederland',)
>>> name_keys("Buurtzorg Britain & Ireland (Public World)")
('buurtzorg britain and ireland public world', 'buurtzorg britain and ireland')
>>> website_key("https://www.Buurtzorg.com/"), website_key("http://buurtzorg.com")
('buurtzorg.com', 'buurtzorg.com')
>>> a, b = (OrganisationNames(f"cases/{n}.md", n, n) for n in ("Care Team 12", "Care Team 13"))
>>> matches_for("Care Teem 12", [a, b])[0].describe(), len(matches_for("Care Teem 12", [a, b]))
('cases/Care Team 12.md (Care Team 12; similar name)', 1)
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Protocol
from urllib.parse import urlsplit

from rapidfuzz import fuzz
from slugify import slugify

from kb.check.sources import normalised_url
from kb.problems import Problem

__all__ = ["SIMILARITY", "LookAlikeIndex", "Match", "OrganisationNames", "concept_key", "concept_problems",
           "keyed_pairs_involving", "look_alike_keys", "look_alike_problems", "matches_for", "name_keys",
           "organisation_problems", "website_key"]

#: RapidFuzz ratio (0-100) from which two normalised names count as similar.
SIMILARITY = 90
#: Words that say what legal form an organisation has, not which organisation it is.
_LEGAL_WORDS = {
    "ltd", "limited", "inc", "incorporated", "llc", "llp", "plc", "cic", "corp", "corporation", "co", "company",
    "bv", "nv", "gmbh", "ag", "sa", "sas", "sarl", "srl", "spa", "ab", "as", "oy", "stichting", "ev", "eg", "the",
}
#: How many following names (in alphabetical order, forwards and backwards) each name is compared with.
_WINDOW = 4


@dataclass(frozen=True)
class OrganisationNames:
    """What identifies an organisation: its case file, id, name, aliases, website and related cases."""

    path: str
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    website: str = ""
    related: frozenset[str] = frozenset()
    name_at: tuple[int, int] = (1, 1)
    website_at: tuple[int, int] = (1, 1)
    sources: frozenset[str] = frozenset()  # the pages it cites, by normalised URL

    @classmethod
    def of(cls, doc: object) -> OrganisationNames | None:
        """From a parsed case document (anything with ``data``, ``where`` and ``at``)."""
        data = getattr(doc, "data", None) or {}
        if not isinstance(data.get("id"), str) or not isinstance(data.get("name"), str):
            return None
        aliases = tuple(a for a in data.get("aliases") or [] if isinstance(a, str)) \
            if isinstance(data.get("aliases"), list) else ()
        relations = data.get("relations") if isinstance(data.get("relations"), list) else []
        related = frozenset(r["target"] for r in relations if isinstance(r, dict) and isinstance(r.get("target"), str))
        website = data.get("website") if isinstance(data.get("website"), str) else ""
        pages = getattr(doc, "source_pages", None)  # a stand-in of an unchanged file has them recorded
        if pages is not None:
            sources = frozenset(page for page in pages if page)
        else:
            declared = data.get("sources") if isinstance(data.get("sources"), list) else []
            sources = frozenset(normalised_url(s["url"]) for s in declared if isinstance(s, dict)
                                and isinstance(s.get("url"), str) and s["url"].strip())
        return cls(doc.where, data["id"], data["name"], aliases, website, related, doc.at("name"), doc.at("website"),
                   sources)

    def name_keys(self) -> list[tuple[str, str]]:
        """(normalised name, what it is) for the name and each alias."""
        out = [(key, "name") for key in name_keys(self.name)]
        for alias in self.aliases:
            out.extend((key, f"alias '{alias}'") for key in name_keys(alias))
        return out


@dataclass(frozen=True)
class Match:
    """An existing organisation that a name (or website) matches, and how."""

    organisation: OrganisationNames
    reason: str
    exact: bool

    def describe(self) -> str:
        return f"{self.organisation.path} ({self.organisation.name}; {self.reason})"


@lru_cache(maxsize=100_000)
def name_keys(name: str) -> tuple[str, ...]:
    """The normalised forms of a name: in full and, if it has one, without its bracketed part."""
    keys: list[str] = []
    for variant in (name, re.sub(r"\([^)]*\)", " ", name)):
        text = re.sub(r"\s*&\s*", " and ", variant)
        # Plain ASCII needs no transliteration (most names, and slugify is slow); the rest goes through it.
        plain = _WORDS.findall(text.lower()) if text.isascii() else slugify(text, separator=" ").split()
        words = [w for w in plain if w not in _LEGAL_WORDS]
        key = " ".join(words)
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)


@lru_cache(maxsize=100_000)
def website_key(url: str) -> str:
    """Host (without ``www.``) and path (without a trailing slash), lowercased; "" if not a web address."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/').lower()}" if host else ""


def matches_for(name: str, organisations: list[OrganisationNames], website: str = "",
                aliases: tuple[str, ...] = ()) -> list[Match]:
    """The existing organisations that ``name`` (or its aliases, or ``website``) may be, best first."""
    wanted = [(key, "name") for n in (name, *aliases) for key in name_keys(n)]
    site = website_key(website) if website else ""
    found: dict[str, Match] = {}
    for organisation in organisations:
        match = _match(wanted, site, organisation)
        if match:
            found.setdefault(organisation.path, match)
    return sorted(found.values(), key=lambda m: (not m.exact, m.organisation.path))


def _match(wanted: list[tuple[str, str]], site: str, other: OrganisationNames) -> Match | None:
    if site and site == website_key(other.website):
        return Match(other, f"same website {other.website}", True)
    best: tuple[float, str] | None = None
    for key, _ in wanted:
        for other_key, what in other.name_keys():
            if key == other_key:
                return Match(other, f"same {what}" if what != "name" else "same name", True)
            if _numbers(key) != _numbers(other_key):
                continue  # "Team 1" and "Team 2" are two teams however alike the names look
            score = fuzz.ratio(key, other_key)
            if score >= SIMILARITY and (best is None or score > best[0]):
                best = (score, what)
    if best:
        return Match(other, f"similar {best[1]}", False)
    return None


_NUMBER = re.compile(r"\d+")
_WORDS = re.compile(r"[a-z0-9]+")


def _numbers(key: str) -> list[str]:
    return _NUMBER.findall(key)


def organisation_problems(documents: list, involving: set[str] | None = None) -> list[Problem]:
    """Cases that look like the same organisation, reported on both files of each pair.

    The same normalised name or alias, or the same website, is found through an index (whatever the
    number of cases); similar names by comparing each name with its alphabetical neighbours.  With
    ``involving`` (paths: the files a reload changed), only the pairs with one of those files are
    compared; which pairs those are is decided over every case, as without it, from what each
    case's :func:`look_alike_keys` are (a reload's stand-ins have them recorded, ``look_alike``).
    """
    cases = sorted((d for d in documents if getattr(d, "role", "") == "case" and _named(d)), key=lambda d: d.where)
    pairs, organisations = _pairs_to_compare(cases, involving)
    return look_alike_problems([(organisations[a], organisations[b]) for a, b in sorted(pairs)])


def look_alike_problems(pairs: list[tuple[OrganisationNames, OrganisationNames]]) -> list[Problem]:
    """The problems of the ``pairs`` that look like one organisation (each pair in file order), on both files."""
    problems = []
    for first, second in pairs:
        match = _pair_match(first, second)
        if match is None:
            continue
        for this, other in ((second, first), (first, second)):  # on both files: either may be the new one
            problems.append(_duplicate_problem(this, other, match))
    return problems


def _pairs_to_compare(cases: list, involving: set[str] | None,
                      ) -> tuple[set[tuple[int, int]], list[OrganisationNames | None]]:
    """The index pairs to compare and each case's names (only those in a pair, with ``involving``)."""
    if involving is None:
        organisations = [OrganisationNames.of(d) for d in cases]
        return _exact_pairs(organisations) | _similar_pairs(organisations) | _source_pairs(organisations), organisations
    keys = [getattr(d, "look_alike", None) or look_alike_keys(OrganisationNames.of(d)) for d in cases]
    pairs = _pairs_involving(keys, {i for i, d in enumerate(cases) if d.where in involving})
    wanted = {i for pair in pairs for i in pair}
    return pairs, [OrganisationNames.of(d) if i in wanted else None for i, d in enumerate(cases)]


def _pair_match(first: OrganisationNames, second: OrganisationNames) -> Match | None:
    """Why two cases look like one organisation, or None (they differ, or their author relates them)."""
    if first.id in second.related or second.id in first.related or first.id == second.id:
        return None  # the author knows both (a relation), or a duplicate id, reported on its own
    match = _match(first.name_keys(), website_key(first.website), second)
    shared = len(first.sources & second.sources)
    if match is not None and not match.exact and shared:
        return Match(second, f"{match.reason} and {shared} source(s) in common", True)
    if (match is None or not match.exact) and _mostly_shared(first, second):
        return Match(second, f"{shared} of its sources in common", True)
    return match


#: What the pairs to compare are found by (:func:`look_alike_keys`).
LookAlikeKeys = tuple[tuple[str, ...], str, frozenset[str]]


def _named(doc: object) -> bool:
    data = getattr(doc, "data", None) or {}
    return isinstance(data.get("id"), str) and isinstance(data.get("name"), str)


def look_alike_keys(organisation: OrganisationNames) -> LookAlikeKeys:
    """What the pairs to compare are found by: the normalised names and aliases, the website, the pages cited."""
    return (tuple(key for key, _ in organisation.name_keys()), website_key(organisation.website),
            organisation.sources)


def _pairs_involving(keys: list[LookAlikeKeys], involved: set[int]) -> set[tuple[int, int]]:
    """The index pairs :func:`organisation_problems` compares that include an ``involved`` index.

    The same pairs as :func:`_exact_pairs`, :func:`_similar_pairs` and :func:`_source_pairs` give,
    less those between two others, found without comparing the others with one another.
    """
    pairs: set[tuple[int, int]] = set()
    for a, b in (*_shared_key_pairs(keys, involved), *_shared_page_pairs(keys, involved),
                 *_neighbour_pairs(keys, involved)):
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    return pairs


class LookAlikeIndex(Protocol):
    """The look-ups :func:`keyed_pairs_involving` needs of the unchanged cases (a reload's manifest,
    ``kb.store.keyed_manifest``): by name key or website key, by page, and alphabetical neighbours."""

    def with_name_keys(self, keys: Iterable[str], sites: Iterable[str]) -> list[str]: ...

    def named_citing(self, pages: Iterable[str]) -> list[tuple[str, str]]: ...

    def name_neighbours(self, key: str, display: str, n: int, *, reversed_key: bool, after: bool,
                        limit: int) -> list[tuple[str, str, int]]: ...

    def name_key_count(self, displays: Iterable[str]) -> int: ...


def keyed_pairs_involving(involved: dict[str, LookAlikeKeys], index: LookAlikeIndex,
                          gone: set[str]) -> set[tuple[str, str]]:
    """The pairs of files (in file order) :func:`organisation_problems` compares with ``involving``.

    ``involved`` are the changed named cases (path -> :func:`look_alike_keys`); the other cases are
    looked up in ``index``, which still holds the files in ``gone`` (changed or deleted: left out).
    The same pairs as :func:`_pairs_involving` over every case, found without reading the others.
    """
    found: set[tuple[str, str]] = set()
    for path, (names, site, pages) in involved.items():
        others = [other for other in index.with_name_keys(names, [site] if site else []) if other not in gone]
        own = _own_keys((names, site, pages))
        others += [other for other, key in involved.items() if not _own_keys(key).isdisjoint(own)]
        found.update((path, other) for other in others)
    by_page: dict[str, set[str]] = defaultdict(set)
    for page, path in index.named_citing({page for _, _, pages in involved.values() for page in pages}):
        if path not in gone:
            by_page[page].add(path)
    for path, (_, _, pages) in involved.items():
        for page in pages:
            by_page[page].add(path)
    for members in by_page.values():
        if 1 < len(members) <= 50:
            found.update((path, other) for path in members.intersection(involved) for other in members)
    found |= _keyed_neighbours(involved, index, gone)
    return {(min(a, b), max(a, b)) for a, b in found if a != b}


def _keyed_neighbours(involved: dict[str, LookAlikeKeys], index: LookAlikeIndex,
                      gone: set[str]) -> set[tuple[str, str]]:
    """Each involved case with the :data:`_WINDOW` names before and after each of its names, forwards
    and reversed, in the order :func:`_neighbour_pairs` sorts every case's names."""
    margin = _WINDOW + index.name_key_count(gone)  # the gone files' names are still in the index
    pairs: set[tuple[str, str]] = set()
    for reversed_key in (False, True):
        mine = sorted(((key[::-1] if reversed_key else key), path, n)
                      for path, (names, _, _) in involved.items() for n, key in enumerate(names))
        for entry in mine:
            for after in (True, False):
                near = [found for found in index.name_neighbours(*entry, reversed_key=reversed_key, after=after,
                                                                 limit=margin) if found[1] not in gone]
                near += [other for other in mine if (other > entry if after else other < entry)]
                near.sort(reverse=not after)
                pairs.update((entry[1], other[1]) for other in near[:_WINDOW])
    return pairs


def _own_keys(key: LookAlikeKeys) -> set[str]:
    names, site, _ = key
    return {*names, f"site:{site}"} if site else set(names)


def _shared_key_pairs(keys: list[LookAlikeKeys], involved: set[int]) -> Iterator[tuple[int, int]]:
    """An involved case with every case that has one of its names, aliases or its website."""
    own = {i: _own_keys(keys[i]) for i in involved}
    wanted = set().union(*own.values()) if own else set()
    for index, key in enumerate(keys):
        found = wanted.intersection(_own_keys(key))
        for i in involved:
            if not found.isdisjoint(own[i]):
                yield i, index


def _shared_page_pairs(keys: list[LookAlikeKeys], involved: set[int]) -> Iterator[tuple[int, int]]:
    """An involved case with the cases citing a page it cites (pages cited by more than 50 are common ground)."""
    pages = {page for i in involved for page in keys[i][2]}
    by_page: dict[str, list[int]] = defaultdict(list)
    for index, (_, _, cited) in enumerate(keys):
        for page in pages.intersection(cited):
            by_page[page].append(index)
    for members in by_page.values():
        if 1 < len(members) <= 50:
            for i in involved.intersection(members):
                for other in members:
                    yield i, other


def _neighbour_pairs(keys: list[LookAlikeKeys], involved: set[int]) -> Iterator[tuple[int, int]]:
    """An involved case with its alphabetical neighbours, by name and by reversed name."""
    named = [(key, index) for index, (names, _, _) in enumerate(keys) for key in names]
    for ordered in (sorted(named), sorted(named, key=lambda item: item[0][::-1])):
        for position, (_, index) in enumerate(ordered):
            for _, other in ordered[position + 1: position + 1 + _WINDOW]:
                if index in involved or other in involved:
                    yield index, other


def _duplicate_problem(this: OrganisationNames, other: OrganisationNames, match: Match) -> Problem:
    same_site = match.reason.startswith("same website")
    at = this.website_at if same_site else this.name_at
    if match.exact:
        reason = match.reason if same_site else f"{match.reason} as {other.name!r}"
        return Problem(this.path, *at, f"this looks like the organisation in {other.path}: {reason}",
                       f"add what you know to {other.path} instead; if they are different organisations, say how "
                       "in relations: (e.g. part-of)", code="duplicate-organisation")
    return Problem(this.path, *at, f"the name is very like that of {other.path} ({other.name})",
                   "if it is the same organisation, merge the files; if not, nothing needs doing",
                   severity="note", code="similar-organisation")


def _exact_pairs(organisations: list[OrganisationNames]) -> set[tuple[int, int]]:
    """Index pairs with a normalised name or alias, or a website, in common."""
    by_key: dict[str, set[int]] = defaultdict(set)
    for index, organisation in enumerate(organisations):
        for key, _ in organisation.name_keys():
            by_key[key].add(index)
        site = website_key(organisation.website)
        if site:
            by_key[f"site:{site}"].add(index)
    return {pair for members in by_key.values() if len(members) > 1 for pair in combinations(sorted(members), 2)}


def _similar_pairs(organisations: list[OrganisationNames]) -> set[tuple[int, int]]:
    """Index pairs whose names are neighbours in alphabetical order, forwards or backwards.

    The "sorted neighbourhood" of record linkage: a typo leaves a name next to the right one in at
    least one of the two orders (unless it is in both its first and last letters), so comparing each
    name with its next few neighbours finds near names in O(n log n), not by comparing every pair.
    """
    keys = [(key, index) for index, organisation in enumerate(organisations)
            for key, _ in organisation.name_keys()]
    pairs: set[tuple[int, int]] = set()
    for ordered in (sorted(keys), sorted(keys, key=lambda item: item[0][::-1])):
        for position, (_, index) in enumerate(ordered):
            for _, other in ordered[position + 1: position + 1 + _WINDOW]:
                if other != index:
                    pairs.add((min(index, other), max(index, other)))
    return pairs


def _mostly_shared(first: OrganisationNames, second: OrganisationNames) -> bool:
    """At least three pages in common, and four in five of the smaller file's: a copy, not a neighbour."""
    shared = len(first.sources & second.sources)
    return shared >= 3 and shared >= 0.8 * min(len(first.sources), len(second.sources))


def _source_pairs(organisations: list[OrganisationNames]) -> set[tuple[int, int]]:
    """Index pairs that cite a page in common (through an index of pages, not by comparing every pair)."""
    by_page: dict[str, set[int]] = defaultdict(set)
    for index, organisation in enumerate(organisations):
        for page in organisation.sources:
            by_page[page].add(index)
    return {pair for members in by_page.values() if 1 < len(members) <= 50
            for pair in combinations(sorted(members), 2)}


# --- concepts ---------------------------------------------------------------------------------------

def concept_key(text: str) -> str:
    """A concept's id, name or alias as compared: words without case, accents, punctuation or a plural s.

    >>> concept_key("self-managing-teams"), concept_key("Self-managing team"), concept_key("Coaches")
    ('self managing team', 'self managing team', 'coache')
    """
    words = slugify(text, separator=" ").split() if not text.isascii() else _WORDS.findall(text.lower())
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def concept_problems(concepts: list) -> list[Problem]:
    """Two concept pages sharing a normalised id, name or alias: an error on both, each naming the other."""
    owners: dict[str, tuple[object, str, tuple]] = {}
    pairs: dict[tuple[str, str], tuple] = {}
    for doc in sorted(concepts, key=lambda d: d.where):
        data = doc.data
        aliases = data.get("aliases") if isinstance(data.get("aliases"), list) else []
        names = [("id", data.get("id"), ("id",)), ("name", data.get("name"), ("name",))]
        names += [(f"alias '{a}'", a, ("aliases", i)) for i, a in enumerate(aliases)]
        for what, text, path in names:
            key = concept_key(text) if isinstance(text, str) else ""
            other = owners.setdefault(key, (doc, what, path)) if key else None
            if other is not None and other[0] is not doc:
                pairs.setdefault((other[0].where, doc.where), (other, (doc, what, path)))
    problems = []
    for (first, this) in pairs.values():
        for (doc, what, path), (other, other_what, _) in ((this, first), (first, this)):
            problems.append(Problem(
                doc.where, *doc.at(*path),
                f"this concept looks like {other.where} ({other.data.get('id')}): its {what} is the same as that "
                f"page's {other_what}",
                f"if it is the same concept, link to {other.data.get('id')} and add what is new to its page; if not, "
                "give this one a name and aliases of its own", code="duplicate-concept"))
    return problems
