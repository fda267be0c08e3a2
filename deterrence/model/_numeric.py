"""A model's numbers: parameter values checked, games built, expressions compiled and checked.

Plain functions of what they use (the parameters, the orderings, the checked
:class:`~deterrence.model._structure.Tree`), behind :meth:`Model.game
<deterrence.model.Model.game>` and :meth:`Model.evaluate <deterrence.model.Model.evaluate>`:
values checked against the domains (:func:`check_values`, :func:`parameter_arrays`) and the
orderings (:func:`check_orderings_exact`; :func:`orderings_mask`, which gives the same verdicts on
arrays, and :func:`orderings_hold`, its verdicts alone), chance probabilities and
payoffs checked (:func:`check_numbers`, :func:`check_arrays`), the numeric tree built
(:func:`build_game`), the expressions lambdified once (:func:`lambdify_tree`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from .._numbers import evaluate_many, numpy_function
from ..errors import GameError, ModelError, OrderingError, ParameterError, close_match_hint
from ..expr import Comparison
from ..game.extensive import ExtensiveFormGame, sum_text
from ..game.tree import chance, decision, terminal
from ._checks import Where
from ._float_bounds import decided, value_and_error
from ._specs import PROB_TOL, Ordering, Parameter, exact_fraction
from ._structure import Tree

_FLOAT_MAX = 1.7976931348623157e308
_INT_MAX = int(_FLOAT_MAX)  # the same number, exactly


def _not_finite(v: Any) -> bool:
    """Whether a payoff or probability is missing, NaN, infinite or too large for a float:
    ``v is None or not abs(v) <= _FLOAT_MAX``, on integers for the exact numbers (which a
    comparison with the float would convert to a fraction first)."""
    kind = type(v)
    if kind is int:
        return not -_INT_MAX <= v <= _INT_MAX
    if kind is Fraction:
        return abs(v.numerator) > _INT_MAX * v.denominator
    return v is None or not abs(v) <= _FLOAT_MAX
_CLI_HINT = "(on the command line: --no-check-orderings)"
#: the end of an ordering violation's message: how ``Model.game``/``evaluate`` use the values anyway
ORDERING_OVERRIDE_HINT = f"pass check_orderings=False {_CLI_HINT} to use them anyway"


# ---------------------------------------------------------------------------------- values
def _unknown_parameter(
    parameters: Mapping[str, Parameter], model: str, values: Mapping[str, Any], *, show_value: bool = True
) -> None:
    unknown = [k for k in values if k not in parameters]
    if unknown:
        raise ParameterError(
            f"unknown parameter '{unknown[0]}' for model '{model}'"
            f"{close_match_hint(unknown[0], parameters)}; valid parameters: "
            f"{', '.join(parameters)}",
            name=unknown[0],
            value=values[unknown[0]] if show_value else None,
        )


def check_values(
    parameters: Mapping[str, Parameter], model: str, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Every parameter's value: the given ones checked (:meth:`Parameter.check`), defaults elsewhere."""
    _unknown_parameter(parameters, model, values)
    return {n: p.check(values[n]) if n in values else p.default for n, p in parameters.items()}


def parameter_arrays(
    parameters: Mapping[str, Parameter], model: str, values: Mapping[str, Any]
) -> tuple[dict[str, np.ndarray], tuple[int, ...]]:
    """Every parameter as a float array (defaults where not given), broadcast to one shape.

    Raises
    ------
    ParameterError
        An unknown parameter, values that are not real numbers, a value outside the domain
        (:meth:`Parameter.contains`; naming its index), arrays that do not broadcast.
    """
    _unknown_parameter(parameters, model, values, show_value=False)
    arrays = {n: _parameter_array(p, values.get(n, p.default)) for n, p in parameters.items()}
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
    except ValueError:
        raise ParameterError(
            "parameter arrays do not broadcast together: "
            + ", ".join(f"{k}{a.shape}" for k, a in arrays.items())
        ) from None
    return {k: np.broadcast_to(a, shape) for k, a in arrays.items()}, tuple(shape)


def _parameter_array(p: Parameter, raw: Any) -> np.ndarray:
    try:
        arr = np.asarray(raw)
        if arr.dtype == bool or arr.dtype.kind not in "iuf":
            raise TypeError
        arr = arr.astype(float)
    except (TypeError, ValueError):
        raise ParameterError(
            f"values of parameter '{p.name}' must be real numbers, got {raw!r}",
            name=p.name,
            value=raw,
            domain=p.domain,
        ) from None
    bad = ~np.isfinite(arr)  # non-finite values first, then the domain rule
    if not bad.any():
        bad = ~np.asarray(p.contains(arr), dtype=bool)
    if bad.any():
        v = arr[bad].flat[0]
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ParameterError(
            f"value {v} of parameter '{p.name}' (at index {idx}) is outside its domain {p.domain_text}",
            name=p.name,
            value=float(v),
            domain=p.domain,
        )
    return arr


# ---------------------------------------------------------------------------------- orderings
def check_orderings_exact(
    orderings: Sequence[Ordering], model: str, subs: Mapping[sp.Symbol, Any], shown: Mapping[str, Any]
) -> None:
    """Refuse exact values (``subs``: sympy or Python numbers) that violate an ordering (``shown``: the
    values, for messages)."""
    checks = [(o, c) for o in orderings for c in o.condition.comparisons]
    diffs = evaluate_many([_difference(c.lhs, c.rhs) for _o, c in checks], subs)
    for (o, c), diff in zip(checks, diffs, strict=True):
        if not _holds_exactly(c, diff):
            names = c.parameter_names
            at = ", ".join(f"{k}={shown[k]}" for k in names if k in shown)
            raise OrderingError(
                f"values violate the ordering '{o.text}' of model '{model}' ({c} fails at {at})",
                advice=ORDERING_OVERRIDE_HINT,
                name=names[0] if names else None,
                value={k: shown[k] for k in names if k in shown},
                domain=o.text,
            )


def _holds_exactly(comp: Comparison, diff: Any) -> bool:
    """The verdict of the exact check on ``lhs - rhs`` (:func:`deterrence._numbers.evaluate`'s
    number; ``None``, not a finite real number, fails)."""
    return diff is not None and bool(comp.holds(diff, 0))


@lru_cache(maxsize=4096)
def _difference(lhs: sp.Expr, rhs: sp.Expr) -> sp.Expr:
    """``lhs - rhs``, built once per comparison (sympy's arithmetic is slow, and a sweep's
    per-point path checks the same orderings at every point)."""
    return lhs - rhs


def comparison_holds(comp: Comparison, values: Mapping[sp.Symbol, np.ndarray]) -> np.ndarray:
    """Per point of ``values`` (``{symbol: float array}``): whether the comparison holds, decided
    as :func:`check_orderings_exact` decides it at the point's values read as the decimals they
    print as (:func:`~deterrence.model._specs.exact_fraction`, as :meth:`Model.game` reads them).

    In floating point where ``lhs - rhs`` is farther from 0 than its error bound allows
    (:func:`~deterrence.model._float_bounds.value_and_error`); the other points (ties, and
    values too close to one for floats to tell) are checked exactly, once per distinct set of
    values of the comparison's parameters.
    """
    diff = _difference(comp.lhs, comp.rhs)
    value, error = value_and_error(diff, values)
    holds = np.asarray(comp.holds(value, 0.0), dtype=bool).copy()
    unsure = np.flatnonzero(~decided(value, error))
    if unsure.size:
        holds.flat[unsure] = _exact_verdicts(comp, diff, values, unsure)
    return holds


def _exact_verdicts(
    comp: Comparison, diff: sp.Expr, values: Mapping[sp.Symbol, np.ndarray], flat: np.ndarray
) -> np.ndarray:
    """The exact check of the comparison at the points of flat indices ``flat``."""
    symbols = sorted(diff.free_symbols, key=str)
    if not symbols:
        return np.full(flat.size, _holds_exactly(comp, evaluate_many([diff], {})[0]))
    columns = np.stack([np.ravel(values[s])[flat] for s in symbols], axis=1)
    rows, inverse = np.unique(columns, axis=0, return_inverse=True)

    def verdict(row: Sequence[float]) -> bool:
        subs = {s: exact_fraction(x) for s, x in zip(symbols, row, strict=True)}
        return _holds_exactly(comp, evaluate_many([diff], subs)[0])

    verdicts = np.array([verdict(row) for row in rows.tolist()], dtype=bool)
    return verdicts[np.ravel(inverse)]


def orderings_mask(
    orderings: Sequence[Ordering],
    model: str,
    symbols: Mapping[str, sp.Symbol],
    arrays: Mapping[str, np.ndarray],
    shape: tuple[int, ...],
    check: bool,
) -> np.ndarray:
    """Per point: whether every ordering holds, decided as :meth:`Model.game` decides it
    (:func:`comparison_holds`). With ``check``, a point that violates one raises
    :class:`~deterrence.errors.OrderingError`."""
    values = {symbols[n]: a for n, a in arrays.items()}
    ok = np.ones(shape, dtype=bool)
    for o in orderings:
        for comp in o.condition.comparisons:
            holds = comparison_holds(comp, values)
            ok &= holds
            if check and not np.all(holds):
                idx = tuple(int(i) for i in np.argwhere(~holds)[0])
                at = ", ".join(
                    f"{n}={float(arrays[n][idx])!r}"
                    for n in comp.parameter_names
                )
                raise OrderingError(
                    f"values violate the ordering '{o.text}' of model '{model}' at index {idx} "
                    f"({comp} fails at {at})",
                    advice=ORDERING_OVERRIDE_HINT,
                    domain=o.text,
                )
    return ok


def orderings_hold(
    orderings: Sequence[Ordering],
    symbols: Mapping[str, sp.Symbol],
    arrays: Mapping[str, np.ndarray],
    shape: tuple[int, ...],
) -> np.ndarray:
    """Per point: whether every ordering holds (:func:`orderings_mask`'s verdicts, unchecked),
    each comparison decided only at the points the comparisons before it left standing (the
    verdict at a point reads that point alone), so that a sample that most orderings reject
    costs little more than its first comparison."""
    size = int(np.prod(shape, dtype=np.int64))
    flat = {symbols[n]: np.ravel(a) for n, a in arrays.items()}
    standing = np.arange(size)
    for comp in (c for o in orderings for c in o.condition.comparisons):
        if not standing.size:
            break
        values = flat if standing.size == size else {s: a[standing] for s, a in flat.items()}
        holds = comparison_holds(comp, values)
        standing = standing[np.ravel(holds)]
    ok = np.zeros(size, dtype=bool)
    ok[standing] = True
    return ok.reshape(shape)


# ---------------------------------------------------------------------------------- one point
def check_numbers(
    tree: Tree,
    pay: Mapping[str, Mapping[str, Any]],
    prob: Mapping[str, Mapping[str, Any]],
    at: str,
    where: Where,
) -> None:
    """Payoffs finite; chance probabilities finite, in [0, 1] and summing to one (``at``: the
    values, for messages)."""
    for t, row in pay.items():
        node = tree.by_id[t]
        for p, v in row.items():
            if _not_finite(v):
                raise where.error(
                    f"payoff of '{p}' at node '{t}' is not a finite number ({tree.payoffs[t][p]} at {at})",
                    f"nodes.{t}.payoffs.{p}",
                    node.line_of(f"payoffs.{p}"),
                )
    for c, row in prob.items():
        _check_probs(tree, c, row, at, where)


def _check_probs(tree: Tree, c: str, row: Mapping[str, Any], at: str, where: Where) -> None:
    node = tree.by_id[c]
    for a, v in row.items():
        key = f"nodes.{c}.probs.{a}"
        if _not_finite(v):
            raise where.error(
                f"probability of branch '{a}' at chance node '{c}' is not a finite number "
                f"({tree.probs[c][a]} at {at})",
                key,
                node.line_of(f"probs.{a}"),
            )
        if v < 0 or v > 1:
            raise where.error(
                f"probability of branch '{a}' at chance node '{c}' is {v}, outside [0, 1] "
                f"({tree.probs[c][a]} at {at})",
                key,
                node.line_of(f"probs.{a}"),
            )
    total = sum(row.values())
    exact = all(isinstance(v, (int, Fraction)) for v in row.values())
    if (exact and total != 1) or (not exact and abs(float(total) - 1.0) > PROB_TOL):
        raise where.error(
            f"probabilities at chance node '{c}' sum to {sum_text(total)}, not 1 (at {at})",
            f"nodes.{c}.probs",
            node.line_of("probs"),
        )


def build_game(
    tree: Tree,
    players: Sequence[str],
    title: str,
    pay: Mapping[str, Mapping[str, Any]],
    prob: Mapping[str, Mapping[str, Any]],
    where: Where,
) -> ExtensiveFormGame:
    """The numeric game of the tree with these payoffs and chance probabilities."""
    built: dict[str, Any] = {}
    for nid in reversed(tree.order):
        node = tree.by_id[nid]
        if node.kind == "terminal":
            built[nid] = terminal(dict(pay[nid]), node.outcome, label=nid)
        elif node.kind == "decision":
            built[nid] = decision(
                node.player or "",
                {a: built[c] for a, c in node.actions.items()},
                infoset=node.infoset or nid,
                label=nid,
            )
        else:
            built[nid] = chance(
                {a: (prob[nid][a], built[c]) for a, c in node.actions.items()},
                infoset=node.infoset,
                label=nid,
            )
    try:
        return ExtensiveFormGame(built[tree.root], players=players, title=title)
    except GameError as exc:  # should not happen: the model checked the same things
        raise where.error(f"the numeric game is malformed: {exc}") from exc


class GameTemplate:
    """A model's numeric game at one point, re-filled with the numbers of other points.

    The tree (nodes, information sets, edge tables, perfect recall, own sequences, subgame roots,
    node arrays, levels) is built once; each point gets a copy with its own payoffs and chance probabilities
    (:meth:`~deterrence.game.ExtensiveFormGame.with_numbers`), the game :func:`build_game` would
    build from the same numbers.
    """

    def __init__(self, game: ExtensiveFormGame, tree: Tree) -> None:
        self.game, self.tree = game, tree
        nodes = game.nodes
        self.terminals = [nodes[t].label for t in game.terminals]
        self.chance = [([nodes[v].label for v in c.nodes], c.actions) for c in game.chance_infos]
        if game.has_perfect_recall():  # worked out once, shared by every copy
            game.own_sequences()
        game.subgame_roots()
        game.tree_cache  # noqa: B018 (one dictionary, shared by every copy)
        game.node_arrays  # noqa: B018 (built on first use)
        game._levels  # noqa: B018

    def fill(
        self,
        players: Sequence[str],
        pay: Mapping[str, Mapping[str, Any]],
        prob: Mapping[str, Mapping[str, Any]],
    ) -> ExtensiveFormGame | None:
        """The game at these numbers; ``None`` when they are not a valid game (:func:`build_game`
        then says what is wrong)."""
        try:
            rows = [tuple(pay[t][p] for p in players) for t in self.terminals]
            chance_rows = []
            for ids, acts in self.chance:
                row = tuple(prob[ids[0]][a] for a in acts)
                if any(tuple(prob[i][a] for a in acts) != row for i in ids[1:]):
                    return None
                chance_rows.append(row)
            return self.game.with_numbers(rows, chance_rows)
        except (GameError, KeyError):
            return None


# ---------------------------------------------------------------------------------- arrays
def lambdify_tree(symbols: Sequence[sp.Symbol], tree: Tree, players: Sequence[str]) -> Callable[..., Any]:
    """One numpy function of the parameters giving every payoff (terminal by terminal, player by
    player) and every chance probability (branch by branch). The orderings are not in it:
    :func:`orderings_mask` evaluates them with their error bounds."""
    exprs = [tree.payoffs[t][p] for t in tree.terminals for p in players]
    exprs += [tree.probs[c][a] for c, a in tree.branches]
    return numpy_function(symbols, exprs, cse=True)


def split_outputs(
    out: Sequence[Any], tree: Tree, players: Sequence[str], shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The lambdified function's outputs as ``payoffs`` ``shape + (terminals, players)`` and
    ``probs`` ``shape + (branches,)``."""
    nt, npl, nb = len(tree.terminals), len(players), len(tree.branches)
    cols = [np.broadcast_to(np.asarray(v, dtype=float), shape) for v in out]
    payoffs = (np.stack(cols[: nt * npl], axis=-1) if nt * npl else np.zeros((*shape, 0))).reshape(
        (*shape, nt, npl)
    )
    probs = np.stack(cols[nt * npl : nt * npl + nb], axis=-1) if nb else np.zeros((*shape, 0))
    return payoffs, probs


def huge_constant_error(tree: Tree, where: Where) -> ModelError:
    """The error for an expression holding a constant beyond the float range (named by node)."""
    limit = sp.Float(_FLOAT_MAX)
    for t in tree.terminals:
        for p, e in tree.payoffs[t].items():
            if any(abs(a) > limit for a in e.atoms(sp.Number)):
                return where.error(
                    f"payoff of '{p}' at node '{t}' holds a constant beyond the float range",
                    f"nodes.{t}.payoffs.{p}",
                    tree.by_id[t].line_of(f"payoffs.{p}"),
                )
    for c, a in tree.branches:
        if any(abs(x) > limit for x in tree.probs[c][a].atoms(sp.Number)):
            return where.error(
                f"probability of branch '{a}' at chance node '{c}' holds a constant beyond the float range",
                f"nodes.{c}.probs.{a}",
                tree.by_id[c].line_of(f"probs.{a}"),
            )
    return where.error("an expression overflows the float range when evaluated")


def check_arrays(
    tree: Tree,
    players: Sequence[str],
    payoffs: np.ndarray,
    probs: np.ndarray,
    arrays: Mapping[str, np.ndarray],
    where: Where,
) -> None:
    """Payoffs finite, and chance probabilities in [0, 1] summing to one, at every point."""

    def at(idx: tuple[int, ...]) -> str:
        return ", ".join(f"{n}={a[idx]:.6g}" for n, a in arrays.items())

    bad = ~np.isfinite(payoffs)
    if bad.any():
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        idx, t, p = pos[:-2], tree.terminals[pos[-2]], players[pos[-1]]
        raise where.error(
            f"payoff of '{p}' at node '{t}' is not a finite number at index {idx} ({at(idx)})",
            f"nodes.{t}.payoffs.{p}",
            tree.by_id[t].line_of(f"payoffs.{p}"),
        )
    if not probs.shape[-1]:
        return
    bad = ~np.isfinite(probs) | (probs < -PROB_TOL) | (probs > 1 + PROB_TOL)
    if bad.any():
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        idx, (c, a) = pos[:-1], tree.branches[pos[-1]]
        raise where.error(
            f"probability of branch '{a}' at chance node '{c}' is {probs[pos]}, not in "
            f"[0, 1], at index {idx} ({at(idx)})",
            f"nodes.{c}.probs.{a}",
            tree.by_id[c].line_of(f"probs.{a}"),
        )
    k = 0
    for c in tree.chance_nodes:
        m = len(tree.by_id[c].actions)
        total = probs[..., k : k + m].sum(axis=-1)
        k += m
        bad = np.abs(total - 1.0) > PROB_TOL
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise where.error(
                f"probabilities at chance node '{c}' sum to {sum_text(float(total[idx]))}, not 1, at "
                f"index {idx} ({at(idx)})",
                f"nodes.{c}.probs",
                tree.by_id[c].line_of("probs"),
            )
