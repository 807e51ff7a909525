"""Corpus files: fit_files streamed by the engine, invalid UTF-8 policies, encode_files shards and manifest."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import textprep as tp


def test_fit_files_equals_fit(tmp_path, en_lines):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("\n".join(en_lines[:200]) + "\n", encoding="utf-8")
    b.write_text("\r\n".join(en_lines[200:]), encoding="utf-8")
    from_files = tp.Pipeline(max_tokens=500).fit_files([a, b])
    from_list = tp.Pipeline(max_tokens=500).fit(en_lines)
    assert from_files.vocab.tokens == from_list.vocab.tokens
    assert from_files.count_files([a, b]).n_docs == len(en_lines)


def test_invalid_utf8_policies_name_file_and_line(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"good line\nbad \xff\xfe line\nlast\n")
    with pytest.raises(OSError, match=r"bad.txt:2: invalid UTF-8 at byte 4"):
        tp.Pipeline().fit_files(p)
    assert tp.Pipeline().count_files(p, errors="skip").n_docs == 2
    assert tp.Pipeline(strip_control=False).count_files(p, errors="replace")["\ufffd"][0] == 2
    with pytest.raises(tp.ConfigError, match="errors"):
        tp.Pipeline().fit_files(p, errors="ignore-all")


def test_missing_file():
    with pytest.raises(FileNotFoundError, match=r"nope\.txt"):
        tp.Pipeline().fit_files("/nonexistent/nope.txt")


def test_encode_files_shards_and_manifest(tmp_path, en_lines):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(en_lines) + "\n", encoding="utf-8")
    pipe = tp.Pipeline(max_tokens=300, maxlen=16).fit(en_lines)
    out = tmp_path / "out"
    manifest = pipe.encode_files(corpus, out, shard_rows=150)
    assert manifest["rows"] == len(en_lines)
    assert [s["rows"] for s in manifest["shards"]] == [150, 150, len(en_lines) - 300]
    ids = np.concatenate([np.load(out / s["ids"]) for s in manifest["shards"]])
    assert np.array_equal(ids, pipe(en_lines))
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk == manifest and on_disk["pipeline_fingerprint"] == pipe.fingerprint
    for s in manifest["shards"]:
        assert hashlib.sha256((out / s["ids"]).read_bytes()).hexdigest() == s["sha256"]["ids"]


def test_encode_files_needs_width_and_state(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("a\n", encoding="utf-8")
    with pytest.raises(tp.ConfigError, match="maxlen"):
        tp.Pipeline(n_buckets=4).encode_files(p, tmp_path / "o")
    with pytest.raises(tp.NotFittedError):
        tp.Pipeline(maxlen=4).encode_files(p, tmp_path / "o")
