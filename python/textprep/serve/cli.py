"""``textprep serve PATH``: run the app with uvicorn (bound to 127.0.0.1 unless ``--host`` says otherwise).

SIGTERM or Ctrl-C stops accepting connections, answers the requests in flight and the ones waiting in the
micro-batcher, flushes the monitor, then exits (uvicorn's graceful shutdown, bounded by ``--drain-seconds``).

>>> p = build_parser_for_docs()
>>> p.parse_args(["pipe.json"]).host, p.parse_args(["pipe.json"]).port
('127.0.0.1', 8000)
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any


def add_serve_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``textprep serve`` on the main parser's subcommands (no heavy imports here)."""
    s = sub.add_parser(
        "serve",
        help="serve a pipeline (or a Keras model folder) over HTTP: /v1/encode, /v1/predict, /rpc, /metrics",
        description="Run the textprep ASGI app with uvicorn. PATH is a pipeline JSON (pipe.save), a folder "
        "written by textprep.keras.save(model, pipe, folder), or a .keras file with its pipeline.",
    )
    _options(s)
    s.set_defaults(func=cmd_serve)
    return s


def _options(s: argparse.ArgumentParser) -> None:
    s.add_argument("path", help="pipeline JSON, Keras model folder or .keras file")
    s.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: this machine only)"
    )
    s.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    s.add_argument(
        "--monitor", metavar="URL", help="monitoring sink: sqlite:///file.db, postgresql://..., jsonl:///f"
    )
    s.add_argument("--window-seconds", type=float, default=60.0, help="monitoring window length (default 60)")
    s.add_argument("--js-threshold", type=float, default=0.2, help="drift alert threshold (JS distance)")
    s.add_argument(
        "--sample-rate",
        type=float,
        default=0.0,
        help="share of inputs logged (personal data: see SECURITY.md)",
    )
    s.add_argument("--max-batch", type=int, default=256, help="texts per engine call when micro-batching")
    s.add_argument("--max-wait-us", type=int, default=500, help="how long a request waits for a batch (µs)")
    s.add_argument("--no-batching", action="store_true", help="one engine call per request")
    s.add_argument("--max-body-bytes", type=int, default=1 << 20, help="largest JSON body (413 above)")
    s.add_argument("--max-texts", type=int, default=1024, help="texts per request (413 above)")
    s.add_argument("--max-chars", type=int, default=100_000, help="characters per text (422 above)")
    s.add_argument("--limit-concurrency", type=int, default=None, help="connections+requests before 503s")
    s.add_argument("--drain-seconds", type=float, default=30.0, help="graceful shutdown bound")
    s.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    s.add_argument("--access-log", action="store_true", help="log every request (costly at high rates)")


def build_parser_for_docs() -> argparse.ArgumentParser:
    """A standalone parser with the ``serve`` options (for docs and tests)."""
    p = argparse.ArgumentParser(prog="textprep serve")
    _options(p)
    return p


def make_server(path_or_pipe: Any, **opts: Any) -> Any:
    """A ``uvicorn.Server`` for a saved path or a pipeline (options as on the command line, with underscores);
    call ``.run()`` (blocking) or run it in a thread and set ``should_exit`` to stop it gracefully.

    >>> import textprep as tp
    >>> server = make_server(tp.Pipeline(n_buckets=8), port=0)
    >>> server.config.host
    '127.0.0.1'
    """
    import uvicorn

    from ..monitor import Monitor
    from ..pipeline import Pipeline
    from .asgi import app
    from .model import load
    from .service import Batching, Limits

    o = {**vars(build_parser_for_docs().parse_args(["-"])), **opts}
    if isinstance(path_or_pipe, Pipeline):
        pipe, model = path_or_pipe, opts.get("model")
    else:
        pipe, model = load(os.fspath(path_or_pipe))
    monitor = opts.get("monitor_obj")
    if monitor is None and o.get("monitor"):
        monitor = Monitor(
            pipe,
            sink=o["monitor"],
            window_seconds=o["window_seconds"],
            js_threshold=o["js_threshold"],
            sample_rate=o["sample_rate"],
        )
    asgi = app(
        pipe,
        model=model,
        monitor=monitor,
        limits=Limits(max_body_bytes=o["max_body_bytes"], max_texts=o["max_texts"], max_chars=o["max_chars"]),
        batching=Batching(
            enabled=not o["no_batching"], max_batch=o["max_batch"], max_wait_us=o["max_wait_us"]
        ),
        close_monitor=monitor is not None and opts.get("monitor_obj") is None,
        drain_seconds=o["drain_seconds"],
    )
    config = uvicorn.Config(
        asgi,
        host=o["host"],
        port=o["port"],
        log_level=o["log_level"],
        access_log=o["access_log"],
        lifespan="on",
        limit_concurrency=o["limit_concurrency"],
        timeout_graceful_shutdown=int(o["drain_seconds"]),
        server_header=False,
    )
    return uvicorn.Server(config)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the server until SIGTERM / Ctrl-C."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as e:
        raise ImportError(
            f"textprep serve needs the serve extra: pip install 'textprep[serve]' ({e})"
        ) from None
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    opts = {k: v for k, v in vars(args).items() if k not in ("func", "command", "version", "path")}
    server = make_server(args.path, **opts)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        logging.getLogger("textprep.serve").warning(
            "serving on %s: reachable from other machines; put it behind an authenticating proxy", args.host
        )
    server.run()
    return 0


def run(path_or_pipe: Any, **opts: Any) -> None:
    """Serve until stopped (``make_server(...).run()``)."""
    make_server(path_or_pipe, **opts).run()


__all__ = ["add_serve_parser", "build_parser_for_docs", "cmd_serve", "make_server", "run"]
