"""The backward recursion of the reputation solver: equilibrium play as a function of the stage
and the public posterior (exact rational arithmetic).

The state of a :class:`~deterrence.game.reputation.ReputationGame` before stage ``k`` is the
public posterior ``q`` (the probability of the resolute type). The recursion goes from the last
stage to the first and, for every stage, splits ``[0, 1]`` into *cells*: the points where some
challenger is indifferent and the open intervals between them. On each cell it records

* the challenger's choice (quiet with probability 1 or 0, or *free* at a point where it is
  indifferent: its mixing is chosen later, to make an earlier weak type indifferent);
* the weak type's response to a challenge: ``resist`` (with probability 1; the posterior after
  a resist stays ``q``), ``yield`` (probability 0; a resist reveals the resolute type) or
  ``mix`` towards a *target* posterior ``x > q``: it resists with probability
  ``q(1 − x)/((1 − q)x)``, so that the posterior after a resist is exactly ``x``;
* the continuation values of both types from this stage on (constant on intervals; at points
  they may depend on the one free mixing they lead to, as an affine :class:`Form`).

The resolute type resists in every state (the class of games this solver serves; the
certificate checks that resisting is indeed its best reply everywhere). The weak type resists
for sure where resisting pays even with an unchanged posterior; otherwise it mixes so that the
posterior after a resist reaches the first point ``x`` above ``q`` at which its continuation
value can make it indifferent, and the free challenger there mixes so that it is (the
generalised Kreps–Wilson construction); if no such point exists it yields. A yield reveals the
weak type (posterior 0). At most two new points appear per stage (where the challenger's gain
from challenging, affine in ``q`` on either side of the weak type's target, changes sign), so
stage ``k`` has ``O(N − k)`` cells and the whole recursion ``O(N²)`` exact operations.

Ties the construction leaves open (a challenger indifferent at a point no earlier stage
targets, which happens only when a threshold is hit exactly) are broken towards *quiet*
(:data:`DEFAULT_QUIET`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from fractions import Fraction

from ..errors import SolverError, UnsupportedError
from ..game.reputation import QUIET, RESIST, YIELD, ReputationGame

Pair = tuple[Fraction, Fraction]  # (resolute, weak)
Key = tuple[int, Fraction]  # (stage, posterior) of a free challenger
R_, W_ = 0, 1
ZERO, ONE = Fraction(0), Fraction(1)

#: the probability of staying quiet of an indifferent challenger that no earlier stage needs mixing
DEFAULT_QUIET = ONE


@dataclass(frozen=True)
class Form:
    """Continuation values (resolute, weak) that may depend on one free challenger's mixing.

    ``quiet`` are the values if that challenger stays quiet, ``challenge`` if it challenges;
    with probability ``y`` of quiet the value is ``y·quiet + (1 − y)·challenge``. ``key`` is
    ``None`` for a constant (then both are equal).
    """

    key: Key | None
    quiet: Pair
    challenge: Pair

    @staticmethod
    def const(v: Pair) -> Form:
        return Form(None, v, v)

    def shift(self, c: Pair) -> Form:
        return Form(self.key, (self.quiet[0] + c[0], self.quiet[1] + c[1]),
                    (self.challenge[0] + c[0], self.challenge[1] + c[1]))

    def at(self, y: Fraction) -> Pair:
        q, c = self.quiet, self.challenge
        return (y * q[0] + (1 - y) * c[0], y * q[1] + (1 - y) * c[1])


@dataclass(frozen=True)
class Cell:
    """Play and values at one cell of a stage (a point or an open interval of posteriors).

    ``quiet`` is the challenger's probability of staying quiet (``None``: indifferent, free,
    see :attr:`Recursion.fixed`); ``regime`` the weak type's response (``resist``, ``yield``,
    ``mix`` towards ``target``); ``value`` the types' values from this stage on.
    """

    quiet: Fraction | None
    regime: str
    target: Fraction | None
    value: Form


@dataclass
class StageCells:
    """The cells of one stage: sorted interior points, the intervals between them, the points."""

    points: list[Fraction]
    intervals: list[Cell]
    at_points: dict[Fraction, Cell]

    def cell(self, q: Fraction) -> Cell:
        hit = self.at_points.get(q)
        if hit is not None:
            return hit
        return self.intervals[bisect.bisect_left(self.points, q)]

    def ordered(self) -> list[tuple[Fraction | None, Cell]]:
        """Cells from posterior 0+ to 1, points with their posterior, intervals with ``None``."""
        out: list[tuple[Fraction | None, Cell]] = []
        for i, iv in enumerate(self.intervals):
            out.append((None, iv))
            if i < len(self.points):
                out.append((self.points[i], self.at_points[self.points[i]]))
        out.append((ONE, self.at_points[ONE]))
        return out


def _terminal_cells() -> StageCells:
    zero = Cell(ONE, "yield", None, Form.const((ZERO, ZERO)))
    return StageCells([], [zero], {ZERO: zero, ONE: zero})


@dataclass
class Recursion:
    """The recursion's state: the cells of every stage and the mixing fixed at free points."""

    game: ReputationGame
    stages: list[StageCells] = field(default_factory=list)
    fixed: dict[Key, Fraction] = field(default_factory=dict)

    # ------------------------------------------------------------------ free mixings
    def value(self, form: Form) -> Pair | None:
        if form.key is None:
            return form.quiet
        y = self.fixed.get(form.key)
        return None if y is None else form.at(y)

    def settle(self, form: Form) -> Pair:
        """The form's values, fixing its free mixing at the default if nothing fixed it yet."""
        v = self.value(form)
        if v is None:
            assert form.key is not None
            self.fixed[form.key] = DEFAULT_QUIET
            v = form.at(DEFAULT_QUIET)
        return v

    def weak_range(self, form: Form) -> tuple[Fraction, Fraction]:
        v = self.value(form)
        if v is not None:
            return v[W_], v[W_]
        a, b = form.quiet[W_], form.challenge[W_]
        return min(a, b), max(a, b)

    def demand(self, form: Form, target: Fraction, stage: int) -> None:
        """Fix the free mixing so that the weak type's value is ``target``."""
        if form.key is None or form.key in self.fixed:
            return
        a, b = form.quiet[W_], form.challenge[W_]
        y = DEFAULT_QUIET if a == b else (target - b) / (a - b)
        if not ZERO <= y <= ONE:
            raise SolverError(f"internal: stage {stage + 1} asks for a mixing {y} outside [0, 1]")
        self.fixed[form.key] = y

    def quiet_probability(self, k: int, q: Fraction, cell: Cell) -> Fraction:
        if cell.quiet is not None:
            return cell.quiet
        return self.fixed.setdefault((k, q), DEFAULT_QUIET)


def solve_recursion(game: ReputationGame) -> Recursion:
    """Run the backward recursion over all stages (see the module documentation).

    Raises
    ------
    UnsupportedError
        If at some stage no response of the weak type fits the construction (its gain from
        resisting jumps over zero at a posterior where nobody can mix to make it indifferent;
        this needs ties the solver does not resolve).
    """
    _check_types(game)
    rec = Recursion(game)
    nxt = _terminal_cells()
    cells: list[StageCells] = []
    for k in reversed(range(game.num_stages)):
        nxt = _StageBuilder(rec, k, nxt).build()
        cells.append(nxt)
    rec.stages = list(reversed(cells))
    _check_resolute(rec)
    return rec


def _check_types(game: ReputationGame) -> None:
    """The class: in every stage the resolute type strictly prefers resisting a challenge and the
    weak type yielding, each crisis taken alone."""
    for k, st in enumerate(game.stages):
        (_, r_res, r_yield), (_, w_res, w_yield) = st.long_run_payoffs
        if not (r_res > r_yield and w_yield > w_res):
            raise UnsupportedError(
                f"reputation solver: in stage {k + 1} the '{game.types[0]}' type must strictly prefer "
                f"'{game.response_actions[0]}' and the '{game.types[1]}' type "
                f"'{game.response_actions[1]}' (types are listed resolute first)")


def _check_resolute(rec: Recursion) -> None:
    """Raise :class:`UnsupportedError` if, at a state the play can reach (on or off the path),
    the resolute type would rather yield: the game is then outside the class solved here."""
    game = rec.game
    profile = MarkovProfile(rec)
    frontier = {game.prior}
    for k, st in enumerate(game.stages):
        nxt: set[Fraction] = set()
        for q in frontier:
            after = [profile.posterior(k, q, o) for o in (QUIET, RESIST, YIELD)]
            nxt.update(after)
            if k + 1 < game.num_stages:
                v = [rec.settle(rec.stages[k + 1].cell(x).value)[R_] for x in after]
            else:
                v = [ZERO, ZERO, ZERO]
            u = st.long_run_payoffs[R_]
            if u[RESIST] + v[RESIST] < u[YIELD] + v[YIELD]:
                raise UnsupportedError(
                    f"reputation solver: at stage {k + 1} (posterior {float(q):.4g}) the "
                    f"'{game.types[0]}' type would rather yield than resist; the solver covers games in "
                    "which it always resists; use method='pbe' on the explicit tree")
        frontier = nxt


class _StageBuilder:
    """Builds the cells of stage ``k`` from those of stage ``k + 1``."""

    def __init__(self, rec: Recursion, k: int, nxt: StageCells) -> None:
        self.rec, self.k, self.nxt = rec, k, nxt
        st = rec.game.stages[k]
        self.u, self.s = st.long_run_payoffs, st.challenger_payoffs
        self.revealed = rec.settle(nxt.cell(ZERO).value)  # values after a yield (posterior 0)
        # a type Nature never draws stays at probability 0: with prior 1 a yield leaves posterior 1
        self.revealed_top = rec.settle(nxt.cell(ONE).value) if rec.game.prior == ONE else self.revealed
        # the weak type's gain from resisting rather than yielding, less its continuation value
        self.gain0 = self.u[W_][RESIST] - self.u[W_][YIELD] - self.revealed[W_]
        self.order = nxt.ordered()
        self.first_up = self._first_nonnegative()

    # ------------------------------------------------------------------ the weak type's response
    def _g_range(self, cell: Cell) -> tuple[Fraction, Fraction]:
        lo, hi = self.rec.weak_range(cell.value)
        return self.gain0 + lo, self.gain0 + hi

    def _first_nonnegative(self) -> list[int | None]:
        """For each position of the ordered cells, the first position at or after it where the
        weak type's gain from resisting can be >= 0 (``None``: nowhere)."""
        out: list[int | None] = [None] * (len(self.order) + 1)
        for p in reversed(range(len(self.order))):
            out[p] = p if self._g_range(self.order[p][1])[1] >= 0 else out[p + 1]
        return out[:-1]

    def regime_from(self, pos: int) -> tuple[str, Fraction | None]:
        """The weak type's response when the posterior lies in ordered cell ``pos``."""
        x, cell = self.order[pos]
        lo, hi = self._g_range(cell)
        if lo >= 0:
            return "resist", None
        if x is not None and hi >= 0:  # a free point where mixing can make it indifferent
            self.rec.demand(cell.value, -self.gain0, self.k)
            return "resist", None
        up = self.first_up[pos + 1] if pos + 1 < len(self.order) else None
        if up is None:
            return "yield", None
        x_up, cell_up = self.order[up]
        lo_up, hi_up = self._g_range(cell_up)
        if x_up is None or lo_up > 0 or hi_up < 0:
            raise UnsupportedError(
                f"reputation solver: at stage {self.k + 1} the weak type's gain from resisting jumps over "
                "zero where no challenger can mix to make it indifferent (a tie the recursion does not "
                "resolve); use method='pbe' on the explicit tree")
        if x_up == ONE:
            return "yield", None
        self.rec.demand(cell_up.value, -self.gain0, self.k)
        return "mix", x_up

    # ------------------------------------------------------------------ the challenger
    def gamma(self, regime: str, target: Fraction | None) -> tuple[Fraction, Fraction]:
        """The challenger's gain from challenging as ``alpha + gamma·q`` under a regime."""
        s = self.s
        res = s[R_][RESIST] - s[R_][QUIET]
        if regime == "resist":
            a = s[W_][RESIST] - s[W_][QUIET]
        elif regime == "yield":
            a = s[W_][YIELD] - s[W_][QUIET]
        else:
            assert target is not None
            kappa = (1 - target) / target
            a = s[W_][YIELD] - s[W_][QUIET]
            return a, res + kappa * s[W_][RESIST] - (1 + kappa) * s[W_][YIELD] + s[W_][QUIET]
        return a, res - a

    # ------------------------------------------------------------------ values
    def _values(self, q: Fraction | None, nxt_cell: Cell, regime: str, target: Fraction | None,
                quiet: Fraction | None, key_q: Fraction | None) -> Form:
        """Values of a cell: ``q`` is ``None`` for an interval (then ``nxt_cell`` holds it)."""
        u = self.u
        v_quiet = nxt_cell.value.shift((u[R_][QUIET], u[W_][QUIET]))
        if regime == "resist":
            v_chal = nxt_cell.value.shift((u[R_][RESIST], u[W_][RESIST]))
        else:
            after = target if regime == "mix" else (ZERO if q == ZERO else ONE)
            v_res = self.rec.settle(self.nxt.cell(after).value)
            after_yield = self.revealed_top if q == ONE else self.revealed
            v_chal = Form.const((u[R_][RESIST] + v_res[R_], u[W_][YIELD] + after_yield[W_]))
        if quiet == ONE:
            return v_quiet
        if quiet == ZERO:
            return v_chal
        assert key_q is not None
        return Form((self.k, key_q), self.rec.settle(v_quiet), self.rec.settle(v_chal))

    def _cell(self, q: Fraction | None, nxt_cell: Cell, regime: str, target: Fraction | None,
              quiet: Fraction | None, key_q: Fraction | None = None) -> Cell:
        return Cell(quiet, regime, target, self._values(q, nxt_cell, regime, target, quiet, key_q))

    # ------------------------------------------------------------------ the stage
    def build(self) -> StageCells:
        points: list[Fraction] = []
        intervals: list[Cell] = []
        at_points: dict[Fraction, Cell] = {}
        lo = ZERO
        for pos, (x, nxt_cell) in enumerate(self.order):
            if x == ONE:
                at_points[ONE] = self._edge_cell(ONE)
                continue
            regime, target = self.regime_from(pos)
            alpha, gamma = self.gamma(regime, target)
            if x is not None:
                points.append(x)
                at_points[x] = self._point_cell(x, nxt_cell, regime, target, alpha + gamma * x)
                lo = x
                continue
            hi = self.order[pos + 1][0]
            assert hi is not None
            for kind, v in _pieces(lo, hi, alpha, gamma):
                if kind == "point":
                    points.append(v)
                    at_points[v] = self._cell(v, nxt_cell, regime, target, None, key_q=v)
                else:
                    intervals.append(self._cell(None, nxt_cell, regime, target, v))
        at_points[ZERO] = self._edge_cell(ZERO)
        return StageCells(points, intervals, at_points)

    def _point_cell(self, x: Fraction, nxt_cell: Cell, regime: str, target: Fraction | None,
                    gain: Fraction) -> Cell:
        quiet = None if gain == 0 else (ZERO if gain > 0 else ONE)
        return self._cell(x, nxt_cell, regime, target, quiet, key_q=x)

    def _edge_cell(self, q: Fraction) -> Cell:
        """Posterior 0 or 1: the type is known, a resist does not move the posterior."""
        nxt_cell = self.nxt.cell(q)
        if q == ZERO:
            regime = "resist" if self.u[W_][RESIST] > self.u[W_][YIELD] else "yield"
            gain = self.s[W_][YIELD if regime == "yield" else RESIST] - self.s[W_][QUIET]
        else:
            g = self.gain0 + self.revealed[W_] - self.revealed_top[W_] + self.rec.settle(nxt_cell.value)[W_]
            regime = "resist" if g >= 0 else "yield"
            gain = self.s[R_][RESIST] - self.s[R_][QUIET]
        quiet = None if gain == 0 else (ZERO if gain > 0 else ONE)
        if quiet is None:
            self.rec.fixed[(self.k, q)] = DEFAULT_QUIET
        return self._cell(q, nxt_cell, regime, None, quiet, key_q=q)


def _pieces(lo: Fraction, hi: Fraction, alpha: Fraction, gamma: Fraction
            ) -> list[tuple[str, Fraction]]:
    """Split ``(lo, hi)`` where the challenger's gain ``alpha + gamma·q`` changes sign.

    Returns ``("interval", quiet probability)`` pieces and, between them, ``("point", root)``.
    """
    def quiet_at(q: Fraction) -> tuple[str, Fraction]:
        g = alpha + gamma * q
        return "interval", ZERO if g > 0 else ONE if g < 0 else DEFAULT_QUIET

    if gamma != 0:
        z = -alpha / gamma
        if lo < z < hi:
            return [quiet_at((lo + z) / 2), ("point", z), quiet_at((z + hi) / 2)]
    return [quiet_at((lo + hi) / 2)]


class MarkovProfile:
    """The equilibrium the recursion found, as play and beliefs at any (stage, posterior).

    ``play(k, q)`` gives the challenger's probability of staying quiet and each type's
    probability of resisting a challenge in stage ``k`` (0-based) at posterior ``q``;
    ``posterior(k, q, outcome)`` the posterior after the stage's outcome (quiet, resist,
    yield): Bayes' rule where the outcome has positive probability; off the path a yield
    reveals the weak type (posterior 0, or 1 if Nature never draws the weak type) and a resist
    at posterior 0 leaves it at 0.
    """

    def __init__(self, rec: Recursion) -> None:
        self.rec = rec
        self.game = rec.game

    def play(self, k: int, q: Fraction) -> tuple[Fraction, Fraction, Fraction]:
        cell = self.rec.stages[k].cell(q)
        quiet = self.rec.quiet_probability(k, q, cell)
        return quiet, ONE, self._weak_resist(q, cell)

    @staticmethod
    def _weak_resist(q: Fraction, cell: Cell) -> Fraction:
        if cell.regime == "resist":
            return ONE
        if cell.regime == "yield" or q == ZERO:
            return ZERO
        x = cell.target
        assert x is not None
        return q * (1 - x) / ((1 - q) * x)

    def posterior(self, k: int, q: Fraction, outcome: int) -> Fraction:
        if outcome == QUIET:
            return q
        _, res_r, res_w = self.play(k, q)
        if outcome == RESIST:
            mass = q * res_r + (1 - q) * res_w
            return q * res_r / mass if mass > 0 else q
        mass = q * (1 - res_r) + (1 - q) * (1 - res_w)
        if mass > 0:
            return q * (1 - res_r) / mass
        return ONE if self.game.prior == ONE else ZERO
