"""What a search result shows of a text: a short stretch around its first matched word, matches marked.

Marked text is escaped first and only ``<mark>`` is added, so the content's own text never becomes HTML.
"""

from __future__ import annotations

import html

from kb.analysis.words import WORD, stem

__all__ = ["highlight_words", "shorten"]


def shorten(text: str, chars: int, marks: set[str] | None = None) -> str:
    """At most about ``chars`` characters of ``text``, cut at word boundaries around its first marked word."""
    if len(text) <= chars:
        return text
    first = 0
    if marks:
        first = next((m.start() for m in WORD.finditer(text) if stem(m.group()) in marks), 0)
    start = max(0, first - chars // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + chars
    cut = text[start:end].rsplit(" ", 1)[0] if end < len(text) else text[start:]
    return ("… " if start else "") + cut + (" …" if end < len(text) else "")


def highlight_words(text: str, marks: set[str]) -> str:
    """``text`` escaped, with ``<mark>`` around each word whose stem is one of ``marks``.

    >>> highlight_words("Nurses & <teams>", {"nurs", "team"})
    '<mark>Nurses</mark> &amp; &lt;<mark>teams</mark>&gt;'
    """
    out, position = [], 0
    for match in WORD.finditer(text):
        if stem(match.group()) in marks:
            out.append(html.escape(text[position:match.start()]))
            out.append("<mark>" + html.escape(match.group()) + "</mark>")
            position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)


def best_snippet(texts: tuple[str, str], marks: set[str], chars: int) -> str:
    """The first of ``texts`` (summary, then page text) with a matched word, around it; else the first
    non-empty one, shortened."""
    for text in texts:
        if any(stem(w) in marks for w in WORD.findall(text)):
            return shorten(text, chars, marks)
    return shorten(texts[0] or texts[1], chars)
