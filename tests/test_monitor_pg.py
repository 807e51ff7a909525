"""The PostgreSQL sink against a real server: a fixture runs initdb in a temporary folder and starts PostgreSQL on a
free 127.0.0.1 port (as the unprivileged ``postgres`` user when the tests run as root), or uses
``TEXTPREP_TEST_PG_URL``. The fault test stops the server while a real uvicorn server keeps answering, then starts
it again and reconciles the rows with what was served."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import textprep as tp
from textprep.monitor import Monitor, read_unseen, read_windows, report

psycopg = pytest.importorskip(
    "psycopg", reason="the PostgreSQL sink needs psycopg 3 (pip install 'textprep[serve]')"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalPostgres:
    """A throwaway PostgreSQL cluster: initdb, start, stop, start again, remove."""

    def __init__(self, bindir: str) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="textprep-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as the packaged 'postgres' user
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no 'postgres' user to run PostgreSQL as")
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self.url = f"postgresql://textprep@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "textprep", "--no-sync", "-E", "UTF8")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        cmd = [os.path.join(self.bindir, tool), *args]
        if self.user is not None:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed: {r.stdout}{r.stderr}{log[-2000:]}")

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def remove(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def pg() -> Iterator[LocalPostgres | str]:
    url = os.environ.get("TEXTPREP_TEST_PG_URL")
    if url:
        yield url
        return
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        pytest.skip(
            "PostgreSQL is not installed (apt-get install postgresql) and TEXTPREP_TEST_PG_URL is not set"
        )
    server = LocalPostgres(os.path.dirname(bins[-1]))
    try:
        yield server
    finally:
        server.remove()


def _url(pg: LocalPostgres | str) -> str:
    return pg if isinstance(pg, str) else pg.url


@pytest.fixture
def db(pg: LocalPostgres | str) -> str:
    url = _url(pg)
    with psycopg.connect(url, autocommit=True) as conn:
        for t in ("textprep_windows", "textprep_unseen", "textprep_samples"):
            conn.execute(f"DROP TABLE IF EXISTS {t}")
    return url


class Clock:
    def __init__(self) -> None:
        self.t = 2_000_000.0

    def __call__(self) -> float:
        return self.t


def test_postgres_sink_round_trip_and_report(db, en_lines):
    pipe = tp.Pipeline(maxlen=16).fit(en_lines[:200])
    clock = Clock()
    with Monitor(pipe, sink=db, clock=clock, min_tokens=1, sample_rate=0.2, seed=0) as mon:
        for i in range(4):
            mon.encode_batch(en_lines[200 + 50 * i : 250 + 50 * i])
            clock.t += 60
    rows = read_windows(db)
    assert [r["docs"] for r in rows] == [50, 50, 50, 50]
    assert sum(r["oov_tokens"] for r in rows) == sum(w.oov_tokens for w in mon.windows)
    assert read_unseen(db, limit=3) == [(t, tf, df) for t, tf, df in read_unseen(db, limit=3)]
    assert "4 windows, 200 documents" in report(db)
    with psycopg.connect(db) as conn:
        n = conn.execute("SELECT COUNT(*) FROM textprep_samples").fetchone()[0]
    assert 10 <= n <= 80


def _serve_in_thread(pipe: tp.Pipeline, monitor: Monitor) -> tuple[object, threading.Thread, str]:
    from textprep.serve import make_server

    port = _free_port()
    server = make_server(pipe, monitor_obj=monitor, port=port, max_wait_us=200)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return server, thread, base
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start within 60 s")


def _metric(base: str, name: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    for fam in text_string_to_metric_families(httpx.get(base + "/metrics", timeout=10).text):
        for s in fam.samples:
            if s.name == name:
                return float(s.value)
    raise KeyError(name)


def test_postgres_stopped_mid_run_serving_continues_rows_flushed_and_reconciled(pg, db, en_lines):
    if isinstance(pg, str):
        pytest.skip("TEXTPREP_TEST_PG_URL is set: this test must stop and restart a server it started itself")
    pipe = tp.Pipeline(maxlen=32).fit(en_lines[:200])
    clock = Clock()
    mon = Monitor(pipe, sink=db, clock=clock, min_tokens=1, max_buffer=10_000, top_unseen=10)
    server, thread, base = _serve_in_thread(pipe, mon)
    served = 0
    try:
        with httpx.Client(base_url=base, timeout=30) as client:

            def send(texts: list[str]) -> None:
                nonlocal served
                r = client.post("/v1/encode", json={"texts": texts})
                assert r.status_code == 200, r.text
                assert r.json()["ids"] == pipe.encode_batch(texts).ids.tolist()
                served += len(texts)

            for i in range(3):  # database up
                send(en_lines[200 + i * 10 : 210 + i * 10])
                clock.t += 60
            mon.roll()
            assert mon.flush(timeout=30)
            pg.stop()  # the database goes away mid-run
            t0 = time.monotonic()
            for i in range(6):
                send(en_lines[230 + i * 20 : 250 + i * 20])
                clock.t += 60
            mon.roll()
            assert time.monotonic() - t0 < 30  # requests were never blocked on the database
            deadline = time.monotonic() + 30
            while _metric(base, "textprep_monitor_write_errors_total") < 1 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _metric(base, "textprep_monitor_rows_buffered") > 0
            assert _metric(base, "textprep_monitor_sink_healthy") == 0
            assert httpx.get(base + "/healthz").json()["monitor"]["sink_healthy"] is False
            pg.start()  # it comes back: the buffered rows are written
            assert mon.flush(timeout=60)
            assert _metric(base, "textprep_monitor_rows_dropped_total") == 0
            assert _metric(base, "textprep_monitor_sink_healthy") == 1
    finally:
        server.should_exit = True  # type: ignore[attr-defined]
        thread.join(60)
    mon.close()
    rows = read_windows(db)
    assert sum(r["docs"] for r in rows) == served == 150
    assert len(rows) == 9
    assert sum(r["tokens"] for r in rows) == sum(len(t) for t in pipe.tokenize_batch(en_lines[200:350]))


def test_drops_beyond_the_buffer_bound_are_counted_and_reconcile(pg, db, en_lines):
    if isinstance(pg, str):
        pytest.skip("TEXTPREP_TEST_PG_URL is set: this test must stop and restart a server it started itself")
    pipe = tp.Pipeline().fit(en_lines[:200])
    clock = Clock()
    mon = Monitor(pipe, sink=db, clock=clock, min_tokens=1, top_unseen=0, max_buffer=3)
    docs = []
    pg.stop()
    try:
        for i in range(7):  # 7 windows while the database is down, room for 3 rows
            texts = en_lines[200 + 5 * i : 205 + 5 * i + i]
            mon.encode_batch(texts)
            docs.append(len(texts))
            clock.t += 60
        mon.roll()
        deadline = time.monotonic() + 30
        while mon.metrics()["write_errors"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        m = mon.metrics()
        assert m["rows_dropped"] == 4 and m["rows_buffered"] == 3
    finally:
        pg.start()
    assert mon.flush(timeout=60)
    assert mon.close()
    rows = read_windows(db)
    # the oldest rows were dropped (counted); the newest three arrived once
    assert [r["docs"] for r in rows] == docs[-3:]
    assert mon.metrics()["rows_written"] + mon.metrics()["rows_dropped"] == 7
