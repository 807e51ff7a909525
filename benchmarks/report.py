"""Measure textprep against its peers on the same corpus and print paste-ready Markdown tables.

    python benchmarks/report.py [--corpus PATH] [--lines N] [--tasks tokenize,presets,fit,encode]
                                [--cap SECONDS] [--json out.json]

Every contender runs in its own child process (same input, same machine, one at a time), so its peak memory
can be measured and a slow import or a crash cannot disturb the others. In the child: setup (imports, training
a vocabulary a peer needs; not timed), a probe run on a spread slice (warm-up and time estimate), then the
timed runs with the garbage collector off (as ``timeit`` does): best of 10 or 3 when a run is short, otherwise
1. A contender whose estimated run on the whole input exceeds ``--cap`` seconds is measured on a spread slice
sized to the cap and reported as such (MB/s is input bytes / seconds on the bytes it actually processed).

Progress goes to stderr; stdout is the Markdown report.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULT_MARK = "@@textprep-bench-result "
PACKAGES = [
    "textprep", "numpy", "pyarrow", "tokenizers", "spacy", "scikit-learn", "gensim", "keras", "jax",
    "tensorflow-cpu", "tensorflow",
]  # fmt: skip


# -- child: one contender ------------------------------------------------------------------------------------
def proc_status() -> dict[str, int]:
    """VmRSS / VmHWM of this process in bytes ({} where /proc is not available)."""
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
    """Reset VmHWM to the current RSS (Linux ``clear_refs`` 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def timed(fn: Any) -> tuple[float, int | None, int | None]:
    """One run with GC off: (seconds, peak RSS of the process during the run, peak - RSS before the run)."""
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
    del result
    if peak is None:  # no /proc: the process-wide peak (includes setup)
        import resource

        scale = 1 if sys.platform == "darwin" else 1024
        return dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale, None
    return dt, peak, (peak - before) if can_reset and before is not None else None


def child(task: str, name: str, path: Path, cap: float) -> dict[str, Any]:
    import contenders as C

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
        n_probe = min(len(texts), max(1_000, len(texts) // 50))
        probe = C.spread(texts, n_probe)
        fn, probe_bytes = prepare(probe)
        t_probe, _, _ = timed(fn)
        del fn
        estimate = t_probe * total_bytes / max(probe_bytes, 1)
        use = texts
        if estimate > cap:
            use = C.spread(texts, max(n_probe, int(len(texts) * cap / estimate)))
        fn, nbytes = prepare(use)
        runs = [timed(fn)]  # more rounds when the first one shows a run is short
        rounds = 10 if runs[0][0] < 0.1 else 3 if runs[0][0] * 3 <= cap else 1
        runs += [timed(fn) for _ in range(rounds - 1)]
        best = min(r[0] for r in runs)
        peaks = [r[1] for r in runs if r[1] is not None]
        deltas = [r[2] for r in runs if r[2] is not None]
        res.update(
            build=build_time(),
            seconds=best,
            runs=rounds,
            lines=len(use),
            bytes=nbytes,
            mb_s=nbytes / best / 1e6,
            peak_rss=max(peaks) if peaks else None,
            run_rss=max(deltas) if deltas else None,
            sliced=len(use) < len(texts),
            estimate_full_s=estimate,
        )
        if c.tokens is not None and c.group.startswith("preset-") and not c.name.startswith("textprep"):
            ours, _peer = C.preset_pairs()[c.group.removeprefix("preset-")]
            check = C.spread(texts, C.CHECK_LINES)
            assert ours.tokens is not None
            res["check_lines"] = len(check)
            res["mismatch"] = C.token_mismatch(ours.tokens(check), c.tokens(check), check)
    except C.Unavailable as e:
        res["error"] = f"unavailable: {e}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


# -- parent --------------------------------------------------------------------------------------------------
def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_child(task: str, name: str, path: Path, cap: float) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        task,
        name,
        "--path",
        str(path),
        "--cap",
        str(cap),
    ]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=cap * 8 + 600)
    except subprocess.TimeoutExpired:
        return {"task": task, "name": name, "error": f"timeout after {time.perf_counter() - t0:.0f} s"}
    for line in reversed(p.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            res: dict[str, Any] = json.loads(line[len(RESULT_MARK) :])
            res["wall_s"] = time.perf_counter() - t0
            return res
    tail = (p.stderr.strip().splitlines() or ["no output"])[-1]
    return {"task": task, "name": name, "error": f"exit {p.returncode}: {tail[:200]}"}


def ceiling(path: Path) -> dict[str, float]:
    """How fast this machine reads (``cat``) and scans (``wc -w``) the same bytes (best of 3, warm cache)."""
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
    """Fraction of all CPUs busy over ``seconds`` (from /proc/stat; 0.0 where unavailable)."""

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
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def mem_total_gb() -> str:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    return f"{int(line.split()[1]) / 1024**2:.0f} GB RAM"
    except OSError:
        pass
    return "RAM unknown"


def git_state() -> str:
    def git(*args: str) -> str:
        r = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""

    commit = git("log", "-1", "--format=%h")
    if not commit:
        return "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--", "rust", "python", "Cargo.toml", "Cargo.lock", "pyproject.toml")
    return commit + (" + uncommitted changes to the sources" if dirty else "")


def build_time() -> str:
    try:
        import textprep._core as core

        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(os.path.getmtime(core.__file__)))
    except (ImportError, OSError):
        return "unknown"


def versions() -> str:
    seen = []
    for pkg in PACKAGES:
        try:
            seen.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(seen)


def fmt_mb(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 1 else f"{x:.2f}"


def fmt_ratio(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.2f}×" if x >= 0.1 else f"{x:.3f}×"


def fmt_rss(x: int | None) -> str:
    return "n/a" if x is None else f"{x / 1e6:,.0f}"


def row_note(r: dict[str, Any]) -> str:
    if "error" in r:
        return r["error"]
    notes = []
    if r.get("sliced"):
        notes.append(
            f"measured on {r['lines']:,} of {r['lines_total']:,} lines (time cap; "
            f"est. {r['estimate_full_s']:.0f} s for all)"
        )
    notes.append(f"best of {r['runs']}" if r.get("runs", 1) > 1 else "1 run")
    return "; ".join(notes)


def task_table(task: str, results: list[dict[str, Any]], contenders: list[Any]) -> list[str]:
    by_name = {r["name"]: r for r in results}
    refs = {c.group: by_name.get(c.name, {}).get("mb_s") for c in contenders if c.reference}
    lines = [
        "| contender | threads | output | MB/s | vs textprep 1 thread | peak RSS MB | run +RSS MB | notes |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for c in contenders:
        r = by_name.get(c.name)
        if r is None:
            continue
        mb, ref_mb = r.get("mb_s"), refs.get(c.group)
        ratio = mb / ref_mb if mb and ref_mb else None
        name = f"**{c.name}**" if c.name.startswith("textprep") else c.name
        lines.append(
            f"| {name} | {c.threads} | {c.output} | {fmt_mb(mb)} | {fmt_ratio(ratio)} "
            f"| {fmt_rss(r.get('peak_rss'))} | {fmt_rss(r.get('run_rss'))} | {row_note(r)} |"
        )
    ref_names = [c.name for c in contenders if c.reference]
    if len(ref_names) == 1:
        lines += ["", f"Ratios: MB/s relative to {ref_names[0]}."]
    else:
        lines += ["", "Ratios: MB/s relative to the textprep row of the same pair."]
    return lines


def presets_table(results: list[dict[str, Any]]) -> list[str]:
    import contenders as C

    by_name = {r["name"]: r for r in results}
    lines = [
        f"| preset | textprep MB/s (1 thread) | peer (threads) | peer MB/s | textprep speedup | tokens equal "
        f"({C.CHECK_LINES:,} docs) |",
        "|---|---:|---|---:|---:|---|",
    ]
    footnotes = []
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
            f"| {peer_mb} | "
            f"{fmt_ratio(sa / sb if sa and sb else None)} | {equal} |"
        )
    if footnotes:
        lines += ["", *(f.replace("|", "\\|") + "  " for f in footnotes)]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--corpus", help="corpus file (.txt or .txt.xz); default ../shared/data/bench/en_natural.txt.xz"
    )
    ap.add_argument("--lines", type=int, help="use N lines spread over the corpus (default: all)")
    ap.add_argument("--tasks", default="tokenize,presets,fit,encode", help="comma-separated subset")
    ap.add_argument("--cap", type=float, default=20.0, help="seconds one timed run may take (default 20)")
    ap.add_argument("--only", help="only contenders whose name contains this (case-insensitive)")
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--child", nargs=2, metavar=("TASK", "NAME"), help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.corpus:
        os.environ["TEXTPREP_BENCH_CORPUS"] = str(Path(args.corpus).resolve())
    os.environ.setdefault("KERAS_BACKEND", "jax")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(HERE))
    import contenders as C

    if args.child:
        res = child(args.child[0], args.child[1], Path(args.path), args.cap)
        print(RESULT_MARK + json.dumps(res), flush=True)
        return 0

    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    unknown = [t for t in tasks if t not in C.TASKS]
    if unknown:
        ap.error(f"unknown task(s) {unknown}; choose from {list(C.TASKS)}")
    try:
        path = C.corpus_slice_file(args.lines)
    except C.Unavailable as e:
        log(f"report.py: {e}")
        return 2
    texts = C.read_lines(path)
    n_lines, nbytes = len(texts), C.utf8_bytes(texts)
    del texts
    t_start = time.perf_counter()
    git0, build0, busy0 = git_state(), build_time(), cpu_busy()
    all_results: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        results = []
        for c in C.TASKS[task]:
            if args.only and args.only.lower() not in c.name.lower():
                continue
            log(f"[{task}] {c.name} ...")
            r = run_child(task, c.name, path, args.cap)
            log(f"    {fmt_mb(r.get('mb_s'))} MB/s  {r.get('error', '')}  ({r.get('wall_s', 0):.0f} s wall)")
            results.append(r)
        all_results[task] = results
    ceil = ceiling(path)
    elapsed = time.perf_counter() - t_start

    busy1 = cpu_busy()
    builds = sorted({r["build"] for rs in all_results.values() for r in rs if "build" in r} | {build0})
    warnings = []
    if len(builds) > 1:
        warnings += [
            f"> **Warning**: the textprep build changed during the run ({', '.join(builds)}); rows were "
            "measured on different builds. Rerun on a quiet tree.",
            "",
        ]
    if git_state() != git0:
        warnings += [f"> Note: the git state changed during the run ({git0} → {git_state()}).", ""]
    if max(busy0, busy1) > 0.25:
        warnings += [
            f"> **Warning**: other processes were using the CPUs ({busy0:.0%} busy just before the run, "
            f"{busy1:.0%} just after); figures may be low and noisy.",
            "",
        ]
    cmd = "python benchmarks/report.py" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:])
    )
    out = [
        f"### Results: textprep {git0} (build {build0})",
        "",
        *warnings,
        f"- Command: `{cmd}` ({elapsed / 60:.1f} min)",
        f"- Machine: {cpu_model()}, {os.cpu_count()} cores, {mem_total_gb()}; {platform.platform()}",
        f"- Python {platform.python_version()}; {versions()}",
        f"- Input: `{path.name}`, {n_lines:,} documents, {nbytes / 1e6:.1f} MB of UTF-8 "
        "(MB/s = input bytes / seconds). Every contender runs in its own process on the same documents; "
        "GC off during timed runs; "
        f"time cap {args.cap:g} s per run (a contender over it is measured on a spread slice, as noted).",
        f"- Ceiling: this machine reads the same bytes at {fmt_mb(ceil['cat > /dev/null'])} MB/s (`cat`) and "
        f"scans them at {fmt_mb(ceil['wc -w'])} MB/s (`wc -w`), warm page cache.",
        "- Peak RSS: the contender's process during its timed run (imports and input included); "
        "run +RSS: what the run added over the process before it.",
        "- Figures depend on the textprep build measured (commit above); rerun this script to refresh them.",
    ]
    for task in tasks:
        out += ["", f"#### {C.TASK_TITLES[task]}", ""]
        if task == "presets":
            out += presets_table(all_results[task])
            out += ["", "Timing detail:", ""]
        out += task_table(task, all_results[task], C.TASKS[task])
    print("\n".join(out))
    if args.json:
        meta = {
            "command": cmd,
            "git": git0,
            "build": build0,
            "warnings": warnings,
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "versions": versions(),
            "corpus": str(path),
            "lines": n_lines,
            "bytes": nbytes,
            "ceiling_mb_s": ceil,
            "elapsed_s": elapsed,
        }
        Path(args.json).write_text(json.dumps({"meta": meta, "results": all_results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
