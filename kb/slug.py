"""One slug: text as lower-case ASCII words joined by hyphens, for ids and URL fragments.

Shared by every stage (like :mod:`kb.evidence`): graph ids of claims and views (``kb.graph.rows``), the
validator's alias matching, passage keys and section anchors.  Built on python-slugify, configured so
that the ids already in stores and links keep their value: HTML entities stay text, a comma between
digits separates them ("1,000" -> "1-000") and letters are transliterated to ASCII ("Zürich" ->
"zurich").

>>> slug("Only about 6% named Holacracy as the reason", words=6), slug("Zürich café"), slug("")
('only-about-6-named-holacracy-as', 'zurich-cafe', '')
>>> slug("Open questions"), slug("  Don't -- stop!  "), slug("1,000 nurses & AT&amp;T")
('open-questions', 'don-t-stop', '1-000-nurses-at-amp-t')
"""

from __future__ import annotations

import functools

from slugify import slugify

__all__ = ["slug"]

#: Applied before python-slugify's own cleaning, which would otherwise join "1,000" into "1000".
_KEEP_APART = [(",", " ")]


@functools.lru_cache(maxsize=4096)  # section titles repeat: passage keys and anchors ask for the same few
def slug(text: str, words: int = 0) -> str:
    """``text`` as a slug; with ``words``, only its first ``words`` words."""
    result = slugify(str(text), entities=False, decimal=False, hexadecimal=False, replacements=_KEEP_APART,
                     replacement_stage="pre")
    return "-".join(result.split("-")[:words]) if words else result
