"""The Ray Serve deployment: a local Ray (small resources) serving two replicas of the app on 127.0.0.1; answers
equal the in-process pipeline, every replica has the same fingerprint, both write to one monitoring database."""

from __future__ import annotations

import os
import socket
import time

import httpx
import pytest
import textprep as tp

ray = pytest.importorskip("ray", reason="the Ray Serve deployment needs ray[serve]")
serve = pytest.importorskip("ray.serve", reason="the Ray Serve deployment needs ray[serve]")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def ray_serve_port():
    # A loaded 2-core machine can take longer than Ray's default 30 s to start the node's agents.
    os.environ.setdefault("RAY_raylet_start_wait_time_s", "120")
    last: Exception | None = None
    for _ in range(2):
        try:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
            break
        except Exception as e:  # a node that timed out starting: try once more
            last = e
            ray.shutdown()
    else:
        if "timed out during startup" in str(last):
            # Ray's raylet aborts when its dashboard agent (a Python process) has not written its port within its
            # own fixed wait; on a 2-core machine under heavy load the agent's start-up takes longer (seen here
            # at load average 9-13). Nothing in textprep is involved yet: report it as Ray not starting.
            pytest.skip(f"a local Ray node could not start on this machine (twice): {last}")
        raise RuntimeError(f"a local Ray node did not start twice: {last}")
    port = _free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    try:
        yield port
    finally:
        serve.shutdown()
        ray.shutdown()


def test_ray_serve_deployment_serves_the_app_on_two_replicas(ray_serve_port, tmp_path, en_lines):
    pipe = tp.Pipeline(maxlen=16).fit(en_lines[:300])
    path = tmp_path / "pipe.json"
    pipe.save(path)
    db = f"sqlite:///{tmp_path}/m.db"
    application = tp.serve.ray_deployment(
        path,
        num_replicas=2,
        ray_actor_options={"num_cpus": 0.25},
        monitor=db,
        monitor_options={"window_seconds": 3600, "min_tokens": 1},
        batching={"max_wait_us": 200},
    )
    t0 = time.monotonic()
    serve.run(application, name="textprep", route_prefix="/", blocking=False)
    base = f"http://127.0.0.1:{ray_serve_port}"
    deadline = t0 + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    texts = en_lines[300:360]
    with httpx.Client(base_url=base, timeout=60) as c:
        for i in range(0, len(texts), 3):
            r = c.post("/v1/encode", json={"texts": texts[i : i + 3]})
            assert r.status_code == 200, r.text
            assert r.json()["ids"] == pipe.encode_batch(texts[i : i + 3]).ids.tolist()
            assert r.headers["x-textprep-fingerprint"] == pipe.fingerprint
        r = c.post(
            "/rpc", json={"jsonrpc": "2.0", "id": 1, "method": "tokenize", "params": {"texts": texts[:2]}}
        )
        assert r.json()["result"]["tokens"] == pipe.tokenize_batch(texts[:2])
        assert c.post("/v1/encode", json={"texts": [1]}).status_code == 422
        assert "textprep_requests_total" in c.get("/metrics").text
    serve.delete("textprep")  # replicas shut down: each flushes its monitor into the shared database
    from textprep.monitor import read_windows

    deadline = time.monotonic() + 60
    rows: list[dict] = []
    while time.monotonic() < deadline:
        rows = read_windows(db)
        if sum(r["docs"] for r in rows) >= len(texts) + 2:
            break
        time.sleep(0.5)
    assert sum(r["docs"] for r in rows) == len(texts) + 2  # encodes plus the two tokenized texts
    assert {r["fingerprint"] for r in rows} == {pipe.fingerprint}
