"""The textprep command line: real subprocess runs, one-line errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import textprep as tp


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "textprep.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_and_version():
    out = run("--help")
    assert out.returncode == 0 and "fit" in out.stdout and "inspect" in out.stdout
    assert run("--version").stdout.startswith("textprep ")


def test_tokenize_stdin_with_preset():
    out = run("tokenize", "--preset", "sklearn", stdin="Hello, World!\nI'm fine\n")
    assert out.returncode == 0
    assert out.stdout.splitlines() == ["hello world", "fine"]


def test_fit_encode_inspect(tmp_path, en_lines):
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(en_lines) + "\n", encoding="utf-8")
    art = tmp_path / "p.json"
    fit = run("fit", str(corpus), "-o", str(art), "--set", "max_tokens=200", "--set", "maxlen=8")
    assert fit.returncode == 0, fit.stderr
    assert tp.Pipeline.load(art).vocab.tokens == tp.Pipeline(max_tokens=200).fit(en_lines).vocab.tokens
    enc = run("encode", str(art), str(corpus), "--out", str(tmp_path / "shards"))
    assert enc.returncode == 0, enc.stderr
    assert json.loads((tmp_path / "shards" / "manifest.json").read_text())["rows"] == len(en_lines)
    ins = run("inspect", str(art), "--corpus", str(corpus), "--top", "3")
    assert ins.returncode == 0
    assert "coverage" in ins.stdout and "top OOV" in ins.stdout and "fingerprint" in ins.stdout


def test_errors_are_one_line_with_nonzero_exit(tmp_path):
    out = run("fit", "/nonexistent.txt", "-o", str(tmp_path / "x.json"))
    assert out.returncode == 1
    assert out.stderr.strip() == "textprep: error: /nonexistent.txt: no such corpus file"
    bad = run("tokenize", "--set", "case=upper", stdin="x\n")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "normalize.case" in bad.stderr
