"""A game tree evaluated on whole arrays of parameter points at once.

The tree's shape (nodes, information sets) is fixed; its chance probabilities and payoffs are
arrays over ``P`` points. Behaviour profiles are arrays too (one ``(P, actions)`` array per
information set, or constant vectors that broadcast). This is the numeric core of compiled
sweeps (:mod:`deterrence.kernels`): the same quantities as :mod:`deterrence.certificates`
(realisation probabilities, Bayes beliefs, best-response gains), vectorised over points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..game.extensive import CHANCE, DECISION, TERMINAL, ExtensiveFormGame


@dataclass(frozen=True)
class GainProgram:
    """Precomputed traversal for a player's best-response gain from weighted start nodes.

    Terminal rows below the starts are listed with the start they descend from, the edges
    taken by others/chance (``others``) and by the player (``own``), and the player's own
    sequence (``key``) relative to the starts. ``value(key) = acc[key] + sum over the
    player's next information sets of the max over actions``: the sequence-form dynamic
    programme of :func:`deterrence.certificates._deviation_gain`.
    """

    player: int
    starts: tuple[int, ...]
    terminal_rows: np.ndarray  # (Z',) rows of game.payoffs
    start_of: np.ndarray  # (Z',) index into starts
    others: np.ndarray  # (Z', L) node indices (edge into node); padded with n (a column of ones)
    own: np.ndarray  # (Z', L2) node indices; padded with n
    key_matrix: np.ndarray  # (Z', K) 0/1
    keys: tuple[tuple, ...]
    children: tuple[
        tuple[tuple[int, tuple[int, ...]], ...], ...
    ]  # per key: (infoset, child key idx per action)
    perfect_recall: bool


class VectorTree:
    """Static, vectorisable description of an :class:`ExtensiveFormGame`'s shape."""

    def __init__(self, game: ExtensiveFormGame) -> None:
        self.game = game
        n = len(game.nodes)
        self.n = n
        self.parent = np.array([nd.parent for nd in game.nodes], dtype=np.int64)
        depth = np.zeros(n, dtype=np.int64)
        for nd in game.nodes[1:]:
            depth[nd.index] = depth[nd.parent] + 1
        self.levels = [np.flatnonzero(depth == d) for d in range(1, int(depth.max()) + 1)] if n > 1 else []
        self.terminals = np.array(game.terminals, dtype=np.int64)
        # edges: for each non-root node, what move leads into it
        self.chance_edges: list[tuple[int, int, int]] = []  # (node, chance info, action)
        self.decision_edges: list[tuple[int, int, int]] = []  # (node, infoset, action)
        for nd in game.nodes[1:]:
            par = game.nodes[nd.parent]
            if par.kind == CHANCE:
                self.chance_edges.append((nd.index, par.infoset, nd.action))
            else:
                self.decision_edges.append((nd.index, par.infoset, nd.action))
        self._programs: dict[tuple[int, tuple[int, ...]], GainProgram] = {}

    # ------------------------------------------------------------------ probabilities
    def edge_probabilities(
        self, chance: Sequence[np.ndarray], behaviour: Sequence[np.ndarray], npoints: int
    ) -> np.ndarray:
        """Probability of the move into each node, shape ``(P, n + 1)`` (last column: ones)."""
        E = np.ones((npoints, self.n + 1))
        for v, ci, a in self.chance_edges:
            E[:, v] = chance[ci][..., a]
        for v, h, a in self.decision_edges:
            E[:, v] = behaviour[h][..., a]
        return E

    def reach(self, E: np.ndarray) -> np.ndarray:
        """Realisation probability of every node, shape ``(P, n)``."""
        R = np.ones((E.shape[0], self.n))
        for level in self.levels:
            R[:, level] = R[:, self.parent[level]] * E[:, level]
        return R

    def chance_reach(self, chance: Sequence[np.ndarray], npoints: int) -> np.ndarray:
        """Product of chance probabilities on the path to each node, shape ``(P, n)``."""
        ones = [np.ones(len(h.actions)) for h in self.game.infosets]
        return self.reach(self.edge_probabilities(chance, ones, npoints))

    # ------------------------------------------------------------------ gains
    def program(self, player: int, starts: tuple[int, ...]) -> GainProgram:
        """The (cached) best-response traversal for ``player`` from ``starts``."""
        key = (player, starts)
        if key not in self._programs:
            self._programs[key] = self._build_program(player, starts)
        return self._programs[key]

    def _build_program(self, player: int, starts: tuple[int, ...]) -> GainProgram:
        game = self.game
        rows, start_of, others, own, term_keys = [], [], [], [], []
        keys: dict[tuple, int] = {(): 0}
        kids: dict[tuple, dict[int, int]] = {}
        infoset_key: dict[int, tuple] = {}
        recall = True
        for j, s in enumerate(starts):
            stack: list[tuple[int, tuple, list[int], list[int]]] = [(s, (), [], [])]
            while stack:
                v, k, oth, mine = stack.pop()
                nd = game.nodes[v]
                if nd.kind == TERMINAL:
                    rows.append(game.terminal_index(v))
                    start_of.append(j)
                    others.append(oth)
                    own.append(mine)
                    term_keys.append(k)
                    continue
                own_move = nd.kind == DECISION and nd.player == player
                if own_move:
                    h = nd.infoset
                    if infoset_key.setdefault(h, k) != k:
                        recall = False
                    kids.setdefault(k, {})[h] = len(nd.children)
                for a, c in enumerate(nd.children):
                    if own_move:
                        nk = (*k, (nd.infoset, a))
                        keys.setdefault(nk, len(keys))
                        stack.append((c, nk, oth, [*mine, c]))
                    else:
                        stack.append((c, k, [*oth, c], mine))
        for k in term_keys:
            keys.setdefault(k, len(keys))
        pad = self.n
        L = max((len(o) for o in others), default=0) or 1
        L2 = max((len(o) for o in own), default=0) or 1
        O = np.full((len(rows), L), pad, dtype=np.int64)
        W = np.full((len(rows), L2), pad, dtype=np.int64)
        for z, (o, m) in enumerate(zip(others, own, strict=True)):
            O[z, : len(o)] = o
            W[z, : len(m)] = m
        km = np.zeros((len(rows), len(keys)))
        for z, k in enumerate(term_keys):
            km[z, keys[k]] = 1.0
        key_list = sorted(keys, key=keys.get)
        children = []
        for k in key_list:
            entry = []
            for h, n_act in kids.get(k, {}).items():
                entry.append((h, tuple(keys[(*k, (h, a))] for a in range(n_act))))
            children.append(tuple(entry))
        return GainProgram(
            player,
            starts,
            np.array(rows, dtype=np.int64),
            np.array(start_of, dtype=np.int64),
            O,
            W,
            km,
            tuple(key_list),
            tuple(children),
            recall,
        )

    @staticmethod
    def _product(E: np.ndarray, idx: np.ndarray) -> np.ndarray:
        out = E[:, idx[:, 0]].copy()
        for col in range(1, idx.shape[1]):
            out *= E[:, idx[:, col]]
        return out

    def gain_terms(
        self, prog: GainProgram, E: np.ndarray, payoffs: np.ndarray, weights: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-terminal contributions without and with the player's own probabilities.

        Returns ``(contrib, own)``: ``contrib[p, z]`` = start weight x others' and chance
        probabilities x payoff; ``own[p, z]`` = the player's own path probability.
        """
        other = self._product(E, prog.others)
        contrib = weights[:, prog.start_of] * other * payoffs[:, prog.terminal_rows, prog.player]
        return contrib, self._product(E, prog.own)

    def gain(
        self,
        prog: GainProgram,
        E: np.ndarray,
        payoffs: np.ndarray,
        weights: np.ndarray,
        exclude: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Best-response value, current value and (optionally) best value avoiding an action.

        Parameters
        ----------
        prog
            From :meth:`program`.
        E
            Edge probabilities ``(P, n + 1)``.
        payoffs
            ``(P, Z, N)``.
        weights
            ``(P, len(starts))`` start weights (1 for subgame roots, beliefs for infosets).
        exclude
            Optional action index (per point, ``(P,)`` int) at the top information set to
            exclude, for strictness margins; the top key must hold exactly one information set.

        Returns
        -------
        best, current, best_excluding
        """
        contrib, own = self.gain_terms(prog, E, payoffs, weights)
        current = (contrib * own).sum(axis=1)
        acc = contrib @ prog.key_matrix
        V = np.empty_like(acc)
        for k in range(len(prog.keys) - 1, -1, -1):
            total = acc[:, k].copy()
            for _h, child_keys in prog.children[k]:
                total += np.max(V[:, list(child_keys)], axis=1)
            V[:, k] = total
        excl = None
        if exclude is not None:
            top = prog.children[0]
            if len(top) != 1:
                raise ValueError("exclusion needs exactly one information set at the top")
            child = np.array(top[0][1])
            vals = V[:, child].copy()
            vals[np.arange(len(vals)), exclude] = -np.inf
            excl = acc[:, 0] + vals.max(axis=1)
        return V[:, 0], current, excl
