"""Exceptions raised by textprep.

Every error says what failed, where (config path, file and line, batch index, character position) and how to
fix it. Classes that describe bad values also subclass the matching builtin, so ``except ValueError`` works.

>>> import textprep as tp
>>> try:
...     tp.Pipeline(case="lowr")
... except tp.ConfigError as e:
...     print("normalize.case" in str(e))
True
"""

from __future__ import annotations

from . import _core


class TextprepError(Exception):
    """Root of every textprep exception.

    >>> import textprep as tp
    >>> issubclass(tp.ConfigError, tp.TextprepError)
    True
    """


class ConfigError(TextprepError, ValueError):
    """An invalid configuration value: names the config path, the value and the allowed values. Raised by the
    engine, it carries the config path as ``config_path`` (e.g. ``"encode.padding"``).

    >>> import textprep as tp
    >>> tp.Pipeline(padding="left")
    Traceback (most recent call last):
    textprep.errors.ConfigError: invalid config encode.padding: unknown variant `left`, expected `pre` or `post`
    """


class NotFittedError(TextprepError, RuntimeError):
    """The pipeline needs a vocabulary: call ``fit``/``fit_files`` first, or use hashing (``n_buckets=...``).

    >>> import textprep as tp
    >>> tp.Pipeline().encode_batch(["x"])
    Traceback (most recent call last):
    textprep.errors.NotFittedError: encode_batch: the pipeline has no vocabulary yet; ...
    """


class ArtifactError(TextprepError, ValueError):
    """A saved pipeline is truncated, tampered with or inconsistent; the message names what is wrong.

    >>> import textprep as tp
    >>> issubclass(tp.ArtifactError, ValueError)
    True
    """


class ArtifactVersionError(ArtifactError):
    """A saved pipeline was written by a newer textprep (a newer ``format_version``).

    >>> import textprep as tp
    >>> issubclass(tp.ArtifactVersionError, tp.ArtifactError)
    True
    """


class VectorsFormatError(TextprepError, ValueError):
    """A word-vectors file is malformed; the message names the file, the line and what was expected. From the
    engine's text parser it carries ``filename`` and ``line``.

    >>> import textprep as tp
    >>> issubclass(tp.VectorsFormatError, ValueError)
    True
    """


class FileDecodeError(TextprepError, OSError, UnicodeError):
    """A line of a corpus file is not valid UTF-8 (``encoding_errors="strict"``, the default of ``fit_files``,
    ``count_files``, ``encode_files``, the command line and the scale-out readers, which all read files through the
    engine's one reader). Attributes: ``filename``, ``line`` (1-based) and ``byte`` (offset in the line). It is an
    ``OSError`` (reading the file failed) and a ``UnicodeError`` (the bytes are not text), so either ``except`` works.

    >>> import os, tempfile, textprep as tp
    >>> p = os.path.join(tempfile.mkdtemp(), "bad.txt"); _ = open(p, "wb").write(b"ok\\n\\xff\\n")
    >>> try:
    ...     tp.Pipeline().fit_files(p)
    ... except tp.FileDecodeError as e:
    ...     print(e.line, e.byte, str(e).endswith("encoding_errors='skip'"))
    2 0 True
    """

    def __str__(self) -> str:  # OSError would format errno/filename; the engine's message says it all
        return str(self.args[0]) if self.args else ""


# The engine raises these classes (and only these): handed over once, so the bridge never imports this package.
_core._set_exception_types(
    {
        cls.__name__: cls
        for cls in (
            TextprepError,
            ConfigError,
            NotFittedError,
            ArtifactError,
            ArtifactVersionError,
            VectorsFormatError,
            FileDecodeError,
        )
    }
)

__all__ = [
    "ArtifactError",
    "ArtifactVersionError",
    "ConfigError",
    "FileDecodeError",
    "NotFittedError",
    "TextprepError",
    "VectorsFormatError",
]
