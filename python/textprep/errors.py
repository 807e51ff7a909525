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


class TextprepError(Exception):
    """Root of every textprep exception.

    >>> import textprep as tp
    >>> issubclass(tp.ConfigError, tp.TextprepError)
    True
    """


class ConfigError(TextprepError, ValueError):
    """An invalid configuration value: names the config path, the value and the allowed values.

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
    """A word-vectors file is malformed; the message names the file, the line and what was expected.

    >>> import textprep as tp
    >>> issubclass(tp.VectorsFormatError, ValueError)
    True
    """


__all__ = [
    "ArtifactError",
    "ArtifactVersionError",
    "ConfigError",
    "NotFittedError",
    "TextprepError",
    "VectorsFormatError",
]
