"""Explore pages (blueprint `explore`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("explore", __name__)
