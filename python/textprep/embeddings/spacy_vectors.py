"""spaCy vectors folders (``nlp.vocab.vectors.to_disk`` / a ``vocab`` folder): ``vectors`` (a numpy table),
``key2row`` (msgpack: string hash -> row) and ``strings.json``; the hashes are spaCy's MurmurHash64A, computed by the
engine (``textprep.hash_tokens(..., hash="murmurhash64a")`` uses the same function).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from .. import _core
from ..errors import VectorsFormatError
from ._io import PathLike, load_report
from .table import Vectors


def read_spacy(path: PathLike, keep: set[str] | None) -> Vectors:
    folder = Path(path)
    if (folder / "vocab").is_dir() and not (folder / "key2row").exists():
        folder = folder / "vocab"
    name = folder.name
    cfg_path = folder / "vectors.cfg"
    if cfg_path.exists():
        mode = json.loads(cfg_path.read_text(encoding="utf-8") or "{}").get("mode", "default")
        if mode != "default":
            raise VectorsFormatError(
                f"{name}: vectors.cfg: spaCy vectors mode {mode!r} is not supported (only 'default' tables)"
            )
    vec_file = next((p for p in (folder / "vectors", folder / "vectors.npy") if p.exists()), None)
    if vec_file is None:
        raise VectorsFormatError(f"{name}: no 'vectors' file in the spaCy folder {folder}")
    table = np.load(vec_file, mmap_mode="r", allow_pickle=False)
    raw = (folder / "key2row").read_bytes() if (folder / "key2row").exists() else b""
    try:
        import srsly

        key2row: dict[int, int] = srsly.msgpack_loads(raw) if raw else {}
    except ImportError:
        try:
            import msgpack
        except ImportError as e:
            raise ImportError(
                'reading spaCy vectors needs srsly or msgpack: pip install "textprep[spacy]"'
            ) from e
        key2row = msgpack.unpackb(raw, strict_map_key=False) if raw else {}
    strings_path = folder / "strings.json"
    if not strings_path.exists():
        raise VectorsFormatError(
            f"{name}: no strings.json beside the vectors (keys are hashes; copy the "
            "vocab folder written by nlp.vocab.to_disk)"
        )
    strings = [s for s in json.loads(strings_path.read_text(encoding="utf-8")) if keep is None or s in keep]
    hashes = _core.string_hashes(strings, "murmurhash64a", 0).tolist()  # spaCy's hash_string
    pairs: list[tuple[str, int]] = []
    for s, h in zip(strings, hashes, strict=True):
        row = key2row.get(h)
        if row is not None:
            pairs.append((s, int(row)))
    used = sorted({row for _, row in pairs})
    remap = {row: i for i, row in enumerate(used)}
    words = [""] * len(used)
    index: dict[str, int] = {}
    for s, row in pairs:
        i = remap[row]
        if not words[i]:
            words[i] = s
        index.setdefault(s, i)
    mat = np.asarray(table[used], dtype=np.float32) if used else np.zeros((0, table.shape[1]), np.float32)
    report = load_report(
        os.fspath(path), "spacy", int(table.shape[0]), len(index), int(table.shape[1]), keys=len(key2row)
    )
    return Vectors(words, mat, index=index, report=report)
