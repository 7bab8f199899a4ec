"""Research pages (blueprint `research`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("research", __name__)
