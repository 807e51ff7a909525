"""Keras 3 (JAX backend in the tests): embedding modes on the SMS data, frozen rows, layered shapes,
HashEmbedding, TextDataset, and save/load with the pipeline."""

from __future__ import annotations

import csv
import json
import os
import pickle

import numpy as np
import pytest
import textprep as tp
from textprep.embeddings import load_vectors

from .conftest import shared_file

keras = pytest.importorskip("keras")
tpk = pytest.importorskip("textprep.keras")

N_MESSAGES = 300


@pytest.fixture(scope="module")
def sms():
    path = shared_file("datasets/sms-spam/SMSSpamCollection.tsv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if len(r) >= 2]
    rows = rows[:N_MESSAGES]
    texts = [r[1] for r in rows]
    labels = np.array([r[0] == "spam" for r in rows], dtype=np.int32)
    return texts, labels


@pytest.fixture(scope="module")
def pipe(sms):
    return tp.Pipeline(case="keep", maxlen=32, max_tokens=1500).fit(sms[0])


@pytest.fixture(scope="module")
def emb(pipe):
    vecs = load_vectors(shared_file("fixtures/glove_6B_50d_top300.txt"), vocab=pipe)
    return vecs.align(pipe, oov="case_fallback", seed=0)


def embedding_weights(model):
    return [np.asarray(w) for w in model.get_layer("embedding").weights]


def test_keras_backend_is_jax():
    assert keras.backend.backend() == os.environ.get("KERAS_BACKEND", "jax")


@pytest.mark.parametrize(
    ("mode", "extra"),
    [
        ("scratch", {}),
        ("frozen", {}),
        ("finetune", {}),
        ("layered", {"scratch_dim": 16}),
        ("finetune", {"freeze_found_rows": True}),
    ],
)
def test_embedding_modes_train_one_epoch(sms, pipe, emb, mode, extra):
    texts, labels = sms
    x = pipe(texts)
    model = tpk.text_classifier(
        pipe, emb if mode != "scratch" else None, kind="bag", mode=mode, dim=16, **extra
    )
    before = embedding_weights(model)
    hist = model.fit(x, labels, epochs=1, batch_size=64, verbose=0)
    assert np.isfinite(hist.history["loss"][0])
    after = embedding_weights(model)
    layer = model.get_layer("embedding")
    if mode == "scratch":
        assert after[0].shape == (pipe.id_space, 16) and not np.array_equal(before[0], after[0])
    elif mode == "frozen":
        np.testing.assert_array_equal(after[0], emb.matrix)
        assert not layer.trainable_weights
    elif mode == "finetune" and not extra:
        assert not np.array_equal(after[0], emb.matrix)
    elif mode == "layered":
        assert tuple(layer.compute_output_shape((None, 32))) == (None, 32, 50 + 16)
        assert tuple(layer(x[:2]).shape) == (2, 32, 66)
        np.testing.assert_array_equal(np.asarray(layer.pretrained), emb.matrix)  # frozen block unchanged
        assert not np.array_equal(before[1], np.asarray(layer.scratch))  # scratch block trained
    else:  # freeze_found_rows
        table = np.asarray(layer.embeddings)
        found = ~emb.trainable_mask
        np.testing.assert_array_equal(table[found], emb.matrix[found])
        used = np.zeros(pipe.id_space, bool)
        used[np.unique(x)] = True
        moved = ~np.isclose(table, emb.matrix).all(axis=1)
        assert moved[emb.trainable_mask & used].any()
        assert not moved[found].any()


@pytest.mark.parametrize("kind", ["cnn", "bilstm"])
def test_other_kinds_train(sms, pipe, emb, kind):
    texts, labels = sms
    model = tpk.text_classifier(pipe, emb, kind=kind, mode="finetune", dim=8)
    hist = model.fit(pipe(texts), labels, epochs=1, batch_size=100, verbose=0)
    assert np.isfinite(hist.history["loss"][0])
    assert model.predict(pipe(texts[:3]), verbose=0).shape == (3, 1)


def test_hash_embedding_trains_and_masks(sms):
    texts, labels = sms
    hpipe = tp.Pipeline(n_buckets=500, num_hashes=3, maxlen=32)
    x = hpipe(texts)
    assert x.shape == (len(texts), 32, 3)
    model = tpk.text_classifier(hpipe, kind="bag", dim=8)
    layer = model.get_layer("embedding")
    assert isinstance(layer, tpk.HashEmbedding)
    before = [np.asarray(w) for w in layer.weights]
    model.fit(x, labels, epochs=1, batch_size=64, verbose=0)
    after = [np.asarray(w) for w in layer.weights]
    assert not np.array_equal(before[0], after[0]) and not np.array_equal(before[1], after[1])
    out = np.asarray(layer(x[:4]))
    pad = x[:4, :, 0] == 0
    assert pad.any() and not out[pad].any() and out[~pad].any()
    np.testing.assert_array_equal(np.asarray(layer.compute_mask(x[:4])), ~pad)
    plain = tpk.HashEmbedding(500, 4, k=3, importance=False)
    assert tuple(plain(x[:2]).shape) == (2, 32, 4) and len(plain.weights) == 1


def test_text_dataset_batches_shuffle_pickle(sms, pipe):
    texts, labels = sms
    ds = tpk.TextDataset(pipe, texts, labels, batch_size=64, seed=7)
    assert len(ds) == 5
    seen = []
    for i in range(len(ds)):
        xb, yb = ds[i]
        rows = ds._order[i * 64 : (i + 1) * 64]
        np.testing.assert_array_equal(xb, pipe([texts[j] for j in rows]))
        np.testing.assert_array_equal(yb, labels[rows])
        seen.extend(rows.tolist())
    assert sorted(seen) == list(range(len(texts))) and ds[4][0].shape == (300 - 256, 32)
    order0 = ds._order.copy()
    ds.on_epoch_end()
    assert not np.array_equal(order0, ds._order)
    again = tpk.TextDataset(pipe, texts, labels, batch_size=64, seed=7)
    np.testing.assert_array_equal(again._order, order0)  # deterministic per (seed, epoch)
    clone = pickle.loads(pickle.dumps(ds))
    assert clone.pipe == pipe and clone.epoch == 1
    np.testing.assert_array_equal(clone[0][0], ds[0][0])
    flat = tpk.TextDataset(pipe, texts[:10], batch_size=4, shuffle=False)
    np.testing.assert_array_equal(flat[0], pipe(texts[:4]))
    with pytest.raises(ValueError, match="300 texts but 3 labels"):
        tpk.TextDataset(pipe, texts, labels[:3])
    model = tpk.text_classifier(pipe, kind="bag", dim=8)
    hist = model.fit(tpk.TextDataset(pipe, texts, labels, batch_size=100), epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2


def test_save_load_round_trips_predictions_on_raw_strings(tmp_path, sms, pipe, emb):
    texts, labels = sms
    model = tpk.text_classifier(pipe, emb, kind="bag", mode="layered", scratch_dim=8)
    model.fit(pipe(texts), labels, epochs=1, batch_size=100, verbose=0)
    raw = ["FREE entry! Win a prize now", "see you at lunch?", "Call 0800 now to claim"]
    expected = model.predict(pipe(raw), verbose=0)
    tpk.save(model, pipe, tmp_path / "clf")
    model2, pipe2 = tpk.load(tmp_path / "clf")
    assert pipe2.fingerprint == pipe.fingerprint
    np.testing.assert_array_equal(model2.predict(pipe2(raw), verbose=0), expected)

    part = tpk.text_classifier(pipe, emb, kind="bag", mode="finetune", freeze_found_rows=True, dim=8)
    tpk.save(part, pipe, tmp_path / "part")
    part2, _ = tpk.load(tmp_path / "part")
    np.testing.assert_array_equal(part2.predict(pipe(raw), verbose=0), part.predict(pipe(raw), verbose=0))

    hpipe = tp.Pipeline(n_buckets=300, num_hashes=2, maxlen=16)
    hmodel = tpk.text_classifier(hpipe, kind="bag", dim=4)
    tpk.save(hmodel, hpipe, tmp_path / "hash")
    hmodel2, hpipe2 = tpk.load(tmp_path / "hash")
    np.testing.assert_array_equal(
        hmodel2.predict(hpipe2(raw), verbose=0), hmodel.predict(hpipe(raw), verbose=0)
    )


def test_load_rejects_a_replaced_pipeline(tmp_path, pipe):
    model = tpk.text_classifier(pipe, kind="bag", dim=4)
    tpk.save(model, pipe, tmp_path / "m")
    other = tp.Pipeline(case="lower", maxlen=32).fit(["something else"])
    other.save(tmp_path / "m" / "pipeline.json")
    with pytest.raises(tp.ArtifactError, match="does not match the one saved with the model"):
        tpk.load(tmp_path / "m")
    manifest = json.loads((tmp_path / "m" / "textprep.json").read_text())
    assert manifest["fingerprint"] == pipe.fingerprint


def test_embedding_layer_errors(pipe, emb):
    with pytest.raises(ValueError, match="mode= must be one of"):
        tpk.embedding_layer(pipe, emb, mode="frozzen")
    with pytest.raises(ValueError, match="needs pretrained embeddings"):
        tpk.embedding_layer(pipe, None, mode="frozen")
    small = tp.Pipeline().fit(["a b"])
    with pytest.raises(ValueError, match="align the vectors to this pipeline"):
        tpk.embedding_layer(small, emb, mode="frozen")
    with pytest.raises(ValueError, match="freeze_found_rows=True applies to mode='finetune'"):
        tpk.embedding_layer(pipe, emb, mode="frozen", freeze_found_rows=True)
