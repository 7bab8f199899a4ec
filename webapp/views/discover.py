"""Discover pages (blueprint `discover`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("discover", __name__)
