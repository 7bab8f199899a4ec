"""Template filters for numbers and figures: the one formatter of :mod:`kb.figures`, in every template.

``{{ figure_row | figure }}`` writes a Figure row as people read it ("more than 15,000 staff
(2020)"); ``{{ value | number }}`` writes a number in full (never in exponent notation).
``{{ claim.detail | inline_markdown }}`` and ``| inline_text`` show a line of a content file without raw
Markdown (:mod:`webapp.render`).
"""

from __future__ import annotations

from flask import Flask

from kb.figures import figure_row_text, number

from .render import inline_markdown, inline_text

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(figure=figure_row_text, number=number, inline_markdown=inline_markdown,
                                 inline_text=inline_text)
