"""Commands for contributors: new-case, diff, preview (registered on the main CLI)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
