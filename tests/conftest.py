"""Shared fixtures: a tiny content tree, a loaded store over it, the Flask app and its client."""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import hypothesis
import pytest

from kb.graph.rows import GraphRows, graph_rows
from kb.load import load_content
from kb.store.ladybug import rebuild
from webapp import create_app

pytest_plugins = ["tests.neo4j_fixtures", "tests.browser_fixtures"]

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
#: Tests run many console queries from one address; tests/test_security.py checks the real limit.
TEST_LIMITS = {"KB_CONSOLE_RATE_LIMIT": "100000 per minute"}
# The per-client page limit, likewise, for every app and server the tests start (a test that checks the
# limit sets its own); the whole suite requests search, compare and filter pages from one address.
os.environ.setdefault("KB_PAGE_RATE_LIMIT", "1000000 per minute")
# Every Neo4j server the tests start (the session's and the tests' own) lives for minutes and runs each
# query a few times: without the C2 compiler its JVM spends about a third less CPU on the same start,
# syncs and queries (tools/neo4j/server.py reads the flags).
os.environ.setdefault("KB_NEO4J_JVM_FLAGS", "-XX:TieredStopAtLevel=1")

#: Free space a memory file system needs before the tests put their temporary files on it.
MEMORY_TMP_MIN_FREE = 4 * 1024**3


def use_memory_tmp(mounts: Path = Path("/proc/mounts"), folder: Path = Path("/dev/shm")) -> Path | None:
    """Put every temporary file of the run (pytest's ``tmp_path``, the Neo4j servers' data, the browser's
    profile, and those of the processes the tests start) on a memory file system, when there is one.

    The tests write hundreds of small stores, and each LadybugDB or Neo4j write ends in fsync: on this
    machine's disk a two-case store took 3.1 s to build and 1.2 s on tmpfs (0.5 CPU seconds either way);
    see docs/performance.md, "Fifth round: the test suite".  What the tests check does not change:
    a killed process loses nothing a disk would have kept, since the page cache outlives it.  A TMPDIR
    set by the caller wins; so does a disk where there is no tmpfs with 4 GB free.

    The run's own folder (``run-<pid>``) is removed when the run ends (:func:`pytest_unconfigure`), and
    those of runs that died with it are removed by the next; pytest's folders (``pytest-of-<user>``)
    are beside them, so that a failed test's folder is kept.
    """
    if os.environ.get("TMPDIR"):
        return None
    try:
        is_tmpfs = any(line.split()[1:3] == [str(folder), "tmpfs"] for line in mounts.read_text().splitlines())
        free = shutil.disk_usage(folder).free
    except OSError:
        return None
    if not is_tmpfs or free < MEMORY_TMP_MIN_FREE:
        return None
    tests_tmp = folder / f"kb-tests-{os.getuid()}"
    tests_tmp.mkdir(mode=0o700, exist_ok=True)
    for earlier in tests_tmp.glob("run-*"):
        pid = earlier.name.removeprefix("run-")
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(earlier, ignore_errors=True)
    run = tests_tmp / f"run-{os.getpid()}"
    run.mkdir(mode=0o700, exist_ok=True)
    os.environ["TMPDIR"] = str(run)
    os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", str(tests_tmp))  # where pytest keeps failed tests' folders
    tempfile.tempdir = None  # forget the folder tempfile chose before (it is read again from TMPDIR)
    return run


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return pid > 0


MEMORY_TMP = use_memory_tmp()
# What the site derives from a Neo4j graph version is kept in a cache folder (kb.store.versioned.cache_folder):
# the run's own, not the user's cache.
os.environ.setdefault("KB_DERIVED_CACHE", str(Path(tempfile.mkdtemp(prefix="kb-derived-"))))


def pytest_unconfigure(config: pytest.Config) -> None:
    if MEMORY_TMP is not None:
        shutil.rmtree(MEMORY_TMP, ignore_errors=True)


@pytest.fixture
def mini_root(tmp_path: Path) -> Path:
    """A writable copy of the two-case fixture content."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", root)
    return root


def kill_when_it_prints(script: str, marker: str) -> None:
    """Run ``script`` in a new Python process and SIGKILL it as soon as it prints ``marker``."""
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == marker
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)


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
def real_rows() -> GraphRows:
    """The graph of the repository's real content, read once per test session (tests must not change it)."""
    result = load_content(REPO)
    assert result.ok, [str(p) for p in result.errors]
    return graph_rows(result.corpus)


@pytest.fixture(scope="session")
def real_store(real_rows: GraphRows, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's real content in an embedded store, loaded once per test session."""
    store = tmp_path_factory.mktemp("real") / "store"
    rebuild(store, real_rows)
    return store


@pytest.fixture(scope="session")
def shared_mini_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture content loaded once, for tests that only read it."""
    store = tmp_path_factory.mktemp("mini") / "store"
    load_into(FIXTURES / "mini", store)
    return store


def close_app(app) -> None:
    """Close an app's store and stop its console workers (tests make many apps)."""
    for name in ("kb_console", "kb_store"):
        if app.extensions.get(name) is not None:
            app.extensions[name].close()


@pytest.fixture
def app(shared_mini_store: Path):
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store), **TEST_LIMITS})
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_client():
    """Clients of apps made for one test; their stores are closed after it.

    Each open embedded store reserves a large span of address space, so tests must not leave
    them to the garbage collector.
    """
    apps = []

    def make(**config):
        apps.append(create_app({"TESTING": True, **config}))
        return apps[-1].test_client()

    yield make
    for app in apps:
        close_app(app)


@pytest.fixture(scope="session")
def real_client(real_store: Path):
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(real_store), **TEST_LIMITS})
    yield app.test_client()
    close_app(app)


def ci_strict() -> bool:
    """Under CI=true nothing may be skipped: missing Java, Maven or Chromium is a failure."""
    return os.environ.get("CI", "").lower() == "true"


# Property tests and the API fuzzer (Hypothesis, under Schemathesis too) are deterministic under CI: the
# same examples on every run, so a run's time and its verdict do not depend on the luck of the draw, and
# no example database is written.  Each test's own @settings bounds its number of examples.
hypothesis.settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if ci_strict():
    hypothesis.settings.load_profile("ci")


def skip_or_fail(reason: str) -> None:
    if ci_strict():
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


# --- two workers: `pytest -n 2 --dist loadgroup` (as .ci/run runs) ------------------------------------
BROWSER_TESTS = Path(__file__).parent / "browser"
#: Tests that use the session's Neo4j server (tests/neo4j_fixtures.py), found by the fixture names.
_USES_NEO4J = re.compile(r"\bneo4j_(?:server|db)\b")


def worker_group(nodeid: str, root: Path = REPO) -> str:
    """The group of tests one worker runs: every test of a module that uses the session's Neo4j server,
    every browser test, or else the test alone (it goes wherever a worker is free).

    Each worker starts the JVM or Chromium it needs on first use, so the groups keep each at one per run.

    >>> worker_group("tests/browser/test_looks.py::test_no_overflow[chromium-home]")
    'browser'
    >>> worker_group("tests/test_neo4j_store.py::test_foreign_data_is_never_touched")
    'neo4j'
    >>> worker_group("tests/test_layers.py::test_no_stage_imports_a_later_one")
    'tests/test_layers.py::test_no_stage_imports_a_later_one'
    """
    path = root / nodeid.split("::", 1)[0]
    if path.is_relative_to(root / BROWSER_TESTS.relative_to(REPO)):
        return "browser"
    if path.name.startswith("test_") and path.suffix == ".py" and _uses_neo4j(path):
        return "neo4j"
    return nodeid


@functools.cache
def _uses_neo4j(path: Path) -> bool:
    return path.is_file() and bool(_USES_NEO4J.search(path.read_text(encoding="utf-8")))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadgroup`` with the groups of :func:`worker_group` (pytest-xdist's own ``xdist_group`` marks
    are not seen under pytest 9, which names nodes differently); the largest groups start first."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ServerGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_group(nodeid)

    return ServerGroups(config, log)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if ci_strict() and skipped:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) were skipped; failing the run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- where the suite's time goes ----------------------------------------------------------------------
#: Seconds spent per test file (set-up, call and tear-down of its tests), printed after the slowest tests
#: so that a file that grows slow is seen as a whole, not only through its slowest test.
_FILE_SECONDS: dict[str, float] = {}
#: Seconds spent in tests per worker process (``-n 2``), to see whether the groups keep both busy.
_WORKER_SECONDS: dict[str, float] = {}
SLOWEST_FILES = 15


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::", 1)[0]
    _FILE_SECONDS[path] = _FILE_SECONDS.get(path, 0.0) + report.duration
    worker = getattr(getattr(report, "node", None), "gateway", None)
    if worker is not None:
        _WORKER_SECONDS[worker.id] = _WORKER_SECONDS.get(worker.id, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if len(_FILE_SECONDS) < 2:
        return
    total = sum(_FILE_SECONDS.values())
    terminalreporter.write_sep("=", f"slowest {SLOWEST_FILES} test files (of {total:.0f} s in tests)")
    for path, seconds in sorted(_FILE_SECONDS.items(), key=lambda item: -item[1])[:SLOWEST_FILES]:
        terminalreporter.write_line(f"{seconds:8.2f}s {100 * seconds / total:5.1f}%  {path}")
    if _WORKER_SECONDS:
        terminalreporter.write_line("in tests per worker: " + ", ".join(
            f"{worker} {seconds:.0f} s" for worker, seconds in sorted(_WORKER_SECONDS.items())))
