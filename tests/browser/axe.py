"""axe-core for the accessibility tests: the copy that ``npm ci`` put in ``tools/axe/node_modules``.

axe-core is installed from the npm registry by ``scripts/test`` (``npm ci --prefix tools/axe``, pinned
by ``tools/axe/package-lock.json``); it is never fetched from a CDN.  Playwright evaluates its source
in the page (``page.evaluate`` is not subject to the page's Content-Security-Policy), then runs it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

AXE_DIR = Path(__file__).resolve().parents[2] / "tools" / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_HINT = ("axe-core is missing: install it with `npm ci --prefix tools/axe` (scripts/test does this; "
                "it needs Node.js and npm: apt-get install -y nodejs npm)")

#: Every rule axe runs by default (WCAG 2.0-2.2 A and AA, and its best practices), plus WCAG 2.2's
#: target size; the experimental rules stay off.  Any violation, whatever its impact, fails.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


@cache
def axe_source() -> str:
    """The source of axe-core's browser bundle, or FileNotFoundError with how to install it."""
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(INSTALL_HINT)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def pinned_version() -> str:
    """The axe-core version that ``tools/axe/package-lock.json`` pins."""
    lock = json.loads((AXE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/axe-core"]["version"]


def run_axe(page: Any, context: str = "document") -> list[dict[str, Any]]:
    """axe's violations on the page as loaded now (injecting axe if the page does not have it yet)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(f"async (options) => (await axe.run({context}, options)).violations", AXE_OPTIONS)


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations as readable lines: rule, impact, help, and up to five offending elements each."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
