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
from collections.abc import Iterator, Sequence
from typing import Any

from . import __version__, _core
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


def _read_lines(path: str, encoding_errors: str = "strict") -> Iterator[list[str]]:
    """Blocks of lines of a file (``-``: standard input), read by the engine's one corpus reader."""
    if path == "-":
        return iter(_core.LineReader("<stdin>", encoding_errors, data=sys.stdin.buffer.read()))
    return iter(_core.LineReader(path, encoding_errors))


class _DeprecatedFlag(argparse.Action):
    """``--errors``: the old spelling of ``--encoding-errors`` (one more release)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        print("textprep: warning: --errors is deprecated, use --encoding-errors", file=sys.stderr)
        setattr(namespace, self.dest, values)


def cmd_tokenize(args: argparse.Namespace) -> int:
    pipe = _build(args)
    for path in args.files or ["-"]:
        for block in _read_lines(path):
            for toks in pipe.tokenize_batch(block):
                print(" ".join(toks))
    return 0


def cmd_fit(args: argparse.Namespace) -> int:
    pipe = _build(args)
    pipe.fit_files(args.corpus, encoding_errors=args.encoding_errors, progress=args.progress)
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
        encoding_errors=args.encoding_errors,
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
            for toks in (t for block in _read_lines(path) for t in pipe.tokenize_batch(block)):
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


def cmd_experiment(args: argparse.Namespace) -> int:
    from . import datasets
    from .experiment import QUESTIONS, _prefer_jax, run_experiment

    if args.data:
        if not args.text_col or not args.label_col:
            raise ValueError(
                "--data needs --text-col and --label-col (the CSV columns with the text and the label)"
            )
        data = datasets.load_csv(args.data, text=args.text_col, label=args.label_col, group=args.group_col)
    else:
        data = datasets.load(args.dataset)
    questions = [q.strip() for q in args.questions.split(",") if q.strip()] if args.questions else None
    if questions:
        bad = [q for q in questions if q not in QUESTIONS]
        if bad:
            raise ValueError(f"--questions: unknown {', '.join(bad)}; choose from {','.join(QUESTIONS)}")
    if args.seeds < 1:
        raise ValueError(f"--seeds must be >= 1, got {args.seeds}")
    if args.model != "logreg":
        _prefer_jax()
    print(data.summary(), flush=True)
    res = run_experiment(
        data,
        grid="quick" if args.quick else "full",
        questions=questions,
        seeds=tuple(range(args.seeds)),
        epochs=args.epochs if args.epochs is not None else (2 if args.quick else 5),
        model=args.model,
        progress=args.progress,
        log=lambda m: print(f"note: {m}", flush=True),
    )
    print(res.table())
    print()
    for v in res.verdicts():
        print(v)
    paths = res.save(args.out)
    print(f"wrote {', '.join(paths.values())}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .experiment import run_demo

    run_demo(quick=args.quick, out=args.out, progress=args.progress)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import run_cli

    run_cli(
        corpus=args.corpus,
        tasks=args.tasks,
        quick=args.quick,
        lines=args.lines,
        cap=args.cap,
        json_path=args.json,
        plot_path=args.plot,
        progress=args.progress,
        command="textprep bench"
        + "".join(
            f" --{k} {v}" if v is not True else f" --{k}"
            for k, v in vars(args).items()
            if k in ("corpus", "tasks", "quick", "lines", "cap", "json", "plot") and v not in (None, False)
        ),
    )
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

    def encoding_errors(sp: argparse.ArgumentParser) -> None:
        policies = ["strict", "replace", "skip"]
        sp.add_argument(
            "--encoding-errors",
            default="strict",
            choices=policies,
            help="a line that is not UTF-8: fail, U+FFFD or skip",
        )
        sp.add_argument(
            "--errors",
            dest="encoding_errors",
            choices=policies,
            action=_DeprecatedFlag,
            help=argparse.SUPPRESS,
        )

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
    encoding_errors(f)
    f.add_argument("--progress", action="store_true", default=None, help="show a progress bar")
    f.set_defaults(func=cmd_fit)

    e = sub.add_parser("encode", help="encode corpus files into .npy shards with a manifest")
    e.add_argument("pipeline", help="a saved pipeline (textprep fit -o ...)")
    e.add_argument("corpus", nargs="+", help="UTF-8 files, one document per line")
    e.add_argument("--out", required=True, help="output folder")
    e.add_argument("--maxlen", type=int, default=None, help="row width (default: the pipeline's maxlen)")
    e.add_argument("--shard-rows", type=int, default=100_000, help="rows per shard")
    encoding_errors(e)
    e.add_argument("--progress", action="store_true", default=None, help="show a progress bar")
    e.set_defaults(func=cmd_encode)

    i = sub.add_parser("inspect", help="config, vocabulary stats, and coverage / top OOV on a corpus")
    i.add_argument("pipeline", help="a saved pipeline")
    i.add_argument("--corpus", nargs="*", help="files to measure coverage on")
    i.add_argument("--top", type=int, default=20, help="how many OOV tokens to list")
    i.set_defaults(func=cmd_inspect)

    x = sub.add_parser(
        "experiment",
        help="train small models per preprocessing choice over seeds; table, CSV, JSON, plot and verdicts",
        description="Vary one preprocessing choice at a time (casing, tokenizer, vocabulary size / hashing, "
        "embedding dimension, pretrained vs scratch embeddings) around a baseline, train a small model per "
        "choice and seed, and report accuracy, macro-F1, coverage, OOV rate, throughput and training time.",
    )
    x.add_argument("--data", help="your own labelled CSV (with --text-col and --label-col)")
    x.add_argument("--text-col", help="the CSV column holding the text")
    x.add_argument("--label-col", help="the CSV column holding the label")
    x.add_argument("--group-col", help="keep rows of one group (e.g. a product id) on one side of the split")
    x.add_argument(
        "--dataset", default="rotten_tomatoes", choices=["rotten_tomatoes"], help="a built-in data set"
    )
    x.add_argument("--quick", action="store_true", help="a small grid (about a minute on 2 cores)")
    x.add_argument("--seeds", type=int, default=3, help="number of seeds per cell (default 3)")
    x.add_argument("--epochs", type=int, default=None, help="training epochs (default 5, 2 with --quick)")
    x.add_argument(
        "--model",
        default="bag",
        choices=["bag", "cnn", "logreg"],
        help="bag of embeddings (default), CNN, or scikit-learn logistic regression (no Keras)",
    )
    x.add_argument(
        "--questions", help="comma-separated subset of casing,tokenizer,vocab,dim,embeddings (default: all)"
    )
    x.add_argument(
        "--out", default="textprep-experiment", help="output folder (default ./textprep-experiment)"
    )
    x.add_argument("--progress", action="store_true", default=None, help="show a progress bar")
    x.set_defaults(func=cmd_experiment)

    d = sub.add_parser(
        "demo",
        help="the main job: text to arrays, then the experiment on Rotten Tomatoes reviews (a few minutes)",
    )
    d.add_argument("--quick", action="store_true", help="a smaller run (well under a minute)")
    d.add_argument("--out", default=None, help="also save the table, CSV, JSON and plot into this folder")
    d.add_argument("--progress", action="store_true", default=None, help="show a progress bar")
    d.set_defaults(func=cmd_demo)

    b = sub.add_parser(
        "bench",
        help="textprep against its peers on a corpus: MB/s, ratio to textprep, peak memory; table, JSON, plot",
        description="Run each contender (textprep and the installed peers: HF tokenizers, spaCy, scikit-learn, "
        "gensim, Keras) in its own process on the same documents and print MB/s, the ratio to textprep, peak "
        "memory and whether outputs are equal. Peers that are not installed are listed as such.",
    )
    b.add_argument(
        "--corpus", help="a UTF-8 file, one document per line (.xz/.gz/.bz2 ok); default: the shared "
        "en_natural corpus when present, else Rotten Tomatoes snippets (textprep.datasets)"
    )  # fmt: skip
    b.add_argument("--tasks", help="comma-separated subset of tokenize,presets,fit,encode,hashing,vectors")
    b.add_argument("--quick", action="store_true", help="20,000 lines, 2 s cap per run (under two minutes)")
    b.add_argument("--lines", type=int, default=None, help="use N lines spread over the corpus")
    b.add_argument("--cap", type=float, default=None, help="seconds one timed run may take (default 12)")
    b.add_argument("--json", help="write the raw results (JSON) here")
    b.add_argument("--plot", help="write a bar chart (PNG) here")
    b.add_argument("--progress", action="store_true", default=None, help="show a progress bar")
    b.set_defaults(func=cmd_bench)

    from .monitor.cli import add_monitor_parser
    from .serve.cli import add_serve_parser

    add_serve_parser(sub)
    add_monitor_parser(sub)
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
