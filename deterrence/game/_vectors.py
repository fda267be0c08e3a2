"""The vectors of many candidate profiles (strategies or beliefs, one vector per information set)
told apart and stacked at once.

The front door and the certificates take each vector of a profile as it is when it is a
one-dimensional array of floats (the solvers give them so) and convert anything else. For tens of
candidates of a tree, each with a vector per set, testing that vector by vector in Python costs
more than the arithmetic that follows; :func:`float_vectors` tests a whole list in a few passes
of ``map`` over it, and :func:`stacked` gives the profiles as one array when the test holds.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

_FLOAT = np.dtype(np.float64)
_DTYPE = operator.attrgetter("dtype")
_NDIM = operator.attrgetter("ndim")


def float_vectors(vectors: list[Any]) -> bool:
    """Whether every item of ``vectors`` is a one-dimensional ``numpy.ndarray`` (the type itself) of
    ``float64`` (``True`` for an empty list)."""
    return not vectors or (set(map(type, vectors)) == {np.ndarray} and set(map(_DTYPE, vectors)) == {_FLOAT}
                           and set(map(_NDIM, vectors)) == {1})


def stacked(profiles: Sequence[Any], sizes: Sequence[int]) -> np.ndarray | None:
    """The profiles as one array, a row per profile (its vectors one after another), when each is a
    list or tuple of ``len(sizes)`` vectors that are :func:`float_vectors` of the sizes ``sizes``;
    else ``None`` (also for no profile or no vector)."""
    vectors: list[Any] = []
    count = len(sizes)
    for p in profiles:
        if type(p) not in (list, tuple) or len(p) != count:
            return None
        vectors += p
    if not vectors or not float_vectors(vectors) or list(map(len, vectors)) != list(sizes) * len(profiles):
        return None
    return np.concatenate(vectors).reshape(len(profiles), -1)
