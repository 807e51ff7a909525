"""Prometheus metrics of one app (``prometheus_client``, a registry per app so several apps in one process do not
collide): requests by endpoint and status, latency, texts, engine batches, in-flight requests, the micro-batch
queue, and the monitor's windows and sink (rows written, buffered, dropped).

>>> import textprep as tp
>>> from starlette.testclient import TestClient
>>> from textprep.serve import app
>>> with TestClient(app(tp.Pipeline(n_buckets=8))) as c:
...     _ = c.post("/v1/encode", json={"texts": ["a"]})
...     text = c.get("/metrics").text
>>> 'textprep_requests_total{endpoint="/v1/encode",status="200"} 1.0' in text
True
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder

#: Request paths that get their own label value (anything else is "other", so scanners cannot blow up the series).
ENDPOINTS = ("/v1/encode", "/v1/encode/stream", "/v1/predict", "/rpc", "/healthz", "/v1/info", "/metrics")
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384)


class _MonitorCollector:
    """The monitor's counters read at scrape time."""

    def __init__(self, svc: Any) -> None:
        self.svc = svc

    def collect(self) -> Iterator[Metric]:
        mon = self.svc.monitor
        if mon is None:
            return
        m = mon.metrics()
        for name, key, doc in (
            ("textprep_monitor_windows", "windows", "Closed monitoring windows"),
            ("textprep_monitor_alerts", "alerts", "Windows whose drift exceeded the threshold"),
            ("textprep_monitor_docs", "docs", "Documents in closed windows"),
            ("textprep_monitor_tokens", "tokens", "Tokens in closed windows"),
            ("textprep_monitor_oov_tokens", "oov_tokens", "Out-of-vocabulary tokens in closed windows"),
            ("textprep_monitor_rows_written", "rows_written", "Rows the sink accepted"),
            ("textprep_monitor_rows_dropped", "rows_dropped", "Rows dropped because the buffer was full"),
            ("textprep_monitor_write_errors", "write_errors", "Failed sink writes (retried)"),
        ):
            yield CounterMetricFamily(name, doc, value=m[key])
        for name, key, doc in (
            ("textprep_monitor_rows_buffered", "rows_buffered", "Rows waiting for the sink"),
            ("textprep_monitor_sink_healthy", "sink_healthy", "1 when the last sink write succeeded"),
            ("textprep_monitor_current_window_docs", "current_window_docs", "Documents in the open window"),
        ):
            yield GaugeMetricFamily(name, doc, value=float(m[key]))
        for name, key, doc in (
            ("textprep_monitor_last_oov_rate", "last_oov_rate", "OOV rate of the last closed window"),
            (
                "textprep_monitor_last_js",
                "last_js",
                "JS distance of the last closed window from the training counts",
            ),
            ("textprep_monitor_last_psi", "last_psi", "PSI of the last closed window"),
        ):
            if m[key] is not None:
                yield GaugeMetricFamily(name, doc, value=float(m[key]))


class Metrics:
    """The app's registry and the instruments the routes update."""

    def __init__(self, svc: Any) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "textprep_requests", "HTTP requests by endpoint and status", ["endpoint", "status"], registry=r
        )
        self.latency = Histogram(
            "textprep_request_seconds",
            "Request latency by endpoint",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.inflight = Gauge("textprep_inflight_requests", "Requests being handled", registry=r)
        self.texts = Counter("textprep_engine_texts", "Texts passed to the engine", registry=r)
        self.batch_size = Histogram(
            "textprep_engine_batch_texts", "Texts per engine call", buckets=BATCH_BUCKETS, registry=r
        )
        self.engine_seconds = Histogram(
            "textprep_engine_seconds", "Engine call duration", buckets=LATENCY_BUCKETS, registry=r
        )
        queue = Gauge("textprep_batch_queue_texts", "Texts waiting for the next engine call", registry=r)
        queue.set_function(lambda: float(svc.batcher.queued_texts))
        info = Gauge("textprep_pipeline_info", "The served pipeline (value 1)", ["fingerprint"], registry=r)
        info.labels(fingerprint=svc.fingerprint).set(1)
        r.register(_MonitorCollector(svc))
        self._req_children: dict[tuple[str, int], Any] = {}
        self._lat_children: dict[str, Any] = {}

    def observe_request(self, path: str, status: int, seconds: float) -> None:
        """Count one request and its latency (label children cached: the hot path is two dict lookups)."""
        endpoint = path if path in ENDPOINTS else "other"
        key = (endpoint, status)
        c = self._req_children.get(key)
        if c is None:
            c = self._req_children[key] = self.requests.labels(endpoint=endpoint, status=str(status))
        c.inc()
        h = self._lat_children.get(endpoint)
        if h is None:
            h = self._lat_children[endpoint] = self.latency.labels(endpoint=endpoint)
        h.observe(seconds)

    def observe_batch(self, n_texts: int, seconds: float) -> None:
        """One engine call of ``n_texts`` texts."""
        self.texts.inc(n_texts)
        self.batch_size.observe(n_texts)
        self.engine_seconds.observe(seconds)

    def render(self, accept: str) -> tuple[bytes, str]:
        """The exposition (text format, or OpenMetrics when the scraper asks for it) and its content type."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type


__all__ = ["ENDPOINTS", "Metrics"]
