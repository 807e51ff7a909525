"""The service behind the ASGI app: limits, request parsing and validation, the pipeline/model/monitor state
and the micro-batched engine calls. ``asgi`` (routes), ``rpc`` (JSON-RPC) and ``stream`` (the batch endpoint) are
thin layers over it.

>>> check_texts(["a", "b"], Limits())
['a', 'b']
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import platform
import time
import typing
from collections.abc import Hashable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from starlette.requests import Request
from starlette.responses import Response

from .. import __version__
from ..errors import ConfigError, NotFittedError
from ..pipeline import Pipeline
from .batching import MicroBatcher
from .metrics import Metrics
from .model import Predictor, as_predictor

log = logging.getLogger("textprep.serve")

OUTPUTS = ("ids", "ragged", "bag", "tokens")
BAG_MODES = ("count", "multi_hot", "tf_idf")


@dataclass(frozen=True)
class Limits:
    """Bounds on untrusted input (the answer names the limit when one is exceeded).

    ``max_body_bytes``: a JSON request body (413). ``max_texts``: texts per request (413). ``max_chars``:
    characters per text (422, with the index). ``max_maxlen``: the largest ``maxlen`` a request may ask for
    (422). ``max_rpc_batch``: calls in one JSON-RPC batch (413). ``max_stream_bytes``: the whole body of
    ``/v1/encode/stream`` (413 before the answer starts, an error line after).

    >>> Limits().max_texts
    1024
    """

    max_body_bytes: int = 1 << 20
    max_texts: int = 1024
    max_chars: int = 100_000
    max_maxlen: int = 8192
    max_rpc_batch: int = 100
    max_stream_bytes: int = 1 << 30


@dataclass(frozen=True)
class Batching:
    """Micro-batching of real-time requests: ``max_batch`` texts per engine call, ``max_wait_us`` microseconds
    the first request of a batch waits for others; ``enabled=False`` runs one engine call per request;
    ``threads``: executor threads for engine work off the event loop (micro-batches run one at a time; requests
    without batching, ``bag``/``tokens`` outputs and stream chunks may overlap); 1 suits a small machine, where
    the event loop needs a core and the engine already uses its own threads for large batches.

    >>> Batching(max_wait_us=0).max_batch
    256
    """

    enabled: bool = True
    max_batch: int = 256
    max_wait_us: int = 500
    threads: int = 1


class BadInput(Exception):
    """A 4xx answer: HTTP status, machine-readable code, message, and extra fields (limit, index)."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.extra}


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class _JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return _dumps(content)


# -- parsing and validation --------------------------------------------------------------------------------------
def parse_json(body: bytes) -> Any:
    """The JSON value of a request body; ``BadInput`` (400) for invalid UTF-8 or malformed JSON.

    >>> parse_json(b'{"texts": ["a"]}')
    {'texts': ['a']}
    >>> parse_json(b'{"texts": ["\\xff"]}')
    Traceback (most recent call last):
    textprep.serve.service.BadInput: the body is not valid UTF-8: invalid start byte at byte 12
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInput(
            400, "invalid_utf8", f"the body is not valid UTF-8: {e.reason} at byte {e.start}"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise BadInput(
            400, "invalid_json", f"the body is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
        ) from None
    except (RecursionError, ValueError) as e:  # nesting too deep; integers with too many digits
        raise BadInput(
            400, "invalid_json", f"the body is not acceptable JSON: {type(e).__name__}: {e}"[:300]
        ) from None


def check_texts(texts: Any, limits: Limits, field: str = "texts") -> list[str]:
    """A validated list of texts: a JSON array of strings within the limits; ``BadInput`` names what is wrong.

    >>> check_texts(["a", 3], Limits())
    Traceback (most recent call last):
    textprep.serve.service.BadInput: texts[1] must be a string, got int
    """
    if not isinstance(texts, list):
        raise BadInput(
            422, "invalid_type", f"{field} must be an array of strings, got {_jtype(texts)}", field=field
        )
    if len(texts) > limits.max_texts:
        raise BadInput(
            413,
            "too_many_texts",
            f"{len(texts)} texts in one request; the limit is {limits.max_texts} (max_texts): split the request "
            "or use /v1/encode/stream",
            limit="max_texts",
            max=limits.max_texts,
            got=len(texts),
        )
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise BadInput(
                422, "invalid_type", f"{field}[{i}] must be a string, got {_jtype(t)}", field=field, index=i
            )
        if len(t) > limits.max_chars:
            raise BadInput(
                422,
                "text_too_long",
                f"{field}[{i}] has {len(t)} characters; the limit is {limits.max_chars} (max_chars)",
                limit="max_chars",
                max=limits.max_chars,
                index=i,
                got=len(t),
            )
        if not t.isascii():
            try:
                t.encode("utf-8")
            except UnicodeEncodeError as e:
                raise BadInput(
                    422,
                    "invalid_text",
                    f"{field}[{i}] at character {e.start}: a lone surrogate (\\u{ord(t[e.start]):04x}) is not "
                    "valid Unicode text",
                    field=field,
                    index=i,
                ) from None
    return texts


def _jtype(v: Any) -> str:
    return {
        dict: "object",
        list: "array",
        str: "string",
        bool: "boolean",
        int: "int",
        float: "number",
        type(None): "null",
    }.get(type(v), type(v).__name__)


def _options(obj: dict[str, Any], limits: Limits, allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = sorted(set(obj) - set(allowed))
    if unknown:
        raise BadInput(
            422, "unknown_field", f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}"
        )
    out = obj.get("output", "ids")
    if out not in OUTPUTS:
        raise BadInput(422, "invalid_value", f"output must be one of {', '.join(OUTPUTS)}, got {out!r}")
    maxlen = obj.get("maxlen")
    if maxlen is not None and (
        not isinstance(maxlen, int) or isinstance(maxlen, bool) or not 1 <= maxlen <= limits.max_maxlen
    ):
        raise BadInput(
            422,
            "invalid_value",
            f"maxlen must be an int in 1..{limits.max_maxlen} (max_maxlen), got {maxlen!r}",
            limit="max_maxlen",
        )
    mode = obj.get("mode", "count")
    if mode not in BAG_MODES:
        raise BadInput(422, "invalid_value", f"mode must be one of {', '.join(BAG_MODES)}, got {mode!r}")
    return {"output": out, "maxlen": maxlen, "mode": mode}


def _texts_of(obj: Any, limits: Limits) -> list[str]:
    if not isinstance(obj, dict):
        raise BadInput(
            422, "invalid_type", f'the body must be a JSON object like {{"texts": [...]}}, got {_jtype(obj)}'
        )
    if "texts" in obj:
        return check_texts(obj["texts"], limits)
    if "text" in obj:
        return check_texts([obj["text"]], limits, field="text")
    raise BadInput(422, "missing_field", 'the body needs "texts" (an array of strings) or "text" (a string)')


# -- results of one engine call, sliced per request ----------------------------------------------------------------
class _Rows:
    """Padded ids (and optionally predictions) of a merged batch; ``[a:b]`` gives one request's part."""

    def __init__(
        self, ids: np.ndarray, lengths: np.ndarray, fixed: bool, pre: bool, preds: Any = None
    ) -> None:
        self.ids, self.lengths, self.fixed, self.pre, self.preds = ids, lengths, fixed, pre, preds

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def __getitem__(self, s: slice) -> _Rows:
        ids, lengths = self.ids[s], self.lengths[s]
        if not self.fixed:  # width was the merged batch's longest row: cut to this request's longest
            w = max(1, int(lengths.max()) if lengths.size else 1)
            ids = ids[:, ids.shape[1] - w :] if self.pre else ids[:, :w]
        preds = self.preds[s] if self.preds is not None else None
        return _Rows(ids, lengths, True, self.pre, preds)

    def padded(self) -> dict[str, Any]:
        return {"ids": self.ids.tolist(), "lengths": self.lengths.tolist()}

    def ragged(self) -> dict[str, Any]:
        rows = []
        w = self.ids.shape[1]
        for row, n in zip(self.ids, self.lengths.tolist(), strict=True):
            rows.append(row[w - n :] if self.pre else row[:n])
        values = np.concatenate(rows).ravel() if rows else np.zeros(0, np.int32)
        splits = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(self.lengths, out=splits[1:])
        k = self.ids.shape[2] if self.ids.ndim == 3 else 1
        return {"values": values.tolist(), "row_splits": splits.tolist(), "ids_per_token": k}


class Service:
    """The state behind the routes: pipeline, model, monitor, limits, micro-batcher, metrics."""

    def __init__(
        self,
        pipe: Pipeline,
        model: Any,
        monitor: Any,
        limits: Limits,
        batching: Batching,
        close_monitor: bool,
        drain_seconds: float,
    ) -> None:
        if not isinstance(pipe, Pipeline):
            raise TypeError(f"serve.app expects a textprep.Pipeline, got {type(pipe).__name__}")
        if not pipe.is_fitted:
            raise NotFittedError(
                "serve.app: the pipeline has no vocabulary yet; fit it (or use hashing) first"
            )
        if (
            monitor is not None
            and getattr(monitor, "pipe", None) is not None
            and monitor.fingerprint != pipe.fingerprint
        ):
            raise ConfigError("the monitor watches another pipeline (fingerprints differ)")
        self.pipe = pipe
        self.fingerprint = pipe.fingerprint
        self.predictor: Predictor | None = as_predictor(model, pipe)
        self.monitor = monitor
        self.limits = limits
        self.batching = batching
        self.close_monitor = close_monitor
        self.drain_seconds = drain_seconds
        cfg = pipe.config
        self.config = cfg
        self.maxlen = cfg["encode"]["maxlen"]
        self.pre = cfg["encode"]["padding"] == "pre"
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, batching.threads), thread_name_prefix="textprep-serve"
        )
        self.metrics = Metrics(self)
        self.batcher = MicroBatcher(
            self._engine,
            max_batch=batching.max_batch,
            max_wait_us=batching.max_wait_us if batching.enabled else 0,
            executor=self.executor,
            on_batch=self.metrics.observe_batch,
        )
        self.started = time.time()
        self.draining = False

    # -- engine calls (executor threads) -------------------------------------------------------------------
    def _engine(self, key: Hashable, texts: list[str]) -> _Rows:
        kind, longest, maxlen = typing.cast(tuple[str, bool, "int | None"], key)
        mon = self.monitor
        if mon is not None:
            batch, stats = mon.encode_with_stats(texts, maxlen, longest, sample=kind != "predict")
        else:
            stats = None
            if longest:
                ids, lengths, _ = self.pipe._core.encode_batch_stats(texts, None, True, 0, False, None)[:3]
                batch = None
                rows = _Rows(ids, lengths, False, self.pre)
            else:
                batch = self.pipe.encode_batch(texts, maxlen=maxlen, shapes=False)
        if batch is not None:
            fixed = maxlen is not None or self.maxlen is not None
            rows = _Rows(batch.ids, batch.lengths, fixed and not longest, self.pre)
        if kind == "predict":
            assert self.predictor is not None
            rows.preds = self.predictor.predict(texts, rows.ids)
            if mon is not None and stats is not None:
                mon.log_predictions(texts, rows.preds, stats)
        return rows

    async def encode_rows(self, texts: list[str], kind: str, longest: bool, maxlen: int | None) -> _Rows:
        key = (kind, longest, maxlen)
        if self.batching.enabled:
            return await self.batcher.submit(key, texts)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        try:
            rows: _Rows = await loop.run_in_executor(self.executor, self._engine, key, texts)
        finally:
            self.metrics.observe_batch(len(texts), loop.time() - t0)
        return rows[0 : len(rows)]

    async def run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def _bag(self, texts: list[str], mode: str) -> dict[str, Any]:
        if self.monitor is not None:
            self.monitor.observe(texts)
        m = self.pipe.encode_bag(texts, mode=mode)
        ind, dat, ptr = m.indices, m.data, m.indptr
        return {
            "indices": [ind[ptr[i] : ptr[i + 1]].tolist() for i in range(len(texts))],
            "values": [dat[ptr[i] : ptr[i + 1]].tolist() for i in range(len(texts))],
            "n_cols": int(m.shape[1]),
        }

    def _tokens(self, texts: list[str]) -> dict[str, Any]:
        if self.monitor is not None:
            self.monitor.observe(texts)
        return {"tokens": self.pipe.tokenize_batch(texts)}

    async def encode(self, texts: list[str], opts: dict[str, Any]) -> dict[str, Any]:
        out = opts["output"]
        if out == "bag":
            res = await self.run(self._bag, texts, opts["mode"])
        elif out == "tokens":
            res = await self.run(self._tokens, texts)
        else:
            rows = await self.encode_rows(texts, "encode", out == "ragged", opts["maxlen"])
            res = rows.ragged() if out == "ragged" else rows.padded()
        res["fingerprint"] = self.fingerprint
        return res

    async def predict(self, texts: list[str]) -> dict[str, Any]:
        if self.predictor is None:
            raise BadInput(404, "no_model", "no model is loaded: serve a model folder to use /v1/predict")
        rows = await self.encode_rows(texts, "predict", False, None)
        return {"predictions": rows.preds, "fingerprint": self.fingerprint}

    def info(self) -> dict[str, Any]:
        import prometheus_client
        import starlette
        import uvicorn

        from .. import _core

        return {
            "fingerprint": self.fingerprint,
            "config": self.config,
            "fitted": bool(self.pipe._core.is_fitted()),
            "id_space": self.pipe.id_space,
            "versions": {
                "textprep": __version__,
                "unicode": _core.unicode_version(),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "starlette": starlette.__version__,
                "uvicorn": uvicorn.__version__,
                "prometheus_client": getattr(prometheus_client, "__version__", None)
                or _dist_version("prometheus_client"),
            },
            "model": self.predictor.info() if self.predictor is not None else None,
            "monitor": self.monitor.info() if self.monitor is not None else None,
            "limits": asdict(self.limits),
            "batching": asdict(self.batching),
            "endpoints": [
                "POST /v1/encode",
                "POST /v1/encode/stream",
                "POST /v1/predict",
                "POST /rpc",
                "GET /healthz",
                "GET /v1/info",
                "GET /metrics",
            ],
            "started": self.started,
        }

    async def close(self) -> None:
        self.draining = True
        await self.batcher.close(self.drain_seconds)
        if self.monitor is not None:
            loop = asyncio.get_running_loop()
            if self.close_monitor:
                await loop.run_in_executor(None, self.monitor.close)
            else:
                await loop.run_in_executor(None, self.monitor.flush, 5.0)
        self.executor.shutdown(wait=True)


def _dist_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


# -- HTTP handlers -------------------------------------------------------------------------------------------------
async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than ``limit`` bytes (413) before reading it when Content-Length says so,
    and while reading otherwise."""
    cl = request.headers.get("content-length")
    if cl is not None:
        if not cl.isdigit():
            raise BadInput(400, "invalid_header", "Content-Length must be a non-negative integer")
        if int(cl) > limit:
            raise BadInput(
                413,
                "body_too_large",
                f"the body has {int(cl)} bytes; the limit is {limit} (max_body_bytes)",
                limit="max_body_bytes",
                max=limit,
            )
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadInput(
                413,
                "body_too_large",
                f"the body exceeds {limit} bytes (max_body_bytes)",
                limit="max_body_bytes",
                max=limit,
            )
        chunks.append(chunk)
    return b"".join(chunks)
