"""A throw-away Neo4j Community server (Bolt on 127.0.0.1) for tests and development.

No Docker: Maven fetches ``org.neo4j:neo4j`` (see ``pom.xml`` beside this file) into ``~/.m2``
and ``Launcher.java`` starts it embedded with Bolt enabled, auth off, usage reporting off.

    from server import Neo4jServer, Neo4jUnavailable   # tools/neo4j on sys.path
    with Neo4jServer() as srv:                           # start() on enter, stop() on exit
        print(srv.uri, srv.version)                      # bolt://127.0.0.1:PORT  2026.08.1

``python tools/neo4j/server.py`` runs one for development until Ctrl-C.

Only the standard library is required; when the ``neo4j`` driver is importable, start() also
waits for ``verify_connectivity()`` to succeed.

Environment (all optional):
  KB_NEO4J_JAVA_HOME  JDK/JRE to run Neo4j with (default: newest suitable one found)
  KB_NEO4J_MVN        Maven executable (default: ``mvn`` on PATH)
  KB_NEO4J_VERSION    override the Neo4j version from pom.xml (e.g. 5.26.30, needs Java 17+)
  KB_NEO4J_CACHE      cache dir for resolved classpaths (default: ~/.cache/kb-neo4j)
  KB_NEO4J_JVM_FLAGS  extra JVM flags, e.g. ``-XX:TieredStopAtLevel=1`` (the test suite's: a short-lived
                      server spends a third less CPU without the C2 compiler)
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hashlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
LAUNCHER = HERE / "Launcher.java"

INSTALL_HINT = (
    "Neo4j for tests needs a JDK and Maven, with Maven Central reachable on first use (~175 MB "
    "of jars into ~/.m2). Debian 12: `apt-get install -y openjdk-17-jdk-headless maven`. "
    "Neo4j 2026.x (pom.xml) needs Java 21+, which Debian 12 does not package: install a JDK 21/25 "
    "under /usr/lib/jvm (found automatically; this project's machines have Temurin 25 there) or "
    "point KB_NEO4J_JAVA_HOME at one, or run the 5.26 LTS on Java 17 with KB_NEO4J_VERSION=5.26.30."
)

# JVM flags Neo4j's own neo4j.conf uses (the --add-opens let the page cache use direct buffers).
_JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:-UsePerfData",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
]

_READY_RE = re.compile(r"^NEO4J_READY (bolt://\S+) (\S+)(?: (http://\S+))?\s*$", re.M)


class Neo4jUnavailable(RuntimeError):
    """Java or Maven is missing, or the Neo4j jars cannot be fetched. The message says what to do."""


class Neo4jStartError(RuntimeError):
    """The JVM started but Neo4j did not come up (message holds the tail of its logs)."""


# ---------------------------------------------------------------------------------------------
# Version, Java and classpath discovery


def pom_version() -> str:
    """The Neo4j version to use: KB_NEO4J_VERSION, else ``<neo4j.version>`` from pom.xml."""
    env = os.environ.get("KB_NEO4J_VERSION", "").strip()
    if env:
        return env
    m = re.search(r"<neo4j\.version>\s*([^<\s]+)\s*</neo4j\.version>", POM.read_text())
    if not m:
        raise Neo4jUnavailable(f"no <neo4j.version> in {POM}")
    return m.group(1)


def java_range(neo4j_version: str) -> tuple[int, int]:
    """(minimum, newest supported) Java major for a Neo4j version.

    5.x: Java 17 or 21; calendar releases 2025.01+: Java 21, and also 25 from 2025.10 on.
    """
    parts = [int(p) for p in re.findall(r"\d+", neo4j_version)[:2]] + [0]
    year, month = parts[0], parts[1]
    if year < 2025:
        return 17, 21
    if (year, month) < (2025, 10):
        return 21, 21
    return 21, 25


def _java_major(java_home: Path) -> int | None:
    release = java_home / "release"
    try:
        m = re.search(r'^JAVA_VERSION="(\d+)', release.read_text(), re.M)
        if m:
            return int(m.group(1))
    except OSError:
        pass
    java = java_home / "bin" / "java"
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 and m.group(2) else major


def find_java(min_major: int, max_major: int = 99) -> tuple[Path, int]:
    """Return (path to the ``java`` binary, major version) of the best JDK for Neo4j.

    KB_NEO4J_JAVA_HOME wins (it must be >= min_major). Otherwise, among JAVA_HOME,
    /usr/lib/jvm/*, /opt/java/* and the ``java`` on PATH: the newest in [min_major, max_major],
    else the newest above min_major.
    """
    forced = os.environ.get("KB_NEO4J_JAVA_HOME", "").strip()
    if forced:
        home = Path(forced)
        major = _java_major(home)
        if not (home / "bin" / "java").exists() or major is None:
            raise Neo4jUnavailable(f"KB_NEO4J_JAVA_HOME={forced} has no usable bin/java")
        if major < min_major:
            raise Neo4jUnavailable(
                f"KB_NEO4J_JAVA_HOME={forced} is Java {major}; Neo4j {pom_version()} needs "
                f"Java {min_major}+. {INSTALL_HINT}"
            )
        return home / "bin" / "java", major

    homes: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        homes.append(Path(os.environ["JAVA_HOME"]))
    for root in (Path("/usr/lib/jvm"), Path("/opt/java")):
        if root.is_dir():
            homes.extend(sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()))
    on_path = shutil.which("java")
    if on_path:
        homes.append(Path(os.path.realpath(on_path)).parent.parent)

    best: tuple[tuple[bool, int], Path] | None = None
    seen: set[Path] = set()
    found: list[str] = []
    for home in homes:
        home = home.resolve()
        if home in seen or not (home / "bin" / "java").exists():
            continue
        seen.add(home)
        major = _java_major(home)
        if major is None:
            continue
        found.append(f"{home} (Java {major})")
        if major >= min_major:
            rank = (major <= max_major, major)
            if best is None or rank > best[0]:
                best = (rank, home)
    if best is None:
        have = "; found: " + ", ".join(found) if found else "; no Java found"
        raise Neo4jUnavailable(f"Neo4j {pom_version()} needs Java {min_major}+{have}. {INSTALL_HINT}")
    return best[1] / "bin" / "java", best[0][1]


def cache_dir() -> Path:
    env = os.environ.get("KB_NEO4J_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kb-neo4j"


def _cp_valid(cp: str) -> bool:
    parts = [p for p in cp.strip().split(os.pathsep) if p]
    return bool(parts) and all(os.path.exists(p) for p in parts)


def build_classpath(refresh: bool = False, quiet: bool = True) -> str:
    """Resolve the Neo4j classpath with Maven (cached by pom.xml hash + version); return it.

    The first call downloads ~175 MB of jars into ~/.m2 (~1.5 minutes); later calls read the
    cached file (and re-run Maven only if a listed jar has disappeared).
    """
    version = pom_version()
    key = hashlib.sha256(POM.read_bytes() + b"\0" + version.encode()).hexdigest()[:16]
    cdir = cache_dir()
    cp_file = cdir / f"cp-{version}-{key}.txt"
    if not refresh and cp_file.exists():
        cp = cp_file.read_text().strip()
        if _cp_valid(cp):
            return cp

    mvn = os.environ.get("KB_NEO4J_MVN") or shutil.which("mvn")
    if not mvn:
        raise Neo4jUnavailable(f"Maven (`mvn`) not found on PATH. {INSTALL_HINT}")
    cdir.mkdir(parents=True, exist_ok=True)
    tmp = cdir / f".cp-{os.getpid()}.tmp"
    cmd = [
        mvn,
        "-q",
        "-B",
        "-f",
        str(POM),
        "dependency:build-classpath",
        f"-Dmdep.outputFile={tmp}",
        f"-Dneo4j.version={version}",
    ]
    if not quiet:
        print(
            f"[neo4j] resolving Neo4j {version} jars with Maven (first time: ~175 MB, ~1.5 min)...",
            file=sys.stderr,
            flush=True,
        )
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Neo4jUnavailable(f"running Maven failed: {e}. {INSTALL_HINT}") from e
    if res.returncode != 0 or not tmp.exists():
        tail = "\n".join((res.stdout + res.stderr).strip().splitlines()[-25:])
        tmp.unlink(missing_ok=True)
        raise Neo4jUnavailable(
            f"Maven could not resolve org.neo4j:neo4j:{version} (exit {res.returncode}); is Maven "
            f"Central reachable?\n{tail}\n{INSTALL_HINT}"
        )
    cp = tmp.read_text().strip()
    os.replace(tmp, cp_file)
    return cp


def compiled_launcher(java: Path, classpath: str) -> Path | None:
    """A folder holding ``Launcher.class`` compiled once by the JDK's ``javac`` (cached by source, JDK, classpath).

    Started from its source, Java compiles Launcher.java in memory on every start (about 3 s of CPU,
    a fifth of a start); the test suite starts several servers. None when there is no ``javac`` beside
    ``java`` or it fails: the server is then started from the source, as before.
    """
    javac = java.parent / "javac"
    if not javac.exists():
        return None
    key = hashlib.sha256(b"\0".join([LAUNCHER.read_bytes(), str(java.resolve()).encode(), classpath.encode()]))
    key = key.hexdigest()[:16]
    folder = cache_dir() / f"launcher-{key}"
    if (folder / "Launcher.class").exists():
        return folder
    building = Path(tempfile.mkdtemp(prefix=".launcher-", dir=_ensure(cache_dir())))
    try:
        done = subprocess.run([str(javac), "-nowarn", "-d", str(building), "-cp", classpath, str(LAUNCHER)],
                              capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
        if done.returncode != 0 or not (building / "Launcher.class").exists():
            return None
        with contextlib.suppress(OSError):  # another process may have put it there first
            os.replace(building, folder)
        return folder if (folder / "Launcher.class").exists() else None
    except (OSError, subprocess.TimeoutExpired):
        return None
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


# ---------------------------------------------------------------------------------------------
# The server

_RUNNING: set[Neo4jServer] = set()


@atexit.register
def _stop_all() -> None:
    for srv in list(_RUNNING):
        srv.stop()


def half_of(size: str) -> str:
    """Half of a JVM-style memory size, in megabytes.

    >>> half_of("512m"), half_of("8g"), half_of("1G")
    ('256m', '4096m', '512m')
    """
    units = {"k": 1 / 1024, "m": 1, "g": 1024}
    number, unit = size[:-1], size[-1].lower()
    if unit not in units:
        number, unit = size, "m"
    return f"{max(int(float(number) * units[unit] / 2), 1)}m"


class Neo4jServer:
    """One Neo4j Community process with Bolt on 127.0.0.1, auth off, data in a temp dir.

    ``port=0`` (default) lets the OS pick a free port (no race); the bound port is in ``uri``.
    The JVM gets ``-Xms/-Xmx heap``; Neo4j gets ``pagecache`` and a server-side transaction
    timeout. ``settings`` adds/overrides neo4j.conf entries (e.g. ``{"db.logs.query.enabled":
    "OFF"}``). The JVM watches its stdin: if this Python process dies, Neo4j stops too.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        heap: str = "512m",
        pagecache: str = "128m",
        tx_timeout: str = "300s",
        settings: dict[str, str] | None = None,
        data_dir: str | os.PathLike | None = None,
        keep_data: bool = False,
        http_port: int | None = None,
        transaction_max: str | None = None,
        jvm_flags: list[str] | None = None,
    ) -> None:
        self.port = port
        self.jvm_flags = list(jvm_flags or [])  # after the default ones and KB_NEO4J_JVM_FLAGS
        self.http_port = http_port  # None: no HTTP server; 0: a free port
        self.http_uri: str | None = None  # http://127.0.0.1:PORT once started with http_port
        self.heap = heap
        self.pagecache = pagecache
        self.tx_timeout = tx_timeout
        self.settings = dict(settings or {})
        # One transaction may use at most this much heap (half of it by default): a query that builds
        # a huge value fails with Neo4j's MemoryLimitExceeded instead of exhausting the heap and
        # stalling every other query.  A "--set db.memory.transaction.max=..." wins.
        self.transaction_max = self.settings.setdefault("db.memory.transaction.max",
                                                        transaction_max or half_of(heap))
        self._given_data_dir = Path(data_dir) if data_dir else None
        self.keep_data = keep_data or data_dir is not None
        self.data_dir: Path | None = None
        self.uri: str | None = None
        self.version: str = pom_version()  # replaced by the running server's own report
        self.java: Path | None = None
        self._proc: subprocess.Popen | None = None

    # -- context manager
    def __enter__(self) -> Neo4jServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The JVM's process id while it runs."""
        return self._proc.pid if self.running else None

    @property
    def log_dir(self) -> Path | None:
        return self.data_dir / "logs" if self.data_dir else None

    def command(self, classpath: str, java: Path, java_major: int, launcher: Path | None = None) -> list[str]:
        """The JVM's command line; ``launcher`` is a folder with Launcher.class (else it runs from source)."""
        flags = list(_JVM_FLAGS)
        if java_major >= 23:
            flags.append("--sun-misc-unsafe-memory-access=allow")  # silence JDK 24+ warnings
        flags += shlex.split(os.environ.get("KB_NEO4J_JVM_FLAGS", "")) + self.jvm_flags
        args = [
            str(java),
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            *flags,
            "-cp",
            f"{launcher}{os.pathsep}{classpath}" if launcher else classpath,
            "Launcher" if launcher else str(LAUNCHER),
            "--data",
            str(self.data_dir),
            "--port",
            str(self.port),
            "--pagecache",
            self.pagecache,
            "--tx-timeout",
            self.tx_timeout,
            "--watch-stdin",
        ]
        if self.http_port is not None:
            args += ["--http", str(self.http_port)]
        for k, v in self.settings.items():
            args += ["--set", f"{k}={v}"]
        return args

    def start(self, timeout: float = 180) -> str:
        """Start the server and return its bolt URI once it answers queries.

        Raises Neo4jUnavailable (no suitable Java/Maven, jars not fetchable) or Neo4jStartError.
        ``timeout`` covers the JVM start and readiness; the one-time Maven download is not in it.
        """
        if self.running:
            return self.uri  # type: ignore[return-value]
        java, major = find_java(*java_range(pom_version()))
        classpath = build_classpath()
        self.java = java
        if self._given_data_dir:
            self.data_dir = self._given_data_dir
            self.data_dir.mkdir(parents=True, exist_ok=True)
        else:
            self.data_dir = Path(tempfile.mkdtemp(prefix="kb-neo4j-"))
        out_path = self.data_dir / "launcher.out"
        err_path = self.data_dir / "launcher.err"
        deadline = time.monotonic() + timeout
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            self._proc = subprocess.Popen(
                self.command(classpath, java, major, compiled_launcher(java, classpath)),
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                cwd=str(self.data_dir),
                start_new_session=True,
            )
        _RUNNING.add(self)
        try:
            while True:
                m = _READY_RE.search(out_path.read_text(errors="replace"))
                if m:
                    self.uri, self.version, self.http_uri = m.group(1), m.group(2), m.group(3)
                    break
                if self._proc.poll() is not None:
                    raise Neo4jStartError(
                        f"Neo4j exited with code {self._proc.returncode} before it was ready.\n" + self._log_tail()
                    )
                if time.monotonic() > deadline:
                    raise Neo4jStartError(f"Neo4j not ready after {timeout}s.\n" + self._log_tail())
                time.sleep(0.1)
            self._wait_for_bolt(deadline)
        except BaseException:
            self.stop()
            raise
        return self.uri

    def _wait_for_bolt(self, deadline: float) -> None:
        try:
            import neo4j as driver_mod  # type: ignore
        except ImportError:
            driver_mod = None
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise Neo4jStartError("Neo4j exited while waiting for Bolt.\n" + self._log_tail())
            try:
                if driver_mod is None:
                    host, port = self.uri.rsplit("/", 1)[-1].rsplit(":", 1)  # type: ignore
                    socket.create_connection((host, int(port)), timeout=2).close()
                else:
                    # Started with authentication on, a refused login still means Bolt answers.
                    with driver_mod.GraphDatabase.driver(self.uri, auth=None) as drv, \
                            contextlib.suppress(driver_mod.exceptions.AuthError):
                        drv.verify_connectivity()
                return
            except Exception as e:
                last = e
                time.sleep(0.2)
        raise Neo4jStartError(f"Bolt at {self.uri} did not answer: {last!r}\n" + self._log_tail())

    def _log_tail(self, lines: int = 30) -> str:
        parts = []
        if self.data_dir:
            for f in (self.data_dir / "launcher.err", self.data_dir / "logs" / "debug.log"):
                try:
                    txt = f.read_text(errors="replace").strip().splitlines()[-lines:]
                except OSError:
                    continue
                if txt:
                    parts.append(f"--- {f}:\n" + "\n".join(txt))
        return "\n".join(parts)

    def stop(self, timeout: float = 30) -> None:
        """Stop the server (stdin EOF -> clean shutdown; SIGTERM, then SIGKILL if it hangs)
        and delete its temp data dir (unless data_dir/keep_data was given)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # type: ignore[union-attr]
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGTERM)
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
            elif proc.stdin:
                proc.stdin.close()
        _RUNNING.discard(self)
        if self.data_dir is not None and not self.keep_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir = None
        self.uri = None

    def __repr__(self) -> str:
        return f"<Neo4jServer {self.version} {self.uri or 'stopped'}>"


# ---------------------------------------------------------------------------------------------
# Command line (tools/neo4j/neo4j-dev calls this)


def banner(srv: Neo4jServer, seconds: float) -> str:
    """What ``neo4j-dev`` prints once the server is ready: the URI, how to log in, the memory limits."""
    auth = srv.settings.get("dbms.security.auth_enabled", "false").strip().lower() == "true"
    login = ("auth enabled: user neo4j, initial password neo4j (change it first: ALTER CURRENT USER SET PASSWORD "
             "FROM 'neo4j' TO '...'); set NEO4J_USERNAME and NEO4J_PASSWORD") if auth else "auth disabled"
    browser_login = "user neo4j and its password" if auth else "authentication: none"
    return (f"Neo4j {srv.version} (Community) ready in {seconds:.1f}s at {srv.uri}\n"
            f"  export NEO4J_URI={srv.uri}   # {login}; database 'neo4j'\n"
            + (f"  Neo4j Browser: {srv.http_uri}/browser/  (connect to {srv.uri}, {browser_login})\n"
               if srv.http_uri else "")
            + f"  heap {srv.heap}, at most {srv.transaction_max} per transaction (db.memory.transaction.max)\n"
            f"  data+logs: {srv.data_dir}{' (deleted on exit)' if not srv.keep_data else ''}\n"
            f"  Ctrl-C to stop.")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run a throw-away Neo4j for development until Ctrl-C.")
    ap.add_argument("--port", type=int, default=None, help="Bolt port (default: 7687 if free, else a random free port)")
    ap.add_argument("--heap", default="512m")
    ap.add_argument("--pagecache", default="128m")
    ap.add_argument("--tx-timeout", default="300s",
                    help="server-side transaction timeout (default 300s: a first load on a cold server on a busy "
                         "machine was seen to take over 60 s)")
    ap.add_argument("--transaction-max", default=None, metavar="SIZE",
                    help="most heap one transaction may use (db.memory.transaction.max; default half the heap)")
    ap.add_argument("--data", default=None, help="keep data in this dir (default: temp, deleted)")
    ap.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="extra neo4j.conf setting (repeatable)"
    )
    ap.add_argument("--classpath", action="store_true", help="print the classpath and exit")
    ap.add_argument("--http", nargs="?", type=int, const=-1, default=None, metavar="PORT",
                    help="also serve HTTP with Neo4j Browser at /browser/ (default port 7474 if free, else random)")
    args = ap.parse_args(argv)

    try:
        if args.classpath:
            print(build_classpath(quiet=False))
            return 0
        port = args.port if args.port is not None else (7687 if _port_free(7687) else 0)
        settings = dict(kv.split("=", 1) for kv in args.set)
        srv = Neo4jServer(
            port=port,
            heap=args.heap,
            pagecache=args.pagecache,
            tx_timeout=args.tx_timeout,
            settings=settings,
            data_dir=args.data,
            transaction_max=args.transaction_max,
            http_port=None if args.http is None else args.http if args.http >= 0 else (7474 if _port_free(7474) else 0),
        )
        build_classpath(quiet=False)
        t0 = time.monotonic()
        srv.start()
    except Neo4jUnavailable as e:
        print(f"neo4j-dev: {e}", file=sys.stderr)
        return 3
    except Neo4jStartError as e:
        print(f"neo4j-dev: {e}", file=sys.stderr)
        return 1

    print(banner(srv, time.monotonic() - t0), flush=True)
    stop = {"flag": False}

    def _handler(signum, frame):
        stop["flag"] = True

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGHUP, _handler)  # terminal closed: still clean up the temp dir
    try:
        while not stop["flag"] and srv.running:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    crashed = not srv.running and not stop["flag"]
    if crashed:
        print("neo4j-dev: Neo4j exited unexpectedly.\n" + srv._log_tail(), file=sys.stderr)
    print("stopping Neo4j...", file=sys.stderr, flush=True)
    srv.stop()
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
