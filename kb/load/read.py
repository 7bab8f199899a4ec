"""Read the content: each file parsed and checked on its own (through the parse cache), then all together.

:func:`read_checked` is the only place a load parses a file: it takes the file's entry from the
parse cache (:mod:`kb.load.cache`, storage only) when its bytes were seen before, and otherwise
parses and checks it and puts the result in.  :func:`load_content` reads the whole content that
way and runs the cross-file checks; :func:`check_paths` is the ``validate`` command's view of it.

>>> result = load_content(Path("."))
>>> result.ok, len(result.corpus.organisations) > 0
(True, True)
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from kb.check.validate import cross_file_problems, file_problems, resolve_links, sort_problems, validate
from kb.check.vocabulary import Vocabulary, load_vocabulary
from kb.content.files import MAX_FILE_BYTES, ContentLayout, SourceFile, discover, misnamed_files, move_hint
from kb.content.parse import parse_file
from kb.graph.model import build_corpus
from kb.load.cache import CachedFile, ParseCache
from kb.load.results import LoadResult
from kb.problems import Problem
from kb.store.manifest import StatKey, stat_key

__all__ = ["by_path", "check_paths", "load_content", "read_checked"]


def read_checked(file: SourceFile, layout: ContentLayout, vocabulary: Vocabulary, cache: ParseCache,
                 known: tuple[str, StatKey] | None = None, keep: bool = True) -> CachedFile:
    """The file parsed and checked on its own: from the cache when its content was seen before.

    ``known`` is a hash and stat signature the caller already has (from a manifest); when the
    file's stat still matches, the file is not even read.  ``keep=False`` does not put a freshly
    parsed file in the cache (a full load: writing an entry costs about as much as parsing).

    >>> import tempfile
    >>> from kb.load.cache import cache_version
    >>> root = Path("tests/fixtures/mini"); layout = ContentLayout(root)
    >>> cache = ParseCache(Path(tempfile.mkdtemp()), cache_version(root))
    >>> file = discover(layout)[0]
    >>> first = read_checked(file, layout, load_vocabulary(layout.vocabulary), cache)
    >>> again = read_checked(file, layout, load_vocabulary(layout.vocabulary), cache)
    >>> (first.reused, again.reused, again.document.data == first.document.data)
    (False, True, True)
    """
    before = stat_key(file.path)
    if before is None or before[0] > MAX_FILE_BYTES:
        return _fresh(file, layout, vocabulary)
    if known and known[1] == before:
        sha256 = known[0]
    else:
        try:
            sha256 = hashlib.sha256(file.path.read_bytes()).hexdigest()
        except OSError:
            return _fresh(file, layout, vocabulary)
    entry = cache.load(sha256, file)
    if entry is not None:
        document, problems = entry
        return CachedFile(document, problems, sha256, before, reused=True)
    result = _fresh(file, layout, vocabulary)
    # Keep it only if the file did not change while it was read, so the entry matches the hash.
    if stat_key(file.path) == before:
        if keep:
            cache.store(sha256, result.document, result.problems)
        result.sha256, result.stat = sha256, before
    return result


def _fresh(file: SourceFile, layout: ContentLayout, vocabulary: Vocabulary) -> CachedFile:
    document = parse_file(file, layout)
    return CachedFile(document, file_problems(document, vocabulary))


def load_content(root: Path, progress: Callable[[Iterable], Iterable] | None = None,
                 cache: ParseCache | None = None) -> LoadResult:
    """Parse and validate all content below ``root``; build the corpus if it has no errors.

    ``progress`` may wrap the list of files (e.g. ``tqdm``) to show parsing progress.  With a
    ``cache``, files whose content was parsed before are not parsed (nor checked on their own) again.
    """
    layout = ContentLayout(root)
    vocabulary = load_vocabulary(layout.vocabulary)
    files = discover(layout)
    files_shown = progress(files) if progress else files
    if cache is None:
        documents = [parse_file(f, layout) for f in files_shown]
        result = LoadResult(validate(documents, vocabulary), documents)
    else:
        loaded = [read_checked(f, layout, vocabulary, cache) for f in files_shown]
        documents = [entry.document for entry in loaded]
        links = resolve_links(documents, documents)
        problems = [p for entry in loaded for p in entry.problems] + links + cross_file_problems(documents, links=False)
        result = LoadResult(sort_problems(problems), documents, loaded=loaded, link_problems=by_path(links))
    misnamed = misnamed_files(layout)
    if misnamed:  # a file that would be passed over is an error, not a silent loss
        result.problems = sort_problems(result.problems + misnamed)
    if result.ok:
        result.corpus = build_corpus(documents, vocabulary)
    return result


def check_paths(root: Path, paths: list[Path]) -> list[Problem]:
    """Validate the whole content but report only problems in the given files or folders.

    Cross-file checks need every file, so the whole content is always read.
    """
    from kb.check.contributor_rules import content_bar_problems  # the contributors' bar: validate's, not a load's

    result = load_content(root)
    problems = sort_problems(result.problems + content_bar_problems(result.documents))
    if not paths:
        return problems
    layout = ContentLayout(root)
    named = {p.path for p in misnamed_files(layout, paths)}
    misnamed = [p for p in misnamed_files(layout, paths) if p.path not in {q.path for q in problems}]
    strays = [Problem(layout.display(p), 1, 1, "not in a content folder, so it is not loaded",
                      move_hint(layout, p), code="location")
              for p in paths if p.is_file() and layout.role_of(p) is None and layout.display(p) not in named]
    wanted = {layout.display(p.resolve()) for p in paths}
    return misnamed + strays + [p for p in problems
                                if any(p.path == w or p.path.startswith(w.rstrip("/") + "/") for w in wanted)]


def by_path(problems: list[Problem]) -> dict[str, list[Problem]]:
    """Problems grouped by the file they are in."""
    grouped: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        grouped[problem.path].append(problem)
    return dict(grouped)
