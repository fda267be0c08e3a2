"""What the PBE solver's exact root screen and its conditions were before a system's conditions
were numbered by group and the groups that hold a vector of one term remembered (the oracles of
``tests/test_pbe_root_memo.py``):

* :func:`old_no_interior_root`: ``_pbe_pruning.no_interior_root`` with its sparse elimination as
  it was (no bitmask of the equations behind each row), verbatim;
* :func:`old_polynomials`: ``ExactTree.polynomials`` as it was, every set's conditions built
  afresh (no memo, no numbering) at the vertices of the sets it was first taken to depend on, from
  the payoffs of the tree's pure profiles.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from deterrence.solvers import pbe
from deterrence.solvers._pbe_exact import _REACH, ExactTree, integer_polynomial
from deterrence.solvers._pbe_pruning import _eliminated

_IntPoly = dict[tuple[int, ...], int]


def old_no_interior_root(polys: Sequence[_IntPoly]) -> bool:
    """``no_interior_root`` as it was (with ``ENABLED`` on)."""
    rows = _old_reduced_rows(polys)
    return rows is None or any(_one_sign(row) for row in rows)


def _one_sign(row: _IntPoly) -> bool:
    values = row.values()
    return all(x > 0 for x in values) or all(x < 0 for x in values)


def _old_reduced_rows(polys: Sequence[_IntPoly]) -> list[_IntPoly] | None:
    live = [p for p in polys if p]
    if any(len(p) == 1 for p in live):
        return None
    done: list[_IntPoly] = []
    for col in sorted({m for p in live for m in p}):
        pivot = None
        for row in live:
            if col in row and (pivot is None or len(row) < len(pivot)):
                pivot = row
        if pivot is None:
            continue
        rest = []
        for row in live:
            if row is not pivot:
                if col in row:
                    row = _eliminated(row, pivot, col)
                    if len(row) == 1:
                        return None
                if row:
                    rest.append(row)
        done = [_eliminated(row, pivot, col) if col in row else row for row in done]
        done.append(pivot)
        if not rest:
            break
        live = rest
    return done


def divided_by_monomials(polys: Sequence[_IntPoly]) -> list[_IntPoly]:
    """Each polynomial divided by the largest monomial that divides all its terms (the exponent of
    each unknown lowered by its smallest exponent over the terms): what the root screen reads since
    it divides such factors out (``_pbe_pruning.without_monomial_factors``), written afresh."""
    out = []
    for p in polys:
        if not p:
            out.append(dict(p))
            continue
        low = [min(m[i] for m in p) for i in range(len(next(iter(p))))]
        out.append({tuple(e - d for e, d in zip(m, low, strict=True)): c for m, c in p.items()})
    return out


def old_screen_on_quotients(polys: Sequence[_IntPoly]) -> bool:
    """The old root screen (:func:`old_no_interior_root`) on the quotients by their monomial factors
    (:func:`divided_by_monomials`): the verdict of the screen the solver runs."""
    return old_no_interior_root(divided_by_monomials(polys))


def old_polynomials(tree: ExactTree, pattern: Sequence[tuple[int, ...]], mixed: Sequence[int],
                    specs: dict[int, tuple]) -> list[_IntPoly]:
    """Every set's conditions built afresh, in the order ``polynomials`` gives them: evaluated at the
    vertices over the mixed sets it may depend on as the tree was first read (those with a move
    above its nodes, none for Nature's odds and every set for a belief carried forward, and those
    below its nodes' children; every other set at its support's first action) from the payoffs of
    the tree's pure profiles (``ExactTree._payoffs_of``), made polynomials (``integer_polynomial``)
    and placed among all the unknowns: no live sets, no memo, no numbering."""
    game = tree.game
    offsets = dict(zip(mixed, itertools.accumulate((len(pattern[j]) - 1 for j in mixed), initial=0),
                       strict=False))
    nv = sum(len(pattern[j]) - 1 for j in mixed)
    out: list[_IntPoly] = []
    for k in mixed:
        spec = specs.get(k, _REACH)
        h = game.infosets[k]
        reads = set(range(len(game.infosets))) if spec[0] == "own" else \
            set() if spec[0] == "prior" else {j for v in h.nodes for j, _ in tree.moves[v]}
        reads.update(j for v in h.nodes for c in tree.children[v] for j in tree.sets_below[c])
        sets = [j for j in mixed if j in reads]
        pays = []
        for combo in itertools.product(*(pattern[j] for j in sets)):
            choice = [s[0] for s in pattern]
            for j, a in zip(sets, combo, strict=True):
                choice[j] = a
            pays.append(tree._payoffs_of(k, spec, tuple(choice), specs))
        where = [i for j in sets for i in range(offsets[j], offsets[j] + len(pattern[j]) - 1)]
        for a in pattern[k][1:]:
            local = integer_polynomial(pattern, sets, [pay[a] - pay[pattern[k][0]] for pay in pays])
            placed = {}
            for mono, c in local.items():
                full = [0] * nv
                for i, e in enumerate(mono):
                    full[where[i]] = e
                placed[tuple(full)] = c
            out.append(placed)
    return out


def settled_systems(chosen, programs, ok, opt_starts, flags, settled) -> list[tuple]:
    """The systems ``pbe._settled_patterns`` dropped before the float screens (``settled``, its
    answer for the patterns ``chosen`` that pass, ``ok``): per system its pattern, mixing sets and
    belief specs, in ``pbe._spec_combos`` order."""
    out: list[tuple] = []
    if settled is None:
        return out
    for n, i in enumerate(np.flatnonzero(ok).tolist()):
        if settled[n]:
            prog = programs[i]
            base, choices = ({k: ("reach",) for k in prog.mixed}, [[("reach",)]] * len(prog.mixed)) \
                if prog.found is None else prog.found[1:]
            live = pbe._passing(prog, choices, flags, int(opt_starts[i]))[0]
            out.extend((chosen[i], list(prog.mixed), specs)
                       for specs in pbe._spec_combos(base, list(prog.mixed), live))
    return out


def one_term_in_span(polys: Sequence[_IntPoly]) -> bool:
    """Whether the row space of ``polys`` holds a vector of one term: whether a row of their reduced
    echelon form (in exact rationals, dense) has one nonzero entry."""
    monos = sorted({m for p in polys for m in p})
    rows = [[Fraction(p.get(m, 0)) for m in monos] for p in polys]
    r = 0
    for col in range(len(monos)):
        piv = next((i for i in range(r, len(rows)) if rows[i][col]), None)
        if piv is None:
            continue
        rows[r], rows[piv] = rows[piv], rows[r]
        lead = rows[r][col]
        rows[r] = [x / lead for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col]:
                f = rows[i][col]
                rows[i] = [x - f * y for x, y in zip(rows[i], rows[r], strict=True)]
        r += 1
    return any(sum(1 for x in row if x) == 1 for row in rows[:r])
