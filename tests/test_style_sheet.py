"""One style sheet with only the rules the site uses (issue 26, item 8).

Every class a rule of ``webapp/static/style.css`` names must appear in a template, a script or the Python that
writes HTML (``webapp/``, ``kb/``), whole or as the fixed start of a class built from a value (``kind-{{ k }}``,
``f"ev-{grade}"``): a rule for a class nothing writes any more is weight every page downloads for nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHEET = REPO / "webapp" / "static" / "style.css"


def _written() -> tuple[set[str], tuple[str, ...]]:
    """Every word the site's templates, scripts and Python contain, and the starts of classes built from values."""
    text = "\n".join(path.read_text(encoding="utf-8") for pattern in
                     ("webapp/templates/*.html", "webapp/static/*.js", "webapp/**/*.py", "kb/**/*.py")
                     for path in REPO.glob(pattern))
    words = set(re.findall(r"[A-Za-z][\w-]*", text))
    built = tuple(set(re.findall(r"([A-Za-z][\w-]*-)(?:\{\{|\{|' ?\+|\" ?\+)", text)))
    return words, built


def _rules(css: str) -> list[str]:
    """The selector of every rule (those inside @media blocks too)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [m.group(1).strip() for m in re.finditer(r"([^{}]+)\{[^{}]*\}", css)
            if not m.group(1).strip().startswith("@")]


def test_the_site_links_one_style_sheet() -> None:
    assert sorted(path.name for path in SHEET.parent.glob("*.css")) == ["style.css"]


def test_every_class_the_style_sheet_names_is_written_somewhere() -> None:
    words, built = _written()
    unused = {}
    for selector in _rules(SHEET.read_text(encoding="utf-8")):
        for name in re.findall(r"\.([A-Za-z][\w-]*)", re.sub(r"\[[^\]]*\]", "", selector)):
            if name not in words and not name.startswith(built):
                unused.setdefault(name, selector)
    assert unused == {}, f"rules for classes nothing writes (remove them): {unused}"


def test_the_check_finds_a_rule_nothing_uses() -> None:
    """A check that cannot fail proves nothing: a rule for a made-up class is found."""
    words, built = _written()
    rules = _rules(SHEET.read_text(encoding="utf-8") + "\n@media (max-width: 1px) { .no-such-thing-zq { x: y; } }")
    names = {name for selector in rules for name in re.findall(r"\.([A-Za-z][\w-]*)", selector)}
    assert "no-such-thing-zq" in names and "no-such-thing-zq" not in words
    assert not "no-such-thing-zq".startswith(built)
