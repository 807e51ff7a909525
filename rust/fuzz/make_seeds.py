"""Write the fuzz seed corpus (`corpus/<target>/`) and `presets.json` from the project's fixtures.

Run from anywhere with the project's venv active: ``python rust/fuzz/make_seeds.py``. Seeds come from
``tests.conftest.EDGE_CASES``, ``tests/data/naughty_strings.json``, the frozen artifact and golden texts, and the
shared fixtures (``../shared/data/fixtures``) when present. The corpus folder is generated, never committed.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

import textprep as tp  # noqa: E402
from textprep.config import PRESET_HASH, PRESETS, preset_config  # noqa: E402

from tests.conftest import EDGE_CASES, FIXTURES  # noqa: E402

CONFIG_BYTES = 24  # rust/fuzz/src/lib.rs
# A few selector patterns: defaults, all-ones, a spread of values, and one per preset.
SELECTORS = [bytes(CONFIG_BYTES), bytes([1]) * CONFIG_BYTES, bytes(range(3, 3 + CONFIG_BYTES))] + [
    bytes([i]) + bytes([2]) * (CONFIG_BYTES - 1) for i in range(len(PRESETS) * 2)
]


def texts() -> list[str]:
    out = list(EDGE_CASES)
    naughty = ROOT / "tests" / "data" / "naughty_strings.json"
    if naughty.exists():
        groups = json.loads(naughty.read_text(encoding="ascii"))["groups"]
        out += [s for group in groups.values() for s in group]
    golden = ROOT / "tests" / "data" / "golden" / "pipeline_v1_outputs.json"
    out += json.loads(golden.read_text(encoding="utf-8"))["texts"]
    if FIXTURES.exists():
        for name in ("text_en_sample.txt", "text_multilingual_sample.txt", "sms_tiny.tsv"):
            lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
            out += ["\n".join(lines[i : i + 4]) for i in range(0, min(len(lines), 80), 4)]
    return [t for t in out if len(t.encode("utf-8", "surrogatepass")) < 4000]


def write(target: str, data: bytes) -> None:
    d = HERE / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main() -> None:
    presets = []
    for name in PRESETS:
        presets.append(preset_config(name))
        if name in PRESET_HASH:
            presets.append(preset_config(name, hash=PRESET_HASH[name]["hash"], n_buckets=1024))
    (HERE / "presets.json").write_text(json.dumps(presets, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    docs = [t.encode("utf-8", "surrogatepass") for t in texts()]
    for i, doc in enumerate(docs):
        for j, sel in enumerate(SELECTORS):
            if (i + j) % 3 == 0:
                write("normalize", sel + doc)
                write("tokenize", sel + doc)
        write("counts", SELECTORS[i % len(SELECTORS)] + doc)
    for pattern in [
        r"\w+",
        r"(?u)\b\w\w+\b",
        r"\S+",
        r"(a+)+$",
        r"\p{Greek}+|\d+",
        r"(?i)straße",
        r"[[:alpha:]]+",
    ]:
        for doc in docs[::5]:
            write("regex_split", pattern.encode() + b"\0" + doc)

    vec_files = [b"the 0.1 0.2\ncat 1e3 -4\n\n\xc3\xa9 nan inf\n", b"a 1\r\nb 2\r\n", b"w\n", b"x 1 2\ny 3\n"]
    if FIXTURES.exists():
        for name in ("glove_6B_50d_top300.txt", "glove_test_gensim.txt"):
            vec_files.append(b"".join((FIXTURES / name).read_bytes().splitlines(keepends=True)[:20]))
    for i, data in enumerate(vec_files):
        for sel in SELECTORS[:4]:
            write("vectors", sel[: CONFIG_BYTES - 1] + bytes([i]) + data)

    fitted = tp.Pipeline(max_tokens=50, keep_counts=True).fit([d.decode("utf-8", "replace") for d in docs])
    artifacts = [
        (ROOT / "tests" / "data" / "artifacts" / "pipeline_v1.json").read_text(encoding="utf-8"),
        fitted.to_json(),
        tp.Pipeline(n_buckets=64, num_hashes=2).to_json(),
        fitted.count(["a b a", "c"]).to_json(),
        json.dumps(tp.default_config()),
    ]
    artifacts += [tp.Pipeline.preset(n).to_json() for n in PRESETS]
    for a in artifacts:
        write("artifact", a.encode("utf-8"))
    print(f"seeds written to {HERE / 'corpus'} ({len(docs)} texts); presets.json has {len(presets)} configs")


if __name__ == "__main__":
    main()
