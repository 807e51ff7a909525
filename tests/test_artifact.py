"""The one versioned artifact: frozen v1 file, golden outputs, save/load/pickle, and every corruption case."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import textprep as tp

DATA = Path(__file__).parent / "data"
FROZEN = DATA / "artifacts" / "pipeline_v1.json"
GOLDEN = json.loads((DATA / "golden" / "pipeline_v1_outputs.json").read_text(encoding="utf-8"))


def test_frozen_v1_artifact_reproduces_golden_outputs():
    pipe = tp.Pipeline.load(FROZEN)
    texts = GOLDEN["texts"]
    batch = pipe.encode_batch(texts)
    assert batch.ids.tolist() == GOLDEN["ids"]
    assert batch.lengths.tolist() == GOLDEN["lengths"]
    assert batch.shapes.tolist() == GOLDEN["shapes"]
    assert pipe.tokenize_batch(texts) == GOLDEN["tokens"]
    assert [[list(o) for o in pipe.offsets(t)] for t in texts] == GOLDEN["offsets"]


def test_golden_hashes():
    words = ["apple", "Straße", "日本", ""]
    assert tp.hash_tokens(words, 1000003).tolist() == GOLDEN["hash_xxh3_64"]
    assert tp.hash_tokens(words, 1048576, algorithm="murmur3_32").tolist() == GOLDEN["hash_murmur3_32"]
    assert tp.hash_tokens(words, 1000003, algorithm="farmhash64").tolist() == GOLDEN["hash_farmhash64"]


def test_artifact_fields():
    doc = json.loads(FROZEN.read_text(encoding="utf-8"))
    assert doc["format"] == "textprep.pipeline" and doc["format_version"] == 1
    assert {"textprep_version", "unicode_version", "config", "state", "fingerprint"} <= set(doc)
    assert doc["state"]["vocab"]["tokens"][0] == "[CLS]"


def test_save_load_pickle_round_trip(tmp_path, en_lines):
    pipe = tp.Pipeline(max_tokens=500, maxlen=20, case="keep").fit(en_lines)
    path = tmp_path / "p.json"
    pipe.save(path)
    loaded = tp.Pipeline.load(path)
    for other in (loaded, pickle.loads(pickle.dumps(pipe)), tp.Pipeline.from_json(pipe.to_json())):
        assert other.fingerprint == pipe.fingerprint
        assert np.array_equal(other(en_lines), pipe(en_lines))
    assert len(pickle.dumps(pipe)) < 2 * len(pipe.to_json()) + 200


def test_tf_idf_survives_the_artifact(en_lines):
    pipe = tp.Pipeline(max_tokens=300).fit(en_lines)
    again = tp.Pipeline.from_json(pipe.to_json())
    a = pipe.encode_bag(en_lines[:20], mode="tf_idf").toarray()
    b = again.encode_bag(en_lines[:20], mode="tf_idf").toarray()
    assert np.allclose(a, b) and a.sum() > 0


def _doc() -> dict:
    return json.loads(FROZEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("mutate", "error", "needle"),
    [
        (lambda d: d.update(format_version=2), tp.ArtifactVersionError, "newer than this textprep"),
        (lambda d: d.update(format="something.else"), tp.ArtifactError, "not a textprep pipeline"),
        (lambda d: d.pop("config"), tp.ArtifactError, "missing field 'config'"),
        (
            lambda d: d["state"]["vocab"]["tokens"].__setitem__(2, "the"),
            tp.ArtifactError,
            "duplicate token 'the'",
        ),
        (
            lambda d: d["state"]["vocab"]["tokens"].__setitem__(2, "f0x"),
            tp.ArtifactError,
            "fingerprint mismatch",
        ),
        (lambda d: d["state"]["vocab"]["tokens"].__setitem__(2, ""), tp.ArtifactError, "empty"),
        (
            lambda d: d["state"]["vocab"]["tokens"].__setitem__(2, 7),
            tp.ArtifactError,
            "tokens[2] is not a string",
        ),
        (lambda d: d["state"]["vocab"]["df"].pop(), tp.ArtifactError, "state.vocab.df has"),
        (lambda d: d["config"]["normalize"].update(case="upper"), tp.ArtifactError, "normalize.case"),
        (lambda d: d.update(fingerprint="0" * 16), tp.ArtifactError, "fingerprint mismatch"),
    ],
)
def test_corrupt_artifacts_name_the_problem(tmp_path, mutate, error, needle):
    doc = _doc()
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(error) as info:
        tp.Pipeline.load(path)
    assert needle in str(info.value)
    assert str(path) in str(info.value)


def test_truncated_and_binary_files(tmp_path):
    text = FROZEN.read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) // 3], encoding="utf-8")
    with pytest.raises(tp.ArtifactError, match="truncated"):
        tp.Pipeline.load(cut)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(tp.ArtifactError, match="not UTF-8"):
        tp.Pipeline.load(binary)
    with pytest.raises(tp.ArtifactError, match="not a JSON object"):
        tp.Pipeline.from_json("[1, 2]")


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path):
    pipe = tp.Pipeline(n_buckets=8)
    pipe.save(tmp_path / "a.json")
    pipe.save(tmp_path / "a.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_fingerprint_tracks_behaviour():
    a = tp.Pipeline().fit(["a b"])
    assert a.fingerprint == tp.Pipeline().fit(["b a"]).fingerprint
    assert a.fingerprint != tp.Pipeline().fit(["a b c"]).fingerprint
    assert a.fingerprint != tp.Pipeline(maxlen=3).fit(["a b"]).fingerprint
