"""What the vectors readers share: opening (gzip/bz2/xz by magic bytes), header parsing, error messages naming the
file and the place, NaN/inf checks, and an exact-length byte reader for binary formats.

>>> _parse_header(b"3 50")
(3, 50)
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import zlib
from typing import IO, Any

import numpy as np

from ..errors import VectorsFormatError

PathLike = str | os.PathLike[str]

_FASTTEXT_MAGIC = 793712314
# A header may claim any size; nothing is ever preallocated from it, and a binary header is checked against
# the real file size before reading. This cap only rejects absurd claims early.
_MAX_HEADER_ROWS = 1 << 34
_MAX_DIM = 1 << 16
_MAX_WORD_BYTES = 1 << 16


def _open(path: PathLike) -> tuple[Any, str | None]:
    """Open a file in binary mode, decompressing gzip/bz2/xz by magic bytes; returns (file, compression)."""
    with open(path, "rb") as raw:
        magic = raw.read(6)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb"), "gzip"
    if magic[:3] == b"BZh":
        return bz2.open(path, "rb"), "bz2"
    if magic[:6] == b"\xfd7zXZ\x00":
        return lzma.open(path, "rb"), "xz"
    return open(path, "rb"), None


_BOM = b"\xef\xbb\xbf"
#: What a truncated or corrupt gzip/bz2/xz stream raises while it is read (OSError: only for compressed files).
_STREAM_ERRORS = (EOFError, zlib.error, lzma.LZMAError, OSError)


def _err(name: str, where: str, msg: str) -> VectorsFormatError:
    return VectorsFormatError(f"{name}: {where}: {msg}")


def _parse_header(line: bytes) -> tuple[int, int] | None:
    parts = line.split()
    if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
        return int(parts[0]), int(parts[1])
    return None


def _finish_rows(
    name: str, chunks: list[np.ndarray], dim: int, nan_rows: list[int], nan: str, where: list[str]
) -> np.ndarray:
    """Concatenate parsed chunks; check NaN/inf rows (error naming the place, or zero them)."""
    mat = np.concatenate(chunks) if chunks else np.zeros((0, dim), np.float32)
    bad = np.flatnonzero(~np.isfinite(mat).all(axis=1))
    if bad.size:
        if nan == "error":
            raise _err(
                name,
                where[int(bad[0])],
                "NaN or infinite value in the vector (pass nan='zero' to zero such rows)",
            )
        mat[bad] = 0.0
        nan_rows.append(int(bad.size))
    return mat


def check_policies(nan: str, encoding_errors: str) -> None:
    if nan not in ("error", "zero"):
        raise ValueError(f"nan= must be 'error' or 'zero', got {nan!r}")
    if encoding_errors not in ("strict", "replace"):
        raise ValueError(f"encoding_errors= must be 'strict' or 'replace', got {encoding_errors!r}")


class _Reader:
    """Buffered byte reader over a (possibly decompressing) stream with exact-length reads."""

    def __init__(self, f: IO[bytes], name: str, block: int = 1 << 20) -> None:
        self.f = f
        self.name = name
        self.block = block
        self.buf = b""
        self.pos = 0
        self.offset = 0  # bytes consumed before buf

    def tell(self) -> int:
        return self.offset + self.pos

    def _fill(self, need: int) -> bool:
        """Make at least ``need`` bytes available from pos; False at EOF before that."""
        while len(self.buf) - self.pos < need:
            more = self.f.read(max(self.block, need))
            if not more:
                return False
            self.offset += self.pos
            self.buf = self.buf[self.pos :] + more
            self.pos = 0
        return True

    def read(self, n: int, what: str) -> bytes:
        if not self._fill(n):
            raise _err(
                self.name,
                f"byte {self.tell()}",
                f"truncated file: {what} needs {n} bytes, only {len(self.buf) - self.pos} left",
            )
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def read_until(self, sep: bytes, what: str) -> bytes:
        start = self.pos
        while True:
            i = self.buf.find(sep, start)
            if i >= 0:
                out = self.buf[self.pos : i]
                self.pos = i + 1
                return out
            if len(self.buf) - self.pos > _MAX_WORD_BYTES:
                raise _err(
                    self.name,
                    f"byte {self.tell()}",
                    f"{what}: no {sep!r} separator within {_MAX_WORD_BYTES} bytes (not this format?)",
                )
            start = len(self.buf) - self.pos
            if not self._fill(len(self.buf) - self.pos + 1):
                raise _err(self.name, f"byte {self.tell()}", f"truncated file: {what} ends without {sep!r}")
            start += self.pos

    def at_eof(self) -> bool:
        return not self._fill(1)


def decode_word(raw: bytes, name: str, where: str, encoding_errors: str) -> tuple[str, bool]:
    """A binary file's word as text, and whether it was repaired: a word that is not UTF-8 is an error naming the
    place (``encoding_errors="strict"``) or decoded with U+FFFD (``"replace"``)."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        if encoding_errors == "strict":
            raise _err(
                name, where, f"the word {raw[:40]!r} is not valid UTF-8 (pass encoding_errors='replace')"
            ) from None
        return raw.decode("utf-8", "replace"), True


def load_report(
    source: str,
    fmt: str,
    rows_read: int,
    kept: int,
    dim: int,
    *,
    compression: str | None = None,
    header: tuple[int, int] | None = None,
    duplicates: int = 0,
    nan_rows: int = 0,
    replaced_words: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    """The ``Vectors.report`` of a load (the same keys for every format, then the format's own).

    >>> load_report("v.txt", "glove", 3, 2, 50)["kept"]
    2
    """
    return {
        "source": source,
        "format": fmt,
        "compression": compression,
        "header": header,
        "rows_read": rows_read,
        "kept": kept,
        "duplicates": duplicates,
        "nan_rows": nan_rows,
        "replaced_words": replaced_words,
        "dim": dim,
        **extra,
    }
