"""Word embeddings: load pretrained vectors, train scratch vectors, align them to a pipeline's ids.

>>> import os, tempfile, textprep as tp
>>> from textprep.embeddings import load_vectors
>>> path = os.path.join(tempfile.mkdtemp(), "glove.txt")
>>> _ = open(path, "w").write("the 0.1 0.2\\ncat 0.3 0.4\\n")
>>> pipe = tp.Pipeline(maxlen=4).fit(["the cat", "the dog"])
>>> emb = load_vectors(path, vocab=pipe).align(pipe)
>>> emb.matrix.shape, emb.report["coverage"]
((5, 2), 0.6666666666666666)
"""

from __future__ import annotations

from .align import OOV_POLICIES, Embeddings, align
from .load import FORMATS, detect_format, load_named, load_vectors
from .table import SubwordModel, Vectors
from .train import train_vectors

__all__ = [
    "FORMATS",
    "OOV_POLICIES",
    "Embeddings",
    "SubwordModel",
    "Vectors",
    "align",
    "detect_format",
    "load_named",
    "load_vectors",
    "train_vectors",
]
