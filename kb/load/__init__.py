"""The load: content files down the stages into a store, in one flow.

May import: every stage up to ``kb.export`` (it runs them in order); only ``kb.contrib``, the site,
``kb.cli`` and ``kb``'s notebook API import it.

The walk from a content root to the store goes down, never back::

    neo4j        sync_to_neo4j: the embedded load, then only the changed cases' part sent to Neo4j
    embedded     load_embedded: lock, refuse misnamed files, scan, then full or incremental
    full         every file, in chunks (worker processes for many), into a new generation
    incremental  only the changed case files, applied to a copy of the current generation
    scan         which files changed since the current generation's manifest (stat, then hash)
    records      a file's manifest record; an unchanged case's stand-in made from its record
    rows         graph_part: valid documents -> graph rows, the one function every load writes with
                 (content_rows: the whole graph of load_content's result, for Neo4j and exports)
    read         read_checked: a file parsed and checked on its own (through the cache);
                 load_content: all content read and checked (validate, the notebook API, Neo4j sync)
    results      what a load reports (problems; for the embedded store, what it did)
    cache        the parse cache: entries by content hash, storage only

Each module imports only those below it in this list (``tests/test_layers.py`` checks it).
"""

from kb.load.embedded import load_embedded
from kb.load.read import check_paths, load_content
from kb.load.results import EmbeddedLoad, LoadResult
from kb.load.rows import content_rows

__all__ = ["EmbeddedLoad", "LoadResult", "check_paths", "content_rows", "load_content", "load_embedded"]
