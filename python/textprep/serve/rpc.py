"""``POST /rpc``: JSON-RPC 2.0 (https://www.jsonrpc.org/specification) with methods ``encode``, ``tokenize``,
``predict`` and ``info``.

Batches (arrays of calls) run concurrently, so their encodes share micro-batches. Notifications (calls without
``id``) get no answer; a batch of notifications only answers HTTP 204. Errors use the specification's codes:
-32700 parse error (invalid JSON or UTF-8), -32600 invalid request (not a request object; an empty batch),
-32601 method not found (also ``predict`` with no model), -32602 invalid params (``data`` names the field,
limit and index, as the REST endpoints do), -32603 internal error. Answers are HTTP 200 except a body over
``max_body_bytes`` or a batch over ``max_rpc_batch`` calls (413).

>>> import textprep as tp
>>> from starlette.testclient import TestClient
>>> from textprep.serve import app
>>> with TestClient(app(tp.Pipeline(n_buckets=8))) as c:
...     r = c.post("/rpc", json=[{"jsonrpc": "2.0", "id": 1, "method": "nope"}, {"jsonrpc": "2.0", "method": "info"}])
>>> r.json()
[{'jsonrpc': '2.0', 'error': {'code': -32601, 'message': 'Method not found: nope'}, 'id': 1}]
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .service import BadInput, Service, _dumps, _options, check_texts, parse_json, read_body

log = logging.getLogger("textprep.serve")

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

METHODS = ("encode", "tokenize", "predict", "info")
_NO_ID = object()


class RpcError(Exception):
    """A JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data

    def obj(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


def _response(id_: Any, result: Any = None, error: RpcError | None = None) -> dict[str, Any]:
    if error is not None:
        return {"jsonrpc": "2.0", "error": error.obj(), "id": id_}
    return {"jsonrpc": "2.0", "result": result, "id": id_}


def _named(params: Any, names: tuple[str, ...]) -> dict[str, Any]:
    if params is None:
        return {}
    if isinstance(params, list):
        if len(params) > len(names):
            raise RpcError(
                INVALID_PARAMS, f"Invalid params: at most {len(names)} positional params ({', '.join(names)})"
            )
        return dict(zip(names, params, strict=False))
    return dict(params)


async def _call(svc: Service, method: str, params: Any) -> Any:
    try:
        if method == "info":
            if params not in (None, [], {}):
                raise RpcError(INVALID_PARAMS, "Invalid params: info takes none")
            return svc.info()
        if method == "predict" and svc.predictor is None:
            raise RpcError(METHOD_NOT_FOUND, "Method not found: predict (no model is loaded)")
        names = {
            "encode": ("texts", "output", "maxlen", "mode"),
            "tokenize": ("texts",),
            "predict": ("texts",),
        }[method]
        p = _named(params, names)
        if "texts" not in p:
            raise RpcError(INVALID_PARAMS, 'Invalid params: "texts" (an array of strings) is required')
        texts = check_texts(p["texts"], svc.limits)
        opts = _options(p, svc.limits, names)
        if method == "tokenize":
            opts["output"] = "tokens"
        if method == "predict":
            return await svc.predict(texts)
        return await svc.encode(texts, opts)
    except BadInput as e:
        raise RpcError(INVALID_PARAMS, f"Invalid params: {e.message}", e.body()) from None
    except (TypeError, ValueError, UnicodeError) as e:  # the engine rejected an input
        raise RpcError(INVALID_PARAMS, f"Invalid params: {e}"[:1000]) from None


async def _one(svc: Service, req: Any) -> dict[str, Any] | None:
    if not isinstance(req, dict):
        return _response(None, error=RpcError(INVALID_REQUEST, "Invalid Request: expected an object"))
    id_ = req.get("id", _NO_ID)
    valid_id = (
        id_ is _NO_ID or id_ is None or (isinstance(id_, str | int | float) and not isinstance(id_, bool))
    )
    answer_id = id_ if valid_id and id_ is not _NO_ID else None
    if not valid_id:
        return _response(
            None, error=RpcError(INVALID_REQUEST, "Invalid Request: id must be a string, number or null")
        )
    if req.get("jsonrpc") != "2.0":
        return _response(
            answer_id, error=RpcError(INVALID_REQUEST, 'Invalid Request: "jsonrpc" must be "2.0"')
        )
    method = req.get("method")
    if not isinstance(method, str):
        return _response(
            answer_id, error=RpcError(INVALID_REQUEST, 'Invalid Request: "method" must be a string')
        )
    params = req.get("params")
    if "params" in req and not isinstance(params, dict | list):
        return _response(
            answer_id, error=RpcError(INVALID_REQUEST, 'Invalid Request: "params" must be an object or array')
        )
    notification = id_ is _NO_ID
    try:
        if method not in METHODS:
            raise RpcError(METHOD_NOT_FOUND, f"Method not found: {method}"[:200])
        result = await _call(svc, method, params)
    except RpcError as e:
        return None if notification else _response(answer_id, error=e)
    except Exception:
        log.exception("internal error in JSON-RPC method %s", method)
        return (
            None if notification else _response(answer_id, error=RpcError(INTERNAL_ERROR, "Internal error"))
        )
    return None if notification else _response(answer_id, result)


def _json(obj: Any, status: int = 200) -> Response:
    return Response(_dumps(obj), status_code=status, media_type="application/json")


async def rpc_endpoint(svc: Service, request: Request) -> Response:
    """Handle one JSON-RPC request or batch."""
    try:
        body = await read_body(request, svc.limits.max_body_bytes)
    except BadInput as e:
        return _json(_response(None, error=RpcError(INVALID_REQUEST, e.message, e.body())), e.status)
    try:
        obj = parse_json(body)
    except BadInput as e:
        return _json(_response(None, error=RpcError(PARSE_ERROR, "Parse error", {"detail": e.message})))
    if isinstance(obj, list):
        if not obj:
            return _json(_response(None, error=RpcError(INVALID_REQUEST, "Invalid Request: empty batch")))
        if len(obj) > svc.limits.max_rpc_batch:
            err = RpcError(
                INVALID_REQUEST,
                f"Invalid Request: {len(obj)} calls in one batch; the limit is {svc.limits.max_rpc_batch} "
                "(max_rpc_batch)",
                {"limit": "max_rpc_batch", "max": svc.limits.max_rpc_batch},
            )
            return _json(_response(None, error=err), 413)
        answers = [a for a in await asyncio.gather(*(_one(svc, r) for r in obj)) if a is not None]
        return _json(answers) if answers else Response(status_code=204)
    answer = await _one(svc, obj)
    return _json(answer) if answer is not None else Response(status_code=204)


__all__ = ["METHODS", "RpcError", "rpc_endpoint"]
