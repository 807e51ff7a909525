"""The background writer: rows are queued on the request path (never blocking) and written by one thread in
batches; a failing sink is retried with exponential backoff while the rows wait in a bounded buffer, and rows
that do not fit are dropped and counted.

>>> from textprep.monitor.sinks import UnseenRow
>>> class ListSink:
...     url = "memory"
...     def __init__(self): self.rows = []
...     def write(self, rows): self.rows.extend(rows)
...     def close(self): pass
>>> sink = ListSink()
>>> w = BackgroundWriter(sink, max_buffer=10)
>>> w.submit([UnseenRow(0.0, "f", "i", "x", 1, 1)])
>>> w.flush(timeout=5), len(sink.rows), w.stats()["written"]
(True, 1, 1)
>>> w.close()
True
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from .sinks import Row, Sink

log = logging.getLogger("textprep.monitor")


class BackgroundWriter:
    """Write rows to ``sink`` from a daemon thread.

    ``max_buffer`` bounds the rows waiting (oldest dropped first when full, counted in ``stats()["dropped"]``);
    ``batch_rows`` rows go in one transaction; after a failure the writer waits ``backoff_initial`` seconds,
    doubling up to ``backoff_max``, and retries the same rows (inserts are idempotent). ``tick`` (if given) is
    called about every ``tick_seconds`` from the writer thread (the monitor closes idle windows there).
    """

    def __init__(
        self,
        sink: Sink,
        max_buffer: int = 100_000,
        batch_rows: int = 1000,
        flush_seconds: float = 0.5,
        backoff_initial: float = 0.1,
        backoff_max: float = 5.0,
        tick: Callable[[], None] | None = None,
        tick_seconds: float = 1.0,
    ) -> None:
        if not isinstance(max_buffer, int) or max_buffer < 1:
            raise ValueError(f"max_buffer must be a positive int, got {max_buffer!r}")
        self.sink = sink
        self.max_buffer = max_buffer
        self.batch_rows = max(1, int(batch_rows))
        self.flush_seconds = float(flush_seconds)
        self.backoff_initial = float(backoff_initial)
        self.backoff_max = float(backoff_max)
        self._tick = tick
        self._tick_seconds = float(tick_seconds)
        self._buf: collections.deque[Row] = collections.deque()
        self._cond = threading.Condition()
        self._inflight = 0
        self._written = 0
        self._dropped = 0
        self._errors = 0
        self._submitted = 0
        self._last_error: str | None = None
        self._last_error_at: float | None = None
        self._healthy = True
        self._closing = False
        self._close_deadline = 0.0
        self._thread = threading.Thread(target=self._run, name="textprep-monitor-writer", daemon=True)
        self._thread.start()

    # -- request path ------------------------------------------------------------------------------------------
    def submit(self, rows: Sequence[Row]) -> None:
        """Queue rows (never blocks on the sink; the oldest rows are dropped and counted when the buffer is full)."""
        if not rows:
            return
        with self._cond:
            self._submitted += len(rows)
            self._buf.extend(rows)
            over = len(self._buf) + self._inflight - self.max_buffer
            while over > 0 and self._buf:
                self._buf.popleft()
                self._dropped += 1
                over -= 1
            self._cond.notify_all()

    # -- writer thread -----------------------------------------------------------------------------------------
    def _run(self) -> None:
        backoff = self.backoff_initial
        retry_at = 0.0
        next_tick = time.monotonic() + self._tick_seconds
        while True:
            if self._tick is not None and time.monotonic() >= next_tick:
                next_tick = time.monotonic() + self._tick_seconds
                self._safe_tick()
            with self._cond:
                now = time.monotonic()
                if self._closing and (not self._buf or now > self._close_deadline):
                    return
                if not (self._buf and now >= retry_at):
                    until = [
                        t for t in (next_tick if self._tick else None, retry_at if self._buf else None) if t
                    ]
                    if self._closing:
                        until.append(self._close_deadline)
                    self._cond.wait(max(0.0, min(until) - now) if until else None)
                    continue
                batch = [self._buf.popleft() for _ in range(min(self.batch_rows, len(self._buf)))]
                self._inflight = len(batch)
            try:
                self.sink.write(batch)
            except (
                Exception
            ) as e:  # any sink failure: keep the rows and retry (the request path never sees it)
                with self._cond:
                    self._errors += 1
                    self._last_error = f"{type(e).__name__}: {e}".strip()[:500]
                    self._last_error_at = time.time()
                    if self._healthy:
                        log.warning(
                            "monitor sink %s failed (%s); buffering rows and retrying", self._url(), e
                        )
                    self._healthy = False
                    # put the batch back in front, then enforce the bound (drop the oldest, counted)
                    self._buf.extendleft(reversed(batch))
                    self._inflight = 0
                    while len(self._buf) > self.max_buffer:
                        self._buf.popleft()
                        self._dropped += 1
                    self._cond.notify_all()
                retry_at = time.monotonic() + backoff
                backoff = min(self.backoff_max, backoff * 2)
                continue
            with self._cond:
                self._written += len(batch)
                self._inflight = 0
                if not self._healthy:
                    log.warning("monitor sink %s is back; %d rows waiting", self._url(), len(self._buf))
                self._healthy = True
                self._cond.notify_all()
            backoff = self.backoff_initial
            retry_at = 0.0

    def _safe_tick(self) -> None:
        try:
            assert self._tick is not None
            self._tick()
        except Exception:  # a monitoring bug must not stop the writer
            log.exception("monitor window tick failed")

    def _url(self) -> str:
        return str(getattr(self.sink, "url", type(self.sink).__name__))

    # -- control -----------------------------------------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued row is written (True) or ``timeout`` seconds pass (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._cond.notify_all()
            while self._buf or self._inflight:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(0.05 if left is None else min(0.05, left))
            return True

    def close(self, timeout: float = 10.0) -> bool:
        """Write what is queued (retrying for up to ``timeout`` seconds), stop the thread and close the sink;
        returns True when nothing was left unwritten (rows still waiting then are counted as dropped)."""
        with self._cond:
            self._closing = True
            self._close_deadline = time.monotonic() + timeout
            self._cond.notify_all()
        self._thread.join(timeout + 1.0)
        with self._cond:
            left = len(self._buf) + self._inflight
            self._dropped += left
            self._buf.clear()
        try:
            self.sink.close()
        except Exception:  # closing a broken connection
            log.debug("closing the monitor sink failed", exc_info=True)
        return left == 0

    def stats(self) -> dict[str, Any]:
        """Counters: submitted, written, dropped, buffered, write_errors, healthy, last_error."""
        with self._cond:
            return {
                "submitted": self._submitted,
                "written": self._written,
                "dropped": self._dropped,
                "buffered": len(self._buf) + self._inflight,
                "write_errors": self._errors,
                "healthy": self._healthy,
                "last_error": self._last_error,
                "last_error_at": self._last_error_at,
            }


__all__ = ["BackgroundWriter"]
