"""Artifact files: atomic writes and reads with clear errors.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "x.json")
>>> write_text_atomic(path, "{}")
>>> read_artifact_text(path)
'{}'
"""

from __future__ import annotations

import os
import tempfile

from .errors import ArtifactError


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text to ``path`` through a temporary file in the same folder, then rename it into place, so a
    crash never leaves a half-written artifact.

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "a.json"); write_text_atomic(p, "[]"); open(p).read()
    '[]'
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=".textprep-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_artifact_text(path: str | os.PathLike[str]) -> str:
    """Read an artifact file as UTF-8; a non-UTF-8 file raises ``ArtifactError`` naming the file and byte offset.

    >>> read_artifact_text("/nonexistent.json")
    Traceback (most recent call last):
    FileNotFoundError: ...
    """
    with open(os.fspath(path), "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ArtifactError(
            f"{os.fspath(path)}: not UTF-8 text at byte {e.start}; is this a textprep artifact?"
        ) from None


__all__ = ["read_artifact_text", "write_text_atomic"]
