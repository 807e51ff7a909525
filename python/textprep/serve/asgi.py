"""The ASGI application (Starlette): ``/v1/encode``, ``/v1/encode/stream``, ``/v1/predict``, ``/rpc``
(JSON-RPC 2.0), ``/healthz``, ``/v1/info``, ``/metrics``.

Untrusted input never causes a 500: bodies, texts per request and characters per text are bounded (413/422 with a
JSON error naming the limit and the offending index), malformed JSON, wrong types and invalid UTF-8 answer 400 or
422. Every response carries the pipeline fingerprint (header ``X-Textprep-Fingerprint``; JSON bodies also have a
``fingerprint`` field). Real-time encodes and predictions are micro-batched (``Batching``).

>>> import textprep as tp
>>> from starlette.testclient import TestClient
>>> pipe = tp.Pipeline(maxlen=4).fit(["the cat sat", "the dog"])
>>> with TestClient(app(pipe)) as client:
...     r = client.post("/v1/encode", json={"texts": ["the cat", "a dog"]})
>>> r.status_code, r.json()["ids"], r.json()["lengths"]
(200, [[2, 3, 0, 0], [1, 4, 0, 0]], [2, 2])
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..pipeline import Pipeline
from .rpc import rpc_endpoint
from .service import (
    _JSON,
    BadInput,
    Batching,
    Limits,
    Service,
    _options,
    _texts_of,
    log,
    parse_json,
    read_body,
)
from .stream import stream_endpoint


def _error(svc: Service, e: BadInput) -> Response:
    return _JSON({"error": e.body(), "fingerprint": svc.fingerprint}, status_code=e.status)


def _handler(fn: Any) -> Any:
    async def route(request: Request) -> Response:
        svc: Service = request.app.state.service
        try:
            return await fn(svc, request)
        except BadInput as e:
            return _error(svc, e)
        except ClientDisconnect:
            return Response(status_code=499)
        except (TypeError, ValueError, UnicodeError) as e:  # the engine rejected an input
            return _error(svc, BadInput(422, "invalid_input", str(e)[:1000]))
        except Exception:
            log.exception("internal error in %s", request.url.path)
            return _JSON(
                {
                    "error": {"code": "internal", "message": "internal server error (logged)"},
                    "fingerprint": svc.fingerprint,
                },
                status_code=500,
            )

    return route


async def encode_endpoint(svc: Service, request: Request) -> Response:
    obj = parse_json(await read_body(request, svc.limits.max_body_bytes))
    texts = _texts_of(obj, svc.limits)
    opts = _options(obj, svc.limits, ("texts", "text", "output", "maxlen", "mode"))
    return _JSON(await svc.encode(texts, opts))


async def predict_endpoint(svc: Service, request: Request) -> Response:
    obj = parse_json(await read_body(request, svc.limits.max_body_bytes))
    texts = _texts_of(obj, svc.limits)
    _options(obj, svc.limits, ("texts", "text"))
    return _JSON(await svc.predict(texts))


async def health_endpoint(svc: Service, request: Request) -> Response:
    body: dict[str, Any] = {"status": "draining" if svc.draining else "ok", "fingerprint": svc.fingerprint}
    if svc.monitor is not None:
        m = svc.monitor.metrics()
        body["monitor"] = {"sink_healthy": m["sink_healthy"], "rows_buffered": m["rows_buffered"]}
    return _JSON(body, status_code=503 if svc.draining else 200)


async def info_endpoint(svc: Service, request: Request) -> Response:
    return _JSON(svc.info())


async def metrics_endpoint(svc: Service, request: Request) -> Response:
    data, content_type = svc.metrics.render(request.headers.get("accept", ""))
    return Response(data, media_type=content_type)


# -- the app -------------------------------------------------------------------------------------------------------
class _Headers:
    """Adds the fingerprint header to every response and records request metrics (a plain ASGI wrapper: no
    per-request task, unlike Starlette's BaseHTTPMiddleware)."""

    def __init__(self, app: Any, svc: Service) -> None:
        self.app = app
        self.svc = svc
        self.header = (b"x-textprep-fingerprint", svc.fingerprint.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = [500]

        async def send_wrapper(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", []), self.header]
            await send(message)

        m = self.svc.metrics
        m.inflight.inc()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            m.inflight.dec()
            m.observe_request(scope.get("path", ""), status[0], time.perf_counter() - t0)

    def __getattr__(self, name: str) -> Any:  # state, routes, url_path_for of the wrapped Starlette app
        return getattr(self.app, name)


def app(
    pipe: Pipeline,
    model: Any = None,
    monitor: Any = None,
    *,
    limits: Limits | None = None,
    batching: Batching | None = None,
    close_monitor: bool = False,
    drain_seconds: float = 30.0,
) -> Any:
    """The ASGI application serving ``pipe`` (and ``model``, and recording into ``monitor``). Mount it in your
    own service or run it with uvicorn (``textprep serve`` does). ``close_monitor``: close the monitor when the
    app shuts down (otherwise it is flushed). On shutdown, waiting requests are answered before the app stops
    (up to ``drain_seconds``).

    >>> import textprep as tp
    >>> from starlette.testclient import TestClient
    >>> with TestClient(app(tp.Pipeline(n_buckets=16))) as client:
    ...     r = client.post("/rpc", json={"jsonrpc": "2.0", "id": 1, "method": "tokenize", "params": {"texts": ["A b"]}})
    >>> r.json()["result"]["tokens"]
    [['a', 'b']]
    """
    svc = Service(
        pipe,
        model,
        monitor,
        limits or Limits(),
        batching or Batching(),
        close_monitor=close_monitor,
        drain_seconds=drain_seconds,
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await svc.close()

    routes = [
        Route("/v1/encode", _handler(encode_endpoint), methods=["POST"]),
        Route("/v1/encode/stream", _handler(stream_endpoint), methods=["POST"]),
        Route("/v1/predict", _handler(predict_endpoint), methods=["POST"]),
        Route("/rpc", _handler(rpc_endpoint), methods=["POST"]),
        Route("/healthz", _handler(health_endpoint), methods=["GET"]),
        Route("/v1/info", _handler(info_endpoint), methods=["GET"]),
        Route("/metrics", _handler(metrics_endpoint), methods=["GET"]),
    ]
    inner = Starlette(routes=routes, lifespan=lifespan)
    inner.state.service = svc
    return _Headers(inner, svc)


__all__ = ["Batching", "Limits", "Service", "app"]
