"""The steps of the PBE solver's multilinear systems (``_pbe_multilinear``, ``_pbe_contract``)
against their older implementations, kept here as oracles.

* The factors of an indifference condition are those sympy's ``factor_list`` gives, on random
  multilinear polynomials, irreducible ones, products of factors in disjoint unknowns and such
  products times a monomial, with integer coefficients up to 50 digits.
* The float screens' inputs are the same to the bit: the values at the box corners (one matrix
  product per set before) and the box contraction's corner map (``np.kron`` before); the box
  contraction (numpy array operations before) shrinks every box to the same ends; the grid
  kernel (each condition tried in a fixed order before, every box interpolated from the start)
  gives the same verdicts.
* The order of the screens changes no result.
"""

from __future__ import annotations

import itertools

import numba
import numpy as np
import pytest
from helpers.samples import points

import deterrence as dt
from deterrence.solvers import _pbe_contract, _pbe_multilinear, _pbe_roots, _pbe_unbalanced


def _random_multilinear(system: _pbe_roots._System, unknowns: list[int], rng: np.random.Generator,
                        big: bool) -> object:
    """A random multilinear polynomial in ``unknowns`` (some terms left out, small or 50-digit
    integer coefficients, sometimes with a common factor), in sympy's ring over QQ."""
    ring = system.ring()
    poly = ring.zero
    common = int(rng.choice([1, 1, 2, 6, -3]))
    for r in range(len(unknowns) + 1):
        for chosen in itertools.combinations(unknowns, r):
            if rng.random() < 0.45:
                continue
            c = int(rng.integers(-9, 10)) * (10**49 + int(rng.integers(10**6)) if big else 1)
            mono = ring.one
            for i in chosen:
                mono *= ring.gens[i]
            poly += common * c * mono
    return poly


def _integers(f) -> dict:
    """A polynomial of sympy's ring with integer coefficients as the solver's (monomial -> int)."""
    assert all(c.denominator == 1 for c in f.values())
    return {m: int(c.numerator) for m, c in f.items()}


def test_factors_are_those_of_sympys_factor_list():
    rng = np.random.default_rng(5)
    pattern = [(0, 1), (0, 1, 2), (0, 1), (0, 1), (0, 1)]
    mixed = list(range(len(pattern)))
    system = _pbe_roots._System(pattern, mixed, list(itertools.product(*pattern)))
    shortcut = reducible = 0
    for _ in range(250):
        unknowns = [int(i) for i in rng.permutation(system.nv)[: int(rng.integers(1, system.nv + 1))]]
        cut = int(rng.integers(0, len(unknowns) + 1))  # 0: one part; else two parts in disjoint unknowns
        parts = [unknowns] if cut in (0, len(unknowns)) else [unknowns[:cut], unknowns[cut:]]
        poly = system.ring().one
        for part in parts:
            poly *= _random_multilinear(system, part, rng, big=bool(rng.integers(2)))
        if not poly or poly.is_ground:
            continue
        expected = [_integers(f) for f, _ in poly.factor_list()[1]]
        assert system.factors(_integers(poly)) == expected
        shortcut += _pbe_roots._irreducible_multilinear(_integers(poly))
        reducible += len(expected) > 1
    assert shortcut > 60 and reducible > 30  # both paths were taken


def test_factors_with_a_monomial_factor_are_those_of_sympys_factor_list():
    """Conditions sharing unknowns in every term (a monomial times the rest: the shortcut of
    ``_monomial_split``) against ``factor_list``, whose order (``_sort_factors``) they keep."""
    rng = np.random.default_rng(11)
    pattern = [(0, 1), (0, 1, 2), (0, 1), (0, 1, 2), (0, 1)]
    mixed = list(range(len(pattern)))
    system = _pbe_roots._System(pattern, mixed, list(itertools.product(*pattern)))
    shortcut = 0
    for _ in range(250):
        order = [int(i) for i in rng.permutation(system.nv)]
        shared = order[: int(rng.integers(1, 4))]
        rest = order[len(shared): len(shared) + int(rng.integers(0, system.nv - len(shared) + 1))]
        poly = _random_multilinear(system, rest, rng, big=bool(rng.integers(2)))
        if rng.random() < 0.3:  # sometimes a product of two parts: the rest is not irreducible
            poly *= _random_multilinear(system, order[len(shared) + len(rest):], rng, big=False)
        for i in shared:
            poly *= system.ring().gens[i]
        if not poly or poly.is_ground:
            continue
        expected = [_integers(f) for f, _ in poly.factor_list()[1]]
        assert system.factors(_integers(poly)) == expected, poly
        split = _pbe_roots._monomial_split(_integers(poly))
        shortcut += split is not None and (not any(any(m) for m in split[1]) or
                                           _pbe_roots._irreducible_multilinear(split[1]))
    assert shortcut > 100


def _sign_definite_at_every_vertex(system, f) -> bool:
    """The older ``_Multilinear._sign_definite``: ``f`` at every vertex of the pattern."""
    terms = dict(f)
    vals = [sum((c for m, c in terms.items() if all(v[i] for i, e in enumerate(m) if e)), start=0)
            for v in system.vertices]
    return (all(v >= 0 for v in vals) and any(v > 0 for v in vals)) or \
           (all(v <= 0 for v in vals) and any(v < 0 for v in vals))


def test_sign_test_on_the_projected_vertices_is_that_on_every_vertex():
    """Random multilinear polynomials (some one-signed at the vertices: sums of monomials with
    coefficients of one sign, ``x`` and ``1 − x``) on a pattern with two three-action sets."""
    rng = np.random.default_rng(9)
    pattern = [(0, 1), (0, 1, 2), (0, 1), (0, 1, 2), (0, 1)]
    system = _pbe_roots._System(pattern, list(range(5)), list(itertools.product(*pattern)))
    gens = system.ring().gens
    found = set()
    for _ in range(300):
        unknowns = [int(i) for i in rng.permutation(system.nv)[: int(rng.integers(0, system.nv + 1))]]
        f = _random_multilinear(system, unknowns, rng, big=False)
        if rng.random() < 0.3:
            f = sum((abs(c) * system.ring()({m: 1}) for m, c in f.items()), system.ring().zero)
        if rng.random() < 0.1:
            f = 1 - gens[int(rng.integers(system.nv))]
        got = system._sign_definite(_integers(f))
        assert got == _sign_definite_at_every_vertex(system, f)
        found.add(got)
    assert found == {True, False}


def test_irreducibility_test_never_claims_a_product_irreducible():
    """Products of two nonconstant multilinear factors in disjoint unknowns are never called
    irreducible; a polynomial of degree 2 in one unknown is not multilinear (no verdict)."""
    rng = np.random.default_rng(8)
    pattern = [(0, 1)] * 5
    system = _pbe_roots._System(pattern, list(range(5)), list(itertools.product(*pattern)))
    gens = system.ring().gens
    for _ in range(200):
        unknowns = [int(i) for i in rng.permutation(5)]
        cut = int(rng.integers(1, 5))
        g = _random_multilinear(system, unknowns[:cut], rng, big=False)
        h = _random_multilinear(system, unknowns[cut:], rng, big=False)
        if g.is_ground or h.is_ground:
            continue
        assert not _pbe_roots._irreducible_multilinear(_integers(g * h))
    x = gens[0]
    assert not _pbe_roots._irreducible_multilinear(_integers(x**2 - 2))
    assert _pbe_roots._irreducible_multilinear(_integers(3 * x * gens[1] - 2 * gens[1] + 5))


def _box_corners_by_products(values, shapes):
    """The older ``_box_corners``: one contraction with the map ``[1 − Σ b, b]`` per set."""
    maps = []
    for m in shapes:
        bits = np.array(list(itertools.product((0, 1), repeat=m - 1)), dtype=float)
        maps.append(np.column_stack([1 - bits.sum(axis=1), bits]))
    g = np.asarray(values, dtype=float)
    f = g.reshape([len(g), *shapes])
    for i in reversed(range(len(shapes))):
        f = np.moveaxis(np.tensordot(maps[i], f, axes=([1], [i + 1])), 0, i + 1)
    return f.reshape(len(g), -1)


def test_box_corners_are_those_of_the_matrix_products_to_the_bit():
    rng = np.random.default_rng(12)
    for _ in range(600):
        shapes = [int(m) for m in rng.choice([2, 3, 4], size=int(rng.integers(1, 5)), p=[0.45, 0.45, 0.1])]
        n_eq = int(rng.integers(1, 6))
        values = rng.normal(size=(n_eq, int(np.prod(shapes)))) * 10.0 ** int(rng.integers(-3, 4))
        if rng.random() < 0.3:
            values = np.round(values)  # exact zeros and ties
        got = _pbe_multilinear._box_corners(values.tolist(), shapes)
        # equal as numbers (a zero may lose its sign: ``1 · (−0) + 0 · v`` is ``+0``), bit for bit
        assert np.array_equal(got, _box_corners_by_products(values.tolist(), shapes))


def test_box_contraction_corner_map_is_the_kronecker_product_to_the_bit():
    rng = np.random.default_rng(13)
    for _ in range(300):
        k = int(rng.integers(1, 8))
        lo = rng.uniform(0, 0.5, size=k)
        hi = lo + rng.uniform(0, 0.5, size=k)
        m = np.ones((1, 1))
        for a, b in zip(lo, hi, strict=True):
            m = np.kron(m, np.array([[1 - a, a], [1 - b, b]]))
        assert _pbe_contract._kronecker(lo, hi).tobytes() == m.tobytes()


def _contract_in_numpy(f, lo, hi, eps):
    """The older box contraction (``_pbe_contract._contract``), in numpy array operations."""
    k = len(lo)
    bits = np.array(list(itertools.product((0, 1), repeat=k)), dtype=bool)
    sides = (np.array([np.flatnonzero(~bits[:, i]) for i in range(k)]),
             np.array([np.flatnonzero(bits[:, i]) for i in range(k)]))
    for _ in range(_pbe_contract.ROUNDS):
        m = np.ones((1, 1))
        for a, b in zip(lo, hi, strict=True):
            m = np.kron(m, np.array([[1 - a, a], [1 - b, b]]))
        g = f @ m.T
        at_lo, at_hi = g[:, sides[0]], g[:, sides[1]]
        amin, bmin, amax, bmax = at_lo.min(axis=2), at_hi.min(axis=2), at_lo.max(axis=2), at_hi.max(axis=2)
        t0, t1 = np.zeros(k), np.ones(k)
        with np.errstate(divide="ignore", invalid="ignore"):
            for base, slope, sign in ((amin - eps, bmin - amin, 1.0), (amax + eps, bmax - amax, -1.0)):
                s, c = sign * slope, sign * base
                never = ((s == 0) & (c > 0)).any(axis=0)
                bound = -c / s
                t1 = np.minimum(t1, np.where(s > 0, bound, np.inf).min(axis=0))
                t0 = np.maximum(t0, np.where(s < 0, bound, -np.inf).max(axis=0))
                t0 = np.where(never, 1.0, t0)
                t1 = np.where(never, 0.0, t1)
        if np.any(t0 > t1):
            return False
        before = hi - lo
        new_lo = lo + np.maximum(0.0, t0 - 1e-9) * before
        new_hi = lo + np.minimum(1.0, t1 + 1e-9) * before
        np.maximum(lo, new_lo, out=lo)
        np.minimum(hi, new_hi, out=hi)
        if np.all(hi - lo > 0.9 * before):
            break
    return True


def test_box_contraction_is_the_older_one_to_the_bit():
    """The compiled contraction shrinks every box to the same ends, to the bit, as the numpy
    one did, on random systems (some made to vanish at a random point, some rounded: exact
    zeros and ties), and the screen's verdicts are the same; both verdicts occur."""
    rng = np.random.default_rng(15)
    verdicts = []
    for _ in range(300):
        k = int(rng.integers(1, 8))
        f = rng.normal(size=(int(rng.integers(1, k + 2)), 2**k)) * 10.0 ** int(rng.integers(-2, 3))
        if rng.random() < 0.5:
            x = rng.uniform(0, 1, size=k)
            weights = np.array([np.prod([xi if b else 1 - xi for xi, b in zip(x, bits, strict=True)])
                                for bits in itertools.product((0, 1), repeat=k)])
            f = f - (f @ weights)[:, None]
        if rng.random() < 0.3:
            f = np.round(f)
        eps = 1e-13 * max(1.0, float(np.abs(f).max()))
        lo, hi = np.full(k, 1e-10), np.full(k, 1 - 1e-10)
        lo_old, hi_old = lo.copy(), hi.copy()
        got = _pbe_contract._contract(f, lo, hi, eps)
        assert got == _contract_in_numpy(f, lo_old, hi_old, eps)
        assert lo.tobytes() == lo_old.tobytes() and hi.tobytes() == hi_old.tobytes()
        verdicts.append(_pbe_contract.box_may_vanish(f, k))
    assert sum(verdicts) > 100 and len(verdicts) - sum(verdicts) > 10


@numba.njit(cache=False)
def _grid_alive_in_order(g, k, ticks, eps):  # pragma: no cover - compiled
    """The older grid kernel: the same boxes, each condition tried in its own order."""
    m = ticks.shape[0] - 1
    n_c = g.shape[1]
    cap = 2 + k * (m + 1)
    lo = np.empty((cap, k), dtype=np.int64)
    hi = np.empty((cap, k), dtype=np.int64)
    lo[0, :], hi[0, :] = 0, m
    top = 1
    buf = np.empty(n_c)
    while top > 0:
        top -= 1
        bl, bh = lo[top].copy(), hi[top].copy()
        dead = False
        for e in range(g.shape[0]):
            buf[:] = g[e]
            for i in range(k):
                bit = 1 << (k - 1 - i)
                t0, t1 = ticks[bl[i]], ticks[bh[i]]
                for j in range(n_c):
                    if not j & bit:
                        a, b = buf[j], buf[j | bit]
                        buf[j] = (1.0 - t0) * a + t0 * b
                        buf[j | bit] = (1.0 - t1) * a + t1 * b
            if buf.min() > eps or buf.max() < -eps:
                dead = True
                break
        if not dead:
            axis, width = 0, 0
            for i in range(k):
                if bh[i] - bl[i] > width:
                    axis, width = i, bh[i] - bl[i]
            if width == 1:
                return True
            mid = (bl[axis] + bh[axis]) // 2
            lo[top, :], hi[top, :] = bl, bh
            hi[top, axis] = mid
            lo[top + 1, :], hi[top + 1, :] = bl, bh
            lo[top + 1, axis] = mid
            top += 2
    return False


def test_grid_kernel_gives_the_verdicts_of_the_older_one():
    """On random systems (real values; small integers, with exact zeros and ties on grid lines;
    some with a planted root near a grid line) both kernels agree, and both verdicts occur."""
    rng = np.random.default_rng(14)
    verdicts = []
    for i in range(300):
        k = int(rng.integers(1, 8))
        n_eq = int(rng.integers(1, k + 2))
        if i % 3 == 0:
            g = rng.integers(-3, 4, size=(n_eq, 2**k)).astype(float)
        else:
            g = rng.normal(size=(n_eq, 2**k)) + rng.normal(size=(n_eq, 1)) * float(rng.uniform(0, 3))
        ticks = _pbe_multilinear.grid_ticks(8 if k <= 3 else 4)
        eps = 1e-13 * max(1.0, float(np.abs(g).max()))
        got = bool(_pbe_multilinear._grid_alive(g, k, ticks, eps))
        assert got == bool(_grid_alive_in_order(g, k, ticks, eps))
        verdicts.append(got)
    assert 30 < sum(verdicts) < 270


def _everything(result) -> tuple:
    """A PBE result to the bit: strategies, beliefs, notes and completeness."""
    eqs = [(tuple(np.concatenate(e.strategies).tolist()),
            tuple(float(p) for b in e.beliefs.values() for p in b.values())) for e in result.equilibria]
    return eqs, result.complete, tuple(result.notes)


@pytest.mark.parametrize(("name", "policy"), [("asymmetric_escalation", "free"), ("chain_store", "d1"),
                                              ("costly_signal_menu", "free")])
def test_the_order_of_the_screens_changes_no_result(name, policy, monkeypatch):
    """Every order of the three screens (three of them on the larger game) for every system: the
    same equilibria, beliefs and notes as with the default order."""
    m = dt.load_model(name)
    n = 1 if name == "asymmetric_escalation" else 3
    orders = list(itertools.permutations(("grid", "box", "exact")))
    if name == "asymmetric_escalation":
        orders = [("exact", "grid", "box"), ("grid", "box", "exact"), ("box", "exact", "grid")]
    for values in points(name, n, 4):
        game = m.game(**values)
        expected = _everything(dt.solve(game, "pbe", belief_policy=policy))
        for order in orders:
            monkeypatch.setattr(_pbe_multilinear, "_screen_order", lambda unknowns, order=order: order)
            assert _everything(dt.solve(game, "pbe", belief_policy=policy)) == expected
            monkeypatch.undo()


@pytest.mark.parametrize(("name", "policy", "n"), [
    ("asymmetric_escalation", "free", 2), ("asymmetric_escalation", "d1", 1), ("chain_store", "d1", 3)])
def test_systems_kept_within_a_solve_change_no_result(name, policy, n, monkeypatch):
    """Float screen verdicts and systems solved after the screens kept for their repeats in the
    solve: the same equilibria, beliefs, notes and notes of continua (in order) as screening and
    solving every repeat again, and on the AEG some systems are repeats (the float screens run in
    Python here, as they do for the systems the compiled pass leaves to them)."""
    from test_pbe_prescreen import _unscreened

    from deterrence.solvers import pbe

    m = dt.load_model(name)
    solved: list[int] = []
    continua: list[list[str]] = []
    inner, candidates = _pbe_multilinear._solved_exactly, pbe.pbe_candidates

    def count(*args, **kwargs):
        solved.append(1)
        return inner(*args, **kwargs)

    def keep_notes(*args, **kwargs):
        out = candidates(*args, **kwargs)
        continua.append(list(out[1].continua))
        return out

    screened: list[int] = []
    box = _pbe_multilinear.box_may_vanish

    def count_box(*args):
        screened.append(1)
        return box(*args)

    monkeypatch.setattr(_pbe_multilinear, "_solved_exactly", count)
    monkeypatch.setattr(_pbe_multilinear, "box_may_vanish", count_box)
    # the float screens in Python (where the verdicts are kept), not in the compiled pass before them
    monkeypatch.setattr(pbe, "joined_prescreen", _unscreened)
    monkeypatch.setattr(pbe, "pbe_candidates", keep_notes)
    # every unbalanced pattern solved (not only until a continuum): the repeats are among them
    monkeypatch.setattr(_pbe_unbalanced, "STOP_AT_FIRST_CONTINUUM", False)
    for values in points(name, n, 4):
        game = m.game(**values)
        # a first solve fills what the tree keeps across points (the sets of conditions found to
        # hold a vector of one term), so that both counted solves below start from the same store
        # whatever ran before this test
        dt.solve(game, "pbe", belief_policy=policy)
        solved.clear(), continua.clear(), screened.clear()
        kept = _everything(dt.solve(game, "pbe", belief_policy=policy))
        kept_calls, kept_boxes = len(solved), len(screened)
        monkeypatch.setattr(_pbe_multilinear, "REPEATS_KEPT", False)
        again = _everything(dt.solve(game, "pbe", belief_policy=policy))
        monkeypatch.setattr(_pbe_multilinear, "REPEATS_KEPT", True)
        assert again == kept
        assert continua[0] == continua[1]
        if name == "asymmetric_escalation":
            # repeats were answered from the kept systems and verdicts
            assert kept_calls < len(solved) - kept_calls and kept_boxes < len(screened) - kept_boxes
