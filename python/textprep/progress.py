"""Progress bars for long operations: shown on a terminal, or when asked with ``progress=True``.

>>> with progress_bar(total=3, enable=False) as bar:
...     bar.update(3)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Null:
    def update(self, n: float = 1) -> None:
        """No-op update."""

    def set_postfix_str(self, s: str) -> None:
        """No-op postfix."""


@contextmanager
def progress_bar(enable: bool | None = None, **kwargs: Any) -> Iterator[Any]:
    """A tqdm bar when ``enable`` is True, or when it is None and stderr is a terminal; otherwise a no-op.

    >>> with progress_bar(total=1, enable=False) as bar:
    ...     bar.update()
    """
    show = sys.stderr.isatty() if enable is None else enable
    if not show:
        yield _Null()
        return
    from tqdm.auto import tqdm

    bar = tqdm(unit_scale=True, **kwargs)
    try:
        yield bar
    finally:
        bar.close()


__all__ = ["progress_bar"]
