"""Exact vertex values of the PBE solver's indifference systems (``_pbe_exact``).

The integer-scaled evaluation of pure profiles is checked against rational arithmetic done
here by hand and against the float batch evaluator; on the Asymmetric Escalation Game, the
conditions of the two Challenger types after a response, which differ by one term, are
recognised as inconsistent by the exact row reduction (in floats the rounding noise hides it).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

import deterrence as dt
from deterrence.game import chance, decision, terminal
from deterrence.solvers._pbe_exact import ExactTree, carry_paths, exact_conditions, integer_polynomial
from deterrence.solvers._pbe_pruning import no_interior_root
from deterrence.solvers._tree_utils import BatchTree


def _tree_with_chance_below() -> dt.ExtensiveFormGame:
    """Nature, a move, Nature again below one action, then a move in an information set across
    the types; float payoffs and probabilities that are not simple binary fractions."""
    def tail(t: int) -> object:
        answer = decision("2", {"l": terminal([0.2, 0.3]), "r": terminal([-1.1, t / 3])},
                          infoset="2 after lottery")
        lottery = chance({"up": (0.3, terminal([0.1 * t, 1.7])), "down": (0.7, answer)})
        return decision("1", {"safe": terminal([0.6, -0.2 * t]), "risky": lottery}, infoset=f"1:{t}")

    return dt.ExtensiveFormGame(chance({"a": (0.15, tail(1)), "b": (0.85, tail(2))}), players=["1", "2"])


def test_exact_tree_is_the_rational_value_of_the_float_numbers():
    game = _tree_with_chance_below()
    tree = ExactTree(game)
    batch = BatchTree(game)
    offsets = np.cumsum([0] + [len(h.actions) for h in game.infosets])
    for choice in itertools.product(*(range(len(h.actions)) for h in game.infosets)):
        reach, _, values = tree.evaluate(choice)
        flat = np.zeros((1, int(offsets[-1])))
        for k, a in enumerate(choice):
            flat[0, offsets[k] + a] = 1.0
        f_reach, _, f_values = batch.evaluate(flat)
        for v in range(len(game.nodes)):
            r = Fraction(reach[v], tree.D ** tree.c[v])
            assert abs(float(r) - f_reach[0, v]) < 1e-15
            for i in range(2):
                x = Fraction(values[v][i], tree.U * tree.D ** tree.b[v])
                assert abs(float(x) - f_values[0, v, i]) < 1e-14
    # the root's value under one profile, by hand in rationals from the floats as they are
    play = {"1:1": "risky", "1:2": "risky", "2 after lottery": "l"}
    reach, _, values = tree.evaluate(tuple(list(h.actions).index(play[h.name]) for h in game.infosets))
    p = [Fraction(0.15), Fraction(0.85)]
    by_hand = sum(pt * (Fraction(0.3) * Fraction(0.1 * t) + Fraction(0.7) * Fraction(0.2))
                  for pt, t in zip(p, (1, 2), strict=True))
    assert Fraction(values[0][0], tree.U * tree.D ** tree.b[0]) == by_hand


#: a point of the Asymmetric Escalation Game's domain (float parameters: 17-digit payoffs)
_POINT = {"p_challenger_hard": 0.4254492378792118, "p_defender_hh": 0.06964070885505419,
          "p_defender_hs": 0.22398835252992433, "p_defender_sh": 0.09461037970363823,
          "c_all_out_soft": -0.13498202657906377, "c_defender_escalates": 2.4414389951585944,
          "c_all_out_hard": 3.0419802628186456, "c_limited_conflict": 7.340153272556185,
          "c_challenger_escalates": 7.744337123862213, "c_status_quo": 9.038826043151003,
          "c_defender_concedes": 10.583364504519015}


def test_inconsistent_challenger_conditions_are_settled_by_the_exact_row_reduction():
    game = dt.load_model("asymmetric_escalation").game(_POINT)
    index = {h.name: k for k, h in enumerate(game.infosets)}
    actions = {h.name: list(h.actions) for h in game.infosets}
    pattern = [(0,)] * len(game.infosets)
    for name in ("challenger_hard", "challenger_soft"):
        pattern[index[name]] = (actions[name].index("initiate"),)
    for t in ("HS", "SH", "SS"):
        pattern[index[f"defender_{t}"]] = (actions[f"defender_{t}"].index("respond"),)
    pattern[index["defender_HH"]] = (0, 1)  # concede or respond
    for name in ("challenger_hard_after_response", "challenger_soft_after_response"):
        pattern[index[name]] = (0, 1)  # hold or escalate
    mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
    values = exact_conditions(ExactTree(game), pattern, mixed, {k: ("reach",) for k in mixed})
    polys = [integer_polynomial(pattern, mixed, v) for v in values]
    assert all(polys) and no_interior_root(polys)


def test_integer_polynomial_takes_the_vertex_values_at_the_vertices():
    """The multilinear polynomial from vertex values (unknowns ``x_{k,j} = σ_k(a_j)``, ``j >= 1``)
    evaluated at each vertex of the product of simplices gives back that vertex's value."""
    rng = np.random.default_rng(3)
    for shape in [(2, 2, 2), (3, 2), (3, 3, 2), (2, 3, 2, 2)]:
        pattern = [tuple(range(m)) for m in shape]
        mixed = list(range(len(shape)))
        combos = list(itertools.product(*pattern))
        values = [int(v) * 10**25 + int(w) for v, w in zip(rng.integers(-9, 10, len(combos)),
                                                            rng.integers(-9, 10, len(combos)), strict=True)]
        poly = integer_polynomial(pattern, mixed, values)
        offsets = list(itertools.accumulate((m - 1 for m in shape), initial=0))
        for combo, value in zip(combos, values, strict=True):
            point = [0] * offsets[-1]
            for i, a in enumerate(combo):
                if a:
                    point[offsets[i] + a - 1] = 1
            at = sum(c for m, c in poly.items() if all(point[i] for i, e in enumerate(m) if e))
            assert at == value


def test_type_weights_are_the_forced_profiles_reach():
    """``ExactTree.weights`` for a type (Bayes after its deviations) reads the forced profile's
    reach off the path: it equals the reach of the forced profile evaluated in full."""
    game = dt.load_model("asymmetric_escalation").game()
    tree = ExactTree(game)
    rng = np.random.default_rng(4)
    sizes = [len(h.actions) for h in game.infosets]
    for _ in range(200):
        choice = tuple(int(rng.integers(m)) for m in sizes)
        k = int(rng.integers(len(sizes)))
        nodes = game.infosets[k].nodes
        sets = rng.choice(len(sizes), size=int(rng.integers(0, 3)), replace=False)
        devs = tuple((int(j), int(rng.integers(sizes[j]))) for j in sets)
        positions = tuple(range(len(nodes)))
        forced = list(choice)
        for j, a in devs:
            forced[j] = a
        reach = tree.evaluate(tuple(forced))[0]
        assert tree.weights(k, ("types", ((devs, positions),), (False,)), choice, {}) == \
            [reach[v] for v in nodes]


def test_node_values_and_weights_read_off_the_path_are_the_full_evaluation():
    """``ExactTree.value`` (kept by the choices below a node) and the reach and carried weights
    (read off the path) equal the pure profile's full evaluation, whatever was kept before."""
    for game in (_tree_with_chance_below(), dt.load_model("asymmetric_escalation").game()):
        tree = ExactTree(game)
        rng = np.random.default_rng(6)
        sizes = [len(h.actions) for h in game.infosets]
        for _ in range(150):
            choice = tuple(int(rng.integers(m)) for m in sizes)
            reach, edge, values = tree.evaluate(choice)
            assert [tree.value(v, choice) for v in range(len(game.nodes))] == values
            for k, h in enumerate(game.infosets):
                assert tree.weights(k, ("reach",), choice, {}) == [reach[v] for v in h.nodes]
            under = tree._edge_under(choice)
            assert [under(v) for v in range(len(game.nodes))] == edge


def _random_specs(game: dt.ExtensiveFormGame, mixed: list[int], rng: np.random.Generator) -> dict[int, tuple]:
    """Weight specs of every kind the solver forms: Bayes, Nature's odds, a type's deviations
    (D1) and a belief carried forward from the mover's previous set (whose own spec is Bayes)."""
    sizes = [len(h.actions) for h in game.infosets]
    specs: dict[int, tuple] = {}
    for k in mixed:
        kind = int(rng.integers(4))
        seq = game.own_sequence(game.infosets[k].nodes[0], game.infosets[k].player)
        if kind == 3 and seq and carry_paths(game, *seq[-1], k):
            prev, act = seq[-1]
            specs.setdefault(prev, ("reach",))
            specs[k] = ("own", prev, act)
        elif kind == 2:
            nodes = game.infosets[k].nodes
            groups = []
            for _ in range(int(rng.integers(1, 3))):
                sets = rng.choice(len(sizes), size=int(rng.integers(0, 3)), replace=False)
                devs = tuple((int(j), int(rng.integers(sizes[j]))) for j in sets)
                size = int(rng.integers(1, len(nodes) + 1))
                positions = tuple(int(p) for p in rng.choice(len(nodes), size=size, replace=False))
                groups.append((devs, positions))
            specs[k] = ("types", tuple(groups), tuple(bool(rng.integers(2)) for _ in groups))
        elif kind == 1:
            specs[k] = ("prior",)
        elif rng.integers(2):
            specs[k] = ("reach",)  # else left out: the default, Bayes
    return specs


def _conditions_at_every_vertex(tree: ExactTree, pattern: list, mixed: list[int], specs: dict
                                ) -> list[list[int]]:
    """What :func:`exact_conditions` gives, with nothing kept: every set's payoffs evaluated at
    every vertex of the pattern, their differences to the support's first action."""
    base = [s[0] for s in pattern]
    choices = []
    for combo in itertools.product(*(pattern[k] for k in mixed)):
        choice = list(base)
        for k, a in zip(mixed, combo, strict=True):
            choice[k] = a
        choices.append(tuple(choice))
    out = []
    for k in mixed:
        pays = [tree._payoffs_of(k, specs.get(k, ("reach",)), c, specs) for c in choices]
        out.extend([pay[a] - pay[pattern[k][0]] for pay in pays] for a in pattern[k][1:])
    return out


def test_kept_set_polynomials_are_those_over_every_mixed_set():
    """``ExactTree.polynomials`` (each set's conditions computed at the vertices of the sets they
    depend on, payoffs and conditions kept across patterns) against the conditions evaluated at
    every vertex of the pattern (then :func:`integer_polynomial`) on a fresh tree: the same
    coefficients in the same order, on random patterns and weight specs."""
    games = [_tree_with_chance_below(), dt.load_model("asymmetric_escalation").game(_POINT)]
    rng = np.random.default_rng(11)
    for game in games:
        kept = ExactTree(game)
        sizes = [len(h.actions) for h in game.infosets]
        checked = asked = 0
        for _ in range(300):
            pattern = [tuple(sorted(int(a) for a in rng.choice(m, size=int(rng.integers(1, min(m, 3) + 1)),
                                                                  replace=False))) for m in sizes]
            mixed = [k for k, s in enumerate(pattern) if len(s) > 1]
            if len(mixed) > 6:
                continue
            if rng.random() < 0.2:  # the mixed sets out of order too
                mixed = mixed[::-1]
            specs = _random_specs(game, mixed, rng)
            expected = [integer_polynomial(pattern, mixed, v)
                        for v in _conditions_at_every_vertex(ExactTree(game), pattern, mixed, specs)]
            got = kept.polynomials(pattern, mixed, specs)
            assert [list(p.items()) for p in got] == [list(p.items()) for p in expected]
            # asked again: the kept embedded polynomials, unchanged
            assert [list(p.items()) for p in kept.polynomials(pattern, mixed, specs)] == \
                   [list(p.items()) for p in expected]
            checked += 1
            asked += len(mixed)
        assert checked > 50 and len(kept._conditions) < asked  # some conditions were reused
        assert len(kept._embedded) < asked
