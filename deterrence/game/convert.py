"""Conversions of extensive-form games: the reduced normal form and the sequence form.

Reduced normal form
    A *reduced* pure strategy of a player fixes an action only at the player's information
    sets that the strategy itself does not preclude; the others are irrelevant (shown as
    ``"*"``). Payoffs are computed without a loop over profiles: every player gets a 0/1
    realisation matrix ``R_i[strategy, sequence]`` (does the strategy play every own move on
    the way to a leaf?), and the payoff tensor is
    ``sum_z chance(z) * u(z) * prod_i R_i[s_i, seq_i(z)]``, one ``einsum``. Works for any
    number of players, with chance moves and (for payoffs) even with imperfect recall.

Sequence form (Koller, Megiddo and von Stengel 1996)
    For games with perfect recall: a player's *sequences* are the empty sequence and one
    ``(information set, action)`` pair per own move; a mixed strategy is represented by its
    realisation plan ``x`` (``E x = e, x >= 0``), and expected payoffs are multilinear in
    the plans: ``x^T A y`` for two players, with chance probabilities folded into ``A``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, partial
from typing import Any

import numpy as np

from ..errors import GameError, ResourceError
from .extensive import CHANCE, DECISION, TERMINAL, Behaviour, ExtensiveFormGame
from .normal import NormalFormGame

History = tuple[tuple[int, int], ...]
"""A player's own moves on the way to a node: ``((infoset, action), ...)`` from the root."""

IRRELEVANT = "*"


# ---------------------------------------------------------------------------------- helpers
def _histories(game: ExtensiveFormGame) -> list[list[History]]:
    """``hist[v][i]``: player ``i``'s own moves on the path from the root to node ``v``."""
    n_players = game.num_players
    hist: list[list[History]] = [[()] * n_players for _ in game.nodes]
    for nd in game.nodes[1:]:  # preorder: parents come first
        par = game.nodes[nd.parent]
        row = list(hist[par.index])
        if par.kind == DECISION:
            row[par.player] = (*row[par.player], (par.infoset, nd.action))
        hist[nd.index] = row
    return hist


def _chance_reach(game: ExtensiveFormGame) -> np.ndarray:
    """Product of the chance probabilities on the path to every node."""
    reach = np.ones(len(game.nodes))
    prob = game._chance_prob
    for level in game._levels:
        reach[level] = reach[game._parent[level]] * prob[level]
    return reach


def recall_violation(game: ExtensiveFormGame) -> str | None:
    """Name of the first information set at which a player forgets own earlier moves, else ``None``.

    Perfect recall: all nodes of an information set share the owner's history of own
    information sets and actions (this also excludes absent-mindedness).
    """
    return game.recall_violation()


def _require_perfect_recall(game: ExtensiveFormGame, what: str) -> None:
    bad = recall_violation(game)
    if bad is not None:
        raise GameError(
            f"{what} needs perfect recall, but player '{game.players[game.infoset_by_name(bad).player]}' "
            "does not remember its own earlier moves here (its nodes have different histories)",
            infoset=bad,
        )


def _parent_sequences(game: ExtensiveFormGame) -> dict[int, tuple[int, int] | None]:
    """For a perfect-recall game: infoset -> the owner's last own move before it (``None``: none)."""
    ids, table = game.own_sequences()
    out: dict[int, tuple[int, int] | None] = {}
    for h in game.infosets:
        own = int(ids[h.nodes[0], h.player])
        out[h.index] = table[own][1:] if own else None
    return out


def reduced_strategy_counts(game: ExtensiveFormGame) -> tuple[int, ...]:
    """Number of reduced pure strategies of each player, without enumerating them.

    Exact for games with perfect recall (a product/sum recursion over each player's own
    sequences); for imperfect recall it is an upper bound (the number of unreduced pure
    strategies, the product of the action counts at the player's information sets).
    """
    if recall_violation(game) is not None:
        return tuple(
            math.prod(len(h.actions) for h in game.infosets_of(i)) for i in range(game.num_players)
        )
    parent = _parent_sequences(game)
    counts = []
    for i in range(game.num_players):
        own = game.infosets_of(i)
        children: dict[tuple[int, int] | None, list[int]] = {}
        for h in own:
            children.setdefault(parent[h.index], []).append(h.index)
        # N(seq) = prod over following infosets h of sum_a N((h, a)); process deepest infosets first
        value: dict[int, int] = {}
        for h in reversed(own):  # an infoset's index is larger than its parent infoset's
            value[h.index] = sum(
                math.prod(value[c] for c in children.get((h.index, a), [])) for a in range(len(h.actions))
            )
        counts.append(math.prod(value[c] for c in children.get(None, [])))
    return tuple(counts)


def _enumerate_player(game: ExtensiveFormGame, player: int, limit: int) -> list[dict[int, int]]:
    """All reduced pure strategies of ``player``: ``{infoset: action}`` over the relevant infosets.

    A depth-first search over partial strategies: the next information set to fix is the
    reachable own one (reachable given the moves fixed so far) whose first node comes first
    in preorder; when none is left the strategy is complete. Each reduced strategy appears
    exactly once, with or without perfect recall.
    """
    nodes = game.nodes

    def frontier_from(start: int, assign: dict[int, int]) -> list[int]:
        """Own decision nodes with unfixed infosets reachable from ``start`` under ``assign``."""
        out: list[int] = []
        stack = [start]
        while stack:
            v = stack.pop()
            nd = nodes[v]
            if nd.kind == TERMINAL:
                continue
            if nd.kind == DECISION and nd.player == player:
                if nd.infoset in assign:
                    stack.append(nd.children[assign[nd.infoset]])
                else:
                    out.append(v)
                continue
            stack.extend(reversed(nd.children))
        return out

    results: list[dict[int, int]] = []

    def recurse(assign: dict[int, int], frontier: list[int]) -> None:
        if len(results) > limit:
            return
        if not frontier:
            results.append(dict(assign))
            return
        v = min(frontier)
        h = nodes[v].infoset
        members = [u for u in frontier if nodes[u].infoset == h]
        rest = [u for u in frontier if nodes[u].infoset != h]
        for a in range(len(game.infosets[h].actions)):
            assign[h] = a
            new = list(rest)
            for u in members:
                new.extend(frontier_from(nodes[u].children[a], assign))
            recurse(assign, sorted(set(new)))
            del assign[h]

    recurse({}, frontier_from(0, {}))
    return results


def _strategy_name(game: ExtensiveFormGame, player: int, strat: dict[int, int]) -> str:
    own = game.infosets_of(player)
    if not own:
        return "-"
    return "/".join(game.infosets[h.index].actions[strat[h.index]] if h.index in strat else IRRELEVANT
                    for h in own)


def _distinct(names: list[str]) -> list[str]:
    if len(set(names)) == len(names):
        return names
    return [f"{n}#{k + 1}" for k, n in enumerate(names)]


# ---------------------------------------------------------------------------------- reduced normal form
@dataclass(frozen=True, eq=False)
class ReducedNormalForm:
    """The reduced normal form of an extensive game, with the maps back to the tree.

    Attributes
    ----------
    game
        The extensive-form game.
    normal
        The :class:`NormalFormGame` (payoffs, strategy names, outcome-label probability
        arrays in ``normal.outcomes``).
    strategies
        Per player, per reduced pure strategy: ``{infoset index: action index}`` over the
        information sets the strategy does not preclude.
    sequences
        Per player, the distinct own histories (tuples of ``(infoset, action)``) leading to
        terminal nodes; columns of ``realization``.
    realization
        Per player, the 0/1 matrix ``R[strategy, sequence]``: 1 if the strategy plays every
        move of the sequence.
    choice
        Per player, the 0/1 matrix ``C[strategy, k]`` over the player's actions flattened in
        infoset order (``action_index``): 1 if the strategy fixes that action.
    action_index
        Per player, ``(infoset, action)`` of each column of ``choice``.
    """

    game: ExtensiveFormGame
    normal: NormalFormGame
    strategies: tuple[tuple[dict[int, int], ...], ...]
    sequences: tuple[tuple[History, ...], ...]
    realization: tuple[np.ndarray, ...]
    choice: tuple[np.ndarray, ...]
    action_index: tuple[tuple[tuple[int, int], ...], ...]
    perfect_recall: bool = field(default=True)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of reduced pure strategies per player."""
        return self.normal.shape

    def strategy_names(self, player: int) -> tuple[str, ...]:
        """Readable names of a player's reduced strategies."""
        return self.normal.strategies[player]


def reduced_normal_form(
    game: ExtensiveFormGame,
    max_strategies: int = 100_000,
    max_profiles: int = 20_000_000,
    exact: bool = False,
) -> ReducedNormalForm:
    """The reduced normal form of an extensive-form game.

    Parameters
    ----------
    game
        Any finite extensive game (N players, chance moves; imperfect recall is allowed,
        but then Kuhn's theorem and :func:`behaviour_to_mixed` do not apply).
    max_strategies
        Refuse (``ResourceError``) if any player has more reduced strategies than this.
    max_profiles
        Refuse (``ResourceError``) if the payoff tensor would have more cells than this.
    exact
        Compute the payoffs in exact arithmetic now, from the tree's numbers as given
        (fractions, integers, floats as the rationals they are), else when a solve first asks
        for them: either way the normal form's
        :meth:`NormalFormGame.rational_payoffs` are these (not its floats as rationals: the
        floats are rounded sums, and profiles that pay exactly the same may differ in the last
        bit), for ``exact=True`` solves and for the exact re-check of a floating-point one
        (``vertex_enumeration``). Its float payoffs are the same either way.

    Returns
    -------
    ReducedNormalForm
        ``.normal`` is the :class:`NormalFormGame`; strategy names join the chosen action
        names in information-set order with ``"/"`` (``"*"`` where irrelevant).

    Raises
    ------
    ResourceError
        If the reduced normal form is too large (the error carries the estimate).

    Examples
    --------
    >>> from deterrence.game import decision, terminal, ExtensiveFormGame
    >>> root = decision("A", {"out": terminal([0, 2]),
    ...                       "in": decision("B", {"fight": terminal([-1, -1]),
    ...                                            "yield": terminal([1, 1])})})
    >>> rnf = reduced_normal_form(ExtensiveFormGame(root))
    >>> rnf.normal.strategies
    (('out', 'in'), ('fight', 'yield'))
    >>> rnf.normal.payoffs[0].tolist()
    [[0.0, 0.0], [-1.0, 1.0]]
    """
    counts = _check_size(game, max_strategies, max_profiles)
    perfect = recall_violation(game) is None
    n_players = game.num_players
    term = list(game.terminals)
    players = _players_tables(game, max_strategies, counts)
    labels = sorted({lab for labs in game.terminal_outcomes for lab in labs})
    tensor = _payoff_tensor(game, [p.factor for p in players], labels, _chance_reach(game)[term])
    names = [_distinct([_strategy_name(game, i, s) for s in players[i].strategies]) for i in range(n_players)]
    normal = NormalFormGame(
        [tensor[..., i] for i in range(n_players)],
        players=game.players,
        strategies=names,
        title=game.title,
        outcomes={lab: tensor[..., n_players + k] for k, lab in enumerate(labels)},
    )
    # beside the floats (two exact payoffs may round to one float, or two equal ones to two floats:
    # exact solves tell them apart), now or when first asked for
    if exact:
        normal._exact = _exact_payoff_tensors(game, [p.factor for p in players], term)
    else:
        normal._defer_exact(partial(_exact_payoffs_later, game, max_strategies, counts))
    return ReducedNormalForm(
        game=game,
        normal=normal,
        strategies=tuple(p.strategies for p in players),
        sequences=tuple(p.sequences for p in players),
        realization=tuple(p.realization for p in players),
        choice=tuple(p.choice for p in players),
        action_index=tuple(p.action_index for p in players),
        perfect_recall=perfect,
    )


def _players_tables(game: ExtensiveFormGame, max_strategies: int, counts: tuple[int, ...]
                    ) -> list[_PlayerTables]:
    """Every player's :func:`_player_tables` (``counts``: their reduced strategy counts)."""
    hist = _histories(game)
    term = list(game.terminals)
    return [_player_tables(game, i, max_strategies, counts[i], hist, term) for i in range(game.num_players)]


def _exact_payoffs_later(game: ExtensiveFormGame, max_strategies: int, counts: tuple[int, ...]
                         ) -> list[np.ndarray]:
    """The exact payoffs of a reduced normal form built without them (:func:`_exact_payoff_tensors`),
    when a solve first asks for them: its tables built again (as fast as the float payoffs, and
    not kept meanwhile), then the payoffs in rational arithmetic (much slower: only when needed)."""
    players = _players_tables(game, max_strategies, counts)
    return _exact_payoff_tensors(game, [p.factor for p in players], list(game.terminals))


def _exact_payoff_tensors(game: ExtensiveFormGame, factors: list[np.ndarray], term: list[int]
                          ) -> list[np.ndarray]:
    """:func:`_payoff_tensor`'s payoffs in exact arithmetic (object arrays of ``Fraction``): the
    chance probabilities and payoffs as given, floats as the rationals they are."""
    reach = [Fraction(1)] * len(game.nodes)
    for nd in game.nodes[1:]:
        parent = game.nodes[nd.parent]
        step = (_exact_number(game.chance_infos[parent.infoset].probs[nd.action]) if parent.kind == CHANCE
                else Fraction(1))
        reach[nd.index] = reach[nd.parent] * step
    weights = np.array([[reach[v] * _exact_number(x) for x in row]
                        for v, row in zip(term, game.payoff_values, strict=True)], dtype=object)
    exact_factors = [np.asarray(f).astype(np.int64).astype(object) for f in factors]
    out = []
    for i in range(game.num_players):
        operands: list[Any] = []
        for k, f in enumerate(exact_factors):
            operands += [f, [k, len(factors)]]
        operands += [weights[:, i], [len(factors)]]
        out.append(np.einsum(*operands, list(range(len(factors)))))
    return out


def _exact_number(value: Any) -> Fraction:
    """A number of the tree as an exact ``Fraction`` (a float as the rational it is)."""
    return Fraction(value) if isinstance(value, (int, Fraction, np.integer)) else Fraction(float(value))


def _check_size(game: ExtensiveFormGame, max_strategies: int, max_profiles: int) -> tuple[int, ...]:
    """The reduced strategy counts; ResourceError if a player has too many or the tensor is too big."""
    counts = reduced_strategy_counts(game)
    for i, c in enumerate(counts):
        if c > max_strategies:
            raise ResourceError(
                f"player '{game.players[i]}' has about {c:.3g} reduced pure strategies, more than "
                f"max_strategies={max_strategies}; use the sequence form (method='sequence_form')",
                estimate=float(c),
            )
    total = math.prod(counts)
    if total > max_profiles:
        raise ResourceError(
            f"the reduced normal form would have {float(total):.3g} pure profiles "
            f"({' x '.join(map(str, counts))}), "
            f"more than max_profiles={max_profiles}; use the sequence form (method='sequence_form')",
            estimate=float(total),
        )
    return counts


@dataclass(frozen=True)
class _PlayerTables:
    """One player's reduced strategies and how they map to sequences, actions and leaves."""

    strategies: tuple[dict[int, int], ...]
    sequences: tuple[History, ...]
    realization: np.ndarray  # (strategies, sequences): 1 where the strategy plays the sequence
    choice: np.ndarray  # (strategies, actions): 1 where the strategy chooses the action
    action_index: tuple[tuple[int, int], ...]
    factor: np.ndarray  # (strategies, leaves): 1 where the strategy allows the leaf


def _player_tables(game: ExtensiveFormGame, i: int, max_strategies: int, count: int,
                   hist: list[list[History]], term: list[int]) -> _PlayerTables:
    """Player ``i``'s reduced strategies and their realisation, choice and leaf tables."""
    strats = _enumerate_player(game, i, max_strategies)
    if len(strats) > max_strategies:
        raise ResourceError(
            f"player '{game.players[i]}' has more than max_strategies={max_strategies} reduced "
            "pure strategies", estimate=float(count))
    seq_ids: dict[History, int] = {}
    leaf_seq = np.array([seq_ids.setdefault(hist[z][i], len(seq_ids)) for z in term], dtype=np.int64)
    seqs = tuple(seq_ids)
    r = np.array([[all(s.get(h) == a for h, a in seq) for seq in seqs] for s in strats], dtype=float)
    r = r.reshape(len(strats), len(seqs))
    acts = tuple((h.index, a) for h in game.infosets_of(i) for a in range(len(h.actions)))
    col = {ha: k for k, ha in enumerate(acts)}
    c = np.zeros((len(strats), len(acts)))
    for k, s in enumerate(strats):
        for h, a in s.items():
            c[k, col[(h, a)]] = 1.0
    return _PlayerTables(tuple(strats), seqs, r, c, acts, r[:, leaf_seq])


def _payoff_tensor(game: ExtensiveFormGame, factors: list[np.ndarray], labels: list[str],
                   chance: np.ndarray) -> np.ndarray:
    """Expected payoffs and outcome probabilities of every reduced pure profile, in one einsum.

    The last axis holds the players' payoffs, then one probability per outcome label.
    """
    n_players = game.num_players
    weights = np.zeros((len(chance), n_players + len(labels)))
    weights[:, :n_players] = chance[:, None] * game.payoffs
    for k, lab in enumerate(labels):
        weights[:, n_players + k] = chance * np.array([lab in labs for labs in game.terminal_outcomes])
    leaf_axis = n_players + 1
    operands: list[Any] = []
    for i, f in enumerate(factors):
        operands += [f, [i, leaf_axis]]
    operands += [weights, [leaf_axis, n_players]]
    tensor = np.einsum(*operands, [*range(n_players), n_players], optimize=True)
    return tensor.reshape(*(f.shape[0] for f in factors), n_players + len(labels))


def mixed_to_behaviour(rnf: ReducedNormalForm, profile: Sequence[Any], tol: float = 1e-14) -> Behaviour:
    """A behaviour profile realisation-equivalent to a mixed profile of the reduced normal form.

    Kuhn's theorem: at information set ``h`` of player ``i``, action ``a`` gets the total
    weight of the reduced strategies that reach ``h`` (do not preclude it) and choose ``a``,
    divided by the total weight of those that reach ``h``. Information sets that the mixed
    strategy precludes get the uniform distribution (any choice there is equivalent).
    With imperfect recall the same formula is applied, but equivalence is not guaranteed.

    Parameters
    ----------
    rnf
        The reduced normal form.
    profile
        One mixed strategy (probability vector over reduced strategies) per player.
    tol
        Weights at or below this count as zero.
    """
    game = rnf.game
    profile = rnf.normal.check_profile(profile)
    beh = game.uniform_behaviour()
    for i in range(game.num_players):
        sigma = np.clip(np.asarray(profile[i], dtype=float), 0.0, None)
        num = sigma @ rnf.choice[i]
        k = 0
        for h in game.infosets_of(i):
            n_a = len(h.actions)
            w = num[k:k + n_a]
            den = w.sum()
            if den > tol:
                beh[h.index] = w / den
            k += n_a
    return beh


def behaviour_to_mixed(rnf: ReducedNormalForm, behaviour: Behaviour) -> list[np.ndarray]:
    """The mixed profile of the reduced normal form equivalent to a behaviour profile.

    The probability of a reduced strategy is the product of the behaviour probabilities of
    the actions it fixes. Needs perfect recall.

    Raises
    ------
    GameError
        If the game does not have perfect recall (naming the information set) or the
        behaviour profile is malformed.
    """
    game = rnf.game
    if not rnf.perfect_recall:
        _require_perfect_recall(game, "behaviour_to_mixed")
    behaviour = game.check_behaviour(behaviour)
    out = []
    for i in range(game.num_players):
        flat = np.array([behaviour[h][a] for h, a in rnf.action_index[i]], dtype=float)
        c = rnf.choice[i]
        sigma = np.prod(np.where(c > 0, flat[None, :], 1.0), axis=1) if c.shape[1] else np.ones(c.shape[0])
        out.append(sigma)
    return out


# ---------------------------------------------------------------------------------- sequence form
@dataclass(frozen=True, eq=False)
class SequenceForm:
    """The sequence form of an extensive game with perfect recall.

    Attributes
    ----------
    game
        The extensive-form game.
    sequences
        Per player: index 0 is the empty sequence ``None``; the others are
        ``(infoset index, action index)`` in information-set order.
    infosets
        Per player: the game's infoset indices of the player, in order; infoset ``k`` of
        the list is row ``k + 1`` of ``E``.
    parent
        Per player: for each of its infosets, the index of the sequence leading to it.
    constraints
        Per player: ``(E, e)`` with ``E x = e, x >= 0`` the realisation plans.
    leaf_sequences
        ``(leaves, N)`` array: each terminal node's sequence index per player.
    leaf_weights
        Chance probability of each terminal node.
    payoffs
        Sparse payoffs: sequence tuple -> payoff vector (chance folded in), only where a
        leaf exists.
    """

    game: ExtensiveFormGame
    sequences: tuple[tuple[tuple[int, int] | None, ...], ...]
    infosets: tuple[tuple[int, ...], ...]
    parent: tuple[np.ndarray, ...]
    leaf_sequences: np.ndarray
    leaf_weights: np.ndarray

    @cached_property
    def constraints(self) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """Per player: ``(E, e)`` with ``E x = e, x >= 0`` the realisation plans (built when first asked)."""
        return tuple(
            _plan_constraints(len(self.sequences[i]), self.parent[i],
                              [len(self.game.infosets[h].actions) for h in self.infosets[i]])
            for i in range(self.num_players)
        )

    @cached_property
    def payoffs(self) -> dict[tuple[int, ...], np.ndarray]:
        """Sparse payoffs: sequence tuple -> payoff vector (chance folded in), only where a leaf exists
        (built when first asked)."""
        out: dict[tuple[int, ...], np.ndarray] = {}
        rows = self.game.payoffs
        for z, key in enumerate(map(tuple, self.leaf_sequences.tolist())):
            out[key] = out.get(key, 0.0) + self.leaf_weights[z] * rows[z]
        return out

    @property
    def num_players(self) -> int:
        """Number of players."""
        return self.game.num_players

    @property
    def sizes(self) -> tuple[int, ...]:
        """Number of sequences per player."""
        return tuple(len(s) for s in self.sequences)

    def sequence_index(self, player: int, infoset: int, action: int) -> int:
        """Index of the sequence ending with ``(infoset, action)`` of ``player``."""
        k = self.infosets[player].index(infoset)
        start = 1 + sum(len(self.game.infosets[h].actions) for h in self.infosets[player][:k])
        return start + action

    def E(self, player: int) -> np.ndarray:
        """Constraint matrix of a player's realisation plans."""
        return self.constraints[player][0]

    def e(self, player: int) -> np.ndarray:
        """Right-hand side of a player's realisation-plan constraints."""
        return self.constraints[player][1]

    def payoff_tensor(self, player: int) -> np.ndarray:
        """Dense payoff array of ``player`` over sequence tuples, shape ``sizes``."""
        out = np.zeros(self.sizes)
        idx = tuple(self.leaf_sequences[:, i] for i in range(self.num_players))
        np.add.at(out, idx, self.leaf_weights * self.game.payoffs[:, player])
        return out

    @property
    def A(self) -> np.ndarray:
        """Two players: player 1's payoff matrix ``A[seq1, seq2]``."""
        self._two("A")
        return self.payoff_tensor(0)

    @property
    def B(self) -> np.ndarray:
        """Two players: player 2's payoff matrix ``B[seq1, seq2]``."""
        self._two("B")
        return self.payoff_tensor(1)

    def _two(self, what: str) -> None:
        if self.num_players != 2:
            raise GameError(f"sequence-form matrix {what} is defined for 2 players; this game has "
                            f"{self.num_players}: use payoff_tensor() or payoffs")

    def expected_payoffs(self, plans: Sequence[np.ndarray]) -> np.ndarray:
        """Expected payoff of every player when each plays realisation plan ``plans[i]``."""
        reach = self.leaf_weights.copy()
        for i in range(self.num_players):
            reach = reach * np.asarray(plans[i], dtype=float)[self.leaf_sequences[:, i]]
        return reach @ self.game.payoffs

    def is_plan(self, player: int, x: np.ndarray, atol: float = 1e-9) -> bool:
        """True if ``x`` is a realisation plan of ``player`` (``E x = e, x >= 0``)."""
        E, e = self.constraints[player]
        x = np.asarray(x, dtype=float)
        return bool(x.shape == (E.shape[1],) and np.all(x >= -atol) and np.allclose(E @ x, e, atol=atol))


def sequence_form(game: ExtensiveFormGame) -> SequenceForm:
    """The sequence form of an extensive game with perfect recall (any number of players).

    Raises
    ------
    GameError
        If the game does not have perfect recall; names the information set.

    Examples
    --------
    >>> from deterrence.game import decision, terminal, ExtensiveFormGame
    >>> root = decision("A", {"out": terminal([0, 2]),
    ...                       "in": decision("B", {"fight": terminal([-1, -1]),
    ...                                            "yield": terminal([1, 1])})})
    >>> sf = sequence_form(ExtensiveFormGame(root))
    >>> sf.sizes
    (3, 3)
    >>> sf.A.tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, -1.0, 1.0]]
    """
    parts = getattr(game, "_sequence_form", None)
    if parts is None:
        parts = game._sequence_form = _sequence_parts(game)
    return SequenceForm(game, *parts)


def _sequence_parts(game: ExtensiveFormGame) -> tuple[Any, ...]:
    """The fields of :func:`sequence_form` after the game: they depend on the tree only (not on the
    payoffs), so they are kept on the game (a copy with other payoffs, as ``rescaled`` makes, shares
    them) and hold no reference to it; the arrays are read-only."""
    _require_perfect_recall(game, "the sequence form")
    n_players = game.num_players
    offset = game._action_offset.tolist()
    seq_of = [0] * (offset[-1] if offset else 0)  # flat action index -> the owner's sequence index
    own_of: list[list[int]] = [[] for _ in range(n_players)]
    for h in game.infosets:
        own_of[h.player].append(h.index)
    seqs = []
    for i in range(n_players):
        s: list[tuple[int, int] | None] = [None]
        for h in own_of[i]:
            for a in range(len(game.infosets[h].actions)):
                seq_of[offset[h] + a] = len(s)
                s.append((h, a))
        seqs.append(tuple(s))
    ids, table = game.own_sequences()
    last = np.array([0] + [seq_of[offset[h] + a] for _, h, a in table[1:]], dtype=np.int64)
    first_nodes = [[game.infosets[h].nodes[0] for h in own_of[i]] for i in range(n_players)]
    parents = [last[ids[first_nodes[i], i]] if first_nodes[i] else np.zeros(0, dtype=np.int64)
               for i in range(n_players)]
    term = np.asarray(game.terminals, dtype=np.int64)
    leaf = last[ids[term]].reshape(len(term), n_players)
    weights = _chance_reach(game)[term]
    for arr in (*parents, leaf, weights):
        arr.setflags(write=False)
    return tuple(seqs), tuple(tuple(own) for own in own_of), tuple(parents), leaf, weights


def _plan_constraints(n_seq: int, parent: np.ndarray, n_actions: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """``(E, e)`` of a player's realisation plans: ``x_0 = 1`` and, per information set (whose
    actions are the consecutive sequences after the previous set's), the actions' sum equals the
    parent sequence."""
    E = np.zeros((1 + len(n_actions), n_seq))
    E[0, 0] = 1.0
    start = 1
    for r, (par, k) in enumerate(zip(parent.tolist(), n_actions, strict=True), start=1):
        E[r, par] = -1.0
        E[r, start:start + k] = 1.0
        start += k
    e = np.zeros(1 + len(n_actions))
    e[0] = 1.0
    return E, e


def realization_plan_to_behaviour(sf: SequenceForm, player: int, x: np.ndarray,
                                  tol: float = 1e-12) -> list[np.ndarray]:
    """Behaviour strategy of ``player`` from its realisation plan.

    Returns one probability vector per information set of the player, in the order of
    ``sf.infosets[player]``: ``b_h(a) = x[(h, a)] / x[parent(h)]``; uniform where the plan
    reaches ``h`` with probability ``<= tol``.
    """
    x = np.clip(np.asarray(x, dtype=float), 0.0, None)
    if x.shape != (len(sf.sequences[player]),):
        raise GameError(f"realisation plan of player '{sf.game.players[player]}' has {x.size} entries, "
                        f"expected {len(sf.sequences[player])}")
    out = []
    start = 1
    for h, par in zip(sf.infosets[player], sf.parent[player], strict=True):
        n_a = len(sf.game.infosets[h].actions)
        w = x[start:start + n_a]
        total = w.sum()
        out.append(w / total if x[par] > tol and total > 0 else np.full(n_a, 1.0 / n_a))
        start += n_a
    return out


def plans_to_behaviour(sf: SequenceForm, plans: Sequence[np.ndarray], tol: float = 1e-12) -> Behaviour:
    """A behaviour profile (``game.infosets`` order) from one realisation plan per player."""
    beh = sf.game.uniform_behaviour()
    for i in range(sf.num_players):
        for h, b in zip(sf.infosets[i], realization_plan_to_behaviour(sf, i, plans[i], tol), strict=True):
            beh[h] = b
    return beh


def behaviour_to_realization_plan(sf: SequenceForm, player: int, behaviour: Behaviour) -> np.ndarray:
    """Realisation plan of ``player`` under a behaviour profile (``game.infosets`` order)."""
    behaviour = sf.game.check_behaviour(behaviour)
    x = np.zeros(len(sf.sequences[player]))
    x[0] = 1.0
    start = 1
    for h, par in zip(sf.infosets[player], sf.parent[player], strict=True):  # parents come first
        n_a = len(behaviour[h])
        x[start:start + n_a] = x[par] * behaviour[h]
        start += n_a
    return x


__all__ = [
    "ReducedNormalForm",
    "SequenceForm",
    "behaviour_to_mixed",
    "behaviour_to_realization_plan",
    "mixed_to_behaviour",
    "plans_to_behaviour",
    "realization_plan_to_behaviour",
    "recall_violation",
    "reduced_normal_form",
    "reduced_strategy_counts",
    "sequence_form",
]
