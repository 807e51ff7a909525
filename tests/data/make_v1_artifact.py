"""How tests/data/artifacts/pipeline_v1.json and tests/data/golden/pipeline_v1_outputs.json were made (textprep
0.1.0). They are FROZEN: never regenerate them; every later release must load the artifact and reproduce the
outputs exactly (tests/test_artifact.py and the Rust tests in artifact.rs)."""

import json
import sys

import textprep as tp

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Straße, ﬁne café — naïve Ｆｕｌｌｗｉｄｔｈ!",
    "日本語のテキスト and 中文 mixed",
    "Email me@example.com or visit https://example.com/a?b=1 #tags @users 42",
    "don't stop believin' 👍🏽",
]

if __name__ == "__main__":
    if "--i-know-this-overwrites-frozen-data" not in sys.argv:
        sys.exit("refusing: these files are frozen")
    pipe = tp.Pipeline(
        max_tokens=40,
        num_oov_buckets=2,
        special_tokens=["[CLS]"],
        maxlen=12,
        truncating="pre",
        url="replace",
        email="replace",
        shapes=True,
        keep_counts=True,
    ).fit(TEXTS * 2 + ["the the the fox"])
    with open("tests/data/artifacts/pipeline_v1.json", "w", encoding="utf-8") as f:
        f.write(json.dumps(json.loads(pipe.to_json()), indent=1, ensure_ascii=False) + "\n")
    probe = [*TEXTS, "unseen words Here", "", "THE FOX!!"]
    b = pipe.encode_batch(probe)
    words = ["apple", "Straße", "日本", ""]
    golden = {
        "comment": "Frozen outputs of tests/data/artifacts/pipeline_v1.json; every later release must reproduce them.",
        "texts": probe,
        "ids": b.ids.tolist(),
        "lengths": b.lengths.tolist(),
        "shapes": b.shapes.tolist() if b.shapes is not None else None,
        "tokens": pipe.tokenize_batch(probe),
        "offsets": [pipe.offsets(t) for t in probe],
        "hash_xxh3_64": tp.hash_tokens(words, 1000003).tolist(),
        "hash_murmur3_32": tp.hash_tokens(words, 1048576, algorithm="murmur3_32").tolist(),
        "hash_farmhash64": tp.hash_tokens(words, 1000003, algorithm="farmhash64").tolist(),
    }
    with open("tests/data/golden/pipeline_v1_outputs.json", "w", encoding="utf-8") as f:
        f.write(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")
