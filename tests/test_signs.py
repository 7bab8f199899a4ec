"""The kinds of answer a passage's text shows (kb.analysis.intents.Signs): each pattern is tried only where the text
holds one of the words it needs, and finds the same as when it was tried on every text (written out here for
the words in other cases, the signs of money, the beginnings of words and the names after "by")."""

import pytest

from kb.analysis.intents import Signs

SIGNS = Signs(["Almelo", "Netherlands"], ["Buurtzorg Nederland"])


@pytest.mark.parametrize(("text", "kinds"), [
    ("THREE teams, fewer THAN before.", {"figures", "comparisons"}),
    ("It took Eighteen Months to move all teams.", {"transition"}),
    ("It took 18 months.", {"figures", "transition"}),
    ("Since 2007 it grew.", {"dates"}),
    ("Founded in March.", {"dates"}),
    ("founded in march.", set()),
    ("Overheads fell by €2 a visit.", {"figures", "cost"}),
    ("The plan cost 3 EUR; nothing in eur.", {"figures", "cost"}),
    ("The pilot was Abandoned; the teams STRUGGLED.", {"went-wrong"}),
    ("The board Rolled Back the change.", {"went-wrong"}),
    ("It was written by Jos de Blok.", {"people"}),
    ("It was written by the teams.", set()),
    ("Jos de Blok, its founder, says so.", {"people"}),
    ("Buurtzorg says so.", set()),
    ("Carson describes the teams.", {"people"}),
    ("Carson, describing the teams.", set()),
    ("Teams in Almelo.", {"places"}),
    ("Teams across the Netherlands and in Almelose streets.", {"places"}),
    ("Teams in Almelose streets.", set()),
    ("Plain words only.", set()),
])
def test_a_passage_shows_the_kinds_of_answer_its_words_do(text: str, kinds: set[str]) -> None:
    assert SIGNS.of(text) == kinds
