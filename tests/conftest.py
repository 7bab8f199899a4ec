"""Shared fixtures: a tiny content tree, a loaded store over it, the Flask app and its client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.graph import graph_rows
from kb.pipeline import load_content
from kb.store.ladybug import rebuild
from webapp import create_app

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    """A writable copy of the two-case fixture content."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", root)
    return root


def load_into(root: Path, store: Path) -> Path:
    result = load_content(root)
    assert result.ok, [str(p) for p in result.errors]
    return rebuild(store, graph_rows(result.corpus))


@pytest.fixture
def mini_store(mini_root: Path, tmp_path: Path) -> Path:
    store = tmp_path / "store"
    load_into(mini_root, store)
    return store


@pytest.fixture(scope="session")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's real content, loaded once per test session."""
    store = tmp_path_factory.mktemp("real") / "store"
    load_into(REPO, store)
    return store


@pytest.fixture
def app(mini_store: Path):
    return create_app({"TESTING": True, "KB_STORE_PATH": str(mini_store)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def real_client(real_store: Path):
    return create_app({"TESTING": True, "KB_STORE_PATH": str(real_store)}).test_client()
