"""Exact regimes and thresholds with sympy: where each equilibrium structure holds.

For a model and a solution concept, :func:`regimes` lists the equilibrium structures of the
compiled model (:mod:`deterrence.kernels`: pure behaviour profiles and profiles that mix at one
or two information sets) together with the exact conditions on the parameters under which each
is an equilibrium. The conditions are the ones the compiled kernel tests numerically, written
as sympy relations:

* on the path of play, the player's continuation is a best response given Bayes' beliefs:
  ``sum_v reach(v) * (U_profile(v) - U_plan(v)) >= 0`` for every alternative plan;
* off the path (belief policy ``free``, two-node sets), there is a belief ``m`` in [0, 1]
  under which the continuation is optimal: the existence is written exactly as a disjunction
  over the candidate extreme beliefs (0, 1 and the crossing points);
* mixing probabilities are the closed-form roots of the indifference conditions, and must lie
  in (0, 1).

Structures that share the outcome distribution's support (the regime label) are grouped.
Structures whose conditions fail on every point of a seeded sample of the parameter domain are
left out of the printed regimes (they are listed in ``Regimes.omitted``); this pruning is
numerical and is said so in the output.

:func:`threshold` solves the boundaries of the regimes for one parameter.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from .._numbers import numpy_function
from ..errors import ParameterError, ResourceError, UnsupportedError
from ..kernels import CompiledModel, Structure, SymbolicTree
from ..outcomes import OUTCOMES, indicator_values, regime_name

_SAMPLE = 4096


@dataclass(frozen=True)
class StructureCondition:
    """One equilibrium structure: its profile, mixing probabilities and exact condition.

    Attributes
    ----------
    profile
        Readable profile (``"infoset=action, ..."``, ``mix`` where it mixes).
    condition
        Exact sympy boolean in the parameters and the mixing symbols.
    mixing
        Mixing symbol -> closed-form expression in the parameters (mixed structures).
    shown
        ``condition`` with the parts that hold on the whole sampled domain left out (display).
    """

    profile: str
    condition: sp.Basic
    mixing: Mapping[sp.Symbol, sp.Expr]
    shown: sp.Basic


@dataclass(frozen=True)
class Regime:
    """One equilibrium class and the exact conditions under which it holds.

    Attributes
    ----------
    label
        The regime label (``"status_quo"``, ``"capitulation+war"``, ``"mixed:..."``).
    structures
        The :class:`StructureCondition` s of this class; the regime holds where any does.
    outcomes
        Outcome label -> probability (sympy, with mixing symbols) for the first structure.
    """

    label: str
    structures: tuple[StructureCondition, ...]
    outcomes: Mapping[str, sp.Expr]

    @property
    def condition(self) -> sp.Basic:
        """Exact condition in the parameters only (mixing probabilities substituted)."""
        return sp.Or(*[sc.condition.xreplace(dict(sc.mixing)) for sc in self.structures])

    @property
    def shown_condition(self) -> sp.Basic:
        """The display condition in the parameters only (mixing probabilities substituted)."""
        return sp.Or(*[sc.shown.xreplace(dict(sc.mixing)) for sc in self.structures])

    def indicators(self) -> dict[str, sp.Expr]:
        """Mission indicators of the first structure, as sympy expressions."""
        sub = dict(self.structures[0].mixing)
        values = indicator_values(self.outcomes, sp.Integer(0))
        return {name: sp.factor(v.xreplace(sub)) for name, v in values.items()}


@dataclass(frozen=True)
class Regimes:
    """The regimes of a model under a concept (see :func:`regimes`)."""

    model: str
    concept: str
    belief_policy: str
    regimes: tuple[Regime, ...]
    symbols: Mapping[str, sp.Symbol]
    fixed: Mapping[str, Any]
    omitted: int = 0
    notes: tuple[str, ...] = ()
    latex_names: Mapping[str, str] = field(default_factory=dict)

    def holds(self, points: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Evaluate every regime's exact condition on arrays of values of the free parameters."""
        names = [n for n in self.symbols if n not in self.fixed]
        args = [np.asarray(points[n], dtype=float) for n in names]
        shape = np.broadcast(*args).shape if args else ()
        params = [self.symbols[n] for n in names]
        out = {}
        for r in self.regimes:
            acc = np.zeros(shape, dtype=bool)
            for sc in r.structures:
                acc |= _evaluate(sc.condition, sc.mixing, params, args, shape)
            out[r.label] = acc
        return out

    def to_text(self, latex: bool = False) -> str:
        """Readable mathematics (``latex=True`` for papers)."""
        names = {self.symbols[k]: v for k, v in self.latex_names.items() if k in self.symbols and v}

        def fmt(expr: Any) -> str:
            return sp.latex(expr, symbol_names=names) if latex else sp.sstr(expr)

        lines = [
            f"Regimes of '{self.model}' ({self.concept}"
            + (f", belief policy {self.belief_policy}" if self.concept == "pbe" else "")
            + ")"
        ]
        if self.fixed:
            lines.append("fixed: " + ", ".join(f"{k} = {v}" for k, v in self.fixed.items()))
        for r in self.regimes:
            lines.append("")
            lines.append(f"[{r.label}]")
            for sc in r.structures:
                lines.append(f"  profile: {sc.profile}")
                for sym, expr in sc.mixing.items():
                    lines.append(f"    where {fmt(sym)} = {fmt(expr)}")
                shown = _pretty_condition(sc.shown, fmt)
                lines.append(f"    holds iff {shown}")
        lines.append("")
        if self.omitted:
            lines.append(
                f"{self.omitted} candidate structures are an equilibrium nowhere on a seeded "
                f"{_SAMPLE}-point sample of the domain and are not listed."
            )
        lines.append(
            "Parts of a condition that hold on the whole sampled domain are not shown; "
            "Regimes.holds() evaluates the exact conditions."
        )
        lines.extend(self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def boundaries(self, parameter: str, at: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Exact thresholds on one parameter: the shown conditions that are linear in it, solved.

        Each condition ``a * parameter + b >= 0`` (or ``>``, ``<=``, ``<``) of a regime becomes
        ``parameter >= -b / a`` or ``<=``; the direction uses the sign of ``a`` at ``at`` (the
        model's defaults, given by the caller), which is recorded.

        Returns
        -------
        list of dict
            ``{"regime", "profile", "relation" (">=" or "<="), "threshold" (sympy), "sign_at"}``.
        """
        sym = self.symbols[parameter]
        subs = {self.symbols[k]: v for k, v in (at or {}).items() if k in self.symbols}
        out = []
        seen = set()
        for r in self.regimes:
            for sc in r.structures:
                cond = sc.shown.xreplace(dict(sc.mixing))
                atoms = cond.args if isinstance(cond, sp.And) else (cond,)
                for atom in atoms:
                    if not isinstance(atom, sp.core.relational.Relational):
                        continue
                    expr = sp.together(atom.lhs - atom.rhs)
                    num, den = sp.fraction(expr)
                    num = sp.expand(num)
                    if sym not in num.free_symbols or sym in den.free_symbols:
                        continue
                    poly = sp.Poly(num, sym)
                    if poly.degree() != 1:
                        continue
                    a, b = poly.all_coeffs()
                    try:
                        sign = float(sp.sign((a / den).xreplace(subs))) if subs else None
                    except TypeError:
                        sign = None
                    greater = isinstance(atom, (sp.GreaterThan, sp.StrictGreaterThan))
                    if sign is not None and sign < 0:
                        greater = not greater
                    value = sp.factor(-b / a)
                    key = (r.label, str(value), greater)
                    if key in seen:
                        continue
                    seen.add(key)
                    out.append(
                        {
                            "regime": r.label,
                            "profile": sc.profile,
                            "relation": ">=" if greater else "<=",
                            "threshold": value,
                            "sign_at": sign,
                        }
                    )
        return out


_EVAL_TOL = 1e-9


def _tolerant(cond: sp.Basic) -> sp.Basic:
    """Weak inequalities and equalities evaluated with a small tolerance (floating point).

    Indifference conditions of mixing structures hold with equality in exact arithmetic and
    up to rounding in floats; strict inequalities are left as they are.
    """
    repl = {}
    for rel in cond.atoms(sp.core.relational.Relational):
        d = rel.lhs - rel.rhs
        if isinstance(rel, sp.GreaterThan):
            repl[rel] = sp.GreaterThan(d, -_EVAL_TOL)
        elif isinstance(rel, sp.LessThan):
            repl[rel] = sp.LessThan(d, _EVAL_TOL)
        elif isinstance(rel, sp.Equality):
            repl[rel] = sp.LessThan(sp.Abs(d), _EVAL_TOL)
    return cond.xreplace(repl) if repl else cond


def _evaluate(
    cond: sp.Basic,
    mixing: Mapping[sp.Symbol, sp.Expr],
    params: list[sp.Symbol],
    args: list[np.ndarray],
    shape: tuple[int, ...],
) -> np.ndarray:
    with np.errstate(all="ignore"):
        mix_syms = list(mixing)
        mix_vals = []
        for sym in mix_syms:
            f = numpy_function(params, mixing[sym])
            mix_vals.append(np.broadcast_to(np.asarray(f(*args), dtype=complex), shape))
        real = np.ones(shape, dtype=bool)
        for v in mix_vals:
            real &= np.abs(v.imag) < 1e-12
        g = numpy_function(params + mix_syms, _tolerant(cond))
        val = g(*args, *[v.real for v in mix_vals])
    return np.broadcast_to(np.asarray(val, dtype=bool), shape) & real


def _pretty_condition(cond: sp.Basic, fmt: Any = sp.sstr) -> str:
    if cond is sp.true:
        return "always (on the sampled domain)"
    if cond is sp.false:
        return "never"
    if isinstance(cond, sp.And):
        return "\n           and ".join(fmt(a) for a in cond.args)
    return fmt(cond)


def _normalise(rel: sp.Basic) -> sp.Basic:
    """``lhs - rhs`` cancelled and factored, compared with 0."""
    if not isinstance(rel, sp.core.relational.Relational):
        return rel
    diff = sp.factor(sp.cancel(sp.together(rel.lhs - rel.rhs)))
    return rel.func(diff, 0)


def _prune(
    cond: sp.Basic,
    params: list[sp.Symbol],
    mixing: Mapping[sp.Symbol, sp.Expr],
    sample: list[np.ndarray] | None,
) -> sp.Basic:
    """Normalise every relation; replace those that hold (fail) on the whole sample by True (False)."""
    rels = cond.atoms(sp.core.relational.Relational)
    if not rels:
        return cond
    repl = {}
    shape = sample[0].shape if sample else ()
    for rel in rels:
        norm = _normalise(rel)
        if norm in (sp.true, sp.false) or sample is None:
            repl[rel] = norm
            continue
        val = _evaluate(norm, mixing, params, sample, shape)
        defined = _evaluate(sp.true, mixing, params, sample, shape)
        if defined.any() and val[defined].all():
            repl[rel] = sp.true
        elif defined.any() and not val[defined].any():
            repl[rel] = sp.false
        else:
            repl[rel] = norm
    return cond.xreplace(repl)


# ----------------------------------------------------------------------------- symbolic tree maths
class _SymbolicEval:
    """Reach probabilities and plan values of a structure with sympy arithmetic."""

    def __init__(self, cm: CompiledModel) -> None:
        self.cm = cm
        self.tree: SymbolicTree = cm.tree
        self.game = cm.game
        self.vt = cm.vt

    def edges(self, beh: Sequence[Sequence[sp.Expr]]) -> np.ndarray:
        E = np.empty((1, self.vt.n + 1), dtype=object)
        E[:] = sp.Integer(1)
        for v, ci, a in self.vt.chance_edges:
            E[0, v] = self.tree.chance[ci][a]
        for v, h, a in self.vt.decision_edges:
            E[0, v] = beh[h][a]
        return E

    def reach(self, E: np.ndarray) -> list[sp.Expr]:
        R = [sp.Integer(1)] * self.vt.n
        for nd in self.game.nodes[1:]:
            R[nd.index] = R[nd.parent] * E[0, nd.index]
        return R

    def plan_values(self, h: Any, E: np.ndarray) -> tuple[list[sp.Expr], dict[tuple, list[sp.Expr]]]:
        """Values at each node of set ``h`` of the profile's continuation and of every own plan."""
        prog = self.vt.program(h.player, tuple(h.nodes))
        pay = np.empty((1, len(self.tree.payoffs), self.game.num_players), dtype=object)
        for z, row in enumerate(self.tree.payoffs):
            for i, e in enumerate(row):
                pay[0, z, i] = e
        ones = np.empty((1, len(h.nodes)), dtype=object)
        ones[:] = sp.Integer(1)
        contrib, own = self.vt.gain_terms(prog, E, pay, ones)
        keys = [prog.keys[int(np.argmax(row))] for row in prog.key_matrix]
        cur = [
            sp.Add(*[contrib[0, z] * own[0, z] for z in range(len(keys)) if prog.start_of[z] == j])
            for j in range(len(h.nodes))
        ]
        own_sets = sorted({hh for key in prog.keys for hh, _ in key})
        plans = {}
        for plan in itertools.product(*[range(len(self.game.infosets[hh].actions)) for hh in own_sets]):
            choice = dict(zip(own_sets, plan, strict=True))
            plans[plan] = [
                sp.Add(
                    *[
                        contrib[0, z]
                        for z in range(len(keys))
                        if prog.start_of[z] == j and all(choice[hh] == a for hh, a in keys[z])
                    ]
                )
                for j in range(len(h.nodes))
            ]
        return cur, {"own_sets": own_sets, **{k: v for k, v in plans.items()}}


def _exists_belief(diffs: list[tuple[sp.Expr, sp.Expr]]) -> sp.Basic:
    """Exact condition that some m in [0, 1] has d0 + m (d1 - d0) >= 0 for every pair."""
    m_candidates: list[sp.Expr] = [sp.Integer(0), sp.Integer(1)]
    for (a0, a1), (b0, b1) in itertools.combinations(diffs, 2):
        den = (a1 - a0) - (b1 - b0)
        if den != 0:
            m_candidates.append(sp.together((b0 - a0) / den))
    for d0, d1 in diffs:
        if d1 - d0 != 0:
            m_candidates.append(sp.together(-d0 / (d1 - d0)))
    options = []
    for m in m_candidates:
        conds = [sp.Ge(sp.together(d0 + m * (d1 - d0)), 0) for d0, d1 in diffs]
        if m not in (0, 1):
            conds += [sp.Ge(m, 0), sp.Le(m, 1)]
        options.append(sp.And(*conds))
    return sp.Or(*options)


def _structure_condition(
    se: _SymbolicEval, s: Structure, beh: list[list[sp.Expr]], mixing_ok: sp.Basic
) -> tuple[sp.Basic, list[sp.Expr]]:
    cm = se.cm
    game = se.game
    E = se.edges(beh)
    R = se.reach(E)
    conds: list[sp.Basic] = [mixing_ok]
    if cm.concept == "spe":
        for nd in game.nodes:
            if nd.kind != "decision":
                continue
            h = game.infosets[nd.infoset]
            cur, plans = se.plan_values(h, E)
            for plan, vals in plans.items():
                if plan == "own_sets":
                    continue
                conds.append(sp.Ge(sp.together(cur[0] - vals[0]), 0))
        return sp.And(*conds), R
    for h in game.infosets:
        nodes = list(h.nodes)
        r = [R[v] for v in nodes]
        total = sp.together(sp.Add(*r))
        cur, plans = se.plan_values(h, E)
        own_sets = plans.pop("own_sets")
        on_path = sp.Gt(total, 0)
        if s.pure[h.index] < 0:
            conds.append(on_path)
        if total == 0:
            on_conds: list[sp.Basic] = [sp.false]
        else:
            on_conds = [
                sp.Ge(sp.together(sp.Add(*[rv * (c - p) for rv, c, p in zip(r, cur, vals, strict=True)])), 0)
                for vals in plans.values()
            ]
        if cm.belief_policy == "prior" or len(nodes) == 1:
            if len(nodes) == 1:
                off_cond = sp.And(*[sp.Ge(sp.together(cur[0] - vals[0]), 0) for vals in plans.values()])
            else:
                cr = [_chance_reach(se, v) for v in nodes]
                off_cond = sp.And(
                    *[
                        sp.Ge(
                            sp.together(
                                sp.Add(*[c * (u - p) for c, u, p in zip(cr, cur, vals, strict=True)])
                            ),
                            0,
                        )
                        for vals in plans.values()
                    ]
                )
        elif len(nodes) == 2:
            off_cond = _exists_belief([(cur[0] - vals[0], cur[1] - vals[1]) for vals in plans.values()])
        else:
            raise UnsupportedError(
                f"exact off-path conditions need information sets of at most two nodes "
                f"under the 'free' policy; '{h.name}' has {len(nodes)}"
            )
        del own_sets
        if total == 0:
            conds.append(off_cond)
        else:
            conds.append(sp.Or(sp.And(on_path, *on_conds), sp.And(sp.Eq(total, 0), off_cond)))
    return sp.And(*conds), R


def _chance_reach(se: _SymbolicEval, v: int) -> sp.Expr:
    out = sp.Integer(1)
    cur = v
    game = se.game
    while game.nodes[cur].parent >= 0:
        par = game.nodes[game.nodes[cur].parent]
        if par.kind == "chance":
            out *= se.tree.chance[par.infoset][game.nodes[cur].action]
        cur = par.index
    return out


def _mixing_solutions(se: _SymbolicEval, s: Structure) -> list[tuple[dict[int, sp.Expr], sp.Basic]]:
    """Closed-form mixing probabilities of a structure and the conditions for them to be defined."""
    game = se.game
    corners = list(itertools.product((0, 1), repeat=len(s.mixing)))
    vals: dict[int, list[sp.Expr]] = {h: [] for h in s.mixing}
    for corner in corners:
        beh = _behaviour(se, s, dict(zip(s.mixing, map(sp.Integer, corner), strict=True)))
        E = se.edges(beh)
        R = se.reach(E)
        for h in s.mixing:
            info = game.infosets[h]
            total = sp.Integer(0)
            for v in info.nodes:
                c0, c1 = game.nodes[v].children
                total += R[v] * (_node_value(se, c0, E, info.player) - _node_value(se, c1, E, info.player))
            vals[h].append(sp.expand(total))
    if len(s.mixing) == 1:
        a, b = vals[s.mixing[0]]
        den = sp.together(a - b)
        return [({s.mixing[0]: sp.together(a / den)}, sp.Ne(den, 0))]
    h1, h2 = s.mixing
    v1, v2 = vals[h1], vals[h2]
    a1, b1, c1, d1 = v1[0], v1[2] - v1[0], v1[1] - v1[0], v1[3] - v1[2] - v1[1] + v1[0]
    a2, b2, c2, d2 = v2[0], v2[2] - v2[0], v2[1] - v2[0], v2[3] - v2[2] - v2[1] + v2[0]
    A = sp.expand(b2 * d1 - d2 * b1)
    B = sp.expand(a2 * d1 + b2 * c1 - c2 * b1 - d2 * a1)
    C = sp.expand(a2 * c1 - c2 * a1)
    out = []
    if A == 0:
        if B == 0:
            return []
        x = sp.together(-C / B)
        y = sp.together(-(a1 + b1 * x) / (c1 + d1 * x))
        return [({h1: x, h2: y}, sp.And(sp.Ne(B, 0), sp.Ne(sp.together(c1 + d1 * x), 0)))]
    disc = sp.expand(B * B - 4 * A * C)
    for sign in (1, -1):
        x = (-B + sign * sp.sqrt(disc)) / (2 * A)
        y = -(a1 + b1 * x) / (c1 + d1 * x)
        out.append(({h1: x, h2: y}, sp.And(sp.Gt(disc, 0), sp.Ne(A, 0), sp.Ne(c1 + d1 * x, 0))))
    return out


def _node_value(se: _SymbolicEval, v: int, E: np.ndarray, player: int) -> sp.Expr:
    game = se.game
    nd = game.nodes[v]
    if nd.kind == "terminal":
        return se.tree.payoffs[game.terminal_index(v)][player]
    return sp.Add(*[E[0, c] * _node_value(se, c, E, player) for c in nd.children])


def _behaviour(se: _SymbolicEval, s: Structure, mix: Mapping[int, sp.Expr]) -> list[list[sp.Expr]]:
    beh = []
    for h, a in enumerate(s.pure):
        k = len(se.game.infosets[h].actions)
        if a >= 0:
            beh.append([sp.Integer(1) if j == a else sp.Integer(0) for j in range(k)])
        else:
            x = mix[h]
            beh.append([1 - x, x])
    return beh


def _describe(game: Any, s: Structure, mix: Mapping[int, sp.Expr] | None = None) -> str:
    parts = []
    for h, a in zip(game.infosets, s.pure, strict=True):
        parts.append(f"{h.name}={h.actions[a]}" if a >= 0 else f"{h.name}=mix")
    return ", ".join(parts)


def _mixing_symbol(name: str) -> sp.Symbol:
    clean = "".join(ch if ch.isalnum() else "_" for ch in name)
    return sp.Symbol(f"x_{clean}")


def _refuse_dominance_pruned(cm: CompiledModel, name: str) -> None:
    """No closed form for a model compiled over the actions that survive iterated dominance:
    its structures leave out the other actions, so the regime conditions would hold only where
    those are dominated, a condition (checked numerically per point by the kernel) they do not
    contain.

    Raises
    ------
    UnsupportedError
        If ``cm`` prunes actions by dominance (``threshold`` then finds boundaries numerically).
    """
    if cm.prunes_by_dominance:
        raise UnsupportedError(
            f"model '{name}' compiles only over the actions that survive iterated dominance at "
            "sampled points, and its regime conditions would leave out where the other actions "
            "are dominated",
            methods=("numeric_threshold",),
        )


def regimes_of_tree(
    cm: CompiledModel,
    name: str,
    fixed: Mapping[str, Any] | None = None,
    sample: Mapping[str, np.ndarray] | None = None,
) -> Regimes:
    """Regimes of a compiled symbolic tree (see :func:`regimes`).

    ``sample`` (arrays of the free parameters, inside the domain) selects the structures to
    write out (those the compiled kernel finds somewhere on it) and prunes the display.
    """
    import pandas as pd

    _refuse_dominance_pruned(cm, name)
    fixed = dict(fixed or {})
    free = [n for n in cm.tree.names if n not in fixed]
    params = [cm.tree.symbols[cm.tree.names.index(n)] for n in free]
    hit_ids: set[str] | None = None
    sample_args = None
    if sample is not None:
        n = len(next(iter(sample.values()))) if sample else 1
        pts = pd.DataFrame(
            {
                nm: (np.asarray(sample[nm], dtype=float) if nm in sample else np.full(n, float(fixed[nm])))
                for nm in cm.tree.names
            }
        )
        table, _und = cm.evaluate(pts, with_structure=True)
        hit_ids = set(table["structure"]) if "structure" in table else set()
        sample_args = [np.asarray(sample[nm], dtype=float) for nm in free]
    cm = cm.substituted(fixed)
    se = _SymbolicEval(cm)
    game = cm.game
    labels = [lab for lab in OUTCOMES if any(lab in t for t in game.terminal_outcomes)]
    grouped: dict[str, list[tuple[StructureCondition, dict]]] = {}
    omitted = 0
    for k, s in enumerate(cm.structures):
        if hit_ids is not None and not any(i.startswith(f"{k}.") for i in hit_ids):
            omitted += 1
            continue
        sols = _mixing_solutions(se, s) if s.mixing else [({}, sp.true)]
        for sol, (mix, defined) in enumerate(sols):
            if hit_ids is not None and f"{k}.{sol}" not in hit_ids:
                omitted += 1
                continue
            syms = {h: _mixing_symbol(game.infosets[h].name) for h in mix}
            definitions = {syms[h]: sp.factor(x) for h, x in mix.items()}
            inside = sp.And(defined, *[sp.And(sp.Gt(x, 0), sp.Lt(x, 1)) for x in syms.values()])
            beh = _behaviour(se, s, syms)
            cond, R = _structure_condition(se, s, beh, inside)
            shown = _prune(cond, params, definitions, sample_args)
            terms = [R[v] for v in game.terminals]
            outcome = {
                lab: sp.factor(
                    sp.Add(*[t for t, labs in zip(terms, game.terminal_outcomes, strict=True) if lab in labs])
                )
                for lab in labels
            }
            label = regime_name([lab for lab in labels if outcome[lab] != 0], pure=not s.mixing)
            sc = StructureCondition(
                profile=_describe(game, s), condition=cond, mixing=definitions, shown=shown
            )
            grouped.setdefault(label, []).append((sc, outcome))
    regs = tuple(
        Regime(label=label, structures=tuple(sc for sc, _ in items), outcomes=items[0][1])
        for label, items in grouped.items()
    )
    return Regimes(
        model=name,
        concept=cm.concept,
        belief_policy=cm.belief_policy,
        regimes=regs,
        symbols=dict(zip(cm.tree.names, cm.tree.symbols, strict=True)),
        fixed=fixed,
        omitted=omitted,
    )


def regimes(
    model: Any, /, concept: str | None = None, belief_policy: str = "free", *, seed: int = 0, **fixed: Any
) -> Regimes:
    """Exact conditions (sympy) under which each equilibrium regime of a model holds.

    Parameters
    ----------
    model
        A :class:`~deterrence.Model` or a catalogue name.
    concept
        ``"pbe"`` or ``"spe"`` (default: ``"pbe"`` if the model declares it or declares neither,
        else ``"spe"``: the model's ``default_concept`` where that is one of the two).
    belief_policy
        ``"free"`` or ``"prior"`` (PBE).
    seed
        Seed of the sample used to leave out structures that hold nowhere.
    **fixed
        Parameter values to substitute (the others stay symbolic).

    Returns
    -------
    Regimes
        Printable (``str(r)``, ``r.to_text(latex=True)``) and testable (``r.holds(points)``).

    Raises
    ------
    UnsupportedError
        If the model does not compile, or compiles only over the actions that survive iterated
        dominance (``chain_store``, ``costly_signal_pledge``): no closed form here.
    """
    from ..catalogue import load_model
    from ..equilibrium import check_belief_policy
    from ..kernels import compile_model

    m = load_model(model) if isinstance(model, str) else model
    if callable(getattr(m, "regimes", None)):  # a model family writes its own (deterrence.families)
        return m.regimes(concept, belief_policy, **fixed)
    if concept is None:
        concept = "pbe" if "pbe" in m.concepts or "spe" not in m.concepts else "spe"
    unknown = [k for k in fixed if k not in m.parameters]
    if unknown:
        raise ParameterError(f"unknown parameter '{unknown[0]}' for model '{m.name}'", name=unknown[0])
    check_belief_policy(belief_policy)  # a misspelt policy is an OptionError
    if concept == "pbe" and belief_policy == "d1":  # the d1 kernel refines numerically: no closed form
        raise UnsupportedError("exact regimes serve belief policies 'free' and 'prior', not 'd1'",
                               methods=("pointwise",))
    cm = compile_model(m, concept, belief_policy)
    _refuse_dominance_pruned(cm, m.name)  # before the sample, which costs
    sample = _domain_sample(m, seed, fixed)
    regs = regimes_of_tree(cm, m.name, fixed, sample)
    latex = {n: getattr(p, "symbol", "") for n, p in m.parameters.items()}
    return dataclasses.replace(regs, latex_names=latex)


def _domain_sample(model: Any, seed: int, fixed: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The free parameters of :func:`deterrence.kernels.domain_sample` (``_SAMPLE`` points)."""
    from ..kernels import domain_sample

    sample = domain_sample(model, _SAMPLE, seed=seed, fixed=fixed)
    return {k: v for k, v in sample.items() if k not in fixed}


def threshold(
    model: Any, parameter: str, /, concept: str | None = None, belief_policy: str = "free", **fixed: Any
) -> list[dict[str, Any]]:
    """Values of one parameter at which the set of equilibrium regimes changes.

    The other parameters take ``fixed`` values or their defaults. Each boundary of each regime
    condition is solved for ``parameter`` with sympy; the roots inside the domain where the
    regime set differs on the two sides are returned.

    Where the model has no closed-form regimes here (it does not compile: too many candidate
    equilibrium structures, or the ``d1`` policy; or it compiles only over the actions that
    survive iterated dominance), the boundaries are found numerically
    instead, by :func:`deterrence.numeric_threshold` over the parameter's (finite) domain;
    those entries have ``"value": None`` and ``"exact": False``.

    Returns
    -------
    list of dict
        ``{"parameter", "value" (exact sympy), "numeric", "below": regimes, "above": regimes,
        "exact"}``, sorted by value.
    """
    from ..catalogue import load_model
    from ._boundaries import numeric_threshold

    m = load_model(model) if isinstance(model, str) else model
    if callable(getattr(m, "threshold", None)):  # a model family finds its own (deterrence.families)
        return m.threshold(parameter, concept, belief_policy, **fixed)
    if parameter not in m.parameters:
        raise ParameterError(
            f"unknown parameter '{parameter}' for model '{m.name}'; valid: {', '.join(m.parameters)}",
            name=parameter,
        )
    values = {n: p.default for n, p in m.parameters.items() if n != parameter}
    values.update(fixed)
    try:
        regs = regimes(m, concept, belief_policy, **values)
    except (UnsupportedError, ResourceError):
        return numeric_threshold(m, parameter, concept, belief_policy, **values)
    sym = regs.symbols[parameter]
    roots: set[sp.Expr] = set()
    for r in regs.regimes:
        for atom in r.shown_condition.atoms(sp.core.relational.Relational):
            expr = sp.together(atom.lhs - atom.rhs)
            num, _den = sp.fraction(expr)
            if sym not in num.free_symbols:
                continue
            try:
                sols = sp.solve(sp.Eq(num, 0), sym)
            except (NotImplementedError, ValueError):
                continue
            for x in sols:
                if x.is_real is not False and x.free_symbols <= set():
                    roots.add(sp.nsimplify(x))
    lo, hi = m.parameters[parameter].domain
    out = []
    for x in sorted(roots, key=lambda e: float(e)):
        xv = float(x)
        if not (float(lo) < xv < float(hi)):
            continue
        eps = 1e-6 * max(1.0, abs(xv))
        below = _regimes_at(regs, parameter, xv - eps)
        above = _regimes_at(regs, parameter, xv + eps)
        if below != above:
            out.append(
                {
                    "parameter": parameter,
                    "value": x,
                    "numeric": xv,
                    "below": sorted(below),
                    "above": sorted(above),
                    "exact": True,
                }
            )
    return out


def _regimes_at(regs: Regimes, parameter: str, value: float) -> set[str]:
    held = regs.holds({parameter: np.array([value])})
    return {k for k, v in held.items() if bool(v[0])}
