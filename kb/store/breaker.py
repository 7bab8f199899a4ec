"""A circuit breaker for a graph server: fail fast while it is away, notice in the background when it is back.

Without one, every page of a site whose Neo4j is down waits for its own connection attempt (and the
driver's retries) before answering 503.  With one, the first failure *opens* the breaker: later calls
fail at once with the same reason, and one background thread tries the server again every few
seconds; its first success *closes* the breaker and requests reach the server again.

A refused login (:class:`LoginRefused`) is different: trying again every few seconds would keep the
server's lockout of that user going (Neo4j locks a user out after a few failed logins, and every
further failure extends it), which locks out the loader and the administrators too.  So the
breaker waits :data:`LOGIN_RETRY_FIRST` seconds before its first new attempt, doubling up to
:data:`LOGIN_RETRY_MAX`, and says so once in the log rather than failing quietly on each attempt.

>>> calls = []
>>> breaker = CircuitBreaker(lambda: calls.append("probe"), retry_every=60)
>>> breaker.check()                      # closed: nothing happens
>>> breaker.trip(StoreError("Neo4j at bolt://db:7687 is unreachable"))
>>> breaker.is_open
True
>>> try:
...     breaker.check()
... except StoreError as err:
...     print(str(err).split(" (since")[0])
Neo4j at bolt://db:7687 is unreachable
>>> breaker.close()
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from kb.problems import StoreError

__all__ = ["LOGIN_RETRY_FIRST", "LOGIN_RETRY_MAX", "CircuitBreaker", "LoginRefused"]

#: Seconds before a refused login is tried again, the first time and at most (doubling in between).
LOGIN_RETRY_FIRST, LOGIN_RETRY_MAX = 60.0, 900.0
log = logging.getLogger("kb.store")


class LoginRefused(StoreError):
    """The server refused the login: tried again only after a long pause (see the module docstring)."""


class CircuitBreaker:
    """Opens on a connection failure; a daemon thread calls ``probe`` until it succeeds, then closes.

    Parameters
    ----------
    probe : callable
        Tries the server once; raises :class:`~kb.problems.StoreError` while it is still away.
    retry_every : float
        Seconds between background attempts.
    """

    def __init__(self, probe: Callable[[], None], retry_every: float = 2.0):
        self._probe = probe
        self.retry_every = retry_every
        self._lock = threading.Lock()
        self._error: StoreError | None = None
        self._since = 0.0
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()
        self.delay = retry_every  # seconds until the next background attempt
        self.attempts = 0  # background attempts so far (for tests and logs)

    @property
    def is_open(self) -> bool:
        return self._error is not None

    def check(self) -> None:
        """Raise the last failure at once while the breaker is open; return when it is closed."""
        error = self._error
        if error is not None:
            since = datetime.fromtimestamp(self._since, UTC).strftime("%H:%M:%S UTC")
            if isinstance(error, LoginRefused):
                raise LoginRefused(f"{error} (since {since}; a refused login is tried again only every "
                                   f"{self.delay:g} s, so that Neo4j does not keep the user locked out)")
            raise StoreError(f"{error} (since {since}; trying again in the background every "
                             f"{self.retry_every:g} s)")

    def trip(self, error: StoreError) -> None:
        """Open the breaker with ``error`` (or keep it open with the newer reason)."""
        with self._lock:
            opening = self._error is None
            if opening:
                self._since = time.time()
            self._error = error
            self.delay = self._next_delay(error, opening)
            if opening:
                log.warning("%s; %s", error, self._plan(error))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._retry, name="kb-store-breaker", daemon=True)
                self._thread.start()

    def _next_delay(self, error: StoreError, opening: bool) -> float:
        if not isinstance(error, LoginRefused):
            return self.retry_every
        if opening or not isinstance(self._error, LoginRefused) or self.delay < LOGIN_RETRY_FIRST:
            return LOGIN_RETRY_FIRST
        return min(self.delay * 2, LOGIN_RETRY_MAX)

    def _plan(self, error: StoreError) -> str:
        if isinstance(error, LoginRefused):
            return (f"the login is tried again in {self.delay:g} s (then less often), not every "
                    f"{self.retry_every:g} s: Neo4j locks out a user after failed logins")
        return f"trying again every {self.retry_every:g} s"

    def _retry(self) -> None:
        while not self._closed.wait(self.delay):
            self.attempts += 1
            try:
                self._probe()
            except StoreError as err:
                with self._lock:
                    refused_again = isinstance(err, LoginRefused) and isinstance(self._error, LoginRefused)
                    self._error = err
                    self.delay = self._next_delay(err, opening=False) if refused_again else (
                        LOGIN_RETRY_FIRST if isinstance(err, LoginRefused) else self.retry_every)
                continue
            except Exception as err:  # a probe must never end the thread silently
                with self._lock:
                    self._error = StoreError(f"{type(err).__name__}: {err}")
                    self.delay = self.retry_every
                continue
            with self._lock:
                self._error = None
                self._thread = None
                self.delay = self.retry_every
            log.warning("the graph store answers again")
            return

    def close(self) -> None:
        """Stop the background attempts (the store is being closed)."""
        self._closed.set()
