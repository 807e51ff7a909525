"""Run the contenders, each in its own child process, and format the results (text table, Markdown, JSON,
bar chart).

Every contender runs in a fresh child process (same input, same machine, one at a time), so its peak memory
can be measured and a slow import or a crash cannot disturb the others. In the child: setup (imports, training
a vocabulary a peer needs; not timed), a probe run on a spread slice (warm-up and time estimate), then the
timed runs with the garbage collector off (as ``timeit`` does): best of 10 or 3 when a run is short, otherwise
1. A contender whose estimated run on the whole input exceeds ``cap`` seconds is measured on a spread slice
sized to the cap and reported as such (MB/s is input bytes / seconds on the bytes it actually processed).
The ``vectors`` task reads a vectors file: its MB/s is file bytes / seconds, never sliced.

>>> fmt_mb(1234.5), fmt_mb(12.34), fmt_ratio(0.5), fmt_rss(2_500_000)
('1,234', '12.3', '0.50×', '2')
"""

from __future__ import annotations

import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from ..progress import progress_bar
from . import contenders as C

RESULT_MARK = "@@textprep-bench-result "
PACKAGES = [
    "textprep", "numpy", "scipy", "pyarrow", "tokenizers", "spacy", "scikit-learn", "gensim", "keras", "jax",
    "tensorflow-cpu", "tensorflow",
]  # fmt: skip
QUICK_LINES = 20_000  # --quick: lines spread over the corpus
QUICK_CAP = 2.0  # --quick: seconds one timed run may take
QUICK_VECTOR_ROWS = 50_000  # --quick: first GloVe rows read by the vectors task
DEFAULT_CAP = 12.0
SOURCE_ROOT = Path(__file__).resolve().parents[3]  # the repository, for an editable install


# -- child: one contender ------------------------------------------------------------------------------------
def proc_status() -> dict[str, int]:
    """VmRSS / VmHWM of this process in bytes ({} where /proc is not available).

    >>> set(proc_status()) <= {"VmRSS", "VmHWM"}
    True
    """
    out: dict[str, int] = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return out


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ``clear_refs`` 5); False where that is not possible.

    >>> reset_peak() in (True, False)
    True
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def timed(fn: Callable[[], Any], keep: bool = False) -> tuple[float, int | None, int | None, Any]:
    """One run with GC off: (seconds, peak RSS of the process during the run, peak - RSS before the run,
    the result if ``keep`` else None).

    >>> dt, peak, extra, out = timed(lambda: sum(range(1000)), keep=True)
    >>> dt > 0, out
    (True, 499500)
    """
    gc.collect()
    can_reset = reset_peak()
    before = proc_status().get("VmRSS")
    gc.disable()
    try:
        t0 = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t0
    finally:
        gc.enable()
    peak = proc_status().get("VmHWM")
    kept = result if keep else None
    del result
    if peak is None:  # no /proc: the process-wide peak (includes setup)
        import resource

        scale = 1 if sys.platform == "darwin" else 1024
        return dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale, None, kept
    return dt, peak, (peak - before) if can_reset and before is not None else None, kept


def build_time() -> str:
    """When the textprep extension in use was built (UTC), or "unknown".

    >>> build_time().endswith("UTC") or build_time() == "unknown"
    True
    """
    try:
        import textprep._core as core

        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(os.path.getmtime(core.__file__)))
    except (ImportError, OSError):
        return "unknown"


def _rounds(first: float, cap: float) -> int:
    return 10 if first < 0.1 else 3 if first * 3 <= cap else 1


def child(task: str, name: str, path: Path, cap: float) -> dict[str, Any]:
    """Measure one contender in this process (the child side of :func:`run_child`): a JSON-ready row.

    >>> import tempfile
    >>> path = C.write_lines(["The cat sat.", "A dog ran!"] * 50, Path(tempfile.mkdtemp()) / "c.txt")
    >>> row = child("fit", "textprep fit (1 thread)", path, cap=1.0)
    >>> row["lines"], row["mb_s"] > 0, row["runs"]
    (100, True, 10)
    """
    c = C.find(task, name)
    texts = C.read_lines(path)
    total_bytes = C.utf8_bytes(texts)
    tmp = Path(tempfile.mkdtemp(prefix="textprep-bench-"))
    res: dict[str, Any] = {
        "task": task,
        "name": c.name,
        "lines_total": len(texts),
        "bytes_total": total_bytes,
    }

    def prepare(sub: list[str]) -> tuple[Any, int]:
        sub_path = path if len(sub) == len(texts) else C.write_lines(sub, tmp / f"slice{len(sub)}.txt")
        return c.make(sub, sub_path), C.utf8_bytes(sub)

    try:
        last: Any = None
        if task == "vectors":  # the input is the vectors file: never sliced, no probe
            fn = c.make(texts, path)
            nbytes = C.glove_text_file().stat().st_size
            use = texts
            first = timed(fn, keep=c.compare_to is not None)
            last = first[3]
            runs = [first[:3]] + [timed(fn)[:3] for _ in range(_rounds(first[0], cap) - 1)]
            estimate = first[0]
            res["vector_rows"] = C.vector_rows()
        else:
            n_probe = min(len(texts), max(1_000, len(texts) // 50))
            probe = C.spread(texts, n_probe)
            fn, probe_bytes = prepare(probe)
            t_probe = timed(fn)[0]
            if t_probe < cap / 10:  # the first call may pay lazy imports: estimate from a second one
                t_probe = min(t_probe, timed(fn)[0])
            del fn
            estimate = t_probe * total_bytes / max(probe_bytes, 1)
            use = texts
            if estimate > cap:
                use = C.spread(texts, max(n_probe, int(len(texts) * cap / estimate)))
            fn, nbytes = prepare(use)
            runs = [timed(fn)[:3]]  # more rounds when the first one shows a run is short
            runs += [timed(fn)[:3] for _ in range(_rounds(runs[0][0], cap) - 1)]
        best = min(r[0] for r in runs)
        peaks = [r[1] for r in runs if r[1] is not None]
        deltas = [r[2] for r in runs if r[2] is not None]
        res.update(
            build=build_time(),
            seconds=best,
            runs=len(runs),
            lines=len(use),
            bytes=nbytes,
            mb_s=nbytes / best / 1e6,
            peak_rss=max(peaks) if peaks else None,
            run_rss=max(deltas) if deltas else None,
            sliced=len(use) < len(texts),
            estimate_full_s=estimate,
        )
        del fn
        if c.compare_to is not None:  # equality with the textprep row of the same rules, outside timing
            ref = C.find(task, c.compare_to)
            if task == "vectors":
                ours, theirs, check = ref.make(texts, path)(), last, texts
            else:
                check = C.spread(texts, C.CHECK_LINES)
                check_path = C.write_lines(check, tmp / "check.txt")
                ours, theirs = ref.make(check, check_path)(), c.make(check, check_path)()
            if c.canon is not None:
                theirs = c.canon(theirs)
            res["compared_to"] = ref.name
            res["check_lines"] = len(check)
            res["mismatch"] = C.mismatch(ours, theirs, check)
    except C.NotInstalled as e:
        res["error"] = f"not installed: {e}"
    except C.Unavailable as e:
        res["error"] = f"unavailable: {e}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def child_main(argv: Sequence[str]) -> int:
    """``python -m textprep.bench --child PATH CAP TASK NAME [TASK NAME ...]``: measure the contenders one
    after the other in this process, printing one result line (JSON) each."""
    path, cap, *pairs = argv
    for task, name in zip(pairs[::2], pairs[1::2], strict=True):
        try:
            res = child(task, name, Path(path), float(cap))
        except Exception as e:  # a peer's crash is one row's error, not the end of the run
            res = {"task": task, "name": name, "error": f"{type(e).__name__}: {str(e)[:200]}"}
        print(RESULT_MARK + json.dumps(res), flush=True)
    return 0


def family(c: C.Contender) -> str:
    """The library a contender exercises (``--quick`` runs one process per library, not per contender).

    >>> family(C.find("fit", "textprep fit (1 thread)")), family(C.find("encode", C._KERAS_ENC))
    ('textprep', 'Keras')
    """
    return (
        c.name.split()[0]
        if c.name.split()[0] in ("textprep", "Keras", "HF", "spaCy", "gensim")
        else ("scikit-learn" if c.name.startswith("scikit-learn") else "Python")
    )


# -- parent --------------------------------------------------------------------------------------------------
def run_child(
    cs: C.Contender | Sequence[C.Contender], path: Path, cap: float, env: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Run contender(s) ``cs`` on the corpus file ``path`` in one fresh process (one after the other);
    their results, in order (``error`` for those that failed).

    >>> import tempfile
    >>> path = C.write_lines(["The cat sat."] * 100, Path(tempfile.mkdtemp()) / "c.txt")
    >>> [r["name"] for r in run_child(C.find("fit", "textprep fit (1 thread)"), path, cap=1.0) if r["mb_s"] > 0]
    ['textprep fit (1 thread)']
    """
    group = [cs] if isinstance(cs, C.Contender) else list(cs)
    cmd = [sys.executable, "-m", "textprep.bench", "--child", str(path), str(cap)]
    child_env = dict(os.environ)
    child_env.update(env or {})
    for c in group:
        cmd += [c.task, c.name]
        child_env.update(dict(c.env))
    child_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    t0 = time.perf_counter()
    try:
        p = subprocess.run(
            cmd, capture_output=True, text=True, timeout=(cap * 8 + 600) * len(group), env=child_env
        )
        out, err, code = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else e.stdout or ""
        err, code = f"timeout after {time.perf_counter() - t0:.0f} s", None
    done = {}
    for line in out.splitlines():
        if line.startswith(RESULT_MARK):
            res: dict[str, Any] = json.loads(line[len(RESULT_MARK) :])
            done[(res["task"], res["name"])] = res
    wall = (time.perf_counter() - t0) / len(group)
    results = []
    for c in group:
        r = done.get((c.task, c.name))
        if r is None:
            tail = (err.strip().splitlines() or ["no output"])[-1]
            r = {"task": c.task, "name": c.name, "error": f"exit {code}: {tail[:200]}"}
        r["wall_s"] = wall
        results.append(r)
    return results


def ceiling(path: Path) -> dict[str, float]:
    """How fast this machine reads (``cat``) and scans (``wc -w``) the same bytes (best of 3, warm cache);
    NaN where the tool is missing.

    >>> import tempfile
    >>> sorted(ceiling(C.write_lines(["a b c"] * 100, Path(tempfile.mkdtemp()) / "c.txt")))
    ['cat > /dev/null', 'wc -w']
    """
    size = path.stat().st_size
    out: dict[str, float] = {}
    for label, cmd in (("cat > /dev/null", ["cat", str(path)]), ("wc -w", ["wc", "-w", str(path)])):
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            try:
                subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
            except (OSError, subprocess.CalledProcessError):
                best = float("nan")
                break
            best = min(best, time.perf_counter() - t0)
        out[label] = size / best / 1e6
    return out


def cpu_busy(seconds: float = 1.0) -> float:
    """Fraction of all CPUs busy over ``seconds`` (from /proc/stat; 0.0 where unavailable).

    >>> 0.0 <= cpu_busy(0.01) <= 1.0
    True
    """

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + (v[4] if len(v) > 4 else 0)  # total, idle + iowait

    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
    except (OSError, ValueError, IndexError):
        return 0.0
    return 1.0 - (i1 - i0) / max(t1 - t0, 1)


def cpu_model() -> str:
    """The CPU model name.

    >>> isinstance(cpu_model(), str)
    True
    """
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def mem_total_gb() -> str:
    """Total RAM, e.g. ``"24 GB RAM"``.

    >>> mem_total_gb().endswith("RAM") or mem_total_gb() == "RAM unknown"
    True
    """
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    return f"{int(line.split()[1]) / 1024**2:.0f} GB RAM"
    except OSError:
        pass
    return "RAM unknown"


def git_state() -> str:
    """The source checkout's commit (``+ uncommitted changes`` when the sources differ), for an editable
    install; ``"not a git checkout"`` otherwise.

    >>> isinstance(git_state(), str)
    True
    """

    def git(*args: str) -> str:
        try:
            r = subprocess.run(["git", "-C", str(SOURCE_ROOT), *args], capture_output=True, text=True)
        except OSError:
            return ""
        return r.stdout.strip() if r.returncode == 0 else ""

    if not (SOURCE_ROOT / ".git").exists():
        return "not a git checkout"
    commit = git("log", "-1", "--format=%h")
    if not commit:
        return "not a git checkout"
    dirty = git("status", "--porcelain", "--", "rust", "python", "Cargo.toml", "Cargo.lock", "pyproject.toml")
    return commit + (" + uncommitted changes to the sources" if dirty else "")


def versions() -> str:
    """Versions of textprep and of the peers that are installed.

    >>> versions().startswith("textprep ")
    True
    """
    seen = []
    for pkg in PACKAGES:
        try:
            seen.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(seen)


def select(tasks: Sequence[str], quick: bool = False, only: str | None = None) -> list[C.Contender]:
    """The contenders to run, in order: those of ``tasks``, without the ``full_only`` rows when ``quick``,
    only those whose name contains ``only`` when given.

    >>> [c.name for c in select(["vectors"], only="gensim")]
    ['gensim KeyedVectors.load_word2vec_format(no_header) + align by hand']
    """
    unknown = [t for t in tasks if t not in C.TASKS]
    if unknown:
        raise ValueError(f"unknown task(s) {', '.join(unknown)}; choose from {', '.join(C.TASKS)}")
    out = []
    for task in tasks:
        for c in C.TASKS[task]:
            if quick and c.full_only:
                continue
            if only and only.lower() not in c.name.lower():
                continue
            out.append(c)
    return out


def _add_ratios(results: dict[str, list[dict[str, Any]]]) -> None:
    for task, rows in results.items():
        contenders = {c.name: c for c in C.TASKS[task]}
        refs = {contenders[r["name"]].group: r.get("mb_s") for r in rows if contenders[r["name"]].reference}
        for r in rows:
            c = contenders[r["name"]]
            ref = refs.get(c.group)
            r["ratio"] = r["mb_s"] / ref if r.get("mb_s") and ref else None
            r["threads"], r["output"], r["textprep"] = c.threads, c.output, c.is_textprep
            r["reference"] = c.reference


def run(
    corpus: str | os.PathLike[str] | None = None,
    tasks: Sequence[str] | None = None,
    quick: bool = False,
    lines: int | None = None,
    cap: float | None = None,
    only: str | None = None,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
    command: str = "",
) -> dict[str, Any]:
    """Run the benchmark: ``{"meta": {...}, "results": {task: [row, ...]}}`` (JSON-ready).

    ``corpus``: a UTF-8 file, one document per line (``.xz``/``.gz``/``.bz2`` allowed); default the shared
    corpus when present, else the built-in one. ``quick``: 20,000 lines, a 2 s cap, the first 50,000 GloVe
    rows and no ``full_only`` rows (under two minutes on 2 cores). Rows of peers that are not installed carry
    ``error: "not installed: ..."``.

    >>> import tempfile
    >>> path = C.write_lines(["The cat sat on the mat."] * 200, Path(tempfile.mkdtemp()) / "c.txt")
    >>> data = run(path, ["fit"], only="textprep fit (", cap=1.0)
    >>> [(r["name"], r["ratio"]) for r in data["results"]["fit"]][0]
    ('textprep fit (1 thread)', 1.0)
    >>> data["meta"]["lines"], "textprep fit (2 threads)" in text_table(data), "| **textprep fit" in markdown(data)
    (200, True, True)
    """
    tasks = list(tasks or C.TASKS)
    chosen = select(tasks, quick=quick, only=only)
    cap = cap if cap is not None else QUICK_CAP if quick else DEFAULT_CAP
    lines = lines if lines is not None else QUICK_LINES if quick else None
    env = {}
    if quick and "TEXTPREP_BENCH_VECTOR_ROWS" not in os.environ:
        env["TEXTPREP_BENCH_VECTOR_ROWS"] = str(QUICK_VECTOR_ROWS)
    path = C.corpus_slice_file(lines, corpus)
    texts = C.read_lines(path)
    n_lines, nbytes = len(texts), C.utf8_bytes(texts)
    del texts
    if n_lines == 0:
        raise ValueError(f"benchmark corpus {path} has no lines")
    t_start = time.perf_counter()
    git0, build0, busy0 = git_state(), build_time(), cpu_busy(0.5)
    results: dict[str, list[dict[str, Any]]] = {t: [] for t in tasks}
    # One process per contender; --quick shares one per library (imports paid once, e.g. TensorFlow's 6 s),
    # which makes its peak RSS figures include what earlier contenders of the same library left behind.
    batches: list[list[C.Contender]] = []
    if quick:
        by_family: dict[str, list[C.Contender]] = {}
        for c in chosen:
            key = "fresh" if c.fresh_process or c.env else family(c)
            by_family.setdefault(key, []).append(c)
        batches = [[c] for c in by_family.pop("fresh", [])] + list(by_family.values())
    else:
        batches = [[c] for c in chosen]
    measured: dict[tuple[str, str], dict[str, Any]] = {}
    with progress_bar(progress, total=len(chosen), desc="textprep bench", unit="run") as bar:
        for batch in batches:
            bar.set_postfix_str(f"{batch[0].task}: {batch[0].name[:40]}")
            if log:
                log(
                    f"[{batch[0].task}] {batch[0].name}"
                    + (f" (+{len(batch) - 1} more)" if len(batch) > 1 else "")
                )
            for r in run_child(batch, path, cap, env):
                if log:
                    log(f"    {r['name']}: {fmt_mb(r.get('mb_s'))} MB/s  {r.get('error', '')}")
                measured[(r["task"], r["name"])] = r
            bar.update(len(batch))
    for c in chosen:
        results[c.task].append(measured[(c.task, c.name)])
    ceil = ceiling(path)
    elapsed = time.perf_counter() - t_start
    busy1 = cpu_busy(0.5)
    _add_ratios(results)
    builds = sorted({r["build"] for rs in results.values() for r in rs if "build" in r} | {build0})
    warnings = []
    if len(builds) > 1:
        warnings.append(
            f"the textprep build changed during the run ({', '.join(builds)}); rows were measured on "
            "different builds. Rerun on a quiet tree."
        )
    git1 = git_state()
    if git1 != git0:
        warnings.append(f"the git state changed during the run ({git0} → {git1}).")
    if max(busy0, busy1) > 0.25:
        warnings.append(
            f"other processes were using the CPUs ({busy0:.0%} busy just before the run, {busy1:.0%} just "
            "after); figures may be low and noisy."
        )
    meta = {
        "command": command,
        "git": git0,
        "build": build0,
        "warnings": warnings,
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory": mem_total_gb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions(),
        "corpus": str(path),
        "lines": n_lines,
        "bytes": nbytes,
        "cap_s": cap,
        "quick": quick,
        "vector_rows": int(env.get("TEXTPREP_BENCH_VECTOR_ROWS") or C.vector_rows()),
        "ceiling_mb_s": ceil,
        "elapsed_s": elapsed,
        "tasks": tasks,
    }
    return {"meta": meta, "results": results}


# -- formatting ----------------------------------------------------------------------------------------------
def fmt_mb(x: float | None) -> str:
    """MB/s with sensible precision ("n/a" for None)."""
    if x is None:
        return "n/a"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 1 else f"{x:.2f}"


def fmt_ratio(x: float | None) -> str:
    """A speed ratio, e.g. ``"2.50×"``."""
    if x is None:
        return "n/a"
    return f"{x:.2f}×" if x >= 0.1 else f"{x:.3f}×"


def fmt_rss(x: int | None) -> str:
    """Bytes as whole MB."""
    return "n/a" if x is None else f"{x / 1e6:,.0f}"


def equal_cell(r: dict[str, Any]) -> str:
    """The "equal" column: yes / no (how) / empty when not checked.

    >>> equal_cell({"mismatch": None}), equal_cell({})
    ('yes', '')
    """
    if "mismatch" not in r:
        return ""
    return "yes" if r["mismatch"] is None else f"no: {r['mismatch']}"


def row_note(r: dict[str, Any]) -> str:
    """What a row's figure rests on (slice, runs) or why it has none.

    >>> row_note({"runs": 3}), row_note({"error": "not installed: spacy"})
    ('best of 3', 'not installed: spacy')
    """
    if "error" in r:
        return str(r["error"])
    notes = []
    if r.get("sliced"):
        notes.append(
            f"measured on {r['lines']:,} of {r['lines_total']:,} lines (time cap; "
            f"est. {r['estimate_full_s']:.0f} s for all)"
        )
    notes.append(f"best of {r['runs']}" if r.get("runs", 1) > 1 else "1 run")
    return "; ".join(notes)


def _status(r: dict[str, Any]) -> str:
    err = str(r.get("error", ""))
    return "not installed" if err.startswith("not installed") else err


def text_table(data: dict[str, Any]) -> str:
    """A plain-text table per task (what ``textprep bench`` prints); see :func:`run` for an example."""
    meta, out = data["meta"], []
    ceil = meta["ceiling_mb_s"]
    out.append(
        f"textprep bench: {meta['lines']:,} documents, {meta['bytes'] / 1e6:.1f} MB ({Path(meta['corpus']).name}); "
        f"{meta['cpu']}, {meta['cores']} cores; cap {meta['cap_s']:g} s per run"
    )
    out.append(
        f"ceiling: cat {fmt_mb(ceil.get('cat > /dev/null'))} MB/s, wc -w {fmt_mb(ceil.get('wc -w'))} MB/s"
    )
    out += [f"warning: {w}" for w in meta["warnings"]]
    for task, rows in data["results"].items():
        if not rows:
            continue
        out += ["", f"{task}: {C.TASK_TITLES[task]}"]
        header = ("contender", "threads", "MB/s", "vs textprep", "peak MB", "equal / note")
        body = []
        for r in rows:
            note = equal_cell(r) or ("" if "error" not in r else _status(r))
            if r.get("sliced"):
                note = (note + "; " if note else "") + f"slice of {r['lines']:,} lines"
            body.append(
                (
                    r["name"],
                    str(r.get("threads", "")).split(" (")[0],
                    fmt_mb(r.get("mb_s")),
                    fmt_ratio(r.get("ratio")) if "error" not in r else "",
                    fmt_rss(r.get("peak_rss")) if "error" not in r else "",
                    note[:70],
                )
            )
        widths = [max(len(x[i]) for x in [header, *body]) for i in range(len(header))]
        for j, line in enumerate([header, *body]):
            cells = [
                cell.rjust(w) if i in (2, 3, 4) else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            ]
            out.append("  " + "  ".join(cells).rstrip())
            if j == 0:
                out.append("  " + "  ".join("-" * w for w in widths))
    out += ["", f"({meta['elapsed_s']:.0f} s; MB/s = input bytes / seconds; vs textprep = MB/s / the task's "
            "textprep 1-thread row)"]  # fmt: skip
    return "\n".join(out)


def _md_task_table(task: str, rows: list[dict[str, Any]]) -> list[str]:
    contenders = {c.name: c for c in C.TASKS[task]}
    lines = [
        "| contender | threads | output | MB/s | vs textprep 1 thread | peak RSS MB | run +RSS MB | equal | notes |",
        "|---|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        c = contenders[r["name"]]
        name = f"**{c.name}**" if c.is_textprep else c.name
        eq = equal_cell(r).replace("|", "\\|")
        lines.append(
            f"| {name} | {c.threads} | {c.output} | {fmt_mb(r.get('mb_s'))} | {fmt_ratio(r.get('ratio'))} "
            f"| {fmt_rss(r.get('peak_rss'))} | {fmt_rss(r.get('run_rss'))} | {eq} | {row_note(r)} |"
        )
    refs = [c.name for c in C.TASKS[task] if c.reference and c.name in {r["name"] for r in rows}]
    if len(refs) == 1:
        lines += ["", f"Ratios: MB/s relative to {refs[0]}."]
    else:
        lines += ["", "Ratios: MB/s relative to the textprep row of the same pair."]
    return lines


def _md_presets_table(rows: list[dict[str, Any]]) -> list[str]:
    by_name = {r["name"]: r for r in rows}
    lines = [
        f"| preset | textprep MB/s (1 thread) | peer (threads) | peer MB/s | textprep speedup | tokens equal "
        f"({C.CHECK_LINES:,} docs) |",
        "|---|---:|---|---:|---:|---|",
    ]
    footnotes: list[str] = []
    for preset, (ours, peer) in C.preset_pairs().items():
        a, b = by_name.get(ours.name, {}), by_name.get(peer.name, {})
        if not a and not b:
            continue
        sa, sb = a.get("mb_s"), b.get("mb_s")
        if "mismatch" in b:
            equal = "yes"
            if b["mismatch"] is not None:
                equal = f"**no**: {b['mismatch'].split(';')[0]} [{len(footnotes) + 1}]"
                footnotes.append(f"[{len(footnotes) + 1}] `{preset}`: {b['mismatch']}")
        else:
            equal = b.get("error", "not checked")
        peer_mb = fmt_mb(sb) + (" (slice)" if b.get("sliced") else "")
        lines.append(
            f"| `{preset}` | {fmt_mb(sa)} | {peer.name} (threads: {peer.threads.replace(' (', ', ').rstrip(')')}) "
            f"| {peer_mb} | {fmt_ratio(sa / sb if sa and sb else None)} | {equal} |"
        )
    if footnotes:
        lines += ["", *(f.replace("|", "\\|") + "  " for f in footnotes)]
    return lines


def markdown(data: dict[str, Any]) -> str:
    """The paste-ready Markdown report (``benchmarks/README.md`` holds one); see :func:`run` for an example."""
    meta = data["meta"]
    ceil = meta["ceiling_mb_s"]
    warn = [f"> **Warning**: {w}\n" for w in meta["warnings"]]
    vec = ""
    if "vectors" in meta["tasks"]:
        vec = (
            f" The vectors task reads the first {meta['vector_rows']:,} rows of GloVe 6B 50d as a GloVe text file "
            "(MB/s = file bytes / seconds)."
        )
    out = [
        f"### Results: textprep {meta['git']} (build {meta['build']})",
        "",
        *warn,
        f"- Command: `{meta['command']}` ({meta['elapsed_s'] / 60:.1f} min)",
        f"- Machine: {meta['cpu']}, {meta['cores']} cores, {meta['memory']}; {meta['platform']}",
        f"- Python {meta['python']}; {meta['versions']}",
        f"- Input: `{Path(meta['corpus']).name}`, {meta['lines']:,} documents, {meta['bytes'] / 1e6:.1f} MB of UTF-8 "
        "(MB/s = input bytes / seconds). Every contender runs in its own process on the same documents; "
        "GC off during timed runs; "
        f"time cap {meta['cap_s']:g} s per run (a contender over it is measured on a spread slice, as noted)."
        + vec,
        f"- Ceiling: this machine reads the same bytes at {fmt_mb(ceil.get('cat > /dev/null'))} MB/s (`cat`) and "
        f"scans them at {fmt_mb(ceil.get('wc -w'))} MB/s (`wc -w`), warm page cache.",
        "- Peak RSS: the contender's process during its timed run (imports and input included); "
        "run +RSS: what the run added over the process before it. *equal*: the peer's output equals the "
        f"textprep row with the same rules (checked outside timing on {C.CHECK_LINES:,} documents; the vectors "
        "task compares the whole aligned matrix).",
        "- Figures depend on the textprep build measured (commit above); rerun the command to refresh them.",
    ]
    for task, rows in data["results"].items():
        out += ["", f"#### {C.TASK_TITLES[task]}", ""]
        if task == "presets":
            out += _md_presets_table(rows)
            out += ["", "Timing detail:", ""]
        out += _md_task_table(task, rows)
    return "\n".join(out)


def plot(data: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """A bar chart PNG of MB/s per contender, one panel per task (textprep rows highlighted), log scale.

    >>> import tempfile
    >>> rows = [{"name": "textprep fit (1 thread)", "mb_s": 80.0, "textprep": True},
    ...         {"name": "a peer", "mb_s": 8.0, "textprep": False}]
    >>> data = {"meta": {"lines": 10, "bytes": 100, "cpu": "cpu", "cores": 2}, "results": {"fit": rows}}
    >>> plot(data, Path(tempfile.mkdtemp()) / "b.png").read_bytes()[:4]
    b'\x89PNG'
    """
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    panels = [(t, [r for r in rows if r.get("mb_s")]) for t, rows in data["results"].items()]
    panels = [(t, rows) for t, rows in panels if rows]
    if not panels:
        raise ValueError("no measured rows to plot (every contender failed or was not installed)")
    heights = [max(len(rows), 2) * 0.32 + 0.9 for _, rows in panels]
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(10, sum(heights)), gridspec_kw={"height_ratios": heights}
    )
    axes = [axes] if len(panels) == 1 else list(axes)
    for ax, (task, rows) in zip(axes, panels, strict=True):
        names = [r["name"] if len(r["name"]) <= 60 else r["name"][:57] + "..." for r in rows][::-1]
        values = [r["mb_s"] for r in rows][::-1]
        colors = ["#d9534f" if r.get("textprep") else "#7f8c8d" for r in rows][::-1]
        ax.barh(names, values, color=colors)
        ax.set_xscale("log")
        ax.set_xlim(min(values) / 2, max(values) * 2)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_title(C.TASK_TITLES[task], fontsize=10, loc="left")
        ax.tick_params(axis="y", labelsize=8)
        for y, v in enumerate(values):
            ax.text(v, y, f" {fmt_mb(v)}", va="center", fontsize=7)
    axes[-1].set_xlabel("MB/s (log scale; higher is better)")
    meta = data["meta"]
    fig.suptitle(
        f"textprep bench: {meta['lines']:,} docs, {meta['bytes'] / 1e6:.1f} MB, {meta['cpu']}, {meta['cores']} cores",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.985))
    out = Path(path)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


__all__ = ["child", "markdown", "plot", "run", "run_child", "select", "text_table"]
