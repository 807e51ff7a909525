"""Shared fixtures: the real data in ../shared/data (skipped with a reason when absent)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TEXTPREP_SHARED_DATA", ROOT.parent / "shared" / "data"))
FIXTURES = SHARED / "fixtures"


def shared_file(rel: str) -> Path:
    """Path of a file in ../shared/data, or skip the test saying what is missing."""
    p = SHARED / rel
    if not p.exists():
        pytest.skip(f"shared data file {p} is not present (tests read ../shared/data when it exists)")
    return p


def fixture_lines(name: str) -> list[str]:
    """Lines of a fixture text file."""
    return shared_file(f"fixtures/{name}").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def en_lines() -> list[str]:
    return fixture_lines("text_en_sample.txt")


@pytest.fixture(scope="session")
def multi_lines() -> list[str]:
    return fixture_lines("text_multilingual_sample.txt")


@pytest.fixture(scope="session")
def product_titles() -> list[str]:
    with shared_file("fixtures/products_tiny.csv").open(encoding="utf-8", newline="") as f:
        return [row["title"] for row in csv.DictReader(f)]


@pytest.fixture(scope="session")
def sms_texts() -> list[str]:
    with shared_file("fixtures/sms_tiny.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\"))
    return [r[-1] for r in rows if r]


#: Unicode edge cases every oracle test also runs on.
EDGE_CASES = [
    "",
    " ",
    "\t\n",
    "Straße STRASSE ß ẞ",
    "İstanbul ıi İI",
    "ΣΑΣ σας ΟΔΟΣ Σ",
    "ﬁne ﬂour Ｆｕｌｌｗｉｄｔｈ ①②③ x²",
    "café cafe\u0301 naïve nai\u0308ve",
    "हिन्दी भाषा",
    "ภาษาไทยง่ายนิดเดียว",
    "日本語のテキスト 中文文本",
    "한국어 텍스트",
    "emoji 👩‍👩‍👧 🇫🇷 👍🏽 #1️⃣",
    "zero\u200bwidth\u200cjoin\u200d soft\u00adhyphen",
    "bidi \u202eabc\u202c \u2066x\u2069",
    "tabs\tand\nnewlines\r\nand\u00a0nbsp\u2003em\u3000ideo",
    "don't can't rock'n'roll O'Neill",
    "3.14 1,000 -5 +7 1e10 ½ ٣",
    "snake_case __dunder__ _lead trail_",
    "e-mail me@example.com http://x.y/z?q=1 www.foo.org",
    "@user #hashtag $5 50% a&b <tag> [x] {y}",
    "ⅫⅣ ℌ ℡ ㎏ ﷺ",
    "\x00nul\x01ctl\x7fdel",
    "ǅemal ǈ ǋ",
    "unassigned \u0378\u0381 code points \U0001fbff",
    "a" * 40,
]
