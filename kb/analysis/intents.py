"""What a question asks for, and which passages hold that kind of answer.

A question's **intent words** say what kind of answer it wants rather than what it is about: "which
organisations" asks for cases' own passages rather than general statements, "how many" for figures,
"when" for dates, "where" for places, "who" for people, "vs" or "compared with" for a comparison, "what
went wrong" for challenges and reversals; "cost", "inspection", "how long" and "end" for the questions
managers ask, each with a section of its own in a case (Funding and cost, Regulation and inspection,
Transition, How it ended).  They are kept, never dropped as common words, and shown on the page.

A passage shows it has that kind of answer by its **section** (a Timeline entry answers "when", a Funding
and cost paragraph "how much did it cost"), by its page (a case's) or by a **sign** in its text (a
number, a year, a place the content knows, a person's role, a comparative, a sum of money, a length of
time).  :class:`Signs` finds the signs of every passage once, when the index is built.

>>> [intent.id for intent in question_intents("Which organisations lost staff when they moved, and how many?")]
['cases', 'figures']
>>> [intent.id for intent in question_intents("When and where did Buurtzorg start?")]
['dates', 'places']
>>> [intent.id for intent in question_intents("Buurtzorg vs Zappos: what went wrong?")]
['comparisons', 'went-wrong']
>>> signs = Signs(["Almelo"], ["Buurtzorg"])
>>> sorted(signs.of("In 2007 the first team of four nurses starts work in Almelo."))
['dates', 'figures', 'places']
>>> sorted(signs.of("Its founder, Jos de Blok, said the rate was higher than other providers'."))
['comparisons', 'people']
>>> sorted(signs.of("Buurtzorg says its overheads are low.")), sorted(signs.of("De Blok says they are low."))
([], ['people'])
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pycountry

from kb.analysis.words import WORD, fold

__all__ = ["COUNTRY_WORDS", "INTENTS", "INTENT_BY_ID", "Intent", "Signs", "consumed_words", "place_names",
           "question_intents", "whereabouts"]


@dataclass(frozen=True)
class Intent:
    """One kind of answer a question can ask for."""

    id: str
    label: str  # what the page says it looks for: "passages with figures"...
    cues: tuple[tuple[str, ...], ...]  # word sequences (folded) of a question that ask for it
    sections: frozenset[str] = frozenset()  # sections whose passages are this kind of answer (lower case)
    #: Cue words that say only what kind of answer is wanted ("went wrong", "how long"): searched as intent,
    #: not as words a passage must contain.
    consumes: frozenset[str] = frozenset()
    #: Cues that count only where a question or a clause starts ("when", "where", "who"): elsewhere they join
    #: clauses ("lost staff when they moved").
    openers: frozenset[str] = frozenset()
    #: Kinds of page whose passages are this kind of answer ("which organisations": a case's, not a concept's).
    owners: frozenset[str] = frozenset()
    #: Evidence grades of the passages that are this kind of answer ("independent evidence": evaluated).
    grades: frozenset[str] = frozenset()


def _cues(*phrases: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(phrase.split()) for phrase in phrases)


INTENTS: tuple[Intent, ...] = (
    Intent("cases", "cases rather than general statements",
           _cues("which organisations", "which organizations", "what organisations", "which companies",
                 "which employers", "which councils", "which providers", "examples of", "any organisations"),
           owners=frozenset({"organisation"})),
    Intent("evidence", "independent evaluations",
           _cues("independent", "independently", "evaluation", "evaluations", "evaluated", "evidence", "trial",
                 "trials", "study", "studies", "research", "proof", "proven"),
           consumes=frozenset({"independent", "independently", "evidence", "proof", "proven"}),
           grades=frozenset({"evaluated"})),
    Intent("figures", "figures", _cues("how many", "how much", "how big", "how large", "how fast", "what share",
                                       "what percentage", "what proportion", "number of")),
    Intent("dates", "dates and timeline entries",
           _cues("when", "what year", "which year", "since when", "what date", "how early"),
           frozenset({"timeline"}), frozenset({"year", "date"}), frozenset({"when"})),
    Intent("places", "places", _cues("where", "which country", "which countries", "what country", "which city",
                                     "which cities", "which town", "which region", "which area", "which areas"),
           consumes=frozenset({"country", "countries", "city", "cities", "town", "region", "area", "areas"}),
           openers=frozenset({"where"})),
    Intent("people", "people named (founders, leaders, authors)",
           _cues("who", "whom", "whose", "which person", "which people"),
           consumes=frozenset({"person", "people"}), openers=frozenset({"who", "whom", "whose"})),
    Intent("comparisons", "comparisons", _cues("vs", "versus", "compared", "compare", "comparison", "than",
                                               "unlike", "differ", "difference")),
    Intent("went-wrong", "what went wrong (challenges, reversals, how it ended)",
           _cues("went wrong", "go wrong", "goes wrong", "gone wrong", "fail", "failed", "failure", "problem",
                 "problems", "difficulty", "difficulties", "mistake", "mistakes", "pitfalls"),
           frozenset({"challenges", "how it ended", "contested claims"}), frozenset({"went", "go", "goes", "gone",
                                                                                    "wrong"})),
    Intent("cost", "funding and cost", _cues("cost", "costs", "costly", "fund", "funds", "funded", "funding",
                                             "money", "paid for", "pay for", "budget", "invest", "investment",
                                             "afford", "affordable", "saving", "savings", "save", "expensive", "cheap",
                                             "cheaper", "cheapest", "finance", "financed", "refinance"),
           frozenset({"funding and cost"})),
    Intent("regulation", "regulation and inspection",
           _cues("regulator", "regulators", "regulation", "regulated", "regulatory", "inspect", "inspected",
                 "inspection", "inspections", "inspector", "inspectors", "inspectorate", "ofsted", "cqc",
                 "care quality commission", "investigated"),
           frozenset({"regulation and inspection"})),
    Intent("transition", "the transition and how long it took",
           _cues("how long", "transition", "roll out", "rolled out", "move to", "moved to", "all at once",
                 "step by step"),
           frozenset({"transition"}), frozenset({"long"})),
    Intent("ending", "how it ended",
           _cues("end", "ended", "ending", "stop", "stopped", "close", "closed", "closure", "abandon", "abandoned",
                 "give up", "gave up", "bring back", "brought back", "drop", "dropped", "wound down", "roll back",
                 "rolled back", "scale back", "scaled back", "what happened"),
           frozenset({"how it ended"})),
)
INTENT_BY_ID = {intent.id: intent for intent in INTENTS}
_CLAUSE_JOINERS = {"and", "or", "but", "so"}
_TOKEN = re.compile(r"\w+|[^\w\s]")


def _words_with_openings(question: str) -> list[tuple[str, bool]]:
    """The question's words (folded), each with whether it starts the question or a clause."""
    found, opening = [], True
    for token in _TOKEN.findall(question):
        if not WORD.fullmatch(token):
            opening = opening or token in ",;:.?!()"
            continue
        word = fold(token)
        found.append((word, opening))
        opening = word in _CLAUSE_JOINERS
    return found


def question_intents(question: str) -> list[Intent]:
    """The kinds of answer a question asks for, in the order of :data:`INTENTS`."""
    words = _words_with_openings(question)
    plain = [word for word, _ in words]
    found = []
    for intent in INTENTS:
        for cue in intent.cues:
            size = len(cue)
            for i in range(len(plain) - size + 1):
                if tuple(plain[i:i + size]) == cue and (size > 1 or cue[0] not in intent.openers or words[i][1]):
                    found.append(intent)
                    break
            if found and found[-1] is intent:
                break
    return found


def consumed_words(question: str, intents: Sequence[Intent]) -> set[str]:
    """The question's words (folded) that only say what kind of answer is wanted: they are not searched."""
    plain = [word for word, _ in _words_with_openings(question)]
    consumed = set()
    for intent in intents:
        for cue in intent.cues:
            for i in range(len(plain) - len(cue) + 1):
                if tuple(plain[i:i + len(cue)]) == cue:
                    consumed |= set(cue) & intent.consumes
    return consumed


# -- signs in a passage -------------------------------------------------------------------------------

_NUMBER_WORDS = ("two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|"
                 "thousands?|millions?|billions?|dozens?|half|third|quarter|percent")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
#: A person's name: two or more capitalised words, perhaps with a particle ("Jos de Blok", "Van Massenhove").
_NAME = r"[A-Z][a-z'’]+(?:-[A-Z][a-z]+)?(?:\s(?:de|van|von|der|den|du|le|la))*(?:\s[A-Z][a-z'’]+(?:-[A-Z][a-z]+)?)+"
_ROLES = (r"founders?|co-founders?|chief executive|CEO|chair(?:man|woman)?|president|(?:managing |deputy |assistant |"
          r"creative )?director(?: general)?|minister|councillors?|secretary|chief nursing officer|head|owner|"
          r"professor|nurse|coach|manager|consultant|author|journalist|economist|psychiatrist|engineer|priest")
_DOES = (r"said|says|wrote|writes|argued|argues|told|tells|recalls|recalled|describes|described|called|calls|"
         r"announced|founds|founded|set up|started|launched|took charge|takes charge|becomes|became|left|resigned|"
         r"retires|retired")
_COMPARATIVE = (r"than|compared|comparison|comparable|unlike|whereas|versus|vs|against|above|below|average|usual|"
                r"normal|higher|lower|fewer|cheaper|faster|slower|better|worse|twice|half")
_SIGNS = {
    # A number that is not a year (a year alone is a date, not a figure), or a number in words.
    "figures": re.compile(rf"(?<![\d.,-])(?!(?:1[89]|20)\d\d(?![\d.,%]))\d|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE),
    "dates": re.compile(rf"\b(?:1[89]|20)\d\d\b|\b(?:{_MONTHS})\b"),
    # A name beside a role ("Steve Goodman, deputy director", "co-founder Sebastian Klein"), or after "by" or
    # "with" (and see _SURNAME_DOES).
    "people": re.compile(rf"(?:{_NAME}),(?:\s[\w'’-]+){{0,5}}?\s(?:{_ROLES})\b"
                         rf"|\b(?:{_ROLES}),?(?:\s[a-z'’-]+){{0,3}}\s(?:{_NAME})|\b(?:by|with)\s(?:{_NAME})"),
    "comparisons": re.compile(rf"\b(?:{_COMPARATIVE})\b", re.IGNORECASE),
    "cost": re.compile(r"[£$€]|\b(?:euros?|dollars?|pounds|guilders|kronor|reais|EUR|USD|GBP)\b"),
    "transition": re.compile(rf"\b(?:\d+|a|one|{_NUMBER_WORDS}|several|few|eighteen)\s+(?:years?|months?|weeks?)\b",
                             re.IGNORECASE),
    "went-wrong": re.compile(r"\b(?:abandon\w*|rolled back|rolls back|scaled back|dropped|gave up|failed|closed|"
                             r"quit|lost|losses|laid off|lays off|struggl\w*|stalled|criticis\w*)\b", re.IGNORECASE),
}
#: Words (as cut by :data:`~kb.analysis.words.WORD`) at least one of which a text must hold for a sign's pattern to
#: be tried: most passages hold none, and a pattern tried at every place of every passage was most of the search
#: index's build (each pattern's matches contain one of them; a digit or a sign of money is looked for apart).
#: ``folded``: the words compared in lower case, as the pattern's IGNORECASE does.
_SIGN_WORDS: dict[str, tuple[frozenset[str], bool]] = {
    "figures": (frozenset(re.sub(r"s\?", "", _NUMBER_WORDS).split("|")) | frozenset(
        word + "s" for word in ("hundred", "thousand", "million", "billion", "dozen")), True),
    "dates": (frozenset(_MONTHS.split("|")), False),
    "people": (frozenset(("founder", "founders", "chief", "CEO", "chair", "chairman", "chairwoman", "president",
                          "director", "minister", "councillor", "councillors", "secretary", "head", "owner",
                          "professor", "nurse", "coach", "manager", "consultant", "author", "journalist",
                          "economist", "psychiatrist", "engineer", "priest")), False),
    "comparisons": (frozenset(_COMPARATIVE.split("|")), True),
    "cost": (frozenset(("euro", "euros", "dollar", "dollars", "pounds", "guilders", "kronor", "reais", "EUR", "USD",
                        "GBP")), False),
    "transition": (frozenset(("year", "years", "month", "months", "week", "weeks")), True),
    "went-wrong": (frozenset(("back", "dropped", "up", "failed", "closed", "quit", "lost", "losses", "off",
                              "stalled")), True),
}
#: What else lets a sign's pattern match without one of its words: a digit, a sign of money, a word's beginning.
_SIGN_DIGITS = frozenset(("figures", "dates"))
#: "by" or "with" before a capital: the start of the people pattern's third way (a name after "by" or "with").
_BY_WITH_CAPITAL = re.compile(r"\b(?:by|with)\s[A-Z]")
_MONEY = ("£", "$", "€")
_WENT_WRONG_STEMS = ("abandon", "struggl", "criticis")
_DIGIT = re.compile(r"\d")
#: A capitalised word (a surname) that says or does something ("Carson describes"): a person unless it is the
#: name of an organisation ("Buurtzorg says") or a pronoun.
_SURNAME_DOES = re.compile(rf"\b([A-Z][a-z'’]+)\s(?:{_DOES})\b")
#: The words one of which :data:`_SURNAME_DOES` needs (its verbs, each of their first words).
_DOES_WORDS = frozenset(does.split()[0] for does in _DOES.split("|"))
_NOT_PEOPLE = frozenset(("It", "This", "That", "The", "There", "Which", "What"))
#: Other names of the countries the content covers, and their adjectives ("UK", "Dutch home care").
COUNTRY_WORDS = {
    "GB": ("UK", "Britain", "British"), "NL": ("Netherlands", "Holland", "Dutch"), "US": ("US", "USA", "American"),
    "DE": ("German",), "FR": ("French",), "SE": ("Swedish",), "DK": ("Danish",), "BE": ("Belgian",),
    "BR": ("Brazilian",), "ES": ("Spanish",), "JP": ("Japanese",), "IN": ("Indian",), "CN": ("Chinese",),
    "MX": ("Mexican",), "NZ": ("New Zealander",),
}


def whereabouts(country: str | None, region: str | None, city: str | None) -> str:
    """Where an organisation is, in the words a question may use: its country's names and adjective, its region
    and its city ("United Kingdom · UK · Britain · British · Tower Hamlets · London").

    >>> whereabouts("NL", "Overijssel", "Almelo")
    'Netherlands · Holland · Dutch · Overijssel · Almelo'
    """
    found = pycountry.countries.get(alpha_2=country) if country else None
    names = [getattr(found, "common_name", None) or found.name] if found else []
    names += [*COUNTRY_WORDS.get(country or "", ()), region or "", city or ""]
    return " · ".join(dict.fromkeys(name for name in names if name))


def place_names(countries: Iterable[str], cities: Iterable[str]) -> list[str]:
    """The places the content knows: every country's name, the subdivisions (regions, counties, boroughs) of the
    countries its cases are in, its cases' cities, and the adjectives of its countries."""
    names = {country.name for country in pycountry.countries}
    names |= {getattr(country, "common_name", "") for country in pycountry.countries}
    for code in set(countries):
        names |= {re.sub(r"\s*\[.*\]$", "", sub.name) for sub in pycountry.subdivisions.get(country_code=code) or ()}
    names |= {"UK", "US", "USA", "Britain", "Great Britain", "the Netherlands", "Holland", "Europe"}
    return sorted(name for name in names | set(cities) if name)


def _trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching exactly ``words``, their common beginnings written once.

    >>> _trie_pattern(["UK", "US", "USA"])
    'U(?:K|S(?:A)?)'
    >>> bool(re.fullmatch(_trie_pattern(["UK", "US", "USA"]), "USA")), bool(re.fullmatch(_trie_pattern(["UK"]), "U"))
    (True, False)
    """
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branches(root)


def _branches(node: dict[str, dict]) -> str:
    branches = [re.escape(char) + _branches(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


class Signs:
    """Which kinds of answer a passage's text shows, from its words (places: those given, case-sensitive;
    ``organisations``: names whose words are not surnames)."""

    def __init__(self, places: Sequence[str], organisations: Iterable[str] = ()) -> None:
        # The names as a trie, so that the pattern follows one branch per letter: an alternation of a thousand
        # names was tried name by name at every position of every passage (34 s of the search index's build at
        # 10,000 cases).  It matches the same names.
        self._places = re.compile(r"\b(?:" + _trie_pattern(set(places)) + r")\b") if places else None
        self._not_people = _NOT_PEOPLE | {word for name in organisations for word in WORD.findall(name)}
        # A place's first word is a whole word of a text that names it: the pattern is tried only where one is.
        firsts = [WORD.findall(place)[:1] for place in places]
        self._place_words = None if not all(firsts) else frozenset(first for first, in firsts)

    def of(self, text: str, words: set[str] | None = None) -> frozenset[str]:
        """The kinds of answer ``text`` shows; ``words``: its distinct words (:data:`WORD`), if already cut."""
        words = set(WORD.findall(text)) if words is None else words
        lowered = {word.lower() for word in words}
        digit = _DIGIT.search(text) is not None
        found = {kind for kind, sign in _SIGNS.items() if _may_show(kind, words, lowered, digit, text)
                 and sign.search(text)}
        if self._places and (self._place_words is None or not self._place_words.isdisjoint(words)) \
                and self._places.search(text):
            found.add("places")
        if not _DOES_WORDS.isdisjoint(words) and any(m.group(1) not in self._not_people
                                                     for m in _SURNAME_DOES.finditer(text)):
            found.add("people")
        return frozenset(found)


def _may_show(kind: str, words: set[str], lowered: set[str], digit: bool, text: str) -> bool:
    """Whether ``text`` may show the sign ``kind``: it holds one of the words its pattern needs (or a digit, a sign
    of money, a word's beginning); else the pattern cannot match and is not tried."""
    needed, folded = _SIGN_WORDS[kind]
    if not needed.isdisjoint(lowered if folded else words) or (digit and kind in _SIGN_DIGITS):
        return True
    if kind == "cost":
        return any(sign in text for sign in _MONEY)
    if kind == "people":
        return ("by" in words or "with" in words) and _BY_WITH_CAPITAL.search(text) is not None
    if kind == "went-wrong":
        folded_text = text.lower()
        return any(stem in folded_text for stem in _WENT_WRONG_STEMS)
    return False
