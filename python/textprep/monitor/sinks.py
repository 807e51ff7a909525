"""Where monitoring rows go: SQLite (the embedded default, a file), PostgreSQL by URL (psycopg 3), JSON lines.

Every sink writes the same three tables (``textprep_windows``, ``textprep_unseen``, ``textprep_samples``) with
idempotent inserts (each row has a key; a retried batch never duplicates rows), so the background writer can
retry a batch whose commit it could not confirm.

>>> import os, tempfile
>>> url = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "m.db")
>>> sink = open_sink(url)
>>> sink.write([WindowRow(start=0.0, end=60.0, fingerprint="f", instance="i", docs=3, tokens=9, oov_tokens=1,
...                       truncated_docs=0, js=0.05, psi=0.01, alert=False, length_hist="[]")])
>>> sink.close()
>>> [(w["docs"], w["oov_rate"]) for w in read_windows(url)]
[(3, 0.1111111111111111)]
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from ..errors import ConfigError


@dataclass(frozen=True)
class WindowRow:
    """One closed time window of one serving instance (see ``textprep.monitor.Monitor``).

    >>> WindowRow(0.0, 1.0, "f", "i", docs=2, tokens=4, oov_tokens=1).oov_rate
    0.25
    """

    start: float
    end: float
    fingerprint: str
    instance: str
    docs: int = 0
    tokens: int = 0
    oov_tokens: int = 0
    truncated_docs: int = 0
    js: float | None = None
    psi: float | None = None
    alert: bool = False
    length_hist: str = "[]"

    @property
    def oov_rate(self) -> float:
        """OOV tokens / tokens (0.0 for an empty window)."""
        return self.oov_tokens / self.tokens if self.tokens else 0.0

    @property
    def truncation_rate(self) -> float:
        """Documents longer than the pipeline's ``maxlen`` / documents."""
        return self.truncated_docs / self.docs if self.docs else 0.0


@dataclass(frozen=True)
class UnseenRow:
    """An unseen (out-of-vocabulary) token of one window with its term and document frequency.

    >>> UnseenRow(0.0, "f", "i", "hoverboard", 3, 2).token
    'hoverboard'
    """

    window_start: float
    fingerprint: str
    instance: str
    token: str
    tf: int
    df: int


@dataclass(frozen=True)
class SampleRow:
    """A sampled input (and prediction, as JSON) kept for inspection; see the personal-data note in SECURITY.md.

    >>> SampleRow("id1", 0.0, "f", "i", "hello", None, 1, 0).kind
    'sample'
    """

    sample_id: str
    ts: float
    fingerprint: str
    instance: str
    text: str
    prediction: str | None
    n_tokens: int
    n_oov: int
    kind: str = "sample"


Row = WindowRow | UnseenRow | SampleRow

_COLUMNS = {
    WindowRow: (
        "textprep_windows",
        [
            ("window_start", "DOUBLE PRECISION NOT NULL"),
            ("window_end", "DOUBLE PRECISION NOT NULL"),
            ("fingerprint", "TEXT NOT NULL"),
            ("instance", "TEXT NOT NULL"),
            ("docs", "BIGINT NOT NULL"),
            ("tokens", "BIGINT NOT NULL"),
            ("oov_tokens", "BIGINT NOT NULL"),
            ("truncated_docs", "BIGINT NOT NULL"),
            ("oov_rate", "DOUBLE PRECISION NOT NULL"),
            ("truncation_rate", "DOUBLE PRECISION NOT NULL"),
            ("js", "DOUBLE PRECISION"),
            ("psi", "DOUBLE PRECISION"),
            ("alert", "INTEGER NOT NULL"),
            ("length_hist", "TEXT NOT NULL"),
        ],
        "fingerprint, instance, window_start",
    ),
    UnseenRow: (
        "textprep_unseen",
        [
            ("window_start", "DOUBLE PRECISION NOT NULL"),
            ("fingerprint", "TEXT NOT NULL"),
            ("instance", "TEXT NOT NULL"),
            ("token", "TEXT NOT NULL"),
            ("tf", "BIGINT NOT NULL"),
            ("df", "BIGINT NOT NULL"),
        ],
        "fingerprint, instance, window_start, token",
    ),
    SampleRow: (
        "textprep_samples",
        [
            ("sample_id", "TEXT NOT NULL"),
            ("ts", "DOUBLE PRECISION NOT NULL"),
            ("fingerprint", "TEXT NOT NULL"),
            ("instance", "TEXT NOT NULL"),
            ("text", "TEXT NOT NULL"),
            ("prediction", "TEXT"),
            ("n_tokens", "BIGINT NOT NULL"),
            ("n_oov", "BIGINT NOT NULL"),
            ("kind", "TEXT NOT NULL"),
        ],
        "sample_id",
    ),
}


def _values(row: Row) -> tuple[Any, ...]:
    if isinstance(row, WindowRow):
        return (
            row.start,
            row.end,
            row.fingerprint,
            row.instance,
            row.docs,
            row.tokens,
            row.oov_tokens,
            row.truncated_docs,
            row.oov_rate,
            row.truncation_rate,
            row.js,
            row.psi,
            int(row.alert),
            row.length_hist,
        )
    if isinstance(row, UnseenRow):
        return (row.window_start, row.fingerprint, row.instance, row.token, row.tf, row.df)
    return (
        row.sample_id,
        row.ts,
        row.fingerprint,
        row.instance,
        row.text,
        row.prediction,
        row.n_tokens,
        row.n_oov,
        row.kind,
    )


def _ddl() -> list[str]:
    out = []
    for table, cols, key in _COLUMNS.values():
        body = ", ".join(f"{c} {t}" for c, t in cols)
        out.append(f"CREATE TABLE IF NOT EXISTS {table} ({body}, PRIMARY KEY ({key}))")
    return out


def _insert_sql(kind: type, placeholder: str) -> str:
    table, cols, _ = _COLUMNS[kind]
    names = ", ".join(c for c, _ in cols)
    marks = ", ".join(placeholder for _ in cols)
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"


def _group(rows: Iterable[Row]) -> dict[type, list[tuple[Any, ...]]]:
    out: dict[type, list[tuple[Any, ...]]] = {}
    for r in rows:
        out.setdefault(type(r), []).append(_values(r))
    return out


class Sink(Protocol):
    """What the background writer needs: ``write`` a batch of rows (all or nothing; raise to have it retried)
    and ``close``."""

    url: str

    def write(self, rows: Sequence[Row]) -> None: ...

    def close(self) -> None: ...


class SQLiteSink:
    """Rows into a SQLite file (stdlib ``sqlite3``; WAL journal so ``textprep monitor report`` can read while the
    server writes).

    >>> import os, tempfile
    >>> s = SQLiteSink(os.path.join(tempfile.mkdtemp(), "m.db")); s.write([]); s.close()
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.url = "sqlite:///" + self.path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            folder = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(folder, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            for stmt in _ddl():
                conn.execute(stmt)
            conn.commit()
            self._conn = conn
        return self._conn

    def write(self, rows: Sequence[Row]) -> None:
        """Insert ``rows`` in one transaction (existing keys are skipped)."""
        with self._lock:
            conn = self._connect()
            try:
                with conn:
                    for kind, values in _group(rows).items():
                        conn.executemany(_insert_sql(kind, "?"), values)
            except sqlite3.Error:
                self._drop()
                raise

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._drop()


class PostgresSink:
    """Rows into PostgreSQL (psycopg 3), by URL. The connection is opened lazily with a short connect timeout;
    when the database is down, ``write`` raises and the background writer keeps the rows and retries.

    >>> PostgresSink("postgresql://user@127.0.0.1:1/db").url
    'postgresql://user@127.0.0.1:1/db'
    """

    def __init__(self, url: str, connect_timeout: float = 3.0) -> None:
        self.url = url
        self.connect_timeout = connect_timeout
        self._conn: Any = None
        self._lock = threading.Lock()

    def _connect(self) -> Any:
        if self._conn is None or self._conn.closed:
            try:
                import psycopg
            except ImportError:  # pragma: no cover - depends on the environment
                raise ImportError(
                    "a PostgreSQL sink needs psycopg 3: pip install 'textprep[serve]'"
                ) from None
            conn = psycopg.connect(self.url, connect_timeout=max(1, int(self.connect_timeout)))
            with conn.transaction():
                for stmt in _ddl():
                    conn.execute(stmt)
            self._conn = conn
        return self._conn

    def write(self, rows: Sequence[Row]) -> None:
        """Insert ``rows`` in one transaction (existing keys are skipped)."""
        with self._lock:
            try:
                conn = self._connect()
                with conn.transaction(), conn.cursor() as cur:
                    for kind, values in _group(rows).items():
                        cur.executemany(_insert_sql(kind, "%s"), values)
            except Exception:
                self._drop()
                raise

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # the connection is already broken; nothing to release
                pass
            self._conn = None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._drop()


class JSONLinesSink:
    """Rows appended to a JSON lines file, one object per row with a ``"table"`` field.

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "m.jsonl")
    >>> s = JSONLinesSink(p); s.write([UnseenRow(0.0, "f", "i", "x", 2, 1)]); s.close()
    >>> open(p).read().strip()
    '{"table": "textprep_unseen", "window_start": 0.0, "fingerprint": "f", "instance": "i", "token": "x", "tf": 2, "df": 1}'
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.url = "jsonl:///" + self.path
        self._lock = threading.Lock()

    def write(self, rows: Sequence[Row]) -> None:
        """Append ``rows`` (one line each, flushed and fsynced)."""
        lines = []
        for r in rows:
            table, cols, _ = _COLUMNS[type(r)]
            lines.append(
                json.dumps({"table": table, **dict(zip((c for c, _ in cols), _values(r), strict=True))})
            )
        if not lines:
            return
        with self._lock:
            folder = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(folder, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
                f.flush()
                os.fsync(f.fileno())

    def close(self) -> None:
        """Nothing to release (each write opens and closes the file)."""


def parse_url(url: str) -> tuple[str, str]:
    """``(kind, location)`` of a sink URL: ``sqlite:///relative.db``, ``sqlite:////abs/path.db``, a path ending
    in ``.db``/``.sqlite``/``.sqlite3``, ``postgresql://...``, ``jsonl:///path`` or a path ending in
    ``.jsonl``/``.ndjson``.

    >>> parse_url("sqlite:///stats.db"), parse_url("sqlite:////var/lib/m.db"), parse_url("m.jsonl")
    (('sqlite', 'stats.db'), ('sqlite', '/var/lib/m.db'), ('jsonl', 'm.jsonl'))
    """
    if not isinstance(url, str) or not url:
        raise ConfigError(f"a monitor sink URL must be a non-empty str, got {url!r}")
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql", url
    for scheme in ("sqlite://", "jsonl://"):
        if url.startswith(scheme):
            path = url[len(scheme) :]
            if not path.startswith("/") or len(path) < 2:
                raise ConfigError(
                    f"{url!r}: write {scheme}/relative/path or {scheme}//absolute/path (three or four slashes)"
                )
            return scheme[:-3], path[1:]
    low = url.lower()
    if low.endswith((".db", ".sqlite", ".sqlite3")):
        return "sqlite", url
    if low.endswith((".jsonl", ".ndjson")):
        return "jsonl", url
    raise ConfigError(
        f"unknown monitor sink {url!r}: use sqlite:///file.db, postgresql://user@host/db, jsonl:///file.jsonl "
        "(or a path ending in .db or .jsonl)"
    )


def open_sink(url: str | Sink) -> Sink:
    """A sink from its URL (see ``parse_url``), or ``url`` itself when it already is a sink.

    >>> type(open_sink("postgresql://u@127.0.0.1/db")).__name__
    'PostgresSink'
    """
    if not isinstance(url, str):
        if callable(getattr(url, "write", None)) and callable(getattr(url, "close", None)):
            return url
        raise ConfigError(
            f"sink must be a URL str or an object with write() and close(), got {type(url).__name__}"
        )
    kind, where = parse_url(url)
    if kind == "postgresql":
        return PostgresSink(where)
    if kind == "sqlite":
        return SQLiteSink(where)
    return JSONLinesSink(where)


# -- reading back (report and suggest) ---------------------------------------------------------------------------
def _query(url: str, sql_sqlite: str, sql_pg: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    kind, where = parse_url(url)
    if kind == "sqlite":
        if not os.path.exists(where):
            raise FileNotFoundError(f"{where}: no such monitoring database")
        conn = sqlite3.connect(f"file:{where}?mode=ro", uri=True, timeout=5.0)
        try:
            conn.row_factory = sqlite3.Row
            have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not {"textprep_windows", "textprep_unseen"} <= have:
                return []
            return [dict(r) for r in conn.execute(sql_sqlite, params)]
        finally:
            conn.close()
    if kind == "postgresql":
        import psycopg
        from psycopg.rows import dict_row

        with psycopg.connect(where, connect_timeout=5, row_factory=dict_row) as pg:
            exists = pg.execute("SELECT to_regclass('textprep_windows') IS NOT NULL AS ok").fetchone()
            if not exists or not exists["ok"]:
                return []
            return list(pg.execute(sql_pg, params).fetchall())
    raise ConfigError(f"{url}: reports read SQLite or PostgreSQL; load a JSON lines file with read_jsonl()")


def read_windows(
    url: str, fingerprint: str | None = None, since: float | None = None
) -> list[dict[str, Any]]:
    """Window rows (dicts, oldest first) from a SQLite or PostgreSQL sink, optionally of one pipeline
    fingerprint and from a start time (epoch seconds) on."""
    where: list[str] = ["1=1"]
    params: list[Any] = []
    if fingerprint:
        where.append("fingerprint = {p}")
        params.append(fingerprint)
    if since is not None:
        where.append("window_start >= {p}")
        params.append(since)
    cond = " AND ".join(where)
    sql = f"SELECT * FROM textprep_windows WHERE {cond} ORDER BY window_start, instance"
    return _query(url, sql.format(p="?"), sql.format(p="%s"), params)


def read_unseen(
    url: str, fingerprint: str | None = None, since: float | None = None, limit: int = 50
) -> list[tuple[str, int, int]]:
    """``(token, tf, df)`` of the unseen tokens summed over windows, most frequent first (ties by token).

    Each window stores its top unseen tokens (``Monitor(top_unseen=...)``), so a token that never reached a
    window's top list is undercounted; the per-window lists are exact when a window has fewer distinct unseen
    tokens than that.
    """
    where: list[str] = ["1=1"]
    params: list[Any] = []
    if fingerprint:
        where.append("fingerprint = {p}")
        params.append(fingerprint)
    if since is not None:
        where.append("window_start >= {p}")
        params.append(since)
    cond = " AND ".join(where)
    sql = (
        f"SELECT token, SUM(tf) AS tf, SUM(df) AS df FROM textprep_unseen WHERE {cond} "
        "GROUP BY token ORDER BY tf DESC, token ASC LIMIT {p}"
    )
    rows = _query(url, sql.format(p="?"), sql.format(p="%s"), [*params, int(limit)])
    return [(str(r["token"]), int(r["tf"]), int(r["df"])) for r in rows]


def read_jsonl(path: str | os.PathLike[str]) -> dict[str, list[dict[str, Any]]]:
    """Rows of a JSON lines sink grouped by table.

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "m.jsonl")
    >>> JSONLinesSink(p).write([UnseenRow(0.0, "f", "i", "x", 2, 1)])
    >>> read_jsonl(p)["textprep_unseen"][0]["tf"]
    2
    """
    out: dict[str, list[dict[str, Any]]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                out.setdefault(row.pop("table"), []).append(row)
    return out


def row_dict(row: Row) -> dict[str, Any]:
    """A row as a plain dict (for JSON answers).

    >>> row_dict(UnseenRow(0.0, "f", "i", "x", 2, 1))["token"]
    'x'
    """
    return asdict(row)


__all__ = [
    "JSONLinesSink",
    "PostgresSink",
    "Row",
    "SQLiteSink",
    "SampleRow",
    "Sink",
    "UnseenRow",
    "WindowRow",
    "open_sink",
    "parse_url",
    "read_jsonl",
    "read_unseen",
    "read_windows",
    "row_dict",
]
