"""The ``textprep`` command line: tokenize, fit, encode and inspect pipelines.

Errors print as one clear line (no traceback) and exit non-zero.

>>> main(["--version"])  # doctest: +ELLIPSIS
textprep ...
0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any

from . import __version__
from .errors import TextprepError
from .pipeline import Pipeline


def _parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _options(pairs: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(
                f"--set expects KEY=VALUE, got {pair!r} (e.g. --set case=keep --set max_tokens=20000)"
            )
        key, value = pair.split("=", 1)
        out[key.strip()] = _parse_value(value)
    return out


def _build(args: argparse.Namespace) -> Pipeline:
    opts = _options(args.set or [])
    return Pipeline.preset(args.preset, **opts) if args.preset else Pipeline(**opts)


def _read_lines(path: str) -> list[str]:
    if path == "-":
        return [line.rstrip("\r\n") for line in sys.stdin]
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\r\n") for line in f]


def cmd_tokenize(args: argparse.Namespace) -> int:
    pipe = _build(args)
    for path in args.files or ["-"]:
        for toks in pipe.tokenize_batch(_read_lines(path)):
            print(" ".join(toks))
    return 0


def cmd_fit(args: argparse.Namespace) -> int:
    pipe = _build(args)
    pipe.fit_files(args.corpus, errors=args.errors, progress=args.progress)
    pipe.save(args.output)
    vocab = pipe.vocab
    print(
        f"fitted {len(vocab.tokens)} tokens (ids 0..{len(vocab) - 1}) on {len(args.corpus)} file(s) -> {args.output}"
    )
    return 0


def cmd_encode(args: argparse.Namespace) -> int:
    pipe = Pipeline.load(args.pipeline)
    manifest = pipe.encode_files(
        args.corpus,
        args.out,
        shard_rows=args.shard_rows,
        maxlen=args.maxlen,
        errors=args.errors,
        progress=args.progress,
    )
    print(f"encoded {manifest['rows']} rows into {len(manifest['shards'])} shard(s) in {args.out}")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    pipe = Pipeline.load(args.pipeline)
    cfg = pipe.config
    print(f"pipeline     {args.pipeline}")
    print(f"fingerprint  {pipe.fingerprint}")
    print(f"preset       {cfg['preset']}")
    print(f"normalize    {json.dumps(cfg['normalize'])}")
    print(f"tokenize     {json.dumps(cfg['tokenize'])}")
    if cfg["hashing"]["n_buckets"]:
        print(f"hashing      {json.dumps(cfg['hashing'])}")
    if pipe._core.is_fitted():
        tokens = pipe.vocab.tokens
        print(f"vocabulary   {len(tokens)} tokens; id space {pipe.id_space}; first: {' '.join(tokens[:10])}")
    if args.corpus:
        known = set(pipe.vocab.tokens) if pipe._core.is_fitted() else None
        total = oov = 0
        missing: Counter[str] = Counter()
        for path in args.corpus:
            for toks in pipe.tokenize_batch(_read_lines(path)):
                total += len(toks)
                if known is not None:
                    for t in toks:
                        if t not in known:
                            oov += 1
                            missing[t] += 1
        print(f"corpus       {total} tokens")
        if known is not None and total:
            print(
                f"coverage     {100 * (1 - oov / total):.2f}% of tokens in the vocabulary (OOV rate {100 * oov / total:.2f}%)"
            )
            print("top OOV      " + ", ".join(f"{t} ({c})" for t, c in missing.most_common(args.top)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs and tests).

    >>> build_parser().prog
    'textprep'
    """
    p = argparse.ArgumentParser(
        prog="textprep", description="Raw text to model-ready arrays, fast. Run 'textprep COMMAND --help'."
    )
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def pipeline_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--preset", choices=["sklearn", "keras", "gensim", "bert"], help="start from a compat preset"
        )
        sp.add_argument(
            "--set", action="append", metavar="KEY=VALUE", help="any config leaf, e.g. case=keep (repeat)"
        )

    t = sub.add_parser("tokenize", help="print the tokens of each line (stdin or files)")
    pipeline_opts(t)
    t.add_argument("files", nargs="*", help="UTF-8 files, one document per line (default: stdin)")
    t.set_defaults(func=cmd_tokenize)

    f = sub.add_parser("fit", help="fit a vocabulary on corpus files and save the pipeline artifact")
    pipeline_opts(f)
    f.add_argument("corpus", nargs="+", help="UTF-8 files, one document per line")
    f.add_argument("-o", "--output", required=True, help="where to write the pipeline JSON")
    f.add_argument(
        "--errors", default="strict", choices=["strict", "replace", "skip"], help="invalid UTF-8 policy"
    )
    f.add_argument("--progress", action="store_true", default=None, help="show a progress bar")
    f.set_defaults(func=cmd_fit)

    e = sub.add_parser("encode", help="encode corpus files into .npy shards with a manifest")
    e.add_argument("pipeline", help="a saved pipeline (textprep fit -o ...)")
    e.add_argument("corpus", nargs="+", help="UTF-8 files, one document per line")
    e.add_argument("--out", required=True, help="output folder")
    e.add_argument("--maxlen", type=int, default=None, help="row width (default: the pipeline's maxlen)")
    e.add_argument("--shard-rows", type=int, default=100_000, help="rows per shard")
    e.add_argument(
        "--errors", default="strict", choices=["strict", "replace", "skip"], help="invalid UTF-8 policy"
    )
    e.add_argument("--progress", action="store_true", default=None, help="show a progress bar")
    e.set_defaults(func=cmd_encode)

    i = sub.add_parser("inspect", help="config, vocabulary stats, and coverage / top OOV on a corpus")
    i.add_argument("pipeline", help="a saved pipeline")
    i.add_argument("--corpus", nargs="*", help="files to measure coverage on")
    i.add_argument("--top", type=int, default=20, help="how many OOV tokens to list")
    i.set_defaults(func=cmd_inspect)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``textprep`` command; returns the exit code.

    >>> import contextlib, sys
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     code = main(["fit", "/nonexistent.txt", "-o", "/tmp/x.json"])
    textprep: error: /nonexistent.txt: no such corpus file
    >>> code
    1
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"textprep {__version__}")
        return 0
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except (TextprepError, OSError, ValueError, TypeError, UnicodeError) as e:
        print(f"textprep: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("textprep: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
