"""Faults: readers during reloads never see a half-built graph; a missing store answers 503 and recovers."""

from __future__ import annotations

import threading
from pathlib import Path

from kb.graph.rows import graph_rows
from kb.load import load_content
from kb.store.ladybug import LadybugStore, rebuild
from webapp import create_app

from .conftest import load_into


def _two_states(root: Path) -> tuple:
    """Rows of the full fixture, and of the fixture without beta-shoes."""
    full = graph_rows(load_content(root).corpus)
    (root / "cases" / "beta-shoes.md").unlink()
    case = root / "cases" / "alpha-care.md"
    case.write_text(case.read_text().replace(
        "relations:\n  - {type: partner-of, target: beta-shoes, sources: [report-b]}\n", ""))
    return full, graph_rows(load_content(root).corpus)


def test_readers_during_reloads_see_only_complete_graphs(mini_root: Path, tmp_path: Path) -> None:
    full, smaller = _two_states(mini_root)
    store_path = tmp_path / "store"
    rebuild(store_path, full)
    complete = {("alpha-care", "beta-shoes"), ("alpha-care",)}
    seen: set = set()
    failures: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        store = LadybugStore(store_path)
        while not stop.is_set():
            try:
                # Each query reads one generation: it must be one of the two complete graphs.
                ids = tuple(row["id"] for row in store.query("organisations"))
                if ids not in complete:
                    failures.append(f"half-built: {ids}")
                figures = store.query("organisation_figures", id="alpha-care")
                if len(figures) != 3:  # alpha-care has three figures in both states
                    failures.append(f"half-built: {len(figures)} figures")
                seen.add(ids)
            except Exception as err:  # any failure is what this test looks for
                failures.append(repr(err))

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        for i in range(6):
            rebuild(store_path, smaller if i % 2 == 0 else full)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=30)
    assert failures == []
    assert ("alpha-care",) in seen and ("alpha-care", "beta-shoes") in seen


def test_missing_store_gives_503_then_recovers_by_itself(mini_root: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    client = create_app({"TESTING": True, "KB_STORE_PATH": str(store_path)}).test_client()
    page = client.get("/cases/alpha-care")
    assert page.status_code == 503 and "graph_loader.py load" in page.text
    load_into(mini_root, store_path)
    assert client.get("/cases/alpha-care").status_code == 200
