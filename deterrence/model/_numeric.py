"""A model's numbers: parameter values checked, games built, expressions compiled and checked.

:class:`_ModelNumeric` holds the helper methods behind :meth:`Model.game
<deterrence.model.Model.game>` and :meth:`Model.evaluate <deterrence.model.Model.evaluate>`:
values checked against the domains (``_values``) and the orderings (``_check_orderings_exact``),
chance probabilities checked (``_check_probs``), the numeric tree built (``_build_game``), the
expressions lambdified once (``_compile``), and the errors for arrays of points
(``_check_arrays``, ``_huge_constant_error``).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from ..errors import GameError, ModelError, ParameterError
from ..game.extensive import ExtensiveFormGame
from ..game.tree import chance, decision, terminal
from ._specs import _PROB_TOL, _to_number


class _ModelNumeric:
    """Numeric helper methods of :class:`~deterrence.model.Model` (a mixin: they use the attributes
    its constructor sets)."""

    # ------------------------------------------------------------------ values
    def _values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        unknown = [k for k in values if k not in self.parameters]
        if unknown:
            raise ParameterError(
                f"unknown parameter '{unknown[0]}' for model '{self.name}'; valid parameters: "
                f"{', '.join(self.parameters)}",
                name=unknown[0],
                value=values[unknown[0]],
            )
        out = {}
        for n, p in self.parameters.items():
            out[n] = p.check(values[n]) if n in values else p.default
        return out

    def _check_orderings_exact(self, subs: Mapping[sp.Symbol, sp.Expr], shown: Mapping[str, Any]) -> None:
        for o in self.orderings:
            for c in o.condition.comparisons:
                diff = _to_number((c.lhs - c.rhs).xreplace(subs))
                if diff is None or not c.holds(diff, 0):
                    names = sorted(str(s) for s in (c.lhs.free_symbols | c.rhs.free_symbols))
                    at = ", ".join(f"{k}={shown[k]}" for k in names if k in shown)
                    raise ParameterError(
                        f"values violate the ordering '{o.text}' of model '{self.name}' ({c} fails at {at}); "
                        "pass check_orderings=False to use them anyway",
                        name=names[0] if names else None,
                        value={k: shown[k] for k in names if k in shown},
                        domain=o.text,
                    )

    def _check_probs(self, c: str, row: Mapping[str, Any], at: str) -> None:
        node = self._by_id[c]
        for a, v in row.items():
            key = f"nodes.{c}.probs.{a}"
            if v is None or not abs(v) <= 1.7976931348623157e308:  # NaN, inf or too large for a float
                raise self._error(
                    f"probability of branch '{a}' at chance node '{c}' is not a finite number "
                    f"({self._probs[c][a]} at {at})",
                    key,
                    node.line_of(f"probs.{a}"),
                )
            if v < 0 or v > 1:
                raise self._error(
                    f"probability of branch '{a}' at chance node '{c}' is {v}, outside [0, 1] "
                    f"({self._probs[c][a]} at {at})",
                    key,
                    node.line_of(f"probs.{a}"),
                )
        total = sum(row.values())
        exact = all(isinstance(v, (int, Fraction)) for v in row.values())
        if (exact and total != 1) or (not exact and abs(float(total) - 1.0) > _PROB_TOL):
            raise self._error(
                f"probabilities at chance node '{c}' sum to {float(total):.12g}, not 1 (at {at})",
                f"nodes.{c}.probs",
                node.line_of("probs"),
            )

    def _build_game(
        self, pay: Mapping[str, Mapping[str, Any]], prob: Mapping[str, Mapping[str, Any]]
    ) -> ExtensiveFormGame:
        built: dict[str, Any] = {}
        for nid in reversed(self._order):
            node = self._by_id[nid]
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
            return ExtensiveFormGame(built[self.root], players=self.players, title=self.title)
        except GameError as exc:  # should not happen: the model checked the same things
            raise self._error(f"the numeric game is malformed: {exc}") from exc

    # ------------------------------------------------------------------ vectorised evaluation
    def _compile(self) -> Any:
        if self._kernel is None:
            syms = list(self.symbols.values())
            exprs = [self._payoffs[t][p] for t in self.terminals for p in self.players]
            exprs += [self._probs[c][a] for c, a in self.branches]
            conds: list[sp.Expr] = []
            for o in self.orderings:
                for comp in o.condition.comparisons:
                    conds.append(comp.lhs - comp.rhs)
            self._kernel = sp.lambdify(syms, exprs + conds, modules="numpy", cse=True)
        return self._kernel

    def _huge_constant_error(self) -> ModelError:
        """The error for an expression holding a constant beyond the float range (named by node)."""
        limit = sp.Float(1.7976931348623157e308)
        for t in self.terminals:
            for p, e in self._payoffs[t].items():
                if any(abs(a) > limit for a in e.atoms(sp.Number)):
                    return self._error(
                        f"payoff of '{p}' at node '{t}' holds a constant beyond the float range",
                        f"nodes.{t}.payoffs.{p}",
                        self._by_id[t].line_of(f"payoffs.{p}"),
                    )
        for c, a in self.branches:
            if any(abs(x) > limit for x in self._probs[c][a].atoms(sp.Number)):
                return self._error(
                    f"probability of branch '{a}' at chance node '{c}' holds a constant beyond "
                    "the float range",
                    f"nodes.{c}.probs.{a}",
                    self._by_id[c].line_of(f"probs.{a}"),
                )
        return self._error("an expression overflows the float range when evaluated")

    def _check_arrays(self, payoffs: np.ndarray, probs: np.ndarray, arrays: Mapping[str, np.ndarray]) -> None:
        def at(idx: tuple[int, ...]) -> str:
            return ", ".join(f"{n}={a[idx]:.6g}" for n, a in arrays.items())

        bad = ~np.isfinite(payoffs)
        if bad.any():
            pos = tuple(int(i) for i in np.argwhere(bad)[0])
            idx, t, p = pos[:-2], self.terminals[pos[-2]], self.players[pos[-1]]
            raise self._error(
                f"payoff of '{p}' at node '{t}' is not a finite number at index {idx} ({at(idx)})",
                f"nodes.{t}.payoffs.{p}",
                self._by_id[t].line_of(f"payoffs.{p}"),
            )
        if probs.shape[-1]:
            bad = ~np.isfinite(probs) | (probs < -_PROB_TOL) | (probs > 1 + _PROB_TOL)
            if bad.any():
                pos = tuple(int(i) for i in np.argwhere(bad)[0])
                idx, (c, a) = pos[:-1], self.branches[pos[-1]]
                raise self._error(
                    f"probability of branch '{a}' at chance node '{c}' is {probs[pos]}, not in "
                    f"[0, 1], at index {idx} ({at(idx)})",
                    f"nodes.{c}.probs.{a}",
                    self._by_id[c].line_of(f"probs.{a}"),
                )
            k = 0
            for c in self.chance_nodes:
                m = len(self._by_id[c].actions)
                total = probs[..., k : k + m].sum(axis=-1)
                k += m
                bad = np.abs(total - 1.0) > _PROB_TOL
                if bad.any():
                    idx = tuple(int(i) for i in np.argwhere(bad)[0])
                    raise self._error(
                        f"probabilities at chance node '{c}' sum to {total[idx]:.12g}, not 1, at "
                        f"index {idx} ({at(idx)})",
                        f"nodes.{c}.probs",
                        self._by_id[c].line_of("probs"),
                    )
