"""The stages import only earlier stages: the data flows one way through the folders.

Every module of ``kb`` and ``webapp`` is read with ``ast`` (imports inside functions included) and
placed in its layer; an import of a later layer fails the test with the line to look at.  A new
top-level module or package must be given a layer here, which is where to think about where it goes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

#: The layers, earliest first.  A module may import its own layer and earlier ones.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("problems", ("kb.problems", "kb.evidence", "kb.kinds", "kb.slug", "kb.suggest", "kb.figures",
                  "kb.collector")),  # shared vocabularies that import nothing of kb
    ("content", ("kb.content",)),
    ("check", ("kb.check", "kb.schemas")),
    ("graph", ("kb.graph",)),
    ("queries", ("kb.queries",)),
    ("store", ("kb.store",)),
    ("analysis", ("kb.analysis",)),
    ("export", ("kb.export",)),
    ("load", ("kb.load",)),
    ("contrib", ("kb.contrib",)),
    ("site", ("webapp",)),
    ("cli", ("kb.cli",)),
    ("api", ("kb",)),
]


def layer_of(module: str) -> int | None:
    """The index of the layer a dotted module name belongs to (longest matching prefix).

    >>> LAYERS[layer_of("kb.store.manifest")][0], LAYERS[layer_of("kb")][0], layer_of("flask")
    ('store', 'api', None)
    >>> layer_of("kb.newthing") is None  # only kb/__init__ is the API layer: new modules need a place
    True
    """
    best, best_len = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or (module.startswith(prefix + ".") and prefix != "kb")  # kb: its __init__ only
            if inside and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports (absolute names, relative imports resolved), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            for alias in node.names:  # ``from kb import analysis`` imports the package kb.analysis
                submodule = f"{name}.{alias.name}"
                found.append((submodule if layer_of(submodule) is not None else name, node.lineno))
    return found


def violations(files: list[Path]) -> list[str]:
    """Each import of a later layer, as ``path:line: module (layer) imports name (later layer)``."""
    problems = []
    for path in files:
        own = layer_of(module_name(path))
        if own is None:
            problems.append(f"{path.relative_to(REPO)}:1: not in any layer; add it to LAYERS in tests/test_layers.py")
            continue
        for name, line in imports_of(path):
            other = layer_of(name)
            if other is not None and other > own:
                problems.append(f"{path.relative_to(REPO)}:{line}: {module_name(path)} ({LAYERS[own][0]}) imports "
                                f"{name} ({LAYERS[other][0]}), a later stage")
    return problems


def source_files() -> list[Path]:
    return sorted(p for folder in ("kb", "webapp") for p in (REPO / folder).rglob("*.py")
                  if "__pycache__" not in p.parts)


def test_no_stage_imports_a_later_stage() -> None:
    assert violations(source_files()) == []


#: The load's modules in the order its walk goes down (kb/load/__init__.py draws it): each may import
#: only those after it, so the flow from the content root to the store never climbs back.
LOAD_ORDER = ("neo4j", "embedded", "full", "incremental", "scan", "records", "rows", "read", "results", "cache")


def load_climbs(files: list[Path]) -> list[str]:
    """Each import inside ``kb.load`` of a module earlier in :data:`LOAD_ORDER` (or not in it), with its line.

    >>> load_climbs([REPO / "kb" / "load" / "full.py"])
    []
    """
    problems = []
    for path in files:
        own = module_name(path).removeprefix("kb.load").lstrip(".")
        if own not in LOAD_ORDER:
            problems.append(f"{path.relative_to(REPO)}:1: not in LOAD_ORDER in tests/test_layers.py")
            continue
        for name, line in imports_of(path):
            if name.startswith("kb.load."):
                other = name.removeprefix("kb.load.").split(".")[0]
                if other not in LOAD_ORDER or LOAD_ORDER.index(other) <= LOAD_ORDER.index(own):
                    problems.append(f"{path.relative_to(REPO)}:{line}: kb.load.{own} imports kb.load.{other}, "
                                    "which comes before it in the load's walk")
    return problems


def test_the_load_walks_down_its_modules_without_climbing_back() -> None:
    files = sorted(p for p in (REPO / "kb" / "load").glob("*.py") if p.name != "__init__.py")
    assert load_climbs(files) == []
    assert {p.stem for p in files} == set(LOAD_ORDER)


def test_the_load_check_catches_a_climb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    path = tmp_path / "kb" / "load" / "read.py"
    path.parent.mkdir(parents=True)
    path.write_text("def f():\n    from kb.load.full import full_load\n", encoding="utf-8")
    assert load_climbs([path]) == ["kb/load/read.py:2: kb.load.read imports kb.load.full, which comes before it "
                                   "in the load's walk"]


def test_every_stage_package_says_what_it_does_and_may_import() -> None:
    for package in sorted((REPO / "kb").glob("*/__init__.py")):
        if package.parent.name == "schemas":
            continue
        doc = ast.get_docstring(ast.parse(package.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc or "may import" in doc, f"{package.relative_to(REPO)} docstring says nothing of its imports"


@pytest.mark.parametrize(("importer", "imported", "bad"), [
    ("kb/content/sneaky.py", "from kb.store import open_store", True),
    ("kb/content/sneaky.py", "from ..graph.rows import GraphRows", True),
    ("kb/content/sneaky.py", "    from kb.load import load_content", True),
    ("kb/content/sneaky.py", "from kb import analysis", True),
    ("kb/content/sneaky.py", "from kb import load_graph", True),
    ("kb/store/sneaky.py", "from kb.graph.rows import GraphRows", False),
    ("kb/newthing.py", "import os", True),
])
def test_the_check_catches_an_upward_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            importer: str, imported: str, bad: bool) -> None:
    """The checker itself: an upward import (also relative or inside a function) and an unplaced module fail."""
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    path = tmp_path / importer
    path.parent.mkdir(parents=True)
    body = f"def f():\n{imported}\n" if imported.startswith(" ") else f"{imported}\n"
    path.write_text(body, encoding="utf-8")
    assert bool(violations([path])) is bad
