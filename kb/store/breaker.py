"""A circuit breaker for a graph server: fail fast while it is away, notice in the background when it is back.

Without one, every page of a site whose Neo4j is down waits for its own connection attempt (and the
driver's retries) before answering 503.  With one, the first failure *opens* the breaker: later calls
fail at once with the same reason, and one background thread tries the server again every few
seconds; its first success *closes* the breaker and requests reach the server again.

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

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from kb.problems import StoreError

__all__ = ["CircuitBreaker"]


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
        self.attempts = 0  # background attempts so far (for tests and logs)

    @property
    def is_open(self) -> bool:
        return self._error is not None

    def check(self) -> None:
        """Raise the last failure at once while the breaker is open; return when it is closed."""
        error = self._error
        if error is not None:
            since = datetime.fromtimestamp(self._since, UTC).strftime("%H:%M:%S UTC")
            raise StoreError(f"{error} (since {since}; trying again in the background every "
                             f"{self.retry_every:g} s)")

    def trip(self, error: StoreError) -> None:
        """Open the breaker with ``error`` (or keep it open with the newer reason)."""
        with self._lock:
            if self._error is None:
                self._since = time.time()
            self._error = error
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._retry, name="kb-store-breaker", daemon=True)
                self._thread.start()

    def _retry(self) -> None:
        while not self._closed.wait(self.retry_every):
            self.attempts += 1
            try:
                self._probe()
            except StoreError as err:
                with self._lock:
                    self._error = err
                continue
            except Exception as err:  # a probe must never end the thread silently
                with self._lock:
                    self._error = StoreError(f"{type(err).__name__}: {err}")
                continue
            with self._lock:
                self._error = None
                self._thread = None
            return

    def close(self) -> None:
        """Stop the background attempts (the store is being closed)."""
        self._closed.set()
