"""Fixtures for the neo4j tests (loaded by conftest as a plugin)."""
