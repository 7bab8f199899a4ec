"""Template filters for numbers and figures: the one formatter of :mod:`kb.figures`, in every template.

``{{ figure_row | figure }}`` writes a Figure row as people read it ("more than 15,000 staff
(2020)"); ``{{ value | number }}`` writes a number in full (never in exponent notation).
"""

from __future__ import annotations

from flask import Flask

from kb.figures import figure_row_text, number

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(figure=figure_row_text, number=number)
