"""``textprep bench``: textprep against its peers (HF tokenizers, spaCy, scikit-learn, gensim, Keras) on the
same corpus, one contender per child process, with MB/s, the ratio to textprep, peak memory and output
equality checks.

Tasks: ``tokenize``, ``presets``, ``fit``, ``encode``, ``hashing``, ``vectors`` (see
:mod:`textprep.bench.contenders`). From Python::

    from textprep import bench
    data = bench.run(corpus="my_corpus.txt", tasks=["tokenize", "encode"], quick=True)
    print(bench.text_table(data)); bench.plot(data, "bench.png")

>>> from textprep import bench
>>> list(bench.TASKS)
['tokenize', 'presets', 'fit', 'encode', 'hashing', 'vectors']
>>> [c.name for c in bench.select(["vectors"], quick=True)][0]
'textprep load_vectors(vocab=pipe) + align'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .contenders import TASK_TITLES, TASKS, Contender, NotInstalled, Unavailable
from .runner import markdown, plot, run, select, text_table


def run_cli(
    corpus: str | None = None,
    tasks: str | None = None,
    quick: bool = False,
    lines: int | None = None,
    cap: float | None = None,
    json_path: str | None = None,
    plot_path: str | None = None,
    progress: bool | None = None,
    command: str = "textprep bench",
) -> dict[str, Any]:
    """What ``textprep bench`` does: run, print the table, write the JSON and the plot when asked.

    ``tasks``: comma-separated names (default: all). Raises ``ValueError`` for an unknown task.

    >>> run_cli(tasks="tokenize,nope")
    Traceback (most recent call last):
    ValueError: unknown task(s) nope; choose from tokenize, presets, fit, encode, hashing, vectors
    """
    names = [t.strip() for t in tasks.split(",") if t.strip()] if tasks else list(TASKS)
    select(names)  # validates the names before any work
    if lines is not None and lines < 1:
        raise ValueError(f"--lines must be >= 1, got {lines}")
    if cap is not None and cap <= 0:
        raise ValueError(f"--cap must be > 0, got {cap}")
    if corpus is not None and not Path(corpus).is_file():
        raise FileNotFoundError(f"{corpus}: no such corpus file")
    try:
        data = run(corpus, names, quick=quick, lines=lines, cap=cap, progress=progress, command=command)
    except Unavailable as e:
        raise ValueError(str(e)) from None
    print(text_table(data), flush=True)
    if json_path:
        Path(json_path).write_text(json.dumps(data, indent=2))
        print(f"wrote {json_path}")
    if plot_path:
        plot(data, plot_path)
        print(f"wrote {plot_path}")
    return data


__all__ = [
    "TASKS",
    "TASK_TITLES",
    "Contender",
    "NotInstalled",
    "Unavailable",
    "markdown",
    "plot",
    "run",
    "run_cli",
    "select",
    "text_table",
]
