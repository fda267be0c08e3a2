"""Exact vertex values of the PBE solver's indifference systems (private).

The indifference conditions of a support pattern (:mod:`deterrence.solvers.pbe`) are
multilinear; they are given by their values at the pattern's vertices, the pure profiles of
its supports. The solver's screens read those values in floating point (one vectorised table,
:mod:`deterrence.solvers._pbe_table`), which is what their tolerances are for. The systems
that survive the screens are solved exactly (:mod:`deterrence.solvers._pbe_multilinear`), and
for that the values must be exact too: in floating point, a condition that vanishes
identically, or two conditions that are proportional, differ by rounding noise, so an
inconsistent system looks generic and its Gröbner basis (which is ``[1]`` all the same) is
computed on 50-digit coefficients for minutes, and a continuum can look like isolated points.

:class:`ExactTree` evaluates pure profiles in rational arithmetic from the numbers the game
was built with (``game.payoff_values`` and the chance probabilities as given): ``int`` and
``Fraction`` as they are, a ``float`` as the rational it is exactly (``Fraction(x)``: every
binary float is a dyadic rational, so nothing is rounded). A model's game is built from exact
numbers already (:meth:`deterrence.Model.game` reads a float parameter as the decimal it
prints as); a game built from floats is solved for the binary values it holds, which are the
values its certificate checks. :func:`exact_conditions` gives the values of a pattern's
conditions at its vertices, weight spec by weight spec as the float path forms them
(``pbe._weights``): Bayes' rule (``reach``), Nature's odds (``prior``), a belief carried
forward from the mover's previous set (``own``) and Bayes' rule after a type's deviations
(``types``, the D1 belief). :func:`integer_polynomial` turns the values of a condition into its
coefficients, and :meth:`ExactTree.polynomials` gives a pattern's conditions as such
polynomials, each set's computed at the vertices of the sets it depends on only (and of those,
the ones the pattern's supports let it read: its live sets) and kept by the tree, so that the
many patterns of one solve that agree there share them. The tree also
remembers which sets' conditions were found to hold a vector of one term in their row space
(:meth:`ExactTree.note_one_term`): a later system of the solve with all of them is ruled out
before any of its conditions are built, the verdict the exact root screen would give it. Such
sets are also kept for the tree (:class:`OneTermStore`, in its ``tree_cache``) and tested first
at the next points of a sweep, where they usually hold again; what reads the tree alone (its
structure, carry paths, relevant sets, placements and embeddings) is kept with it too
(:class:`_Shape`).
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import Any

from ..game.extensive import CHANCE, DECISION, ExtensiveFormGame
from ._pbe_pruning import one_term_mask, without_monomial_factors

Choice = tuple[int, ...]  # one action per information set: a pure profile
_REACH = ("reach",)
_Group = tuple[int, int, tuple, tuple[int, ...], tuple[int, ...]]  # (group, set, spec, sets, where)


def _exact(x: Any) -> Fraction:
    """A game number as an exact rational (a float is the dyadic rational it is)."""
    return x if isinstance(x, Fraction) else Fraction(x)


class ExactTree:
    """Pure profiles of a tree evaluated exactly, in integer arithmetic.

    With ``D`` the common denominator of Nature's probabilities and ``U`` that of the payoffs,
    a node ``v`` with ``c(v)`` chance moves above it and at most ``b(v)`` on a path below it has

    * reach (and every belief weight the solver forms: Bayes, Nature's odds, carried forward,
      Bayes after deviations) ``W(v) / D^c(v)`` with ``W(v)`` an integer: a sum of products of
      ``c(v)`` chance numerators;
    * value ``V(v) / (U · D^b(v))`` with ``V(v)`` an integer: at a chance node
      ``V(v) = Σ n_c · V(c) · D^(b(v) − 1 − b(c))``, at a decision node the chosen child's
      ``V`` times ``D^(b(v) − b(c))``.

    So at information set ``k`` every term ``w_v · Q_v(a)`` times ``S_k = U · D^(c_k + b_k)``
    (``c_k`` the largest ``c(v)`` of its nodes, ``b_k`` the largest ``b`` of their children) is
    the integer ``W(v) · V(child) · D^(c_k − c(v)) · D^(b_k − b(child))``. The conditions of set
    ``k`` are given times the positive constant ``S_k``, the same at every vertex: the same
    equations, with the same roots.

    Parameters
    ----------
    game
        The tree; its payoffs and chance probabilities are read as given (see the module
        documentation).
    """

    def __init__(self, game: ExtensiveFormGame) -> None:
        self.game = game
        shape = _shape(game)
        self.parent, self.children, self.kind = shape.parent, shape.children, shape.kind
        self.infoset = shape.infoset
        self.c, self.b, self.moves, self.sets_below = shape.c, shape.b, shape.moves, shape.sets_below
        self._below_pick, self._path_pick = shape.below_pick, shape.path_pick
        self._path_actions = shape.path_actions
        self.players = game.num_players
        probs = {nd.index: _exact(game.chance_infos[game.nodes[nd.parent].infoset].probs[nd.action])
                 for nd in game.nodes[1:] if game.nodes[nd.parent].kind == CHANCE}
        pays = {v: [_exact(x) for x in game.payoff_values[game.terminal_index(v)]] for v in game.terminals}
        self.D = math.lcm(1, *(p.denominator for p in probs.values()))
        self.U = math.lcm(1, *(x.denominator for row in pays.values() for x in row))
        #: per node: its chance numerator ``p · D`` (a chance child) or ``(set, action)`` (a move)
        self.edge_of: list[Any] = list(shape.moves_in)
        D, U = self.D, self.U
        for v, p in probs.items():  # (``p · D`` as integers: a Fraction product reduces by a gcd)
            self.edge_of[v] = p.numerator * (D // p.denominator)
        self.payoff = {v: tuple([x.numerator * (U // x.denominator) for x in row]) for v, row in pays.items()}
        self.prior = self._reach(lambda k, a: True)
        self._profiles: dict[Choice, tuple[list[int], list[int], list[tuple[int, ...]]]] = {}
        self._values: dict[tuple[int, tuple[int, ...]], tuple[int, ...]] = {}
        self._powers: dict[int, int] = {}
        self._payoffs: dict[tuple, dict[Choice, list[int]]] = {}  # by (set, spec): by choice
        self._kept = 0
        # what reads the tree alone is kept with its shape, for the next points (:class:`_Shape`)
        self._paths, self._relevant, self._picks = shape.paths, shape.relevant, shape.picks
        self._embeddings, self._placements = shape.embeddings, shape.placements
        self._terms: dict[int, tuple] = {}
        self._conditions: dict[int, tuple[list[dict[tuple[int, ...], int]], tuple[int, ...] | None]] = {}
        #: per what they read (:meth:`_vertex_plan`), a set's conditions in the unknowns of its live sets
        self._narrowed: dict[tuple, list[dict[tuple[int, ...], int]]] = {}
        #: the embedded conditions by the identity and place of those conditions, each with them
        #: (:meth:`_embedded_group`)
        self._shared: dict[tuple, tuple[list, list[dict[tuple[int, ...], int]]]] = {}
        #: :meth:`_test_known`'s row reductions by the identities of the embedded conditions, with them
        self._tested: dict[tuple[int, ...], tuple[int | None, list]] = {}
        #: each such part's polynomials divided by their monomial factors, by its identity, with it
        self._divided: dict[int, tuple[list, list[dict[tuple[int, ...], int]]]] = {}
        self._embedded: dict[tuple, list[dict[tuple[int, ...], int]]] = {}
        #: the keys of the groups of conditions (:meth:`polynomials`), numbered in order
        self._groups: dict[tuple, int] = {}
        #: sets of groups whose conditions hold a vector of one term, by their lowest group
        self._killers: dict[int, list[frozenset[int]]] = {}
        self._killer_count = 0
        #: such sets found at other points of the tree (:class:`OneTermStore`, in its ``tree_cache``),
        #: each group's number there (by the group's number here), and the sets of numbers tried here
        self._store = one_term_store(game)
        self._vertex_plans = self._store.plans
        self._store_ids: list[int] = []
        self._group_of: dict[int, int] = {}  # (the inverse: each store number's group here)
        self._tried: set[frozenset[int]] = set()
        #: per set tried here: whether it held a vector of one term (:meth:`known_holds`)
        self._held: dict[frozenset[int], bool] = {}
        #: the noted sets as sets of the store's numbers, by their lowest (:meth:`rules_out`)
        self._noted: dict[int, list[frozenset[int]]] = {}

    def _edge(self, v: int, chosen: Any) -> int:
        e = self.edge_of[v]
        if isinstance(e, int):
            return e
        return 1 if chosen(*e) else 0

    def _reach(self, chosen: Any) -> list[int]:
        reach = [1] * len(self.parent)
        for v in range(1, len(self.parent)):
            reach[v] = reach[self.parent[v]] * self._edge(v, chosen)
        return reach

    def evaluate(self, choice: Choice) -> tuple[list[int], list[int], list[tuple[int, ...]]]:
        """Integer (reach ``W``, edge, value ``V``) of the pure profile playing ``choice[k]`` at
        set ``k`` (see the class documentation), cached."""
        hit = self._profiles.get(choice)
        if hit is not None:
            return hit

        def chosen(k: int, a: int) -> bool:
            return choice[k] == a

        n, b, D = len(self.parent), self.b, self.D
        edge = [self._edge(v, chosen) for v in range(n)]
        reach = [1] * n
        for v in range(1, n):
            reach[v] = reach[self.parent[v]] * edge[v]
        values: list[tuple[int, ...]] = [()] * n
        for v in range(n - 1, -1, -1):  # children after their parent in preorder
            if self.kind[v] == DECISION:
                c = self.children[v][choice[self.infoset[v]]]
                values[v] = _scaled(values[c], D ** (b[v] - b[c]))
            elif self.kind[v] == CHANCE:
                acc = [0] * self.players
                for c in self.children[v]:
                    f = edge[c] * D ** (b[v] - 1 - b[c])
                    for i, x in enumerate(values[c]):
                        acc[i] += f * x
                values[v] = tuple(acc)
            else:
                values[v] = self.payoff[v]
        out = (reach, edge, values)
        if len(self._profiles) < 100_000:
            self._profiles[choice] = out
        return out

    def weights(self, k: int, spec: tuple, choice: Choice, specs: dict[int, tuple]) -> list[int]:
        """Integer belief weights ``W`` at the nodes of set ``k`` under a pure profile, as
        ``pbe._weights`` forms them in floats (times ``D^c(v)`` at node ``v``)."""
        nodes = self.game.infosets[k].nodes
        kind = spec[0]
        if kind == "reach":  # a pure profile's reach ``W``: Nature's, if it plays the path
            pick, acts = self._path_pick, self._path_actions
            return [self.prior[v] if pick[v](choice) == acts[v] else 0 for v in nodes]
        if kind == "prior":
            return [self.prior[v] for v in nodes]
        if kind == "own":
            return self._carried(k, spec, choice, specs)
        w = [0] * len(nodes)
        for (devs, positions), use_prior in zip(spec[1], spec[2], strict=True):
            if use_prior:
                for p in positions:
                    w[p] += self.prior[nodes[p]]
                continue
            forced = list(choice)
            for iota, a in devs:
                forced[iota] = a
            for p in positions:  # the forced profile's reach ``W``: Nature's, if it plays the path
                v = nodes[p]
                if self._path_pick[v](forced) == self._path_actions[v]:
                    w[p] += self.prior[v]
        return w

    def _carried(self, k: int, spec: tuple, choice: Choice, specs: dict[int, tuple]) -> list[int]:
        """The mover's belief at its previous set carried forward through its action."""
        prev, act = spec[1], spec[2]
        edge = self._edge_under(choice)
        w_prev = self.weights(prev, specs[prev], choice, specs)
        key = (prev, act, k)
        paths = self._paths.get(key)
        if paths is None:
            paths = self._paths[key] = carry_paths(self.game, prev, act, k)
        w = [0] * len(self.game.infosets[k].nodes)
        for u_pos, v_pos, path in paths:
            acc = w_prev[u_pos]
            for x in path:
                acc *= edge(x)
            w[v_pos] += acc
        return w

    def _edge_under(self, choice: Choice) -> Any:
        """The edge numbers of the pure profile ``choice`` (as :meth:`evaluate` lists them), node by node."""
        def edge(v: int) -> int:
            e = self.edge_of[v]
            if isinstance(e, int):
                return e
            return 1 if choice[e[0]] == e[1] else 0

        return edge

    def power(self, e: int) -> int:
        """``D ** e``, kept (``D`` can have dozens of digits)."""
        out = self._powers.get(e)
        if out is None:
            out = self._powers[e] = self.D ** e
        return out

    def value(self, v: int, choice: Choice) -> tuple[int, ...]:
        """The integer value ``V`` of node ``v`` under the pure profile ``choice`` (as
        :meth:`evaluate` gives it), from the values below it, each kept by the node and the
        choices at the sets below it (the only ones it depends on)."""
        kind = self.kind[v]
        if kind != DECISION and kind != CHANCE:
            return self.payoff[v]
        key = (v, self._below_pick[v](choice))
        out = self._values.get(key)
        if out is not None:
            return out
        b = self.b
        if kind == DECISION:
            c = self.children[v][choice[self.infoset[v]]]
            out = _scaled(self.value(c, choice), self.power(b[v] - b[c]))
        else:
            acc = [0] * self.players
            for c in self.children[v]:
                f = self.edge_of[c] * self.power(b[v] - 1 - b[c])
                for i, x in enumerate(self.value(c, choice)):
                    acc[i] += f * x
            out = tuple(acc)
        if len(self._values) < 400_000:
            self._values[key] = out
        return out

    def payoffs_over(self, k: int, spec: tuple, pattern: Sequence[tuple[int, ...]], over: Sequence[int],
                     specs: dict[int, tuple]) -> list[list[int]]:
        """The mover's payoff per action at set ``k`` under the weights of ``spec``, times ``S_k``
        (see the class documentation), at the vertices of the pattern over the sets ``over`` (in
        ``itertools.product`` order; every other set at its support's first action), kept by the
        choices at the sets they depend on (:meth:`relevant_sets`)."""
        kept = self._kept_table(k, spec, specs)
        relevant = self.relevant_sets(k, self.reader(k, spec, specs))
        if set(over) <= set(relevant) and list(over) == sorted(set(over)):
            # every set of ``over`` is relevant and they come in order: the keys are the product
            # over the relevant sets (the others fixed at their first action), in the same order
            return self._payoffs_at(kept, k, spec, pattern, over, relevant, specs)
        slot = {j: p for p, j in enumerate(relevant)}
        slots = [slot.get(j, -1) for j in over]
        key = [pattern[j][0] for j in relevant]
        out = []
        for combo in itertools.product(*(pattern[j] for j in over)):
            for p, a in zip(slots, combo, strict=True):
                if p >= 0:
                    key[p] = a
            at = tuple(key)
            pay = kept.get(at)
            if pay is None:
                pay = self._kept_payoffs(kept, at, k, spec, [s[0] for s in pattern], relevant, specs)
            out.append(pay)
        return out

    def _kept_table(self, k: int, spec: tuple, specs: dict[int, tuple]) -> dict[Choice, list[int]]:
        """Where the payoffs at set ``k`` under ``spec`` are kept, by the choices at its relevant sets."""
        table = (k, spec, spec[0] == "own" and self.carried_specs(spec, specs))
        kept = self._payoffs.get(table)
        if kept is None:
            kept = {}
            if self._kept < 200_000:
                self._payoffs[table] = kept
        return kept

    def _payoffs_at(self, kept: dict, k: int, spec: tuple, pattern: Sequence[tuple[int, ...]],
                    over: Sequence[int], relevant: tuple[int, ...], specs: dict[int, tuple]
                    ) -> list[list[int]]:
        """:meth:`payoffs_over` when ``over`` is an increasing list of relevant sets: the vertices'
        keys are the product over ``relevant`` (a set of ``over`` on its support, any other at
        its support's first action), in the order of the product over ``over``."""
        inside = set(over)
        out = []
        base = None
        for at in itertools.product(*[pattern[j] if j in inside else (pattern[j][0],) for j in relevant]):
            pay = kept.get(at)
            if pay is None:
                if base is None:
                    base = [s[0] for s in pattern]
                pay = self._kept_payoffs(kept, at, k, spec, base, relevant, specs)
            out.append(pay)
        return out

    def _kept_payoffs(self, kept: dict, at: tuple[int, ...], k: int, spec: tuple, base: list[int],
                      relevant: tuple[int, ...], specs: dict[int, tuple]) -> list[int]:
        """The payoffs at set ``k`` with the choices ``at`` at the ``relevant`` sets (every other set
        at ``base``, its support's first action: they do not depend on it), kept in ``kept`` by ``at``."""
        choice = list(base)
        for j, a in zip(relevant, at, strict=True):
            choice[j] = a
        pay = self._payoffs_of(k, spec, tuple(choice), specs)
        if self._kept < 200_000:
            kept[at] = pay
            self._kept += 1
        return pay

    def _payoffs_of(self, k: int, spec: tuple, choice: Choice, specs: dict[int, tuple]) -> list[int]:
        """The mover's payoff per action at set ``k`` under the weights of ``spec`` and the pure
        profile ``choice``, times ``S_k`` (see the class documentation): ``Σ_v w_v · V(child)``
        scaled as :meth:`_set_terms` says, Bayes' weights read off the path here."""
        player, n_actions, nodes, rows = self._set_terms(k)
        out = [0] * n_actions
        if spec[0] == "reach":  # (:meth:`weights`: Nature's reach if the profile plays the path)
            weights = [prior if pick(choice) == acts else 0 for pick, acts, prior in nodes]
        else:
            weights = self.weights(k, spec, choice, specs)
        values = self._values
        for wv, row in zip(weights, rows, strict=True):
            if wv:
                for a, c, f, below in row:
                    if below is None:  # a terminal child: ``f`` is its payoff times the scale
                        out[a] += wv * f
                        continue
                    x = values.get((c, below(choice)))  # (:meth:`value`'s key)
                    if x is None:
                        x = self.value(c, choice)
                    out[a] += wv * x[player] * f
        return out

    def _set_terms(self, k: int) -> tuple[int, int, list[tuple[Any, tuple[int, ...], int]],
                                          list[list[tuple[int, int, int, Any]]]]:
        """Set ``k``'s mover, its number of actions, per node what :meth:`weights` reads for Bayes'
        rule (its path's picker and actions and Nature's reach) and per node, per child,
        ``(action, child, f, picker)``: ``f`` the scale ``D^(c_k − c(v) + b_k − b(child))`` of its
        term and the picker of the choices below it (:meth:`value`'s key), or for a terminal child
        the mover's payoff there times that scale and ``None``; kept."""
        out = self._terms.get(k)
        if out is None:
            h = self.game.infosets[k]
            kids = [self.children[v] for v in h.nodes]
            c_k = max(self.c[v] for v in h.nodes)
            b_k = max(self.b[c] for ks in kids for c in ks)
            rows = []
            for v, ks in zip(h.nodes, kids, strict=True):
                row = []
                for a, c in enumerate(ks):
                    scale = self.power(c_k - self.c[v] + b_k - self.b[c])
                    if self.kind[c] == DECISION or self.kind[c] == CHANCE:
                        row.append((a, c, scale, self._below_pick[c]))
                    else:
                        row.append((a, c, self.payoff[c][h.player] * scale, None))
                rows.append(row)
            nodes = [(self._path_pick[v], self._path_actions[v], self.prior[v]) for v in h.nodes]
            out = self._terms[k] = (h.player, len(h.actions), nodes, rows)
        return out

    def polynomials(self, pattern: Sequence[tuple[int, ...]], mixed: Sequence[int], specs: dict[int, tuple]
                    ) -> Conditions | None:
        """The pattern's indifference conditions as polynomials with integer coefficients: those of
        :func:`exact_conditions` turned into polynomials by :func:`integer_polynomial`, set by set
        (``k`` in ``mixed``, ``j >= 1``), kept across patterns; or ``None`` when conditions of the
        pattern were found earlier to hold a vector of one term in their row space (see
        :meth:`note_one_term`): the root screen rules the system out (its verdict, see
        :func:`~deterrence.solvers._pbe_pruning.no_interior_root`, is ``True``) and nothing is built.

        A condition of set ``k`` depends on the choices at the sets its weights read (the player
        moves above its nodes; for ``prior`` weights none; for a belief carried forward, those its
        source set's weights read and the moves on the carry paths) and at the sets below its
        nodes' children, and on no other (:meth:`relevant_sets`): it is computed at the vertices
        of those sets alone (the others at their first action, as :func:`exact_conditions` fixes
        the pure ones) and kept by ``k``, its spec and the pattern at those sets (its *group*, a
        number per such key). Under Bayes' rule or Nature's odds the pattern's supports narrow that
        further (:meth:`_live_sets`: a node behind a move out of a support has weight 0, and below
        the support's actions only the supports are played): the conditions are computed at the
        vertices of the live sets and kept by the pattern there, for every group that agrees there
        (:meth:`_set_conditions`). Its coefficients are those over all of ``mixed`` (a difference
        along the axis of a set it does not depend on is zero), in the same order (that of the
        vertices over ``mixed``, in which the monomials of the sets it depends on come in their own
        order). The embedded polynomials are kept too, by the group and where its unknowns sit
        (groups with the same conditions at the same place share them): the dictionaries returned
        are shared between calls and must not be changed.
        """
        nv = sum(len(pattern[j]) for j in mixed) - len(mixed)
        groups = self._numbered_groups(pattern, mixed, specs)
        if self._killers and self._killed(groups):
            return None
        if self._store.by_low and self._tries_known(groups, pattern, specs, nv) and self._killed(groups):
            return None
        out = Conditions(self)
        for group, k, spec, sets, where in groups:
            embedded = self._embedded_group(group, k, spec, sets, where, nv, pattern, specs)
            out.extend(embedded)
            out.groups.extend([group] * len(embedded))
        return out

    def _numbered_groups(self, pattern: Sequence[tuple[int, ...]], mixed: Sequence[int],
                         specs: dict[int, tuple]) -> list[_Group]:
        """The groups of the system of ``(pattern, mixed, specs)`` (:meth:`polynomials`), in order, each as
        ``(group, k, spec, sets, where)``: its number here (numbered on first sight, with its store
        number), its set and spec, the mixed sets it depends on and where their unknowns sit."""
        groups = []
        for k, spec, key, placed in self._group_keys(pattern, mixed, specs):
            group = self._groups.get(key)
            if group is None:
                group = self._groups[key] = len(self._groups)
                self._store_ids.append(n := self._store.number(key))
                self._group_of[n] = group
            groups.append((group, k, spec, *placed))
        return groups

    @property
    def held(self) -> Callable[[frozenset[int]], bool | None]:
        """Per set of the store, the verdict of :meth:`known_holds` on it in this solve if it was tested
        (``None``: not yet), as a function."""
        return self._held.get

    def known_holds(self, known: frozenset[int], pattern: Sequence[tuple[int, ...]], mixed: Sequence[int],
                    specs: dict[int, tuple]) -> bool:
        """Whether the store's set of groups ``known`` (:class:`OneTermStore`, numbers of groups of the
        system of ``(pattern, mixed, specs)``) holds a vector of one term at this point: tested here,
        in that system's layout, as :meth:`_tries_known` tests it (and noted if it holds), on first
        asking; the verdict kept for the solve.

        When it holds, :meth:`polynomials` returns ``None`` for every system with all its groups
        (the noted subset's groups: see :meth:`note_one_term`), and the exact root screen would rule
        each out: sound as :meth:`note_one_term` says."""
        held = self._held.get(known)
        if held is None:
            shape = tuple([len(pattern[j]) for j in mixed])
            placements = self._placements.get(layout := (tuple(mixed), shape))
            if placements is None:
                placements = self._placements[layout] = {}
            groups = []
            for n in known:  # the set's groups alone, by their keys, in the system's layout
                key = self._store.keys[n]
                group = self._group_of.get(n)
                if group is None:
                    group = self._groups.get(key)
                    if group is None:
                        group = self._groups[key] = len(self._groups)
                        self._store_ids.append(n)
                    self._group_of[n] = group
                inside = frozenset(key[4])
                placed = placements.get(inside)
                if placed is None:
                    placed = placements[inside] = _placed(inside, mixed, shape)
                groups.append((mixed.index(key[0]), (group, key[0], key[1], *placed)))
            nv = sum(shape) - len(shape)
            held = self._test_known(known, [g for _, g in sorted(groups)], nv, pattern, specs)
        return held

    def _embedded_group(self, group: int, k: int, spec: tuple, sets: tuple[int, ...], where: tuple[int, ...],
                        nv: int, pattern: Sequence[tuple[int, ...]], specs: dict[int, tuple]
                        ) -> list[dict[tuple[int, ...], int]]:
        """A group's polynomials (:meth:`polynomials`) with its unknowns at positions ``where`` of
        ``nv``, kept (and its polynomials in the unknowns of its live sets, built from the pattern that
        has it, :meth:`_set_conditions`)."""
        embedded = self._embedded.get((group, where, nv))
        if embedded is None:
            hit = self._conditions.get(group)
            if hit is None:
                hit = self._set_conditions(k, spec, pattern, sets, specs, self._store_ids[group])
                if len(self._conditions) < 100_000:
                    self._conditions[group] = hit
            local, sub = hit  # (in the unknowns of its live sets alone, at ``sub`` among its own)
            placed = where if sub is None else tuple([where[i] for i in sub])
            # groups with the same conditions at the same place share them (:meth:`_test_known` reads
            # that); each entry keeps its conditions, whose identity it is kept by
            shared = self._shared.get((id(local), placed, nv))
            if shared is None:
                shared = (local, self._embedded_polynomials(local, placed, nv))
                if len(self._shared) < 100_000:
                    self._shared[(id(local), placed, nv)] = shared
            embedded = shared[1]
            if len(self._embedded) < 100_000:
                self._embedded[(group, where, nv)] = embedded
        return embedded

    def _tries_known(self, groups: Sequence[tuple], pattern: Sequence[tuple[int, ...]],
                     specs: dict[int, tuple], nv: int) -> bool:
        """Test here the sets of groups of the system (``groups``, as :meth:`polynomials` lists them)
        that held a vector of one term at other points of the tree (:class:`OneTermStore`) and were
        not tested here yet; note (:meth:`note_one_term`) those that hold one here too. Whether
        some did.

        A set's polynomials here are built from this system (a group's are fixed by its key, so
        any system with the group gives them), in its layout, and the exact row reduction decides
        (:func:`~deterrence.solvers._pbe_pruning.one_term_mask`); what is noted is what the root
        screen would find in any system with those groups: sound as :meth:`note_one_term` says,
        and only ever ruling out systems the screen rules out. Each verdict is kept (:meth:`known_holds`)."""
        ids = self._store_ids
        have = {ids[g[0]]: i for i, g in enumerate(groups)}
        found = False
        for low in have:
            for known in self._store.by_low.get(low, ()):
                if known in self._tried or not known <= have.keys():
                    continue
                found = self._test_known(known, [groups[i] for i in sorted(have[n] for n in known)], nv,
                                         pattern, specs) or found
        return found

    def _test_known(self, known: frozenset[int], groups: Sequence[tuple], nv: int,
                    pattern: Sequence[tuple[int, ...]], specs: dict[int, tuple]) -> bool:
        """Test the store's set ``known`` here, its ``groups`` (as :meth:`polynomials` lists them, in
        the system's order) in a system of ``nv`` unknowns: whether its conditions, divided by their
        monomial factors (:func:`~deterrence.solvers._pbe_pruning.without_monomial_factors`), hold
        a vector of one term (:func:`~deterrence.solvers._pbe_pruning.one_term_mask`); noted if so,
        the verdict kept."""
        self._tried.add(known)
        conditions = Conditions(self)
        parts = []
        for group, k, spec, sets, where in groups:
            embedded = self._embedded_group(group, k, spec, sets, where, nv, pattern, specs)
            parts.append(embedded)
            conditions.extend(embedded)
            conditions.groups.extend([group] * len(embedded))
        # sets of other groups with the same conditions, in the same places, were tested the same: the
        # verdict is kept by the conditions' identities (each entry keeping them)
        tested = self._tested.get(ident := tuple(map(id, parts)))
        if tested is None:
            divided = []  # (each part's quotients by their monomial factors found once, kept with it)
            for part in parts:
                quotients = self._divided.get(id(part))
                if quotients is None:
                    quotients = (part, without_monomial_factors(part))
                    if len(self._divided) < 100_000:
                        self._divided[id(part)] = quotients
                divided.extend(quotients[1])
            tested = (one_term_mask(divided), parts)
            if len(self._tested) < 100_000:
                self._tested[ident] = tested
        mask = tested[0]
        self._held[known] = bool(mask)
        if mask:
            self.note_one_term(conditions, mask)
        return bool(mask)

    def _killed(self, groups: Sequence[tuple[int, ...]]) -> bool:
        """Whether the groups (first entries) include every group of a set noted by :meth:`note_one_term`."""
        have = {g[0] for g in groups}
        for group in have:
            for killer in self._killers.get(group, ()):
                if killer <= have:
                    return True
        return False

    def note_one_term(self, conditions: Conditions, mask: int) -> None:
        """Note that the conditions of ``mask`` (bit ``i``: ``conditions[i]``) hold a vector of one
        term in their row space, so that :meth:`polynomials` rules out, unbuilt, every later system
        with all their groups (kept by the group of the lowest number, at most 100,000 sets).

        Why that is sound. A group is a key of :meth:`polynomials`: set ``k``, its weight spec (and
        for a belief carried forward every set's), its support, the mixed sets ``sets`` it depends
        on and the supports at every set it depends on. The key fixes the group's polynomials in
        the named unknowns ``x_(j, i) = σ_j(pattern[j][i])`` (``j`` in ``sets``, ``i >= 1``): they
        are computed from the key alone (:meth:`_set_conditions`; that is why they are kept by it).
        A system places each named unknown at one position of its own (:func:`_placed`: by the
        order of its mixed sets and their supports' sizes): one map ``π`` for all its groups, and
        injective. A system's equations are its groups' polynomials renamed by its ``π``; renaming
        by an injective map sends distinct multilinear monomials to distinct monomials and
        commutes with linear combinations. So if ``Σ λ_r π_A(p_r) = c · e_m`` in system ``A``, then
        ``Σ λ_r p_r`` has the one term ``c · e_M`` (``π_A(M) = m``), and in any system ``B`` with all
        those groups ``Σ λ_r π_B(p_r) = c · e_(π_B(M))``: a vector of one term in ``B``'s row space,
        for which :func:`~deterrence.solvers._pbe_pruning.no_interior_root` is ``True`` (see
        there). A tree belongs to one game and one solve's context, so the values agree too.
        """
        if not mask or self._killer_count >= 100_000:
            return
        self._killer_count += 1
        killer = frozenset(g for i, g in enumerate(conditions.groups) if mask >> i & 1)
        self._killers.setdefault(min(killer), []).append(killer)
        numbers = frozenset(self._store_ids[g] for g in killer)
        self._noted.setdefault(min(numbers), []).append(numbers)
        self._store.add(numbers)

    def system_numbers(self, pattern: Sequence[tuple[int, ...]], mixed: Sequence[int], specs: dict[int, tuple]
                       ) -> frozenset[int]:
        """The store's numbers (:class:`OneTermStore`) of the groups of the system
        :meth:`polynomials` would build for ``(pattern, mixed, specs)``: they read the tree alone,
        so a caller may keep them across the points of a sweep (:meth:`rules_out` reads them)."""
        return frozenset(self._store.number(key) for _k, _spec, key, _placed in
                         self._group_keys(pattern, mixed, specs))

    def _group_keys(self, pattern: Sequence[tuple[int, ...]], mixed: Sequence[int], specs: dict[int, tuple]
                    ) -> Iterator[tuple[int, tuple, tuple, tuple[tuple[int, ...], tuple[int, ...]]]]:
        """Each mixing set ``k`` of the system :meth:`polynomials` builds for ``(pattern, mixed,
        specs)``, in order, with its spec, its group's key (what its conditions read: see
        :meth:`polynomials`) and where the unknowns of the sets it reads sit (:func:`_placed`)."""
        shape = tuple([len(pattern[j]) for j in mixed])
        placements = self._placements.get(layout := (tuple(mixed), shape))
        if placements is None:
            placements = self._placements[layout] = {}
        for k in mixed:
            spec = specs.get(k, _REACH)
            if spec[0] == "own":
                carried = self.carried_specs(spec, specs)
                pick, inside = self._reads(k, self.reader(k, spec, specs))
            else:
                carried = False
                pick, inside = self._reads(k, spec[0])
            placed = placements.get(inside)
            if placed is None:
                placed = placements[inside] = _placed(inside, mixed, shape)
            yield k, spec, (k, spec, carried, pattern[k], placed[0], pick(pattern)), placed

    @property
    def store(self) -> OneTermStore:
        """The tree's :class:`OneTermStore` (which numbers the groups of :meth:`system_numbers`)."""
        return self._store

    def has_noted(self) -> bool:
        """Whether some set was noted in this solve (:meth:`note_one_term`)."""
        return bool(self._noted)

    def rules_out(self, numbers: frozenset[int]) -> bool:
        """Whether a system with the groups of these store numbers (:meth:`system_numbers`) has every
        group of a set noted in this solve (:meth:`note_one_term`): then :meth:`polynomials` would
        return ``None`` for it (its verdict, unbuilt)."""
        noted = self._noted
        for n in numbers:
            for known in noted.get(n, ()):
                if known <= numbers:
                    return True
        return False

    def _set_conditions(self, k: int, spec: tuple, pattern: Sequence[tuple[int, ...]], sets: tuple[int, ...],
                        specs: dict[int, tuple], number: int | None = None
                        ) -> tuple[list[dict[tuple[int, ...], int]], tuple[int, ...] | None]:
        """Set ``k``'s conditions as polynomials in the unknowns of ``sets`` (mixed sets it depends
        on, which :meth:`polynomials` gives in increasing order):
        ``[integer_polynomial(pattern, sets, v) for v in exact_conditions(self, pattern, sets, specs,
        sets=[k])]``, the payoffs read at the vertices over ``sets`` as :meth:`payoffs_over` reads
        them and made coefficients in place; given as the polynomials in the unknowns of the live
        sets among ``sets`` alone (:meth:`_vertex_plan`: along the others every difference is zero)
        and where those sit among the unknowns of ``sets`` (``None``: all of them). The polynomials
        are kept by what they read (the plan's key), for every group of the solve that reads the
        same. ``number``: the group's store number (:class:`OneTermStore`), by which the plan is
        kept for the next points."""
        if any(a >= b for a, b in itertools.pairwise(sets)):  # (not from the solver, whose sets increase)
            return [integer_polynomial(pattern, sets, v)
                    for v in exact_conditions(self, pattern, sets, specs, sets=[k])], None
        key, relevant, ats, differences, monomials, sub = self._vertex_plan(k, spec, pattern, sets, specs,
                                                                            number)
        out = self._narrowed.get(key)
        if out is not None:
            return out, sub
        kept = self._kept_table(k, spec, specs)
        pays = [kept.get(at) for at in ats]
        if None in pays:
            base = [0] * len(pattern)  # (the sets off the relevant ones are not read: any action does)
            for i, at in enumerate(ats):
                if pays[i] is None:
                    pays[i] = self._kept_payoffs(kept, at, k, spec, base, relevant, specs)
        s = pattern[k]
        a0 = s[0]
        out = []
        for a in s[1:]:
            f = [pay[a] - pay[a0] for pay in pays]
            for p, q in differences:
                f[p] -= f[q]
            out.append({mono: f[p] for p, mono in monomials if f[p]})
        if len(self._narrowed) < 100_000:
            self._narrowed[key] = out
        return out, sub

    def _vertex_plan(self, k: int, spec: tuple, pattern: Sequence[tuple[int, ...]], sets: tuple[int, ...],
                     specs: dict[int, tuple], number: int | None) -> tuple:
        """What :meth:`_set_conditions` reads of the tree alone for set ``k``'s group (``sets``
        increasing), kept by the group's store number (its key fixes all of it), in the store:
        ``(key, relevant, vertices, differences, monomials, sub)``.

        The live sets are those the conditions read under the pattern (:meth:`_live_sets`; for
        weights other than Bayes' rule and Nature's odds, every relevant set, :meth:`relevant_sets`);
        ``vertices``: the keys (:meth:`_kept_table`, over the relevant sets) of the vertices over
        the live sets among ``sets`` (such a set on its support, any other relevant set at its
        support's first action); the :func:`_polynomial_plan` of those sets and where their unknowns
        sit among those of ``sets`` (``sub``, ``None``: all of ``sets``); ``key``: what the conditions
        read (set, spec, the specs carried, support, live sets, the supports there and which are
        unknowns), by which they are kept for the solve."""
        plan = None if number is None else self._vertex_plans.get(number)
        if plan is None:
            reader = self.reader(k, spec, specs)
            relevant = self.relevant_sets(k, reader)
            live = self._live_sets(k, reader, pattern) if reader in ("reach", "prior") else relevant
            inside = set(live)
            narrow = tuple([j for j in sets if j in inside])
            offsets = dict(zip(sets, itertools.accumulate((len(pattern[j]) - 1 for j in sets), initial=0),
                               strict=False))
            sub = tuple([i for j in narrow for i in range(offsets[j], offsets[j] + len(pattern[j]) - 1)])
            ats = list(itertools.product(*[pattern[j] if j in narrow else (pattern[j][0],)
                                           for j in relevant]))
            key = (k, spec, spec[0] == "own" and self.carried_specs(spec, specs), pattern[k], live,
                   tuple([pattern[j] for j in live]), narrow)
            plan = (key, relevant, ats, *_polynomial_plan(tuple([len(pattern[j]) for j in narrow])),
                    None if narrow == sets else sub)
            if number is not None and len(self._vertex_plans) < 100_000:
                self._vertex_plans[number] = plan
        return plan

    def _live_sets(self, k: int, kind: str, pattern: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
        """The sets set ``k``'s conditions under Bayes' rule (``kind`` ``"reach"``) or Nature's odds
        (``"prior"``) read under the pattern's supports, in increasing order: under Bayes' rule
        those with a move on the path to a node of ``k`` whose every move is in its set's support
        (a node with a move out of its support has weight 0 at every vertex), and those met below
        the children of its support's actions, the decision nodes followed by their supports'
        actions alone (the play at every vertex). At a vertex every set plays in its support, so
        the support's payoffs are the same whatever the other sets play."""
        children, node_kind, infoset = self.children, self.kind, self.infoset
        live: set[int] = set()
        todo = []
        for v in self.game.infosets[k].nodes:
            if kind == "reach":
                moves = self.moves[v]
                if any(a not in pattern[j] for j, a in moves):
                    continue
                live.update(j for j, _ in moves)
            todo.extend(children[v][a] for a in pattern[k])
        while todo:
            c = todo.pop()
            if node_kind[c] == DECISION:
                j = infoset[c]
                live.add(j)
                todo.extend(children[c][a] for a in pattern[j])
            else:
                todo.extend(children[c])
        return tuple(sorted(live))

    def _reads(self, k: int, reader: Any) -> tuple[Any, frozenset[int]]:
        """What picks the pattern at the sets set ``k``'s conditions under weights read as ``reader``
        says depend on (:meth:`relevant_sets`, in their order), and those sets, kept."""
        out = self._picks.get((k, reader))
        if out is None:
            relevant = self.relevant_sets(k, reader)
            out = self._picks[(k, reader)] = (_picker(relevant), frozenset(relevant))
        return out

    def _embedded_polynomials(self, local: list[dict[tuple[int, ...], int]], where: tuple[int, ...], nv: int
                              ) -> list[dict[tuple[int, ...], int]]:
        """Polynomials in the unknowns at positions ``where`` as polynomials in all ``nv`` unknowns."""
        embed = self._embeddings.get((where, nv))
        if embed is None:
            embed = self._embeddings[(where, nv)] = {}
        out = []
        for poly in local:
            full = {}
            for mono, c in poly.items():
                m = embed.get(mono)
                if m is None:
                    row = [0] * nv
                    for i, e in enumerate(mono):
                        if e:
                            row[where[i]] = 1
                    m = embed[mono] = tuple(row)
                full[m] = c
            out.append(full)
        return out

    def relevant_sets(self, k: int, reader: Any) -> tuple[int, ...]:
        """The information sets whose choices set ``k``'s conditions under weights read as ``reader``
        says (:meth:`reader`) may depend on, in increasing order: those with a move above its nodes
        (the weights; none for ``prior``; for a belief carried forward, the sets the source set's
        weights read and those with a move on the carry paths, :func:`carry_paths`) or a node below
        their children (the payoffs), cached."""
        out = self._relevant.get((k, reader))
        if out is None:
            h = self.game.infosets[k]
            sets = self._weight_sets(k, reader)
            sets.update(j for v in h.nodes for c in self.children[v] for j in self.sets_below[c])
            out = self._relevant[(k, reader)] = tuple(sorted(sets))
        return out

    def _weight_sets(self, k: int, reader: Any) -> set[int]:
        """The sets whose choices the weights at set ``k`` read (see :meth:`relevant_sets`)."""
        if reader == "prior":
            return set()
        if not isinstance(reader, tuple):  # Bayes' rule, or after a type's deviations: the path's moves
            return {j for v in self.game.infosets[k].nodes for j, _ in self.moves[v]}
        _own, prev, act, source = reader
        sets = self._weight_sets(prev, source)
        key = (prev, act, k)
        paths = self._paths.get(key)
        if paths is None:
            paths = self._paths[key] = carry_paths(self.game, prev, act, k)
        edges = self.edge_of
        sets.update(edges[x][0] for _u, _v, path in paths for x in path if isinstance(edges[x], tuple))
        return sets

    @staticmethod
    def reader(k: int, spec: tuple, specs: dict[int, tuple]) -> Any:
        """What set ``k``'s weights under ``spec`` read the choices of, as a key of
        :meth:`relevant_sets`: the spec's kind, and for a belief carried forward from set ``prev``
        through action ``act``, ``("own", prev, act, <prev's reader>)``."""
        if spec[0] != "own":
            return spec[0]
        prev = spec[1]
        return ("own", prev, spec[2], ExactTree.reader(prev, specs[prev], specs))

    @staticmethod
    def carried_specs(spec: tuple, specs: dict[int, tuple]) -> tuple:
        """The specs a belief carried forward (``spec``, ``("own", prev, act)``) is formed from: its
        source set's spec, and the source's own if that is carried too, in turn (what its weights
        read of ``specs``: :meth:`_carried`)."""
        out = []
        while spec[0] == "own":
            spec = specs[spec[1]]
            out.append(spec)
        return tuple(out)


class _Shape:
    """What :class:`ExactTree` reads of the tree alone (kept in its ``tree_cache`` for the points of a
    sweep): per node its parent, children, kind, set, ``c`` and ``b`` (the class documentation), the
    player moves on its path, the move into it (``(set, action)``, or 1 after Nature's move) and the
    sets with a decision node in its subtree; and the tree's memos of carry paths, relevant sets,
    pickers, embeddings and placements (filled as the trees of its points ask)."""

    def __init__(self, game: ExtensiveFormGame) -> None:
        n = len(game.nodes)
        self.parent = [nd.parent for nd in game.nodes]
        self.children = [list(nd.children) for nd in game.nodes]
        self.kind = [nd.kind for nd in game.nodes]
        self.infoset = [nd.infoset for nd in game.nodes]
        self.moves_in: list[Any] = [1] * n
        for nd in game.nodes[1:]:
            par = game.nodes[nd.parent]
            if par.kind != CHANCE:
                self.moves_in[nd.index] = (par.infoset, nd.action)
        self.c = [0] * n
        for v in range(1, n):  # preorder: a parent comes before its children
            self.c[v] = self.c[self.parent[v]] + (self.kind[self.parent[v]] == CHANCE)
        self.b = [0] * n
        for v in range(n - 1, -1, -1):
            if self.children[v]:
                self.b[v] = max(self.b[c] for c in self.children[v]) + (self.kind[v] == CHANCE)
        #: per node, the player moves (set, action) on its path from the root
        self.moves: list[tuple[tuple[int, int], ...]] = [()] * n
        for v in range(1, n):
            e = self.moves_in[v]
            self.moves[v] = self.moves[self.parent[v]] + ((e,) if isinstance(e, tuple) else ())
        #: per node, the information sets with a decision node in its subtree
        below: list[set[int]] = [set() for _ in range(n)]
        for v in range(n - 1, -1, -1):
            if self.kind[v] == DECISION:
                below[v].add(self.infoset[v])
            for c in self.children[v]:
                below[v] |= below[c]
        self.sets_below = [tuple(sorted(x)) for x in below]
        #: per node, what picks out of a pure profile the choices at the sets below it, and at the sets
        #: of the moves on its path (the moves' actions: ``path_actions``), as tuples
        self.below_pick = [_picker(sets) for sets in self.sets_below]
        self.path_pick = [_picker([j for j, _ in m]) for m in self.moves]
        self.path_actions = [tuple(a for _, a in m) for m in self.moves]
        self.paths: dict[tuple[int, int, int], list[tuple[int, int, list[int]]]] = {}
        self.relevant: dict[tuple[int, str], tuple[int, ...]] = {}
        self.picks: dict[tuple[int, str], tuple[Any, frozenset[int]]] = {}
        self.embeddings: dict[tuple[tuple[int, ...], int], dict[tuple[int, ...], tuple[int, ...]]] = {}
        self.placements: dict[tuple, dict[frozenset[int], tuple[tuple[int, ...], tuple[int, ...]]]] = {}


def _picker(indices: Sequence[int]) -> Any:
    """A function of a sequence giving its items at ``indices`` as a tuple (picklable: the shape
    lives in the tree's cache, which goes with a model sent to a sweep's worker processes)."""
    if not indices:
        return _no_items
    if len(indices) == 1:
        return functools.partial(_one_item, i=indices[0])
    return operator.itemgetter(*indices)


def _no_items(seq: Sequence[Any]) -> tuple[()]:
    return ()


def _one_item(seq: Sequence[Any], i: int) -> tuple[Any]:
    return (seq[i],)


def _shape(game: ExtensiveFormGame) -> _Shape:
    """The tree's :class:`_Shape` (in its ``tree_cache``)."""
    shape = game.tree_cache.get("pbe_exact_shape")
    if shape is None:
        shape = game.tree_cache.setdefault("pbe_exact_shape", _Shape(game))
    return shape


class OneTermStore:
    """The sets of groups (:meth:`ExactTree.polynomials`) found to hold a vector of one term
    (:meth:`ExactTree.note_one_term`) at the points of one tree, kept in its ``tree_cache`` for the
    next points of a sweep: the groups by their keys (numbered here once for the tree), each set
    by its lowest number. A set found at one point usually holds one at the others (it comes from
    the tree's shape, e.g. two types' conditions that differ by one term), but is only a guess
    there: :meth:`ExactTree.polynomials` tests it at each point before it rules anything out."""

    #: the most sets kept
    MAX_SETS = 20_000

    def __init__(self) -> None:
        self.ids: dict[tuple, int] = {}
        #: the keys by their numbers
        self.keys: dict[int, tuple] = {}
        #: per pattern, the numbers of its system with Bayes' rule at every mixing set (kept by the solver)
        self.reached: dict[tuple, frozenset[int]] = {}
        self._numbers = itertools.count()
        self.by_low: dict[int, list[frozenset[int]]] = {}
        #: the sets in the order they were added (``size`` of them), and each one's place in that order
        self.added: list[frozenset[int]] = []
        self.place: dict[frozenset[int], int] = {}
        self.size = 0
        #: per group's number, what :meth:`ExactTree._set_conditions` reads of the tree alone
        #: (:meth:`ExactTree._vertex_plan`; kept here, with the numbers it is kept by)
        self.plans: dict[int, tuple] = {}

    def number(self, key: tuple) -> int:
        """The number of a group key (numbered on first sight, each in one step: solves on other
        threads may share the store; a number two threads gave one key is only a wasted test)."""
        n = self.ids.get(key)
        if n is None:
            n = self.ids.setdefault(key, next(self._numbers))
            self.keys[n] = key
        return n

    def within(self, numbers: frozenset[int], since: int = 0) -> tuple[frozenset[int], ...]:
        """The sets kept that are subsets of ``numbers`` (a system's groups), each once, in the order
        they were added; ``since``: only those added after the first ``since``."""
        # a set within ``numbers`` has its lowest number there: only the sets kept by those are looked at
        by_low, place = self.by_low, self.place
        found = [(at, known) for n in numbers for known in by_low.get(n, ())
                 if known <= numbers and (at := place[known]) >= since]
        found.sort()
        return tuple([known for _, known in found])

    def add(self, numbers: frozenset[int]) -> None:
        """Keep a set of group numbers (if new and there is room)."""
        if self.size >= self.MAX_SETS:
            return
        kept = self.by_low.setdefault(min(numbers), [])
        if numbers not in kept:
            self.place[numbers] = len(self.added)  # (before it can be found: :meth:`within` reads it)
            kept.append(numbers)
            self.added.append(numbers)
            self.size += 1


def has_known_sets(game: ExtensiveFormGame) -> bool:
    """Whether the tree's :class:`OneTermStore` keeps some set (found at an earlier point), without
    making one."""
    store = game.tree_cache.get("pbe_one_term_store")
    return store is not None and bool(store.by_low)


def one_term_store(game: ExtensiveFormGame) -> OneTermStore:
    """The tree's :class:`OneTermStore` (in its ``tree_cache``: the group keys read only the tree)."""
    store = game.tree_cache.get("pbe_one_term_store")
    if store is None:
        store = game.tree_cache.setdefault("pbe_one_term_store", OneTermStore())
    return store


class Conditions(list):
    """A system's conditions as :meth:`ExactTree.polynomials` gives them: the list of its
    polynomials, with the group (a set's conditions, see there) each comes from, and the tree
    that numbered the groups."""

    def __init__(self, tree: ExactTree) -> None:
        super().__init__()
        self.tree = tree
        self.groups: list[int] = []

    def note_one_term(self, mask: int) -> None:
        """:meth:`ExactTree.note_one_term` for these conditions."""
        self.tree.note_one_term(self, mask)


def carry_paths(game: ExtensiveFormGame, prev: int, act: int, k: int) -> list[tuple[int, int, list[int]]]:
    """How a belief at set ``prev`` is carried through action ``act`` to set ``k``: per pair of
    nodes ``(u, v)`` (positions in their sets) with ``v`` below ``u``'s child by ``act``, the
    nodes after that child down to ``v``, top down; the weight at ``v`` is the weight at ``u``
    times their edge probabilities (the node's own move at ``u`` is the one carried through)."""
    out = []
    for u_pos, u in enumerate(game.infosets[prev].nodes):
        c0 = game.nodes[u].children[act]
        for v_pos, v in enumerate(game.infosets[k].nodes):
            if not c0 <= v < game.nodes[c0].end:
                continue
            path = []
            x = v
            while x != c0:
                path.append(x)
                x = game.nodes[x].parent
            out.append((u_pos, v_pos, path[::-1]))
    return out


def _placed(inside: frozenset[int], mixed: Sequence[int], shape: Sequence[int]
            ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The sets of ``mixed`` (supports of sizes ``shape``) in ``inside``, and where their unknowns
    sit among those of ``mixed``."""
    sets: list[int] = []
    where: list[int] = []
    offset = 0
    for j, m in zip(mixed, shape, strict=True):
        if j in inside:
            sets.append(j)
            where.extend(range(offset, offset + m - 1))
        offset += m - 1
    return tuple(sets), tuple(where)


def _scaled(row: tuple[int, ...], f: int) -> tuple[int, ...]:
    return row if f == 1 else tuple(x * f for x in row)


def exact_conditions(tree: ExactTree, pattern: Sequence[tuple[int, ...]], mixed: Sequence[int],
                     specs: dict[int, tuple], sets: Sequence[int] | None = None) -> list[list[int]]:
    """The pattern's indifference conditions at its vertices, exactly (each times a positive
    constant of its set, the same at every vertex: see :class:`ExactTree`).

    One list per condition ``(k, j)`` (``k`` in ``sets``, by default ``mixed``, and ``j >= 1``,
    in that order), of the values ``Σ_v w_v · (Q_v(s_j) − Q_v(s_0))`` at the vertices in
    ``itertools.product`` order over ``mixed`` (``s = pattern[k]``, ``w`` the unnormalised
    weights of ``specs[k]``, ``Q`` the mover's payoff below each action), as
    ``pbe._solve_pattern`` forms them in floats.
    """
    sets = list(mixed) if sets is None else list(sets)
    out: list[list[int]] = []
    for k in sets:
        pays = tree.payoffs_over(k, specs.get(k, ("reach",)), pattern, mixed, specs)
        s = pattern[k]
        for j in range(1, len(s)):
            out.append([pay[s[j]] - pay[s[0]] for pay in pays])
    return out


def integer_polynomial(pattern: Sequence[tuple[int, ...]], mixed: Sequence[int], values: Sequence[int]
                       ) -> dict[tuple[int, ...], int]:
    """One condition given by its exact (integer) values at the vertices, as a polynomial in the
    unknowns ``x_{k,j}`` (monomial -> integer coefficient).

    With ``σ_k(a_0) = 1 − Σ_j x_{k,j}`` a condition ``Σ_c Π_k σ_k(c_k) · v_c`` is, in one set's
    unknowns with the others fixed, ``v_0 + Σ_j x_{k,j} (v_j − v_0)``: its coefficients follow
    from the values by that difference along each set's axis in turn (a tensor product of one
    small triangular map per set), in integer arithmetic; ``values`` are in
    ``itertools.product`` order over ``mixed``.
    """
    differences, monomials = _polynomial_plan(tuple(len(pattern[k]) for k in mixed))
    f = list(map(int, values))
    for p, q in differences:
        f[p] -= f[q]
    return {mono: f[p] for p, mono in monomials if f[p]}


_Plan = tuple[list[tuple[int, int]], list[tuple[int, tuple[int, ...]]]]
_PLANS: dict[tuple[int, ...], _Plan] = {}


def _polynomial_plan(shape: tuple[int, ...]) -> _Plan:
    """How :func:`integer_polynomial` turns vertex values of this shape into coefficients, cached:
    the in-place differences ``f[p] -= f[q]`` (axis by axis; ``q`` is ``p`` with that axis's index
    set to 0, untouched while that axis is done, so each entry becomes ``v_j − v_0`` along it),
    and each flat position's monomial (``itertools.product`` order)."""
    plan = _PLANS.get(shape)
    if plan is None:
        strides = [math.prod(shape[i + 1:]) for i in range(len(shape))]
        indices = list(itertools.product(*(range(m) for m in shape)))
        differences = [(p, p - index[axis] * strides[axis]) for axis in range(len(shape))
                       for p, index in enumerate(indices) if index[axis]]
        offsets = list(itertools.accumulate((m - 1 for m in shape), initial=0))
        monomials = []
        for p, index in enumerate(indices):
            mono = [0] * offsets[-1]
            for i, j in enumerate(index):
                if j:
                    mono[offsets[i] + j - 1] = 1
            monomials.append((p, tuple(mono)))
        plan = _PLANS[shape] = (differences, monomials)
    return plan
