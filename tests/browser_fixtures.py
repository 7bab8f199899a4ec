"""Fixtures for the browser tests (loaded by conftest as a plugin)."""
