"""Divergence of the live token distribution from the training counts, over the top-K training tokens plus two
bins: the rest of the vocabulary and the out-of-vocabulary (OOV) mass.

Jensen-Shannon comes from scipy (``scipy.spatial.distance.jensenshannon``, base 2: a distance in [0, 1]); PSI
(population stability index) is ``sum((q - p) * ln(q / p))``, computed from ``scipy.special.rel_entr`` as the
symmetric Kullback-Leibler divergence, with empty bins floored at ``eps`` (PSI is infinite otherwise).

>>> import numpy as np
>>> ref = Reference(np.array([50, 30, 20]), rest=0, oov_rate=0.0)
>>> round(js_distance(ref.probs, ref.live(np.array([50, 30, 20]), rest=0, oov=0)), 6)
0.0
>>> round(js_distance(ref.probs, ref.live(np.array([0, 0, 0]), rest=0, oov=100)), 3)
1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr

#: Floor of an empty bin's probability in PSI (the usual choice in credit-scoring practice).
PSI_EPS = 1e-4


@dataclass(frozen=True)
class Reference:
    """The training distribution: term frequencies of the top-K tokens (ids in rank order), the summed tf of the
    rest of the vocabulary, and the share of OOV tokens expected on held-out text (the training text itself has
    none unless ``min_freq``/``max_tokens`` dropped tokens; ``Monitor.calibrate`` measures it).

    >>> Reference(np.array([3, 1]), rest=0, oov_rate=0.5).probs.tolist()
    [0.375, 0.125, 0.0, 0.5]
    """

    top: np.ndarray
    rest: int
    oov_rate: float = 0.0

    @property
    def probs(self) -> np.ndarray:
        """Bin probabilities: top-K tokens, rest of the vocabulary, OOV (sums to 1)."""
        counts = np.append(self.top.astype(np.float64), float(self.rest))
        total = counts.sum()
        in_vocab = counts / total if total > 0 else np.full(counts.shape, 1.0 / counts.size)
        return np.append(in_vocab * (1.0 - self.oov_rate), self.oov_rate)

    def live(self, top: np.ndarray, rest: int, oov: int) -> np.ndarray:
        """Live counts in the same bins (not normalized)."""
        return np.concatenate([np.asarray(top, dtype=np.float64), [float(rest), float(oov)]])


def js_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon distance (base 2, in [0, 1]) between two count or probability vectors (scipy).

    >>> js_distance(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    1.0
    """
    q = np.asarray(q, dtype=np.float64)
    if q.sum() <= 0:
        return 0.0
    return float(jensenshannon(np.asarray(p, dtype=np.float64), q, base=2.0))


def psi(p: np.ndarray, q: np.ndarray, eps: float = PSI_EPS) -> float:
    """Population stability index between two count or probability vectors (empty bins floored at ``eps``).

    >>> round(psi(np.array([0.5, 0.5]), np.array([0.5, 0.5])), 6)
    0.0
    >>> psi(np.array([0.9, 0.1]), np.array([0.5, 0.5])) > 0.25
    True
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if q.sum() <= 0:
        return 0.0
    p = np.maximum(p / p.sum(), eps)
    q = np.maximum(q / q.sum(), eps)
    p, q = p / p.sum(), q / q.sum()
    return float(np.sum(rel_entr(q, p) + rel_entr(p, q)))


__all__ = ["PSI_EPS", "Reference", "js_distance", "psi"]
