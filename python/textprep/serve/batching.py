"""Micro-batching: concurrent real-time requests gathered into one engine call, run off the event loop.

Requests are queued with a key (requests with the same key can share one call: same output shape and options)
and a list of texts. One consumer task takes the first waiting request, waits up to ``max_wait_us`` for more (or
until ``max_batch`` texts are waiting), groups what it took by key and runs one call per key in the executor
(the engine detaches from the interpreter and uses its own threads for large batches). Requests that arrive while
a call runs wait for the next one, so under load batches grow by themselves.

>>> import asyncio
>>> async def demo():
...     b = MicroBatcher(lambda key, texts: [t.upper() for t in texts], max_batch=64, max_wait_us=1000)
...     out = await asyncio.gather(b.submit("k", ["a"]), b.submit("k", ["b", "c"]))
...     await b.close()
...     return out, b.stats()["batches"]
>>> asyncio.run(demo())
([['A'], ['B', 'C']], 1)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Item:
    key: Hashable
    texts: Sequence[Any]
    future: asyncio.Future[Any]


@dataclass
class _Stats:
    batches: int = 0
    texts: int = 0
    requests: int = 0
    largest: int = 0
    sizes: list[int] = field(default_factory=list)


class MicroBatcher:
    """Gather concurrent ``submit(key, texts)`` calls into one ``fn(key, all_texts)`` call per key.

    ``fn`` returns a sequence (or anything sliceable with ``[a:b]``) with one entry per text; each caller gets its
    slice. When ``fn`` raises for a merged batch, each request of it is run alone, so one request's bad input
    fails only that request. ``max_batch`` caps the texts of one call (a single larger request runs alone);
    ``max_wait_us`` is how long the first request waits for company. ``on_batch(n_texts, seconds)`` is called
    after each engine call (metrics).
    """

    def __init__(
        self,
        fn: Callable[[Hashable, list[Any]], Any],
        max_batch: int = 256,
        max_wait_us: int = 500,
        executor: concurrent.futures.Executor | None = None,
        on_batch: Callable[[int, float], None] | None = None,
    ) -> None:
        if not isinstance(max_batch, int) or max_batch < 1:
            raise ValueError(f"max_batch must be a positive int, got {max_batch!r}")
        if not isinstance(max_wait_us, int) or max_wait_us < 0:
            raise ValueError(f"max_wait_us must be an int >= 0, got {max_wait_us!r}")
        self.fn = fn
        self.max_batch = max_batch
        self.max_wait = max_wait_us / 1e6
        self._executor = executor
        self._on_batch = on_batch
        self._queue: asyncio.Queue[_Item] | None = None
        self._waiting_texts = 0
        self._full: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._busy = 0
        self._stats = _Stats()

    @property
    def queued_texts(self) -> int:
        """Texts waiting for the next engine call."""
        return self._waiting_texts

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._task is None or self._task.done():
            self._loop = loop
            self._queue = asyncio.Queue()
            self._full = asyncio.Event()
            self._waiting_texts = 0
            self._task = loop.create_task(self._run(), name="textprep-microbatcher")

    async def submit(self, key: Hashable, texts: Sequence[Any]) -> Any:
        """The result of ``fn`` for ``texts`` (computed together with other waiting requests of the same key)."""
        if self._closed:
            raise RuntimeError("the micro-batcher is closed (the server is shutting down)")
        self._start()
        assert self._queue is not None and self._full is not None and self._loop is not None
        fut: asyncio.Future[Any] = self._loop.create_future()
        self._queue.put_nowait(_Item(key, texts, fut))
        self._waiting_texts += len(texts)
        if self._waiting_texts >= self.max_batch:
            self._full.set()
        return await fut

    async def _run(self) -> None:
        assert self._queue is not None and self._full is not None
        loop = asyncio.get_running_loop()
        q = self._queue
        while True:
            first = await q.get()
            self._busy += 1
            try:
                await self._batch(loop, q, first)
            finally:
                self._busy -= 1

    async def _batch(self, loop: asyncio.AbstractEventLoop, q: asyncio.Queue[_Item], first: _Item) -> None:
        assert self._full is not None
        if self.max_wait > 0 and self._waiting_texts < self.max_batch:
            self._full.clear()
            try:
                await asyncio.wait_for(self._full.wait(), self.max_wait)
            except TimeoutError:
                pass
        items = [first]
        n = len(first.texts)
        while n < self.max_batch and not q.empty():
            nxt = q._queue[0]  # type: ignore[attr-defined]  # peek: stop before overshooting max_batch
            if n + len(nxt.texts) > self.max_batch:
                break
            items.append(q.get_nowait())
            n += len(nxt.texts)
        self._waiting_texts -= n
        groups: dict[Hashable, list[_Item]] = {}
        for it in items:
            groups.setdefault(it.key, []).append(it)
        for key, its in groups.items():
            await self._call(loop, key, its)

    async def _call(self, loop: asyncio.AbstractEventLoop, key: Hashable, its: list[_Item]) -> None:
        texts = [t for it in its for t in it.texts]
        t0 = loop.time()
        try:
            result = await loop.run_in_executor(self._executor, self.fn, key, texts)
        except Exception as e:
            if len(its) == 1:
                if not its[0].future.done():
                    its[0].future.set_exception(e)
                return
            for it in its:  # isolate the request that failed
                await self._call(loop, key, [it])
            return
        finally:
            if self._on_batch is not None:
                self._on_batch(len(texts), loop.time() - t0)
        s = self._stats
        s.batches += 1
        s.texts += len(texts)
        s.requests += len(its)
        s.largest = max(s.largest, len(texts))
        a = 0
        for it in its:
            b = a + len(it.texts)
            if not it.future.done():
                it.future.set_result(result[a:b] if len(its) > 1 else result)
            a = b

    def stats(self) -> dict[str, int]:
        """Engine calls made, texts and requests they served, the largest batch."""
        s = self._stats
        return {"batches": s.batches, "texts": s.texts, "requests": s.requests, "largest": s.largest}

    async def close(self, timeout: float = 30.0) -> None:
        """Finish the waiting requests (up to ``timeout`` seconds), then stop the consumer task."""
        self._closed = True
        if self._task is None or self._queue is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (not self._queue.empty() or self._busy) and loop.time() < deadline:
            await asyncio.sleep(0.01)
        self._task.cancel()
        try:
            await self._task
        except (asyncio.CancelledError, Exception):
            pass


__all__ = ["MicroBatcher"]
