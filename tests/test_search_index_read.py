"""The search index read from disk, as a site's worker reads what another built."""

from __future__ import annotations

import gc
from pathlib import Path

from kb.analysis.search import SearchDocument, SearchIndex


def test_a_read_index_answers_alike_and_sits_in_the_collectors_oldest_generation(tmp_path: Path) -> None:
    """Read with the collector paused, then one collection: no later request's automatic collection walks its
    objects as young ones (at 10,000 cases, one search took 0.98 s instead of 0.03 s for it)."""
    documents = [SearchDocument("organisation", f"case-{n}", f"Case {n}", (), f"Nurse team {n} without managers.", "")
                 for n in range(300)]
    (tmp_path / "index").mkdir()
    built = SearchIndex(documents, folder=tmp_path / "index")
    read = SearchIndex.read(tmp_path / "index")
    assert [hit.id for hit in read.search("case 7 nurse").hits[:2]] == ["case-7", "case-0"]
    assert [hit.id for hit in read.search("case 7 nurse").hits] == [hit.id for hit in built.search("case 7 nurse").hits]
    oldest = {id(thing) for thing in gc.get_objects(generation=2)}
    assert id(read.documents) in oldest and id(read.organisations) in oldest
