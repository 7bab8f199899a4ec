"""Stage 1: find the content files and read them as text.

The content lives apart from the code: ``cases/`` holds one Markdown file per
organisation, ``concepts/<kind>/`` one file per practice, challenge, outcome or
framework, and ``vocabulary/`` the controlled lists.  Reading is strict: a file
must be UTF-8 (a byte order mark and CRLF line ends are accepted and removed),
must not contain NUL bytes and must stay under a size limit.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kb.kinds import CONCEPT_FOLDERS
from kb.problems import Problem
from kb.suggest import closest

__all__ = [
    "MAX_FILE_BYTES",
    "REPO_ROOT",
    "ContentLayout",
    "SourceFile",
    "committed_text",
    "discover",
    "misnamed_files",
    "move_hint",
    "read_text",
    "stray_files",
]

#: The repository: the default content root of the command line and the site.
REPO_ROOT = Path(__file__).resolve().parents[2]

MAX_FILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A content file: its path on disk, the path shown in messages, and its role."""

    path: Path
    display: str
    role: str  # "case" or a concept kind


@dataclass(frozen=True)
class ContentLayout:
    """Where the content folders are, below one root (the repository by default)."""

    root: Path

    @property
    def cases(self) -> Path:
        return self.root / "cases"

    @property
    def concepts(self) -> Path:
        return self.root / "concepts"

    @property
    def vocabulary(self) -> Path:
        return self.root / "vocabulary"

    def concept_folder(self, kind: str) -> Path:
        return self.concepts / CONCEPT_FOLDERS[kind]

    def display(self, path: Path) -> str:
        try:
            return os.path.relpath(path, self.root).replace(os.sep, "/")
        except ValueError:
            return str(path)

    def role_of(self, path: Path) -> str | None:
        """Say whether a path is a case, a concept of some kind, or neither."""
        # Compare unresolved paths so that a symlink is judged where it stands.
        parent = Path(os.path.abspath(path)).parent
        if parent == Path(os.path.abspath(self.cases)):
            return "case"
        for kind, folder in CONCEPT_FOLDERS.items():
            if parent == Path(os.path.abspath(self.concepts / folder)):
                return kind
        return None


def discover(layout: ContentLayout, paths: list[Path] | None = None) -> list[SourceFile]:
    """List the content files, all of them or those below the given paths.

    Files whose names start with ``_`` or ``.`` and READMEs are not content.
    """
    candidates: list[Path] = []
    roots = paths or [layout.cases, layout.concepts]
    for root in roots:
        if root.is_dir():
            candidates.extend(sorted(root.rglob("*.md")))
        elif root.exists() or root.is_symlink():
            candidates.append(root)
    files = []
    for path in candidates:
        if path.name.startswith(("_", ".")) or path.name.lower() == "readme.md":
            continue
        role = layout.role_of(path)
        if role is None:
            continue
        files.append(SourceFile(path, layout.display(path), role))
    return files


#: Other endings of Markdown files: such a file would be skipped, so it is reported instead.
MARKDOWN_SUFFIXES = {".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".mdtext", ".txt"}


def misnamed_files(layout: ContentLayout, paths: list[Path] | None = None) -> list[Problem]:
    """Markdown files in the content folders that are not named ``*.md``, so would not be read.

    With ``paths``, the files among those named (and below the folders named) are checked as well,
    wherever they are: a file named on the command line is never passed over without a word.
    """
    folders = [layout.cases, *(layout.concept_folder(kind) for kind in CONCEPT_FOLDERS)]
    candidates: set[Path] = set()
    for folder in folders:
        try:
            with os.scandir(folder) as entries:  # names only: no stat of each of 10,000 .md files
                candidates.update(Path(entry.path) for entry in entries
                                  if not entry.name.endswith(".md") and entry.is_file())
        except OSError:
            continue
    for path in paths or []:
        if path.is_dir():
            candidates.update(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            candidates.add(path)
    problems = stray_files(layout)
    for path in sorted(candidates):
        if path.name.startswith(("_", ".")) or path.suffix == ".md":
            continue
        if path.suffix.lower() in MARKDOWN_SUFFIXES | {".md"}:
            right = path.with_suffix(".md").name
            problems.append(Problem(layout.display(path), 1, 1,
                                    f"'{path.name}' is not read: content files must end in .md",
                                    f"rename it: git mv {layout.display(path)} "
                                    f"{layout.display(path.with_name(right))}", code="file-name"))
    return problems


#: Folder names a contributor may write for the content folders: their files would never be read.
_CONTENT_NAMES = ("cases", "concepts")


def stray_files(layout: ContentLayout) -> list[Problem]:
    """Markdown files where no content is read, but a contributor may well put a case or concept page.

    A subfolder of ``cases/`` (``cases/mexico/nearsoft.md``), ``concepts/`` itself or a folder there that
    is not a kind's (``concepts/practice/x.md``), and a folder beside them named like one (``case/``,
    ``Cases/``): each Markdown file there is an error with the command that moves it.  Only folder
    entries are listed (no file is opened), so this stays cheap with thousands of cases.
    """
    kind_folders = {layout.concept_folder(kind) for kind in CONCEPT_FOLDERS}
    found: list[Path] = []
    for sub in _subfolders(layout.cases):
        found.extend(_markdown_below(sub))
    found.extend(_markdown_in(layout.concepts))
    for sub in _subfolders(layout.concepts):
        found.extend(_markdown_below(sub) if sub not in kind_folders else
                     [p for inner in _subfolders(sub) for p in _markdown_below(inner)])
    for sub in _subfolders(layout.root):
        if sub.name not in _CONTENT_NAMES and _near_content_name(sub.name):
            found.extend(_markdown_below(sub))
    return [Problem(layout.display(path), 1, 1,
                    f"'{layout.display(path)}' is not read: content files are not found there",
                    move_hint(layout, path), code="location") for path in sorted(found)]


def move_hint(layout: ContentLayout, path: Path) -> str:
    """The command that moves a stray Markdown file where it will be read.

    >>> layout = ContentLayout(Path("/repo"))
    >>> move_hint(layout, Path("/repo/cases/mexico/nearsoft.md"))
    'case files go directly in cases/: git mv cases/mexico/nearsoft.md cases/nearsoft.md'
    >>> move_hint(layout, Path("/repo/concepts/practice/peer-review.md"))
    'concept pages go in concepts/<kind>s/: git mv concepts/practice/peer-review.md concepts/practices/peer-review.md'
    """
    name = path.with_suffix(".md").name
    shown = layout.display(path)
    parts = shown.split("/")
    if parts[0] == "concepts" or _near_content_name(parts[0]) == "concepts":
        folders = [CONCEPT_FOLDERS[k] for k in CONCEPT_FOLDERS]
        guess = next((m for part in parts[1:-1] for m in closest(part, folders, limit=1, cutoff=0.7)),
                     "<kind>s")
        return f"concept pages go in concepts/<kind>s/: git mv {shown} concepts/{guess}/{name}"
    return f"case files go directly in cases/: git mv {shown} cases/{name}"


def _near_content_name(name: str) -> str:
    """The content folder a folder name looks like (``case``, ``Cases``, ``concept``), or ""."""
    match = closest(name.lower(), _CONTENT_NAMES, limit=1, cutoff=0.75)
    return match[0] if match else ""


def _subfolders(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            return sorted(Path(e.path) for e in entries if e.is_dir() and not e.name.startswith((".", "_")))
    except OSError:
        return []


def _markdown_in(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            return [Path(e.path) for e in entries if _is_markdown(e.name) and e.is_file()]
    except OSError:
        return []


def _markdown_below(folder: Path) -> list[Path]:
    return [*_markdown_in(folder), *(p for sub in _subfolders(folder) for p in _markdown_below(sub))]


def _is_markdown(name: str) -> bool:
    suffix = os.path.splitext(name)[1].lower()
    return (suffix == ".md" or suffix in MARKDOWN_SUFFIXES - {".txt"}) and not name.startswith(("_", ".")) \
        and name.lower() != "readme.md"


def read_text(file: SourceFile, layout: ContentLayout) -> tuple[str | None, list[Problem]]:
    """Read a content file as text, or say precisely why it cannot be read."""
    where = file.display
    if file.path.is_symlink():
        target = file.path.resolve()
        if not _is_within(target, layout.root.resolve()):
            return None, [_problem(where, "symbolic link leads outside the content folders",
                                   "copy the file into the repository instead of linking to it")]
    try:
        size = file.path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [_problem(where, f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}",
                                   "shorten the prose or split it; sources belong in front matter")]
        data = file.path.read_bytes()
    except OSError as err:
        return None, [_problem(where, f"cannot read file: {err.strerror}", "check the path and permissions")]
    if _looks_utf16(data):
        return None, [_problem(where, "file is saved as UTF-16, not UTF-8",
                               "save it as UTF-8 (in VS Code: 'Save with Encoding', then 'UTF-8'; in Notepad: "
                               "'Save as', Encoding 'UTF-8')")]
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, [_problem(where, "file contains NUL bytes (is it binary?)",
                               "case files are plain UTF-8 Markdown", line)]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        return None, [Problem(where, line, col, f"file is not valid UTF-8 (byte 0x{data[err.start]:02x})",
                              "save the file as UTF-8 in your editor", code="encoding")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def _looks_utf16(data: bytes) -> bool:
    """A UTF-16 byte order mark, or text whose every other byte is NUL (UTF-16 without one).

    >>> _looks_utf16("id: x\\n".encode("utf-16")), _looks_utf16("id: x\\n".encode("utf-16-le"))
    (True, True)
    >>> _looks_utf16(b"id: x\\n"), _looks_utf16(b"\\x00\\x01binary\\x00")
    (False, False)
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = data[:4096]
    halves = sample[0::2], sample[1::2]
    return len(sample) >= 4 and any(half.count(0) >= 0.9 * len(half) for half in halves)


def committed_text(path: Path) -> str | None:
    """The file's text as committed (git's HEAD), or None: not in a git work tree, not committed, no git."""
    folder, name = os.path.split(os.path.abspath(path))
    try:
        done = subprocess.run(["git", "-C", folder, "show", f"HEAD:./{name}"], capture_output=True, timeout=20,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", "replace").replace("\r\n", "\n") if done.returncode == 0 else None


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _problem(where: str, message: str, hint: str, line: int = 1) -> Problem:
    return Problem(where, line, 1, message, hint, code="file")
