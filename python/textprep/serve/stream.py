"""``POST /v1/encode/stream``: the batch endpoint. The body is read and encoded in chunks while the answer streams
back, so a request of any size (up to ``max_stream_bytes``) runs in bounded memory.

Input (by ``Content-Type``): ``text/plain`` (UTF-8, one document per line; a final ``\\r`` is dropped like the
corpus reader does) or ``application/x-ndjson`` (one JSON string, or ``{"text": ...}``, per line). Query
parameters: ``output`` = ``ragged`` (default) or ``ids``; ``chunk_docs`` (documents per engine call, default
4096); ``maxlen`` (``ids`` only). Output: ``application/x-ndjson``, one line per chunk,
``{"offset": first document index, "count": n, "values": [...], "row_splits": [...]}`` (``ragged``) or
``{"offset", "count", "ids": [[...]], "lengths": [...]}`` (``ids``), then ``{"done": true, "docs": N, "bytes": B,
"fingerprint": ...}``. An error in the first chunk answers 4xx; an error later (the status line is already sent)
ends the stream with ``{"error": {...}}`` and no ``done`` line.

Clients should read the answer while they send (curl and ``httpx`` with a separate task do): when the encoded
output waiting for a client that is not reading exceeds ``MAX_PENDING_BYTES``, the server stops reading input
until the client catches up.

>>> import textprep as tp, json
>>> from starlette.testclient import TestClient
>>> from textprep.serve import app
>>> with TestClient(app(tp.Pipeline(n_buckets=8))) as c:
...     r = c.post("/v1/encode/stream", content=b"a b\\nc\\n", headers={"content-type": "text/plain"})
>>> [json.loads(line).get("row_splits") for line in r.text.splitlines()]
[[0, 2, 3], None]
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import numpy as np
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .service import BadInput, Service, _dumps

#: Bytes of input per engine call (a chunk also ends at ``chunk_docs`` documents).
CHUNK_BYTES = 1 << 20
#: Encoded output that may wait for a slow client before input reading pauses.
MAX_PENDING_BYTES = 64 << 20
MAX_CHUNK_DOCS = 65_536


class _Lines:
    """Documents from the request body, in chunks, validated against the limits."""

    def __init__(self, request: Request, svc: Service, ndjson: bool, chunk_docs: int) -> None:
        self.it = request.stream().__aiter__()
        self.svc = svc
        self.ndjson = ndjson
        self.chunk_docs = chunk_docs
        self.buf = b""
        self.eof = False
        self.bytes = 0
        self.docs = 0
        self.pending: list[str] = []

    async def _fill(self) -> None:
        try:
            data = await self.it.__anext__()
        except StopAsyncIteration:
            self.eof = True
            return
        self.bytes += len(data)
        lim = self.svc.limits.max_stream_bytes
        if self.bytes > lim:
            raise BadInput(
                413,
                "body_too_large",
                f"the stream exceeds {lim} bytes (max_stream_bytes)",
                limit="max_stream_bytes",
                max=lim,
            )
        self.buf += data

    def _parse(self, raw: bytes) -> list[str]:
        first = self.docs + len(self.pending)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = first + raw.count(b"\n", 0, e.start)
            raise BadInput(
                400,
                "invalid_utf8",
                f"line {line + 1} (document {line}) is not valid UTF-8: {e.reason}",
                index=line,
            ) from None
        lines = text.split("\n")
        if self.ndjson:
            out = []
            for j, raw_line in enumerate(lines):
                if not raw_line.strip():
                    continue
                try:
                    v = json.loads(raw_line)
                except (ValueError, RecursionError) as e:
                    raise BadInput(
                        400,
                        "invalid_json",
                        f"line {first + j + 1}: not valid JSON: {e}"[:300],
                        index=first + j,
                    ) from None
                if isinstance(v, dict) and isinstance(v.get("text"), str):
                    v = v["text"]
                if not isinstance(v, str):
                    raise BadInput(
                        422,
                        "invalid_type",
                        f'line {first + j + 1}: expected a JSON string or {{"text": ...}}',
                        index=first + j,
                    )
                out.append(v)
            lines = out
        else:
            lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
        mc = self.svc.limits.max_chars
        for j, t in enumerate(lines):
            if len(t) > mc:
                raise BadInput(
                    422,
                    "text_too_long",
                    f"document {first + j} has {len(t)} characters; the limit is {mc} (max_chars)",
                    limit="max_chars",
                    max=mc,
                    index=first + j,
                )
        return lines

    async def next_chunk(self) -> list[str] | None:
        """The next chunk of documents (None at the end)."""
        mc = self.svc.limits.max_chars
        while len(self.pending) < self.chunk_docs:
            if self.eof:
                if not self.buf:
                    break
                raw, self.buf = self.buf, b""
                self.pending += self._parse(raw[:-1] if raw.endswith(b"\n") else raw)
                break
            # parse about CHUNK_BYTES at a time (the last line end within them, else the first one after)
            cut = self.buf.rfind(b"\n", 0, CHUNK_BYTES)
            if cut < 0:
                cut = self.buf.find(b"\n")
            if len(self.buf) >= CHUNK_BYTES and cut >= 0:
                raw, self.buf = self.buf[:cut], self.buf[cut + 1 :]
                self.pending += self._parse(raw)
                continue
            if cut < 0 and len(self.buf) > 4 * mc + 64:  # one line longer than any text may be
                doc = self.docs + len(self.pending)
                raise BadInput(
                    422,
                    "text_too_long",
                    f"document {doc} exceeds {mc} characters (max_chars)",
                    limit="max_chars",
                    max=mc,
                    index=doc,
                )
            await self._fill()
        if not self.pending:
            return None
        chunk, self.pending = self.pending[: self.chunk_docs], self.pending[self.chunk_docs :]
        self.docs += len(chunk)
        return chunk


def _encode_chunk(svc: Service, texts: list[str], output: str, maxlen: int | None, offset: int) -> bytes:
    """One NDJSON line; ids are formatted by the engine (``_core.json_int_*``), not through Python lists."""
    from .. import _core

    mon = svc.monitor
    head = b'{"offset":%d,"count":%d,' % (offset, len(texts))
    if output == "ids":
        batch = (
            mon.encode_batch(texts, maxlen)
            if mon is not None
            else svc.pipe.encode_batch(texts, maxlen=maxlen)
        )
        ids = np.ascontiguousarray(batch.ids)
        rows = _core.json_int_rows(ids, ids.shape[1]) if ids.ndim == 2 else _dumps(ids.tolist())
        return head + b'"ids":' + rows + b',"lengths":' + _core.json_int_list(batch.lengths) + b"}\n"
    if mon is not None:
        from .service import _Rows

        b, _ = mon.encode_with_stats(texts, None, True)
        body = _Rows(b.ids, b.lengths, False, svc.pre).ragged()
        values, splits = (
            np.asarray(body["values"], dtype=np.int32),
            np.asarray(body["row_splits"], dtype=np.int64),
        )
    else:
        values, splits = svc.pipe.encode_ragged(texts)
    return (
        head
        + b'"values":'
        + _core.json_int_list(np.ascontiguousarray(values))
        + b',"row_splits":'
        + _core.json_int_list(np.ascontiguousarray(splits))
        + b"}\n"
    )


class _NDJSONStream(Response):
    """Sends ``first`` then what the producer yields; the producer runs as its own task (it reads the request
    body) so output can wait for a slow client without blocking input, up to ``MAX_PENDING_BYTES``."""

    media_type = "application/x-ndjson"

    def __init__(self, first: bytes, rest: AsyncIterator[bytes]) -> None:
        super().__init__(content=None, status_code=200, media_type=self.media_type)
        # a streamed body has no length: drop the Content-Length: 0 that Response set for the empty content
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        self.first = first
        self.rest = rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.first, "more_body": True})
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        pending = [0]
        room = asyncio.Event()
        room.set()

        async def produce() -> None:
            try:
                async for line in self.rest:
                    queue.put_nowait(line)
                    pending[0] += len(line)
                    if pending[0] > MAX_PENDING_BYTES:
                        room.clear()
                        await room.wait()
            finally:
                queue.put_nowait(None)

        task = asyncio.get_running_loop().create_task(produce())
        try:
            while True:
                line = await queue.get()
                if line is None:
                    break
                pending[0] -= len(line)
                if pending[0] <= MAX_PENDING_BYTES:
                    room.set()
                await send({"type": "http.response.body", "body": line, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            if not task.done():
                task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass


async def stream_endpoint(svc: Service, request: Request) -> Response:
    """Encode a streamed body chunk by chunk."""
    ctype = request.headers.get("content-type", "text/plain").split(";")[0].strip().lower()
    if ctype in ("text/plain", ""):
        ndjson = False
    elif ctype in (
        "application/x-ndjson",
        "application/jsonl",
        "application/ndjson",
        "application/json-lines",
    ):
        ndjson = True
    else:
        raise BadInput(
            415,
            "unsupported_media_type",
            f"Content-Type {ctype!r}: send text/plain (one document per line) or application/x-ndjson",
        )
    q = request.query_params
    output = q.get("output", "ragged")
    if output not in ("ragged", "ids"):
        raise BadInput(422, "invalid_value", f"output must be 'ragged' or 'ids', got {output!r}")
    try:
        chunk_docs = int(q.get("chunk_docs", "4096"))
        maxlen = int(q["maxlen"]) if "maxlen" in q else None
    except ValueError:
        raise BadInput(422, "invalid_value", "chunk_docs and maxlen must be integers") from None
    if not 1 <= chunk_docs <= MAX_CHUNK_DOCS:
        raise BadInput(422, "invalid_value", f"chunk_docs must be in 1..{MAX_CHUNK_DOCS}")
    if maxlen is not None and not 1 <= maxlen <= svc.limits.max_maxlen:
        raise BadInput(
            422,
            "invalid_value",
            f"maxlen must be in 1..{svc.limits.max_maxlen} (max_maxlen)",
            limit="max_maxlen",
        )
    cl = request.headers.get("content-length")
    if cl is not None and cl.isdigit() and int(cl) > svc.limits.max_stream_bytes:
        lim = svc.limits.max_stream_bytes
        raise BadInput(
            413,
            "body_too_large",
            f"the body has {cl} bytes; the limit is {lim} (max_stream_bytes)",
            limit="max_stream_bytes",
            max=lim,
        )
    lines = _Lines(request, svc, ndjson, chunk_docs)
    first_chunk = await lines.next_chunk()
    offset = 0
    if first_chunk is None:
        first = b""
    else:
        first = await svc.run(_encode_chunk, svc, first_chunk, output, maxlen, 0)
        offset = len(first_chunk)

    async def rest() -> AsyncIterator[bytes]:
        # the next chunk is read and parsed while the previous one is encoded (the engine runs detached)
        loop = asyncio.get_running_loop()
        n = offset
        task: asyncio.Future[bytes] | None = None
        try:
            while True:
                try:
                    chunk = await lines.next_chunk()
                finally:
                    if task is not None:
                        line, task = await task, None
                        yield line
                if chunk is None:
                    break
                task = loop.create_task(svc.run(_encode_chunk, svc, chunk, output, maxlen, n))
                n += len(chunk)
        except BadInput as e:
            yield _dumps({"error": e.body(), "fingerprint": svc.fingerprint}) + b"\n"
            return
        except ClientDisconnect:
            return
        except (TypeError, ValueError, UnicodeError) as e:
            yield (
                _dumps(
                    {
                        "error": {"code": "invalid_input", "message": str(e)[:1000]},
                        "fingerprint": svc.fingerprint,
                    }
                )
                + b"\n"
            )
            return
        finally:
            if task is not None:
                task.cancel()
        yield _dumps({"done": True, "docs": n, "bytes": lines.bytes, "fingerprint": svc.fingerprint}) + b"\n"

    return _NDJSONStream(first, rest())


__all__ = ["CHUNK_BYTES", "MAX_PENDING_BYTES", "stream_endpoint"]
