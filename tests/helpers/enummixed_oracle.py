"""Every extreme Nash equilibrium of a 2-player tree by pygambit, as a set of realization plans.

pygambit's ``enummixed_solve(rational=True)`` enumerates the extreme equilibria of the tree's
reduced strategic form in exact rationals. It runs in a subprocess with a time limit (it can
take very long, and a crash of the extension must not take the test runner with it), on the
game written out as .efg text by ``dt.write_game``. Its equilibria come back as behaviour
profiles, one information set at a time named by the path of child positions to a member, and
are turned here into realization plans (each player's probability of each of its own
sequences), so that mixed strategies equivalent in the tree compare equal.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import numpy as np

import deterrence as dt

from .json_subprocess import run_json_script

#: pygambit script text defining ``set_path(h)``: an information set named by the path of child
#: positions from the root to a member (what :func:`node_paths` reads back)
SET_PATH_SNIPPET = r"""
def set_path(h):
    node, path = next(iter(h.members)), []
    while node.parent is not None:
        path.append(list(node.parent.children).index(node))
        node = node.parent
    return path[::-1]
"""

_SCRIPT = r"""
import io, json, sys
import pygambit as gbt
""" + SET_PATH_SNIPPET + r"""
out = []
for text in json.load(sys.stdin):
    g = gbt.read_efg(io.StringIO(text))
    eqs = []
    for eq in gbt.nash.enummixed_solve(g, rational=True).equilibria:
        beh = eq.as_behavior()
        sets = []
        for player in g.players:
            for h in player.infosets:
                sets.append([set_path(h), [str(beh[a]) for a in h.actions]])
        eqs.append(sets)
    out.append(eqs)
print(json.dumps(out))
"""


def enummixed_behaviours(games: list[Any], timeout: float = 120.0) -> list[list[list[list[Fraction]]]] | None:
    """pygambit's extreme equilibria of each tree, as exact behaviour profiles in our set order.

    Parameters
    ----------
    games
        Two-player ``ExtensiveFormGame`` trees with perfect recall.
    timeout
        Seconds allowed for the whole batch.

    Returns
    -------
    list or None
        Per game, per equilibrium, one list of ``Fraction`` per information set (``game.infosets``
        order); ``None`` if pygambit ran out of time.

    Raises
    ------
    RuntimeError
        If the subprocess failed (its standard error is in the message).
    """
    data = json.dumps([dt.write_game(g) for g in games])
    ran = run_json_script(_SCRIPT, data, timeout)
    if ran is None:
        return None
    raw, stderr = ran
    if stderr:
        raise RuntimeError(f"pygambit subprocess failed:\n{stderr[-2000:]}")
    return [[_in_our_order(g, sets) for sets in eqs] for g, eqs in zip(games, raw, strict=True)]


def _in_our_order(game: Any, sets: list) -> list[list[Fraction]]:
    """Behaviour per information set of ``game``, each found by the path to one of its members."""
    where = {path: v for v, path in enumerate(node_paths(game))}
    beh: list[list[Fraction] | None] = [None] * len(game.infosets)
    for path, probs in sets:
        beh[game.nodes[where[tuple(path)]].infoset] = [Fraction(x) for x in probs]
    assert all(b is not None for b in beh), "pygambit's information sets differ from ours"
    return beh  # type: ignore[return-value]


def node_paths(game: Any) -> list[tuple[int, ...]]:
    """The child positions from the root to every node of ``game``."""
    paths: list[tuple[int, ...]] = [()] * len(game.nodes)
    for nd in game.nodes[1:]:
        paths[nd.index] = (*paths[nd.parent], nd.action)
    return paths


def realization_plan(game: Any, behaviour: list) -> np.ndarray:
    """Each information set's actions weighted by the mover's own probability of reaching it.

    Parameters
    ----------
    game
        A tree with perfect recall (so one member's own history stands for the whole set).
    behaviour
        One probability vector per information set; entries at sets the mover itself avoids
        are never used.

    Returns
    -------
    numpy.ndarray
        The realization plan of both players, information sets in ``game.infosets`` order,
        actions in order within a set (the empty sequences left out).
    """
    parts = []
    for h in game.infosets:
        p = Fraction(1)
        v = h.nodes[0]
        while game.nodes[v].parent >= 0 and p != 0:
            parent = game.nodes[game.nodes[v].parent]
            if parent.kind == "decision" and parent.player == h.player:
                p *= Fraction(behaviour[parent.infoset][game.nodes[v].action])
            v = parent.index
        parts.append([float(p * Fraction(x)) if p else 0.0 for x in behaviour[h.index]])
    return np.array([x for part in parts for x in part])


def plan_differences(ours: list[np.ndarray], theirs: list[np.ndarray],
                     atol: float = 1e-7) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Plans of ``theirs`` missing from ``ours`` and plans of ``ours`` not in ``theirs``.

    Parameters
    ----------
    ours, theirs
        Realization plans (duplicates allowed: the sets are compared, not the lists).
    atol
        Absolute tolerance of an entry.

    Returns
    -------
    missing, extra
        Both empty when the two sets are equal.
    """
    def found(p: np.ndarray, pool: list[np.ndarray]) -> bool:
        return any(np.allclose(p, q, rtol=0, atol=atol) for q in pool)

    return [q for q in theirs if not found(q, ours)], [p for p in ours if not found(p, theirs)]
