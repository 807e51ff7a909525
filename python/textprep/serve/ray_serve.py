"""Ray Serve: the same ASGI app on several replicas (and machines) when one process is not enough.

``ray_deployment(pipe_or_path, num_replicas=2)`` returns a bound Ray Serve application whose replicas each build
``textprep.serve.app`` from the pipeline artifact (sent as JSON, so every replica has identical ids and the same
fingerprint) and, with ``monitor=URL``, their own ``Monitor`` writing to the shared sink (each row names its
replica in ``instance``). Run it with ``ray.serve.run(application, route_prefix="/")``; the endpoints are those of
``textprep serve``. Micro-batching happens inside each replica.

    import ray
    from ray import serve
    import textprep as tp

    ray.init()
    serve.start(http_options={"host": "127.0.0.1", "port": 8000})
    serve.run(tp.serve.ray_deployment("pipe.json", num_replicas=2, monitor="postgresql://..."), route_prefix="/")
"""

from __future__ import annotations

import os
from typing import Any

from ..pipeline import Pipeline


def build_app(
    artifact: str, monitor: str | None, monitor_options: dict[str, Any], app_options: dict[str, Any]
) -> Any:
    """Build the ASGI app inside a replica (called by Ray Serve on replica start).

    >>> import textprep as tp
    >>> type(build_app(tp.Pipeline(n_buckets=4).to_json(), None, {}, {})).__name__
    '_Headers'
    """
    from ..monitor import Monitor
    from .asgi import app
    from .service import Batching, Limits

    pipe = Pipeline.from_json(artifact)
    mon = None
    if monitor:
        replica = os.environ.get("RAY_SERVE_REPLICA_ID") or f"ray:{os.getpid()}"
        mon = Monitor(
            pipe, sink=monitor, instance=monitor_options.pop("instance", replica), **monitor_options
        )
    opts = dict(app_options)
    if isinstance(opts.get("limits"), dict):
        opts["limits"] = Limits(**opts["limits"])
    if isinstance(opts.get("batching"), dict):
        opts["batching"] = Batching(**opts["batching"])
    return app(pipe, monitor=mon, close_monitor=mon is not None, **opts)


def ray_deployment(
    pipe_or_path: Pipeline | str | os.PathLike[str],
    *,
    num_replicas: int = 1,
    ray_actor_options: dict[str, Any] | None = None,
    monitor: str | None = None,
    monitor_options: dict[str, Any] | None = None,
    name: str = "textprep",
    **app_options: Any,
) -> Any:
    """A bound Ray Serve application serving ``pipe_or_path`` (a pipeline or a saved pipeline path) on
    ``num_replicas`` replicas (``ray_actor_options``: e.g. ``{"num_cpus": 1}``). ``monitor``: a sink URL each
    replica writes its windows to (a database both can reach: PostgreSQL); ``app_options``: ``limits`` and
    ``batching`` (objects or dicts), ``drain_seconds``.
    """
    from ray import serve

    pipe = pipe_or_path if isinstance(pipe_or_path, Pipeline) else Pipeline.load(pipe_or_path)
    artifact = pipe.to_json()
    mopts = dict(monitor_options or {})
    aopts = {k: (v.__dict__ if hasattr(v, "__dataclass_fields__") else v) for k, v in app_options.items()}

    def builder() -> Any:
        return build_app(artifact, monitor, dict(mopts), aopts)

    ingress_cls = serve.ingress(builder)()
    deployment = serve.deployment(
        ingress_cls,
        name=name,
        num_replicas=num_replicas,
        ray_actor_options=ray_actor_options or {"num_cpus": 0.5},
    )
    return deployment.bind()  # type: ignore[attr-defined]


__all__ = ["build_app", "ray_deployment"]
