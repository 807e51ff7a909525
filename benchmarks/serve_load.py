"""Serving and monitoring targets (issue 17), measured on this machine; prints a table and writes JSON.

    python benchmarks/serve_load.py [--clients 20] [--requests 2000] [--stream-mb 64] [--json out.json]

1. In-process per-call time of ``pipe.encode(text)`` and ``pipe.encode_batch([text])`` (median of 7 timeit runs).
2. ``textprep serve`` in a subprocess on 127.0.0.1; a load generator in another process (aiohttp, one keep-alive
   connection per client) sends ``clients x requests`` single-text ``/v1/encode`` requests and checks every answer
   against in-process ``encode_batch`` ids; with and without micro-batching, and with a monitor (SQLite sink).
3. The batch endpoint ``/v1/encode/stream``: ``--stream-mb`` MB of text (``text/plain``), sent while the answer
   is read; MB/s of input text.
4. Monitoring overhead: in-process ``encode_batch`` of the corpus with and without ``Monitor.encode_batch``.

The corpus is ``shared/data/bench/en_natural.txt.xz`` (first lines), or the Rotten Tomatoes snippets when absent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

import numpy as np


def corpus_lines(n: int) -> list[str]:
    from textprep.bench.contenders import shared_corpus

    src = shared_corpus()
    if src is not None:
        import lzma

        opener = lzma.open if str(src).endswith(".xz") else open
        out = []
        with opener(src, "rt", encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    out.append(line)
                if len(out) >= n:
                    break
        return out
    from textprep import datasets

    d = datasets.load()
    texts = d.train_texts + d.test_texts
    return (texts * (n // len(texts) + 1))[:n]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the load generator (runs in its own process) ----------------------------------------------------------------
async def _client_main(
    base: str, texts: list[str], expected: list[list[int]], clients: int, requests: int
) -> dict[str, Any]:
    import aiohttp

    lat: list[float] = []
    errors = 0
    mismatches = 0

    async def one_client(k: int) -> None:
        nonlocal errors, mismatches
        conn = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=conn) as s:
            for j in range(requests):
                i = (k * requests + j) % len(texts)
                body = json.dumps({"texts": [texts[i]]}).encode()
                t0 = time.perf_counter()
                try:
                    async with s.post(
                        base + "/v1/encode", data=body, headers={"content-type": "application/json"}
                    ) as r:
                        data = await r.read()
                        status = r.status
                except aiohttp.ClientError:
                    errors += 1
                    continue
                lat.append(time.perf_counter() - t0)
                if status != 200:
                    errors += 1
                elif json.loads(data)["ids"] != [expected[i]]:
                    mismatches += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(one_client(k) for k in range(clients)))
    elapsed = time.perf_counter() - t0
    ms = np.array(lat) * 1000
    return {
        "requests": clients * requests,
        "answered": len(lat),
        "errors": errors,
        "mismatches": mismatches,
        "seconds": elapsed,
        "rps": len(lat) / elapsed,
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
    }


def client_process(argv: list[str]) -> None:
    base, data_file, clients, requests = argv[0], argv[1], int(argv[2]), int(argv[3])
    payload = json.loads(Path(data_file).read_text(encoding="utf-8"))
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    out = asyncio.run(_client_main(base, payload["texts"], payload["expected"], clients, requests))
    print(json.dumps(out))


# -- the runs ----------------------------------------------------------------------------------------------------
def start_server(pipe_path: str, extra: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "textprep.cli", "serve", pipe_path, "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def load_run(pipe_path: str, data_file: str, extra: list[str], clients: int, requests: int) -> dict[str, Any]:
    proc, base = start_server(pipe_path, extra)
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--client", base, data_file, str(clients), str(requests)],
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-3000:])
        return dict(json.loads(out.stdout.strip().splitlines()[-1]))
    finally:
        stop_server(proc)


def stream_run(pipe_path: str, lines: list[str], mb: float) -> dict[str, Any]:
    import httpx

    body_lines = []
    size = 0
    i = 0
    while size < mb * 1e6:
        t = lines[i % len(lines)]
        body_lines.append(t)
        size += len(t.encode()) + 1
        i += 1
    body = ("\n".join(body_lines) + "\n").encode()
    proc, base = start_server(pipe_path, [])
    try:

        async def go() -> tuple[float, int, dict[str, Any]]:
            async with httpx.AsyncClient(timeout=600) as c:
                t0 = time.perf_counter()

                async def chunks():  # send in 1 MiB pieces while the answer is read
                    for a in range(0, len(body), 1 << 20):
                        yield body[a : a + (1 << 20)]

                n = 0
                last = b""
                async with c.stream(
                    "POST",
                    base + "/v1/encode/stream?chunk_docs=8192",
                    content=chunks(),
                    headers={"content-type": "text/plain"},
                ) as r:
                    async for line in r.aiter_lines():
                        n += 1
                        last = line.encode()
                return time.perf_counter() - t0, n, json.loads(last)

        secs, n_lines, done = asyncio.run(go())
        assert done.get("done") and done["docs"] == len(body_lines), done
        return {
            "mb": len(body) / 1e6,
            "seconds": secs,
            "mb_s": len(body) / 1e6 / secs,
            "docs": len(body_lines),
            "chunks": n_lines - 1,
        }
    finally:
        stop_server(proc)


def in_process(pipe: Any, texts: list[str]) -> dict[str, Any]:
    import textprep as tp

    t = texts[7]
    res = {}
    for name, fn in (("encode", lambda: pipe.encode(t)), ("encode_batch_1", lambda: pipe.encode_batch([t]))):
        n = 20_000
        runs = timeit.repeat(fn, number=n, repeat=7)
        res[f"{name}_us"] = statistics.median(runs) / n * 1e6
    batch = texts[:20_000]
    nbytes = sum(len(x.encode()) for x in batch)
    mon = tp.Monitor(pipe, sink=None, window_seconds=3600)

    def plain() -> None:
        pipe.encode_batch(batch)

    def monitored() -> None:
        mon.encode_batch(batch)

    for name, fn in (
        ("plain", plain),
        ("monitored", monitored),
        ("plain2", plain),
        ("monitored2", monitored),
    ):
        runs = timeit.repeat(fn, number=1, repeat=5)
        res[f"{name}_mb_s"] = nbytes / 1e6 / min(runs)
    mon.close()
    res["monitor_overhead_pct"] = 100 * (
        (res["plain_mb_s"] + res["plain2_mb_s"]) / (res["monitored_mb_s"] + res["monitored2_mb_s"]) - 1
    )
    return res


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client_process(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--stream-mb", type=float, default=64)
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--skip", default="", help="comma-separated: inproc,batched,unbatched,monitored,stream")
    args = ap.parse_args()
    skip = set(args.skip.split(","))
    import textprep as tp

    lines = corpus_lines(200_000)
    pipe = tp.Pipeline(maxlen=128, max_tokens=20_000).fit(lines)
    tmp = Path(tempfile.mkdtemp(prefix="textprep-serve-bench-"))
    pipe_path = str(tmp / "pipe.json")
    pipe.save(pipe_path)
    req_texts = lines[:5000]
    data_file = tmp / "load.json"
    data_file.write_text(
        json.dumps(
            {"texts": req_texts, "expected": [pipe.encode_batch([t]).ids[0].tolist() for t in req_texts]}
        )
    )
    results: dict[str, Any] = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": " ".join(["python", *sys.argv]),
        "textprep": tp.__version__,
    }
    if "inproc" not in skip:
        results["in_process"] = in_process(pipe, lines)
        print("in-process", json.dumps(results["in_process"]), flush=True)
    runs = {
        "batched": [],
        "unbatched": ["--no-batching"],
        "monitored": ["--monitor", f"sqlite:///{tmp}/m.db"],
    }
    for name, extra in runs.items():
        if name in skip:
            continue
        results[name] = load_run(pipe_path, str(data_file), extra, args.clients, args.requests)
        print(name, json.dumps(results[name]), flush=True)
    if "stream" not in skip:
        results["stream"] = stream_run(pipe_path, lines, args.stream_mb)
        print("stream", json.dumps(results["stream"]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
