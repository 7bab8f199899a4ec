"""The browser tests' one guard: without Playwright they are skipped, and under CI=true the run fails.

Checked here, before any module of this folder is imported, so that each module imports
``playwright.sync_api`` at its top like any other library.  The fixtures (Chromium, the live server,
shared pages) are in ``tests/browser_fixtures.py``.  Without Playwright the whole folder is skipped,
the static-site checks that need no browser included (Playwright is in requirements-dev.txt).
"""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import ci_strict

if importlib.util.find_spec("playwright") is None:  # pragma: no cover - depends on the environment
    if ci_strict():
        raise ImportError("playwright is missing: pip install -r requirements-dev.txt (CI=true: browser tests must run)")
    pytest.skip("playwright is missing: pip install -r requirements-dev.txt", allow_module_level=True)
