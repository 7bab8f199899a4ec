"""Console queries in a small pool of confined worker processes.

The researchers' console runs strangers' Cypher.  Whatever the text checks miss, the worst a query
can do is bounded here, by process boundaries and the kernel:

* every console query runs in a worker process (never in the site's process), each worker with its
  own read-only handle on the store, confined by :func:`kb.store.sandbox.confine` before it opens
  it (no file written, nothing read outside the store, no network) and with per-query memory and
  CPU caps (:class:`kb.store.sandbox.QueryLimits`);
* a worker that crashes (the engine segfaults), overruns its time or its memory is killed and
  replaced; the visitor is told what happened and every other page keeps answering;
* the worker classifies the query from the engine's own plan before running it
  (:mod:`kb.store.ladybug_console`, :mod:`kb.store.neo4j_console`); the plan is made in the
  worker too, since planning alone can crash the engine;
* after each query the worker checks the database-wide settings and reopens its handle if a
  query changed one;
* a worker's standard error is a pipe read into the site's log (logger ``kb.console``), line by
  line and capped, so that its tracebacks are kept wherever the site logs to; its answers are
  read up to the result's byte cap plus a margin, and a worker that sends more is killed.

The pool is per site process (a multi-process server has one per process), created on first use
and kept warm: a normal query costs one round trip over a pipe.  The protocol is one JSON line
each way; the first line a worker reads is its configuration (so that no secret is in its
environment or command line).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kb.problems import QueryError, StoreError
from kb.queries.console import ConsoleResult

__all__ = ["ConsoleBusy", "ConsolePool", "WorkerConfig", "WorkerCrashed"]

#: Seconds a worker may take to start and open the store.
START_SECONDS = 60.0
#: Extra seconds past the query's time limit before the worker is killed (the engine stops first).
GRACE_SECONDS = 2.0
#: Bytes an answer may have beyond the result's byte cap (columns, notes, the JSON around them).
ANSWER_MARGIN_BYTES = 256 * 1024
#: What a worker's standard error may put into the site's log: characters a line, lines a worker.
LOG_LINE_CHARS, LOG_LINES = 2000, 1000
log = logging.getLogger("kb.console")
_ROOT = Path(__file__).resolve().parents[2]


class ConsoleBusy(QueryError):
    """Every worker was busy for longer than a visitor should wait."""


class WorkerCrashed(QueryError):
    """The worker died or was killed while running the query; it has been replaced."""


@dataclass
class WorkerConfig:
    """What a worker needs: the store to read, and its limits."""

    backend: str = "ladybug"
    store: str = ""  # LadybugDB: the store folder
    neo4j: dict[str, Any] | None = None  # Neo4j: uri, username, password, database
    memory_mb: int = 1024  # memory a query may add to the worker
    cpu_seconds: int = 0  # CPU time of one query (0: twice the time limit, plus one)
    sandbox: str = "required"  # "optional": start even where the kernel lacks Landlock or seccomp


class _Worker:
    """One worker process and the half-read line of its output."""

    def __init__(self, config: WorkerConfig):
        self.config = config
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(_ROOT),
                       "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
        for name in ("KB_LADYBUG_BUFFER_MB", "LBUG_PYTHON_BACKEND"):
            if name in os.environ:
                environment[name] = os.environ[name]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kb.store.console_worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd="/", env=environment, close_fds=True, start_new_session=True)
        #: Copies the worker's standard error into the site's log; it ends when the worker's pipe closes.
        self.stderr_reader = threading.Thread(target=_log_lines, args=(self.process.stderr, self.process.pid),
                                              daemon=True, name=f"console-worker-{self.process.pid}-stderr")
        self.stderr_reader.start()
        self._buffer = b""
        self.max_answer_bytes = 0  # 0: no limit (the start-up message)
        self.ready = False
        self.report: dict[str, Any] = {}
        self._send(asdict(config))

    def _send(self, message: dict[str, Any]) -> None:
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def _receive(self, deadline: float) -> dict[str, Any] | None:
        """The next message, or None when the worker died or the deadline passed (it is then killed)."""
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.kill()
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                self.process.wait()
                return None
            self._buffer += chunk
            if self.max_answer_bytes and len(self._buffer) > self.max_answer_bytes:
                log.warning("console worker %s sent an answer over %s bytes; it was stopped", self.process.pid,
                            self.max_answer_bytes)
                self.kill()
                self._buffer = b""
                return None
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def wait_ready(self) -> None:
        if self.ready:
            return
        message = self._receive(time.monotonic() + START_SECONDS)
        if message is None:
            raise QueryError("The query engine could not be started; try again in a moment.")
        if not message.get("ready"):
            self.kill()
            if message.get("unavailable"):
                raise StoreError(message.get("error") or "The graph store is unavailable.")
            raise QueryError(message.get("error") or "The query engine could not be started.")
        self.ready = True
        self.report = message.get("sandbox", {})

    def run(self, request: dict[str, Any], seconds: float) -> dict[str, Any] | None:
        byte_cap = int(request.get("byte_cap") or 0)
        self.max_answer_bytes = byte_cap + ANSWER_MARGIN_BYTES if byte_cap else 0
        self._send(request)
        return self._receive(time.monotonic() + seconds)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()  # the worker exits at the end of its input
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
        for stream in (self.process.stdin, self.process.stdout):  # stderr: its reader closes it at the end
            with contextlib.suppress(OSError):
                stream.close()


class ConsolePool:
    """A few warm workers; :meth:`run` hands a query to an idle one.

    >>> pool = ConsolePool(WorkerConfig(store="/nonexistent"), size=1)
    >>> pool.size
    1
    >>> pool.close()   # no worker was started
    """

    def __init__(self, config: WorkerConfig, size: int = 2):
        self.config = config
        self.size = max(1, size)
        self._idle: list[_Worker] = []
        self._started = 0
        self._condition = threading.Condition()
        self._pid = os.getpid()
        self.restarts = 0

    def _take(self, wait_seconds: float) -> _Worker:
        deadline = time.monotonic() + wait_seconds
        with self._condition:
            while not self._idle and self._started >= self.size:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ConsoleBusy("The console is busy with other queries; try again in a moment.")
                self._condition.wait(left)
            if self._idle:
                return self._idle.pop()
            self._started += 1
        try:
            return _Worker(self.config)
        except BaseException:
            self._forget()
            raise

    def prestart(self) -> None:
        """Start one worker now if none runs yet (the console page calls this while a visitor types)."""
        if os.getpid() != self._pid:
            self.__init__(self.config, self.size)
        with self._condition:
            if self._started:
                return
            self._started += 1
        try:
            self._give_back(_Worker(self.config))
        except OSError:
            self._forget()

    def _give_back(self, worker: _Worker) -> None:
        with self._condition:
            self._idle.append(worker)
            self._condition.notify()

    def _forget(self) -> None:
        with self._condition:
            self._started -= 1
            self._condition.notify()

    def _replace(self, worker: _Worker) -> None:
        """Start a fresh worker in the dead one's place, so that the next query finds it warm."""
        worker.close()
        self.restarts += 1
        try:
            self._give_back(_Worker(self.config))
        except OSError:
            self._forget()

    def run(self, cypher: str, params: dict[str, Any], *, timeout_ms: int, row_cap: int,
            byte_cap: int) -> ConsoleResult:
        """Run one console query in a worker; raise :class:`QueryError` with a message for the visitor."""
        if os.getpid() != self._pid:  # a forked server process never shares its parent's workers
            self.__init__(self.config, self.size)
        worker = self._take(wait_seconds=timeout_ms / 1000 + 5)
        try:
            worker.wait_ready()
        except (QueryError, StoreError):
            self._forget()
            worker.close()
            raise
        except BaseException:
            self._replace(worker)
            raise
        request = {"cypher": cypher, "params": params, "timeout_ms": timeout_ms, "row_cap": row_cap,
                   "byte_cap": byte_cap}
        seconds = timeout_ms / 1000 + GRACE_SECONDS
        try:
            reply = worker.run(request, seconds)
        except BaseException:
            self._replace(worker)
            raise
        if reply is None:
            returncode = worker.process.returncode
            self._replace(worker)
            raise WorkerCrashed(_death_message(returncode, timeout_ms))
        self._give_back(worker)
        if reply.get("unavailable"):
            raise StoreError(reply.get("error") or "The graph store is unavailable.")
        if not reply.get("ok"):
            raise QueryError(reply.get("error") or "The query did not run.")
        result = reply["result"]
        return ConsoleResult(result["columns"], result["rows"], result["truncated"], result["elapsed_ms"],
                             result.get("notes", []))

    def status(self) -> dict[str, Any]:
        """How many workers run, how many were replaced, and what the kernel enforces in them."""
        with self._condition:
            reports = [w.report for w in self._idle if w.ready]
        return {"workers": self._started, "restarts": self.restarts, "sandbox": reports[0] if reports else None}

    def close(self) -> None:
        with self._condition:
            idle, self._idle = self._idle, []
            self._started -= len(idle)
        for worker in idle:
            worker.close()


def _log_lines(stream: Any, pid: int) -> None:
    """Copy a worker's standard error into the site's log, each line capped, until the worker ends."""
    count = 0
    with contextlib.suppress(OSError, ValueError), stream:
        for raw in stream:
            count += 1
            if count <= LOG_LINES:
                line = raw.decode("utf-8", "replace").rstrip()
                log.warning("console worker %s: %s", pid, line[:LOG_LINE_CHARS] + ("…" if len(line) >
                                                                                    LOG_LINE_CHARS else ""))
            elif count == LOG_LINES + 1:
                log.warning("console worker %s: more than %s lines; the rest is not logged", pid, LOG_LINES)


def _death_message(returncode: int | None, timeout_ms: int) -> str:
    restarted = "it has been restarted, and other pages were not affected."
    if returncode == -signal.SIGKILL:
        return (f"The query ran longer than {timeout_ms / 1000:g} s and did not stop when asked, so the query "
                f"engine running it was stopped; {restarted}")
    if returncode == -signal.SIGXCPU:
        return f"The query used more CPU time than the console allows and was stopped; {restarted}"
    return f"This query stopped the query engine (it crashed or ran out of memory); {restarted}"

