"""Recipe certificates: a fixed combination rule that proves, point by point, that a system has no root.

A *system* at a point is a set of multilinear equations in the per-point solver's layout
(:func:`deterrence.solvers._pbe_exact._polynomial_plan`): ``coef`` (``n_eq x n_mono``) holds their
coefficients, column ``j`` belonging to the monomial ``m_j(x) = prod_u x_u ** monomials[j, u]``
(exponents 0 or 1). Inside the open box every unknown is ``> 0``, so every monomial is ``> 0``.

The certificate
---------------
A :class:`Recipe` fixes

* ``rows`` ``E`` (at most 4 equations),
* ``pivots`` ``K``: ``|E| - 1`` columns, and
* ``survivors`` ``S``: the columns allowed to survive the combination (disjoint from ``K``).

At a point with exact coefficients ``C`` the multipliers are the signed maximal minors of
``C[E][:, K]`` (Cramer's rule): ``lambda_i = (-1) ** i * det(C[E \\ {i}][:, K])``. By Laplace
expansion along the last column, ``sum_i lambda_i C[E_i, j] = det(C[E][:, K + [j]])``, so

* the combination vanishes on ``K`` (a determinant with a repeated column), and
* on every other column ``j`` it is the ``|E| x |E|`` determinant ``D_j = det(C[E][:, K + [j]])``.

**Structure (build time).** A recipe is accepted only if ``D_j`` is identically zero, as a function
of the model's parameters, for every column ``j`` outside ``S`` and ``K``. The entries of ``C`` are
rational functions of the parameters (the model's payoff expressions combined by sums and products
of reach weights), so each ``D_j`` is a rational function; :func:`verify_structure` evaluates it
EXACTLY (``Fraction`` arithmetic) at ``trials`` independent random parameter points drawn by the
caller's ``exact_at(rng)``. A nonzero polynomial numerator of degree ``d`` vanishes at a point drawn
uniformly from a set of size ``N`` per coordinate with probability at most ``d / N``
(Schwartz-Zippel), so a recipe whose cancellation is accidental (a knife edge at the probe points,
or a near-cancellation in floating point) is rejected except with probability
``(d / N) ** trials``. ``exact_at`` may return each row up to a nonzero factor of its own (integer
polynomials, for example): that multiplies ``D_j`` by a nonzero number and changes no zero. The
argument needs the coefficient map to be one rational function over the model's domain for this
system (the same support pattern and weight specs); a model whose payoffs are piecewise in the
parameters (``min``, ``abs``) would need the test per piece.

**Per point.** With ``D_j = 0`` for ``j`` outside ``S`` (and on ``K``),
``sum_i lambda_i eq_i(x) = sum_{j in S} c_j m_j(x)`` with ``c_j = D_j``. If every ``c_j`` (``j`` in
``S``) is nonzero and all have one sign, the right side is nonzero at every ``x`` of the open box
(each ``m_j(x) > 0``), so the equations have no common root there. One surviving term is the case
``|S| = 1``.

**Floating point (per point).** The caller gives float coefficients ``F`` and bounds ``err`` with
``|C - F| <= err`` entrywise. The check computes ``lambda~`` from ``F`` by the same minors (explicit
Laplace formulas), and

* ``|lambda_i - lambda~_i| <= beta_i = perm(|F| + err) - perm(|F|) + g perm(|F| + err)`` over the
  same minor (a determinant is multilinear, so the change of each product of entries is at most
  the change of the product of their sizes; ``g`` covers rounding of the minors and of the bounds
  themselves: a ``3 x 3`` minor by Laplace rounds to within ``~8u`` of its permanent, ``g = 1e-13``
  is far above that);
* ``|c_j - c~_j| <= b_j = sum_i |lambda~_i| err_ij + beta_i (|F_ij| + err_ij) + g |lambda~_i||F_ij|``
  with ``c~ = lambda~ @ F[E]``.

A point is RULED_OUT only if every survivor has ``|c~_j| > margin * b_j`` (``margin`` >= 1, so
its sign is that of ``c_j``) and all have one sign. As a guard against a broken structural claim
(a wrong ``exact_at``, a coefficient map that is not one rational function), the cancelled columns
must also show it: ``|c~_j| <= b_j`` for every ``j`` outside ``S``; otherwise UNKNOWN. This guard
is coarse (a column that fails to cancel by less than its rounding bound passes it): soundness
rests on the structural test, not on it. Multipliers
that are ~0 (``K``'s minors degenerate at the point) give survivors within their bounds: UNKNOWN.
NaN or infinite inputs fail every comparison: UNKNOWN. Never wrong, only sometimes UNKNOWN.

Discovery
---------
:func:`discover_recipes` takes the system's exact matrices at probe points (the points where it
survived the vertex tests). At each probe point not yet settled by a recipe found so far, the
exact row reduction of :func:`deterrence.solvers._pbe_pruning._reduced_rows` is rerun with the
multipliers tracked (:func:`_exact_certificate`): its one-term or one-sign row gives ``E`` (the
multipliers' support) and ``S`` (the row's support); ``K`` is a column basis of ``C[E][:, not S]``,
which must have rank ``|E| - 1`` (a larger ``E`` than needed is not taken), and the recipe is kept
only if :func:`verify_structure` accepts it. Checking a recipe costs a few 3 x 3 determinants per
point; :func:`check_batch` does it for a chunk of points at once (numpy).
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

RULED_OUT = 1
UNKNOWN = 0
MAX_ROWS = 4
#: relative rounding allowance of a minor, a permanent and a dot product of at most 4 terms
ROUNDING = 1e-13
#: a survivor must exceed this many times its error bound
MARGIN = 4.0

ExactMatrix = Sequence[Sequence[Fraction | int]]


@dataclasses.dataclass(frozen=True)
class Recipe:
    """Equations ``rows`` (``E``), minor columns ``pivots`` (``K``, ``|E| - 1`` of them), and the
    columns ``survivors`` (``S``) the combination may keep; see the module docstring."""

    rows: tuple[int, ...]
    pivots: tuple[int, ...]
    survivors: tuple[int, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.rows) <= MAX_ROWS or len(self.pivots) != len(self.rows) - 1:
            raise ValueError(f"recipe {self}: needs 1..{MAX_ROWS} rows and one pivot column fewer")
        if not self.survivors or set(self.survivors) & set(self.pivots):
            raise ValueError(f"recipe {self}: survivors must be nonempty and disjoint from pivots")


# ----------------------------------------------------------------------------------- exact side

def _exact_det(m: list[list[Fraction]]) -> Fraction:
    """Determinant by Gaussian elimination over the rationals (``m`` is not changed)."""
    a = [list(map(Fraction, row)) for row in m]
    n, det = len(a), Fraction(1)
    for c in range(n):
        p = next((r for r in range(c, n) if a[r][c]), None)
        if p is None:
            return Fraction(0)
        if p != c:
            a[c], a[p] = a[p], a[c]
            det = -det
        det *= a[c][c]
        for r in range(c + 1, n):
            f = a[r][c] / a[c][c]
            if f:
                a[r] = [x - f * y for x, y in zip(a[r], a[c], strict=True)]
    return det


def exact_multipliers(recipe: Recipe, matrix: ExactMatrix) -> list[Fraction]:
    """The recipe's multipliers at exact coefficients: signed maximal minors of ``C[E][:, K]``."""
    sub = [[Fraction(matrix[r][k]) for k in recipe.pivots] for r in recipe.rows]
    return [(-1) ** i * _exact_det(sub[:i] + sub[i + 1:]) for i in range(len(sub))]


def exact_combination(recipe: Recipe, matrix: ExactMatrix) -> list[Fraction]:
    """``lambda @ C[E]`` at exact coefficients, every column."""
    lam = exact_multipliers(recipe, matrix)
    rows = [matrix[r] for r in recipe.rows]
    return [sum((l * Fraction(row[j]) for l, row in zip(lam, rows, strict=True)), Fraction(0))
            for j in range(len(rows[0]))]


def rules_out_exactly(recipe: Recipe, matrix: ExactMatrix) -> bool:
    """Whether the recipe's combination at these exact coefficients is zero off ``S`` and nonzero of
    one sign on ``S`` (a certificate at this one point; structure is :func:`verify_structure`)."""
    c = exact_combination(recipe, matrix)
    keep = set(recipe.survivors)
    if any(x for j, x in enumerate(c) if j not in keep):
        return False
    s = [c[j] for j in recipe.survivors]
    return all(x > 0 for x in s) or all(x < 0 for x in s)


def verify_structure(recipe: Recipe, exact_at: Callable[[np.random.Generator], ExactMatrix],
                     rng: np.random.Generator, trials: int = 3) -> bool:
    """Schwartz-Zippel test that every column outside ``S`` cancels identically: at ``trials``
    parameter points from ``exact_at(rng)``, each ``det(C[E][:, K + [j]])`` is exactly 0; and the
    multipliers are not identically 0 (nonzero at one of the points)."""
    nonzero = False
    keep = set(recipe.survivors) | set(recipe.pivots)
    for _ in range(trials):
        matrix = exact_at(rng)
        c = exact_combination(recipe, matrix)
        if any(x for j, x in enumerate(c) if j not in keep):
            return False
        nonzero = nonzero or any(exact_multipliers(recipe, matrix))
    return nonzero


def _integer_rows(matrix: ExactMatrix) -> list[dict[int, int]]:
    """Each row scaled to integers (by the lcm of its denominators), as ``{column: entry != 0}``."""
    out = []
    for row in matrix:
        fr = [Fraction(x) for x in row]
        den = math.lcm(*(x.denominator for x in fr)) if fr else 1
        out.append({j: int(x * den) for j, x in enumerate(fr) if x})
    return out


def _eliminated(row: dict[int, int], rmult: dict[int, int], pivot: dict[int, int],
                pmult: dict[int, int], col: int) -> tuple[dict[int, int], dict[int, int]]:
    """``lead row - f pivot`` and its multipliers over the equations, divided by their gcd."""
    lead, f = pivot[col], row[col]

    def combine(a: dict[int, int], b: dict[int, int]) -> dict[int, int]:
        out = {k: lead * x for k, x in a.items()}
        for k, y in b.items():
            x = out.get(k, 0) - f * y
            if x:
                out[k] = x
            else:
                out.pop(k, None)
        return out

    out, mult = combine(row, pivot), combine(rmult, pmult)
    g = math.gcd(*out.values(), *mult.values()) if (out or mult) else 1
    if g > 1:
        out = {k: x // g for k, x in out.items()}
        mult = {k: x // g for k, x in mult.items()}
    return out, mult


def _exact_certificate(matrix: ExactMatrix) -> tuple[dict[int, int], dict[int, int]] | None:
    """The row reduction of :func:`deterrence.solvers._pbe_pruning._reduced_rows` (same pivot
    choice and column order), tracking each row's multipliers over the equations: the first row of
    one term, else a row of the reduced form with all entries of one sign, as
    ``(multipliers {equation: int}, row {column: int})``; ``None`` if there is neither."""
    live = [(p, {i: 1}) for i, p in enumerate(_integer_rows(matrix)) if p]
    for p, mult in live:
        if len(p) == 1:
            return mult, p
    done: list[tuple[dict[int, int], dict[int, int]]] = []
    for col in sorted({j for p, _ in live for j in p}):
        pivot = next(((r, m) for r, m in sorted(live, key=lambda rm: len(rm[0])) if col in r), None)
        if pivot is None:
            continue
        prow, pmult = pivot
        rest = []
        for row, mult in live:
            if row is prow:
                continue
            if col in row:
                row, mult = _eliminated(row, mult, prow, pmult, col)
                if len(row) == 1:
                    return mult, row
            if row:
                rest.append((row, mult))
        done = [_eliminated(r, m, prow, pmult, col) if col in r else (r, m) for r, m in done]
        done.append((prow, pmult))
        if not rest:
            break
        live = rest
    for row, mult in done:
        v = list(row.values())
        if v and (all(x > 0 for x in v) or all(x < 0 for x in v)):
            return mult, row
    return None


def _column_basis(matrix: ExactMatrix, rows: Sequence[int], columns: Sequence[int]) -> list[int]:
    """Columns (in order) that form a basis of the span of ``matrix[rows][:, columns]``, exactly."""
    basis: list[list[Fraction]] = []   # echelon vectors (in row-space coordinates)
    leads: list[int] = []
    chosen = []
    for j in columns:
        v = [Fraction(matrix[r][j]) for r in rows]
        for b, lead in zip(basis, leads, strict=True):
            if v[lead]:
                f = v[lead] / b[lead]
                v = [x - f * y for x, y in zip(v, b, strict=True)]
        lead = next((i for i, x in enumerate(v) if x), None)
        if lead is not None:
            basis.append(v)
            leads.append(lead)
            chosen.append(j)
            if len(chosen) == len(rows):
                break
    return chosen


def recipe_at(matrix: ExactMatrix) -> Recipe | None:
    """The recipe the exact row reduction finds at one point's exact coefficients, or ``None``
    (no certificate, more than :data:`MAX_ROWS` equations, or the other columns of ``E`` not of
    rank ``|E| - 1``)."""
    found = _exact_certificate(matrix)
    if found is None:
        return None
    mult, row = found
    rows = tuple(sorted(mult))
    if len(rows) > MAX_ROWS:
        return None
    survivors = tuple(sorted(row))
    others = [j for j in range(len(matrix[0])) if j not in row]
    pivots = _column_basis(matrix, rows, others)
    if len(pivots) != len(rows) - 1:
        return None
    return Recipe(rows, tuple(pivots), survivors)


@dataclasses.dataclass
class Discovery:
    """What :func:`discover_recipes` found: the recipes, and per probe point whether one settles it
    exactly (``None``: no recipe), and the recipes it rejected as not structural."""

    recipes: list[Recipe]
    settled: list[bool]
    rejected: list[Recipe]


def discover_recipes(probes: Sequence[ExactMatrix],
                     exact_at: Callable[[np.random.Generator], ExactMatrix],
                     rng: np.random.Generator, trials: int = 3) -> Discovery:
    """A small set of structural recipes covering the probe points of one system.

    Each probe point not settled (exactly) by a recipe already found gives a candidate
    (:func:`recipe_at`), kept if :func:`verify_structure` accepts it with fresh points from
    ``exact_at``. Points with a root, or where the reduction finds no certificate, stay unsettled."""
    recipes: list[Recipe] = []
    rejected: list[Recipe] = []
    settled = []
    for matrix in probes:
        if any(rules_out_exactly(r, matrix) for r in recipes):
            settled.append(True)
            continue
        cand = recipe_at(matrix)
        ok = (cand is not None and cand not in rejected and rules_out_exactly(cand, matrix)
              and verify_structure(cand, exact_at, rng, trials))
        if ok:
            recipes.append(cand)
        elif cand is not None and cand not in rejected:
            rejected.append(cand)
        settled.append(ok)
    return Discovery(recipes, settled, rejected)


# ------------------------------------------------------------------------------ per-point side

def _small_det(m: np.ndarray, signed: bool) -> np.ndarray:
    """Determinant (``signed``) or permanent of the trailing ``n x n`` blocks, ``n <= 3``, by the
    Laplace formulas (batched over the leading axes)."""
    n = m.shape[-1]
    s = -1.0 if signed else 1.0
    if n == 0:
        return np.ones(m.shape[:-2])
    if n == 1:
        return m[..., 0, 0]
    if n == 2:
        return m[..., 0, 0] * m[..., 1, 1] + s * m[..., 0, 1] * m[..., 1, 0]
    if n == 3:
        a = m
        return (a[..., 0, 0] * (a[..., 1, 1] * a[..., 2, 2] + s * a[..., 1, 2] * a[..., 2, 1])
                + s * a[..., 0, 1] * (a[..., 1, 0] * a[..., 2, 2] + s * a[..., 1, 2] * a[..., 2, 0])
                + a[..., 0, 2] * (a[..., 1, 0] * a[..., 2, 1] + s * a[..., 1, 1] * a[..., 2, 0]))
    raise ValueError(f"minors of size {n} > 3")


def _multipliers(sub: np.ndarray, size: np.ndarray, grown: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Float multipliers (signed maximal minors of ``sub``, shape ``(P, k, k-1)``) and their error
    bounds from the sizes ``|F|`` and ``|F| + err`` of the same entries."""
    k = sub.shape[1]
    lam, beta = [], []
    for i in range(k):
        keep = [r for r in range(k) if r != i]
        lam.append((-1.0) ** i * _small_det(sub[:, keep], True))
        hi = _small_det(grown[:, keep], False)
        beta.append(hi - _small_det(size[:, keep], False) + ROUNDING * hi)
    return np.stack(lam, axis=1), np.stack(beta, axis=1)


def check_batch(recipe: Recipe, coef: np.ndarray, err: np.ndarray, margin: float = MARGIN
                ) -> np.ndarray:
    """Per point of a chunk, whether the recipe rules the system out: ``coef`` and ``err`` shaped
    ``(P, n_eq, n_mono)`` (``|exact - coef| <= err`` entrywise); a boolean array ``(P,)``, ``True``
    only where it is proved (see the module docstring), ``False`` (unknown) otherwise."""
    rows = list(recipe.rows)
    f = coef[:, rows]
    e = err[:, rows]
    size = np.abs(f)
    grown = size + e
    pivots = list(recipe.pivots)
    lam, beta = _multipliers(f[:, :, pivots], size[:, :, pivots], grown[:, :, pivots])
    c = np.einsum("pk,pkj->pj", lam, f)
    alam = np.abs(lam)
    bound = (np.einsum("pk,pkj->pj", alam, e) + np.einsum("pk,pkj->pj", beta, grown)
             + ROUNDING * np.einsum("pk,pkj->pj", alam, size))
    mask = np.zeros(coef.shape[2], dtype=bool)
    mask[list(recipe.survivors)] = True
    cs, bs = c[:, mask], bound[:, mask]
    certain = (np.abs(cs) > margin * bs).all(axis=1)
    one_sign = (cs > 0).all(axis=1) | (cs < 0).all(axis=1)
    cancelled = (np.abs(c[:, ~mask]) <= bound[:, ~mask]).all(axis=1)
    return certain & one_sign & cancelled


def check_points(recipes: Sequence[Recipe], coef: np.ndarray, err: np.ndarray,
                 margin: float = MARGIN) -> np.ndarray:
    """:data:`RULED_OUT` where some recipe rules the system out, else :data:`UNKNOWN`, per point
    of the chunk (``coef``, ``err`` shaped ``(P, n_eq, n_mono)``); an ``int8`` array ``(P,)``."""
    if coef.shape != err.shape or coef.ndim != 3:
        raise ValueError(f"coef {coef.shape} and err {err.shape} must both be (points, equations, monomials)")
    out = np.zeros(coef.shape[0], dtype=bool)
    for recipe in recipes:
        todo = ~out
        if not todo.any():
            break
        out[todo] = check_batch(recipe, coef[todo], err[todo], margin)
    return np.where(out, RULED_OUT, UNKNOWN).astype(np.int8)
