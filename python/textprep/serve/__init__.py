"""Serving a pipeline (and a model) over HTTP: ``app(pipe, model=None, monitor=None)`` is an ASGI application
(Starlette) with ``/v1/encode``, ``/v1/encode/stream``, ``/v1/predict``, ``/rpc`` (JSON-RPC 2.0), ``/healthz``,
``/v1/info`` and ``/metrics``; ``textprep serve PATH`` runs it with uvicorn; ``ray_deployment`` scales it out
with Ray Serve. Needs the ``serve`` extra: ``pip install 'textprep[serve]'``.

>>> import textprep as tp
>>> from starlette.testclient import TestClient
>>> with TestClient(tp.serve.app(tp.Pipeline(n_buckets=8))) as client:
...     client.get("/healthz").json()["status"]
'ok'
"""

from __future__ import annotations

import importlib
from typing import Any

# Everything loads on use: the command line registers `textprep serve` without importing Starlette (an extra).
_WHERE = {
    "app": "asgi",
    "Batching": "service",
    "Limits": "service",
    "Predictor": "model",
    "load": "model",
    "ray_deployment": "ray_serve",
    "make_server": "cli",
    "run": "cli",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"textprep.serve.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'textprep.serve' has no attribute {name!r}")


__all__ = ["Batching", "Limits", "Predictor", "app", "load", "make_server", "ray_deployment", "run"]
