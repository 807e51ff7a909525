"""textprep.serve: outputs equal the in-process pipeline on real text, micro-batching, a battery of bad inputs (never
a 500), limits, JSON-RPC 2.0 as specified, the streaming batch endpoint, metrics, predictions with a real Keras
model, and a real uvicorn server on 127.0.0.1 (graceful shutdown with requests in flight, SIGTERM)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import numpy as np
import pytest
import textprep as tp
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient
from textprep.serve import Batching, Limits, app, make_server


@pytest.fixture(scope="module")
def pipe(en_lines):
    return tp.Pipeline(maxlen=24).fit(en_lines[:300])


@pytest.fixture
def client(pipe):
    with TestClient(app(pipe)) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- outputs equal the in-process pipeline ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [
        {"maxlen": 24},
        {"maxlen": None},
        {"maxlen": 8, "padding": "pre", "truncating": "pre"},
        {"n_buckets": 500, "num_hashes": 2},
    ],
    ids=["maxlen", "longest", "pre", "hashed-k2"],
)
def test_every_output_equals_the_pipeline(options, en_lines, multi_lines):
    p = tp.Pipeline(**options)
    if "n_buckets" not in options:
        p.fit(en_lines[:300])
    texts = en_lines[300:340] + multi_lines[:10] + ["", "   "]
    with TestClient(app(p)) as c:
        r = c.post("/v1/encode", json={"texts": texts})
        assert r.status_code == 200
        body = r.json()
        b = p.encode_batch(texts)
        assert body["ids"] == b.ids.tolist() and body["lengths"] == b.lengths.tolist()
        assert body["fingerprint"] == p.fingerprint == r.headers["x-textprep-fingerprint"]
        rag = c.post("/v1/encode", json={"texts": texts, "output": "ragged"}).json()
        v, s = p.encode_ragged(texts)
        assert rag["values"] == v.tolist() and rag["row_splits"] == s.tolist()
        toks = c.post("/v1/encode", json={"texts": texts, "output": "tokens"}).json()["tokens"]
        assert toks == p.tokenize_batch(texts)
        bag = c.post("/v1/encode", json={"texts": texts, "output": "bag"}).json()
        m = p.encode_bag(texts)
        assert bag["n_cols"] == m.shape[1]
        for i in range(len(texts)):
            row = m.getrow(i)
            assert bag["indices"][i] == row.indices.tolist() and bag["values"][i] == row.data.tolist()
        one = c.post("/v1/encode", json={"text": texts[0], "maxlen": 5}).json()
        assert one["ids"] == p.encode_batch(texts[:1], maxlen=5).ids.tolist()


def test_micro_batching_merges_concurrent_requests_and_each_gets_its_own_rows(pipe, en_lines):
    texts = en_lines[:200]

    async def run(batching: Batching) -> tuple[list[dict], dict]:
        asgi = app(pipe, batching=batching)
        svc = asgi.app.state.service
        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            outs = await asyncio.gather(
                *(
                    c.post("/v1/encode", json={"texts": [t], "output": o})
                    for t in texts
                    for o in ("ids", "ragged")
                )
            )
        await svc.close()
        return [r.json() for r in outs], svc.batcher.stats()

    for batching in (Batching(max_batch=64, max_wait_us=20_000), Batching(enabled=False)):
        outs, stats = asyncio.run(run(batching))
        for i, t in enumerate(texts):
            ids = pipe.encode(t).tolist()
            assert outs[2 * i]["ids"] == pipe.encode_batch([t]).ids.tolist()
            assert outs[2 * i + 1]["values"] == ids
        if batching.enabled:
            assert stats["requests"] == 400 and stats["batches"] < 100 and stats["largest"] <= 64


def test_micro_batching_with_a_longest_row_width_cuts_each_request_to_its_own_width(en_lines):
    p = tp.Pipeline(padding="pre").fit(en_lines)
    texts = en_lines[:50]

    async def run() -> list[dict]:
        asgi = app(p, batching=Batching(max_batch=1000, max_wait_us=50_000))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://t") as c:
            outs = await asyncio.gather(*(c.post("/v1/encode", json={"texts": [t, "x"]}) for t in texts))
        await asgi.app.state.service.close()
        return [r.json() for r in outs]

    for t, out in zip(texts, asyncio.run(run()), strict=True):
        assert out["ids"] == p.encode_batch([t, "x"]).ids.tolist()


def test_one_bad_request_in_a_batch_fails_alone(pipe):
    async def run() -> list[httpx.Response]:
        asgi = app(pipe, batching=Batching(max_wait_us=50_000))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://t") as c:
            bad = '{"texts": ["ok", "\\ud800"]}'
            outs = await asyncio.gather(
                c.post("/v1/encode", json={"texts": ["a b"]}),
                c.post("/v1/encode", content=bad.encode()),
                c.post("/v1/encode", json={"texts": ["c"]}),
            )
        await asgi.app.state.service.close()
        return list(outs)

    a, bad, c = asyncio.run(run())
    assert (a.status_code, bad.status_code, c.status_code) == (200, 422, 200)
    assert bad.json()["error"]["index"] == 1 and "surrogate" in bad.json()["error"]["message"]


# -- bad input: never a 500 ------------------------------------------------------------------------------------------
BAD_BODIES = [
    b"",
    b"null",
    b"[]",
    b'"texts"',
    b"{",
    b'{"texts": ',
    b"\xff\xfe\x00",
    b'{"texts": ["\xc3\x28"]}',
    b'{"texts": "not a list"}',
    b'{"texts": [1, 2]}',
    b'{"texts": [null]}',
    b'{"texts": [["nested"]]}',
    b'{"texts": [{"a": 1}]}',
    b'{"text": 5}',
    b'{"txt": ["a"]}',
    b'{"texts": ["a"], "output": "pickle"}',
    b'{"texts": ["a"], "output": 3}',
    b'{"texts": ["a"], "maxlen": -1}',
    b'{"texts": ["a"], "maxlen": 10000000000}',
    b'{"texts": ["a"], "maxlen": "5"}',
    b'{"texts": ["a"], "maxlen": true}',
    b'{"texts": ["a"], "output": "bag", "mode": "x"}',
    b'{"texts": ["a"], "extra": 1}',
    b'{"texts": ["\\ud800"]}',
    b'{"texts": ["a\\udfff b"]}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"texts": [' + b"1" * 5000 + b"]}",
    b'{"texts": [NaN, Infinity]}',
    b'{"texts": ["a"]} trailing',
    json.dumps({"texts": ["x" * 100_001]}).encode(),
    json.dumps({"texts": ["a"] * 1025}).encode(),
    b"x" * (1 << 20 | 1),
]


@pytest.mark.parametrize("path", ["/v1/encode", "/v1/predict"])
def test_battery_of_bad_inputs_answers_4xx_with_a_json_error(client, pipe, path):
    for body in BAD_BODIES:
        r = client.post(path, content=body, headers={"content-type": "application/json"})
        assert 400 <= r.status_code < 500, (body[:60], r.status_code, r.text[:200])
        err = r.json()["error"]
        assert err["code"] and err["message"]
        assert r.headers["x-textprep-fingerprint"] == pipe.fingerprint
    # methods, paths and headers
    assert client.get("/v1/encode").status_code == 405
    assert client.get("/nope").status_code == 404
    assert client.get("/nope").headers["x-textprep-fingerprint"] == pipe.fingerprint
    r = client.post("/v1/encode", content=b'{"texts": ["a"]}', headers={"content-length": "abc"})
    assert 400 <= r.status_code < 500


def test_limits_name_the_limit_and_the_offending_index(pipe):
    lim = Limits(max_body_bytes=2000, max_texts=3, max_chars=10)
    with TestClient(app(pipe, limits=lim)) as c:
        r = c.post("/v1/encode", json={"texts": ["a", "b" * 11, "c"]})
        assert r.status_code == 422
        assert r.json()["error"] | {} == {
            "code": "text_too_long",
            "message": "texts[1] has 11 characters; the limit is 10 (max_chars)",
            "limit": "max_chars",
            "max": 10,
            "index": 1,
            "got": 11,
        }
        r = c.post("/v1/encode", json={"texts": ["a"] * 4})
        assert r.status_code == 413 and r.json()["error"]["limit"] == "max_texts"
        r = c.post("/v1/encode", content=b'{"texts": ["' + b"a" * 3000 + b'"]}')
        assert r.status_code == 413 and r.json()["error"]["limit"] == "max_body_bytes"

        def chunked():  # no Content-Length: the limit holds while reading
            for _ in range(10):
                yield b" " * 500

        r = c.post("/v1/encode", content=chunked())
        assert r.status_code == 413 and r.json()["error"]["limit"] == "max_body_bytes"


def test_predict_without_a_model_is_a_4xx(client):
    r = client.post("/v1/predict", json={"texts": ["a"]})
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_model"


# -- JSON-RPC 2.0 ----------------------------------------------------------------------------------------------------
def rpc(c: TestClient, payload: object) -> httpx.Response:
    return c.post("/rpc", content=json.dumps(payload).encode(), headers={"content-type": "application/json"})


def test_json_rpc_follows_the_specification(client, pipe, en_lines):
    texts = en_lines[:5]
    r = rpc(client, {"jsonrpc": "2.0", "method": "encode", "params": {"texts": texts}, "id": "a"})
    assert r.json() == {
        "jsonrpc": "2.0",
        "result": {
            **{"ids": pipe(texts).tolist(), "lengths": pipe.encode_batch(texts).lengths.tolist()},
            "fingerprint": pipe.fingerprint,
        },
        "id": "a",
    }
    r = rpc(client, {"jsonrpc": "2.0", "method": "tokenize", "params": [texts], "id": 7})
    assert r.json()["result"]["tokens"] == pipe.tokenize_batch(texts)
    assert (
        rpc(client, {"jsonrpc": "2.0", "method": "info", "id": None}).json()["result"]["fingerprint"]
        == pipe.fingerprint
    )

    def err(payload: object) -> tuple[int, object]:
        out = rpc(client, payload).json()
        return out["error"]["code"], out["id"]

    assert client.post("/rpc", content=b'{"jsonrpc": "2.0", "method"').json()["error"]["code"] == -32700
    assert client.post("/rpc", content=b"\xff").json()["error"]["code"] == -32700
    assert err([]) == (-32600, None)
    assert err({"jsonrpc": "1.0", "method": "info", "id": 1}) == (-32600, 1)
    assert err({"jsonrpc": "2.0", "method": 1, "id": 2}) == (-32600, 2)
    assert err({"jsonrpc": "2.0", "method": "info", "params": "x", "id": 3}) == (-32600, 3)
    assert err({"jsonrpc": "2.0", "method": "info", "id": {"x": 1}}) == (-32600, None)
    assert err({"jsonrpc": "2.0", "method": "foobar", "id": 4}) == (-32601, 4)
    assert err({"jsonrpc": "2.0", "method": "predict", "params": {"texts": ["a"]}, "id": 5}) == (-32601, 5)
    assert err({"jsonrpc": "2.0", "method": "encode", "params": {"texts": [1]}, "id": 6}) == (-32602, 6)
    assert err({"jsonrpc": "2.0", "method": "encode", "params": {}, "id": 6}) == (-32602, 6)
    assert err({"jsonrpc": "2.0", "method": "encode", "params": [["a"], "bad"], "id": 6}) == (-32602, 6)
    assert err({"jsonrpc": "2.0", "method": "encode", "params": {"texts": ["\ud800"]}, "id": 8}) == (
        -32602,
        8,
    )
    # notifications get no answer; a batch answers the calls with an id, in any order, one each
    assert rpc(client, {"jsonrpc": "2.0", "method": "encode", "params": {"texts": ["a"]}}).status_code == 204
    assert (
        rpc(client, [{"jsonrpc": "2.0", "method": "info"}, {"jsonrpc": "2.0", "method": "nope"}]).status_code
        == 204
    )
    batch = [
        {"jsonrpc": "2.0", "method": "encode", "params": {"texts": [t]}, "id": i} for i, t in enumerate(texts)
    ] + [
        {"jsonrpc": "2.0", "method": "encode", "params": {"texts": ["x"]}},
        1,
        {"jsonrpc": "2.0", "method": "nope", "id": "z"},
    ]
    out = rpc(client, batch).json()
    by_id = {a["id"]: a for a in out}
    assert len(out) == len(texts) + 2
    for i, t in enumerate(texts):
        assert by_id[i]["result"]["ids"] == pipe.encode_batch([t]).ids.tolist()
    assert by_id["z"]["error"]["code"] == -32601 and by_id[None]["error"]["code"] == -32600
    too_many = [{"jsonrpc": "2.0", "method": "info", "id": i} for i in range(101)]
    r = rpc(client, too_many)
    assert r.status_code == 413 and r.json()["error"]["data"]["limit"] == "max_rpc_batch"


# -- the streaming batch endpoint ------------------------------------------------------------------------------------
def _lines(r: httpx.Response) -> list[dict]:
    return [json.loads(x) for x in r.text.splitlines()]


def test_stream_endpoint_encodes_large_bodies_in_chunks(client, pipe, en_lines, multi_lines):
    docs = (en_lines + multi_lines) * 30  # 18,000 documents
    body = ("\n".join(docs) + "\n").encode()
    r = client.post("/v1/encode/stream?chunk_docs=1000", content=body, headers={"content-type": "text/plain"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    assert "content-length" not in r.headers  # streamed (chunked)
    lines = _lines(r)
    assert lines[-1] == {"done": True, "docs": len(docs), "bytes": len(body), "fingerprint": pipe.fingerprint}
    chunks = lines[:-1]
    assert len(chunks) == 18 and [c["offset"] for c in chunks] == list(range(0, 18_000, 1000))
    values = np.concatenate([c["values"] for c in chunks])
    v, _ = pipe.encode_ragged(docs)
    assert np.array_equal(values, v)
    # NDJSON in (strings and {"text": ...} objects; documents may hold newlines), padded ids out
    nd = "\n".join(json.dumps(d if i % 2 else {"text": d}) for i, d in enumerate([*docs[:500], "two\nlines"]))
    r = client.post(
        "/v1/encode/stream?output=ids&maxlen=7",
        content=nd.encode(),
        headers={"content-type": "application/x-ndjson"},
    )
    ids = [row for c in _lines(r)[:-1] for row in c["ids"]]
    assert ids == pipe.encode_batch([*docs[:500], "two\nlines"], maxlen=7).ids.tolist()


def test_stream_endpoint_errors(client, pipe):
    h = {"content-type": "text/plain"}
    r = client.post("/v1/encode/stream", content=b"ok\n\xff bad\n", headers=h)
    assert r.status_code == 400 and r.json()["error"]["index"] == 1
    r = client.post("/v1/encode/stream", content=b"x", headers={"content-type": "image/png"})
    assert r.status_code == 415
    for q in ("output=bag", "chunk_docs=0", "chunk_docs=x", "maxlen=0"):
        assert client.post(f"/v1/encode/stream?{q}", content=b"a", headers=h).status_code == 422
    r = client.post(
        "/v1/encode/stream", content=b'"a"\n[1]\n', headers={"content-type": "application/x-ndjson"}
    )
    assert r.status_code == 422
    # an error after the first chunk: the status is already sent, the stream ends with an error line
    body = b"a b\n" * 300_000 + b"\xff\n"  # past the first 1 MiB read
    r = client.post("/v1/encode/stream?chunk_docs=1000", content=body, headers=h)
    lines = _lines(r)
    assert r.status_code == 200 and lines[-1]["error"]["code"] == "invalid_utf8"
    assert lines[-1]["error"]["index"] == 300_000
    assert not any("done" in x for x in lines)
    assert client.post("/v1/encode/stream", content=b"", headers=h).json() == {
        "done": True,
        "docs": 0,
        "bytes": 0,
        "fingerprint": pipe.fingerprint,
    }


# -- info, health, metrics ------------------------------------------------------------------------------------------
def test_info_health_and_metrics(pipe, en_lines):
    mon = tp.Monitor(pipe, sink=None)
    with TestClient(app(pipe, monitor=mon)) as c:
        info = c.get("/v1/info").json()
        assert info["fingerprint"] == pipe.fingerprint and info["config"] == pipe.config
        assert info["versions"]["textprep"] == tp.__version__ and info["monitor"]["reference"] == "tf"
        assert c.get("/healthz").json() == {
            "status": "ok",
            "fingerprint": pipe.fingerprint,
            "monitor": {"sink_healthy": True, "rows_buffered": 0},
        }
        for t in en_lines[:20]:
            assert c.post("/v1/encode", json={"texts": [t]}).status_code == 200
        c.post("/v1/encode", json={"texts": 3})
        mon.roll()
        text = c.get("/metrics").text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for fam in text_string_to_metric_families(text)
        for s in fam.samples
    }
    assert samples[("textprep_requests_total", (("endpoint", "/v1/encode"), ("status", "200")))] == 20
    assert samples[("textprep_requests_total", (("endpoint", "/v1/encode"), ("status", "422")))] == 1
    assert samples[("textprep_engine_texts_total", ())] == 20
    assert samples[("textprep_monitor_docs_total", ())] == 20
    assert samples[("textprep_monitor_rows_dropped_total", ())] == 0
    assert samples[("textprep_pipeline_info", (("fingerprint", pipe.fingerprint),))] == 1
    assert ("textprep_monitor_last_oov_rate", ()) in samples


def test_monitored_serving_records_what_was_served(pipe, en_lines):
    mon = tp.Monitor(pipe, sink=None)
    texts = en_lines[300:360]
    with TestClient(app(pipe, monitor=mon)) as c:
        for out in ("ids", "ragged", "tokens", "bag"):
            r = c.post("/v1/encode", json={"texts": texts, "output": out})
            assert r.status_code == 200
        c.post("/rpc", json={"jsonrpc": "2.0", "id": 1, "method": "encode", "params": {"texts": texts}})
    # the app flushed the monitor at shutdown (its open window closed)
    assert sum(w.docs for w in mon.windows) == 5 * len(texts)
    assert sum(w.tokens for w in mon.windows) == 5 * sum(len(t) for t in pipe.tokenize_batch(texts))


# -- predictions ------------------------------------------------------------------------------------------------------
def test_predict_with_a_saved_keras_model_through_textprep_serve_loading(tmp_path, sms_texts):
    keras = pytest.importorskip("keras")
    from textprep.keras import save, text_classifier
    from textprep.serve import load

    p = tp.Pipeline(maxlen=16).fit(sms_texts)
    model = text_classifier(p, dim=8)
    save(model, p, tmp_path / "clf")
    pipe2, model2 = load(tmp_path / "clf")
    texts = sms_texts[:10]
    want = np.asarray(model.predict(p(texts), verbose=0))
    mon = tp.Monitor(pipe2, sink=f"jsonl:///{tmp_path}/m.jsonl", sample_rate=1.0)
    with TestClient(app(pipe2, model=model2, monitor=mon)) as c:
        r = c.post("/v1/predict", json={"texts": texts})
        assert r.status_code == 200 and r.json()["fingerprint"] == p.fingerprint
        assert np.allclose(r.json()["predictions"], want, atol=1e-5)
        rr = c.post(
            "/rpc", json={"jsonrpc": "2.0", "id": 1, "method": "predict", "params": {"texts": texts[:3]}}
        )
        assert np.allclose(rr.json()["result"]["predictions"], want[:3], atol=1e-5)
        assert c.get("/v1/info").json()["model"]["input"] == "ids"
    from textprep.monitor import read_jsonl

    samples = read_jsonl(tmp_path / "m.jsonl")["textprep_samples"]  # flushed when the app stopped
    assert sum(s["kind"] == "prediction" for s in samples) == 13
    assert {s["text"]: json.loads(s["prediction"]) for s in samples}[texts[0]] == pytest.approx(
        want[0].tolist(), abs=1e-5
    )
    assert keras.__version__


def test_predict_with_a_callable_on_raw_texts(pipe):
    def lengths(texts: list[str]) -> list[int]:
        return [len(t) for t in texts]

    with TestClient(app(pipe, model=lengths)) as c:
        assert c.post("/v1/predict", json={"texts": ["ab", "abcd"]}).json()["predictions"] == [2, 4]
    with pytest.raises(TypeError, match="Keras model or a callable"):
        app(pipe, model=42)


def test_serving_an_unfitted_pipeline_is_refused():
    with pytest.raises(tp.NotFittedError):
        app(tp.Pipeline())


# -- a real uvicorn server on 127.0.0.1 -------------------------------------------------------------------------------
def _wait_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{base} did not come up in {seconds} s")


def test_real_server_graceful_shutdown_answers_requests_in_flight(pipe, en_lines):
    port = _free_port()
    # requests wait up to 10 s in the micro-batcher: they are in flight when shutdown starts
    server = make_server(pipe, port=port, max_wait_us=10_000_000, max_batch=10_000)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    _wait_up(base)
    texts = en_lines[:40]
    results: list[httpx.Response | Exception] = []

    def call(t: str) -> None:
        try:
            results.append(httpx.post(base + "/v1/encode", json={"texts": [t]}, timeout=30))
        except Exception as e:  # recorded and asserted below
            results.append(e)

    callers = [threading.Thread(target=call, args=(t,)) for t in texts]
    for c in callers:
        c.start()
    svc = server.config.app.app.state.service
    deadline = time.monotonic() + 30
    while svc.batcher.queued_texts < len(texts) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert svc.batcher.queued_texts == len(texts)  # every request is in flight, waiting in the micro-batcher
    server.should_exit = True  # what SIGTERM does
    for c in callers:
        c.join(30)
    thread.join(30)
    assert not thread.is_alive()
    assert len(results) == len(texts) and all(
        isinstance(r, httpx.Response) and r.status_code == 200 for r in results
    )
    got = sorted(r.json()["ids"][0] for r in results if isinstance(r, httpx.Response))
    assert got == sorted(pipe.encode_batch([t]).ids[0].tolist() for t in texts)
    with pytest.raises(httpx.ConnectError):
        httpx.get(base + "/healthz", timeout=2)


def test_textprep_serve_command_sigterm_drains_and_writes_the_monitor(tmp_path, pipe, en_lines):
    path = tmp_path / "pipe.json"
    pipe.save(path)
    db = tmp_path / "m.db"
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "textprep.cli",
            "serve",
            str(path),
            "--port",
            str(port),
            "--monitor",
            f"sqlite:///{db}",
            "--max-wait-us",
            "10000000",
            "--max-batch",
            "10000",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(base, 120)
        results: list[int] = []
        texts = en_lines[:30]
        callers = [
            threading.Thread(
                target=lambda t=t: results.append(
                    httpx.post(base + "/v1/encode", json={"texts": [t]}, timeout=30).status_code
                )
            )
            for t in texts
        ]
        for c in callers:
            c.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # until every request waits in the micro-batcher
            queued = [
                s.value
                for fam in text_string_to_metric_families(httpx.get(base + "/metrics", timeout=5).text)
                for s in fam.samples
                if s.name == "textprep_batch_queue_texts"
            ]
            if queued == [len(texts)]:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        for c in callers:
            c.join(30)
        # uvicorn re-raises the signal after its graceful shutdown, so the exit status is SIGTERM's
        assert proc.wait(60) in (0, -signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert results == [200] * len(texts)
    from textprep.monitor import read_windows

    rows = read_windows(f"sqlite:///{db}")
    assert sum(r["docs"] for r in rows) == len(texts)  # the monitor was flushed at shutdown


def test_serve_command_errors_are_one_line(tmp_path, capsys):
    from textprep.cli import main

    assert main(["serve", str(tmp_path / "missing.json")]) == 1
    assert "missing.json" in capsys.readouterr().err
