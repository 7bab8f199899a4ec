"""The parse cache: each content file's parsed document and its own problems, kept by content hash.

A data structure and nothing more: :func:`kb.load.read.read_checked` parses and checks a file when
the cache has no entry for its bytes, and puts the result in; the cache never calls back.  Entries
live in the store folder::

    <store>/cache/<version>/<ab>/<sha256>.z       one entry per distinct file content

Parsing and JSON Schema validation are most of a load's cost, and an unchanged file never needs
them again.  Entries are only used by the same code, schemas and vocabulary: :func:`cache_version`
names the folder, so a change to any of them starts an empty one.  An entry that cannot be read
(truncated, corrupted, written for another path) is ignored and rewritten.  Entries are pickles:
the cache folder is trusted like the rest of ``.kb``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
import sys
import uuid
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from kb.content.files import ContentLayout, SourceFile
from kb.content.parse import Document
from kb.problems import Problem
from kb.store.manifest import StatKey

__all__ = ["CACHE_VERSION", "CachedFile", "ParseCache", "cache_version"]

#: Bump when the meaning of an entry or a manifest changes in a way the hashed sources do not show.
CACHE_VERSION = 1
_KB = Path(__file__).resolve().parent.parent
#: Packages and modules whose output is cached (entries) or counted (manifests): a change to any of
#: their files starts afresh.  Whole packages, not a list of modules, so that a new helper module of
#: the parser or the validator cannot be forgotten.
_CODE_PACKAGES = ("content", "check", "graph", "load")
_CODE_MODULES = ("problems", "evidence", "figures", "kinds", "slug", "suggest", "store/manifest",
                 "store/keyed_manifest")
_PACKAGES = ("PyYAML", "pyromark", "jsonschema", "jsonschema-rs", "pycountry")
_MAGIC = b"kb-cache-1\n"


def cache_version(root: Path) -> str:
    """A short hash of everything a cached result depends on besides the file itself.

    CACHE_VERSION, Python's version, the versions of the parsing and validation libraries, the
    source of the modules whose results are kept, the JSON Schemas, the content's sector list,
    and the current year (figures and founding years are checked against it).
    """
    digest = hashlib.sha256(f"{CACHE_VERSION}|{sys.version_info[:2]}|{dt.date.today().year}".encode())
    for package in _PACKAGES:
        try:
            digest.update(f"|{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"|{package}=?".encode())
    code = [path for package in _CODE_PACKAGES for path in sorted((_KB / package).glob("*.py"))]
    for path in [*code, *(_KB / f"{module}.py" for module in _CODE_MODULES)]:
        digest.update(path.read_bytes())
    for schema in sorted((_KB / "schemas").glob("*.json")):
        digest.update(schema.name.encode() + schema.read_bytes())
    digest.update((_KB.parent / "templates" / "case.md").read_bytes())  # its placeholders are errors
    sectors = ContentLayout(root).vocabulary / "sectors.yaml"
    digest.update(sectors.read_bytes() if sectors.exists() else b"-")
    return digest.hexdigest()[:16]


@dataclass
class CachedFile:
    """One content file as a load needs it: the document, its own problems, its hash and stat."""

    document: Document
    problems: list[Problem]
    sha256: str = ""  # "" when the file was not cached (a symlink, too large, unreadable)
    stat: StatKey | None = None
    reused: bool = False  # came from the cache


class ParseCache:
    """Parsed documents and their own problems, one compressed pickle per distinct content.

    It only keeps and gives back entries; :func:`kb.load.read.read_checked` decides when to parse.

    >>> import tempfile
    >>> from kb.content.files import discover
    >>> from kb.content.parse import parse_file
    >>> root = Path("tests/fixtures/mini"); layout = ContentLayout(root)
    >>> cache = ParseCache(Path(tempfile.mkdtemp()), cache_version(root))
    >>> file = discover(layout)[0]
    >>> cache.load("ab" * 32, file) is None
    True
    >>> cache.store("ab" * 32, parse_file(file, layout), [])
    >>> cache.load("ab" * 32, file)[0].data["id"] == parse_file(file, layout).data["id"]
    True
    """

    def __init__(self, folder: Path, version: str):
        self.folder = Path(folder) / version
        self.version = version

    def prune(self, keep: set[str]) -> None:
        """Remove the entries of contents no longer loaded, and the folders of other cache versions."""
        for other in self.folder.parent.iterdir() if self.folder.parent.is_dir() else []:
            if other != self.folder and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
        for bucket in self.folder.iterdir() if self.folder.is_dir() else []:
            for entry in bucket.iterdir():
                if entry.name.split(".")[0] not in keep:
                    entry.unlink(missing_ok=True)

    def entry_path(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / f"{sha256}.z"

    def load(self, sha256: str, file: SourceFile) -> tuple[Document, list[Problem]] | None:
        """The entry for this content at this path, or None (absent, unreadable or for another path)."""
        try:
            raw = self.entry_path(sha256).read_bytes()
            if not raw.startswith(_MAGIC):
                return None
            key, display, role, document, problems = pickle.loads(zlib.decompress(raw[len(_MAGIC):]))
        except Exception:
            return None
        if (key, display, role) != (sha256, file.display, file.role) or not isinstance(document, Document):
            return None
        document.file = file  # the same file, perhaps below another root
        return document, list(problems)

    def store(self, sha256: str, document: Document, problems: list[Problem]) -> None:
        """Write an entry atomically (a concurrent load never reads half of one)."""
        path = self.entry_path(sha256)
        payload = (sha256, document.file.display, document.file.role, document, problems)
        data = _MAGIC + zlib.compress(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), 1)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only makes the next load slower


