"""A sweep's evaluation of the collective-defence family: many points at once, tidy rows out.

:class:`CollectiveKernel` has the interface of a compiled model (``evaluate(points) -> (rows,
undecided)``, see :mod:`deterrence.kernels`) and decides every point itself:

* exchangeable allies, simultaneous timing, more than 4 members: every symmetric equilibrium
  of every point of a member count at once (:func:`symmetric_rows`): the join equilibria by
  :func:`~deterrence.solvers._collective_symmetric.symmetric_solutions`, the Target's and the
  Attacker's replies by :func:`~deterrence.solvers._collective_upper.top_choices`, outcomes,
  payoffs and measures in closed form (binomial sums), each row certified by
  :func:`deterrence.certificates.certify_collective_batch`;
* everything else point by point with the ``collective`` solver
  (:func:`~deterrence.solvers.collective.collective_candidates`) and the same certificate;
  under ``belief_policy="free"`` the symmetric path also hands over the points where an
  equilibrium that only off-path beliefs support may exist (a quick screen of the conditions of
  :mod:`deterrence.solvers._collective_free`).

Rows follow the tidy schema of :mod:`deterrence.sweeps` (``payoff_Ally`` is the allies' mean
payoff) plus the family's :data:`~deterrence.families._collective.MEASURES`, ``path="compiled"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..certificates import certify_collective_batch
from ..equilibrium import check_belief_policy
from ..errors import ParameterError, SolverError
from ..game.collective import win_probability
from ..outcomes import indicator_values, regime_labels
from ..solvers._collective_free import SymmetricPoints, committed_others, symmetric_free
from ..solvers._collective_join import SMALL
from ..solvers._collective_symmetric import bernstein_mean, symmetric_solutions
from ..solvers._collective_upper import top_choices
from ..solvers.collective import collective_candidates
from ._pledges import COMMITMENT_TYPES
from ._schema import LABELS, MEASURES, summary_columns

TOL = 1e-8
SOLVE_TOL = 1e-9


class CollectiveKernel:
    """The family's vectorised evaluation (see the module docstring)."""

    def __init__(self, family: Any, belief_policy: str = "free", tol: float = TOL) -> None:
        self.family = family
        self.belief_policy = check_belief_policy(belief_policy)
        self.tol = tol

    def evaluate(self, points: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        """Tidy rows of every equilibrium at every point, and an all-False "undecided" mask.

        Parameters
        ----------
        points
            One column per parameter of the family; the index holds the point ids.

        Raises
        ------
        ParameterError
            A value outside its domain (naming the parameter and the point), or a point where the
            contest function is undefined.
        SolverError
            An equilibrium that fails its certificate (a bug).
        """
        fam = self.family
        cols = {name: points[name].to_numpy(dtype=float) for name in fam.parameters}
        ids = points.index.to_numpy()
        _check_domains(fam, cols, ids)
        members = cols["members"].astype(int)
        frames = []
        for n in np.unique(members):
            sel = np.flatnonzero(members == n)
            if fam.exchangeable and fam.timing == "simultaneous" and n > SMALL:
                rows, redo = symmetric_rows(
                    fam, int(n), {k: v[sel] for k, v in cols.items()}, ids[sel], self.belief_policy, self.tol
                )
                frames.append(rows)
                if len(redo):
                    keep = ~frames[-1]["point"].isin(ids[sel][redo])
                    frames[-1] = frames[-1][keep]
                    frames.append(self._one_by_one(sel[redo], cols, ids))
            else:
                frames.append(self._one_by_one(sel, cols, ids))
        frames = [f for f in frames if len(f)]
        table = pd.concat(frames, ignore_index=True) if frames else _empty(fam)
        table = table.sort_values(["point", "equilibrium"], kind="stable").reset_index(drop=True)
        return table, np.zeros(len(points), dtype=bool)

    def _one_by_one(self, sel: np.ndarray, cols: dict[str, np.ndarray], ids: np.ndarray) -> pd.DataFrame:
        rows: list[dict[str, Any]] = []
        for k in sel:
            point = {name: float(v[k]) for name, v in cols.items()}
            rows.extend(point_rows(self.family, point, int(ids[k]), self.belief_policy, self.tol))
        return pd.DataFrame(rows)


def _check_domains(fam: Any, cols: dict[str, np.ndarray], ids: np.ndarray) -> None:
    for name, par in fam.parameters.items():
        bad = ~np.asarray(par.contains(cols[name]), dtype=bool)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise ParameterError(
                f"parameter '{name}': value {cols[name][k]:g} at point {int(ids[k])} is outside "
                f"its domain {par.domain_text}",
                name=name,
                value=float(cols[name][k]),
                domain=par.domain,
            )


def _empty(fam: Any) -> pd.DataFrame:
    names = [
        "point",
        *fam.parameters,
        "equilibrium",
        "n_equilibria",
        "regime",
        "regret",
        "bayes_error",
        "path",
    ]
    return pd.DataFrame({c: [] for c in names})


# ====================================================================== one point
def point_rows(
    fam: Any, point: dict[str, float], point_id: int, belief_policy: str, tol: float = TOL
) -> list[dict[str, Any]]:
    """The tidy rows of every equilibrium at one point (the ``collective`` solver, certified)."""
    game = fam.game_at(point)
    cands, _complete, _degenerate, _notes = collective_candidates(game, belief_policy, SOLVE_TOL)
    certs = certify_collective_batch(
        [game] * len(cands), [c.strategies for c in cands], "pbe", beliefs=[c.beliefs for c in cands], tol=tol
    )
    outcomes = {lab: np.zeros(len(cands)) for lab in LABELS}
    pure = np.zeros(len(cands), dtype=bool)
    rows = []
    for j, (cand, cert) in enumerate(zip(cands, certs, strict=True)):
        if not cert.passed:
            raise SolverError(
                f"an equilibrium of {fam.name} failed its certificate at point {point_id} "
                f"(relative regret {cert.details.get('relative_regret', np.nan):.3g}); this is a bug"
            )
        summary = game.summary(cand.strategies)
        for lab in LABELS:
            outcomes[lab][j] = summary.outcomes.get(lab, 0.0)
        pure[j] = all(float(np.max(s)) >= 1 - 1e-9 for s in cand.strategies)
        pay = summary.payoffs
        row = {
            "point": point_id,
            **point,
            "equilibrium": j,
            "n_equilibria": len(cands),
            "payoff_Attacker": float(pay[0]),
            "payoff_Defender": float(pay[1]),
            **summary_columns(summary),
            "regret": cert.regret,
            "bayes_error": cert.bayes_error,
            "path": "compiled",
        }
        rows.append(row)
    _finish(rows, outcomes, pure)
    return rows


def _finish(rows: list[dict[str, Any]], outcomes: dict[str, np.ndarray], pure: np.ndarray) -> None:
    """Regimes, indicators and outcome columns (the rules of :mod:`deterrence.outcomes`)."""
    if not rows:
        return
    regimes = regime_labels(outcomes, pure, n=len(rows))
    values = indicator_values(outcomes, np.zeros(len(rows)))
    for j, row in enumerate(rows):
        row["regime"] = regimes[j]
        row.update({name: float(v[j]) for name, v in values.items()})
        row.update({f"outcome_{lab}": float(outcomes[lab][j]) for lab in LABELS})


# ====================================================================== many points, symmetric
@dataclass(frozen=True)
class RowSpec:
    """Equilibria of a group of points as arrays: the point each belongs to, the top choices,
    per kind of war the join profile (``s_c``, ``s_u``, ``q``) and the Target side's chance of
    winning, and the beliefs that support it (``(rows, sets, n)``, NaN: the prior) or ``None``."""

    pt: np.ndarray
    alpha: np.ndarray
    tau: np.ndarray
    beta: np.ndarray
    joins: dict[str, dict[str, np.ndarray]]
    win: dict[str, np.ndarray]
    beliefs: np.ndarray | None = None


def symmetric_rows(
    fam: Any, n: int, cols: dict[str, np.ndarray], ids: np.ndarray, belief_policy: str, tol: float = TOL
) -> tuple[pd.DataFrame, np.ndarray]:
    """Every symmetric equilibrium at every point (exchangeable allies, ``n`` members).

    Returns the rows and the indices (into the points) to be solved one by one instead (the
    provocation-prone variant under free beliefs, where an equilibrium that only off-path beliefs
    support may exist).
    """
    p = _Points(fam, n, cols)
    wars = ("defence", "provoked") if fam.provocation else ("defence",)
    sols = {
        w: symmetric_solutions(p.pi, p.w_c, p.w_u, p.cost, p.audience(w), p.v, p.delta, SOLVE_TOL)
        for w in wars
    }
    combo = _combinations(sols, wars, len(ids))
    win = {w: bernstein_mean(p.win[combo[w]["point"]], combo[w]["q"]) for w in wars}
    pt = combo["defence"]["point"]
    eps = SOLVE_TOL * (1.0 + p.v + p.g + p.c_a + p.c_d)[pt]
    top = top_choices(win["defence"], win.get("provoked"), p.v[pt], p.c_a[pt], p.c_d[pt], p.g[pt], eps)
    o = top.owner
    spec = RowSpec(
        pt[o],
        top.alpha,
        top.tau,
        top.beta,
        {w: {k: v[o] for k, v in combo[w].items()} for w in wars},
        {w: win[w][o] for w in wars},
    )
    specs = [spec]
    redo = np.zeros(0, dtype=np.int64)
    if belief_policy == "free" and fam.provocation:
        redo = _free_screen(p, sols, wars)
    elif belief_policy == "free":
        specs.append(_free_spec(p, sols["defence"]))
    frames = [_RowBuilder(fam, p, cols, ids, sp, wars).build(tol) for sp in specs if len(sp.pt)]
    return _numbered(frames), redo


def _numbered(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames of one group joined, equilibria numbered per point in order."""
    table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    table = table.sort_values("point", kind="stable").reset_index(drop=True)
    table["equilibrium"] = table.groupby("point").cumcount().to_numpy()
    table["n_equilibria"] = table.groupby("point")["point"].transform("size").to_numpy()
    return table


class _Points:
    """The parameters of a group of points with ``n`` exchangeable allies, as arrays."""

    def __init__(self, fam: Any, n: int, cols: dict[str, np.ndarray]) -> None:
        self.n = n
        self.fam = fam
        self._games: dict[int, Any] = {}
        self.pi, self.cost = cols["credibility"], cols["cost_ally"]
        self.w_c, self.w_u = cols["interest_committed"], cols["interest_uncommitted"]
        self.v, self.c_a, self.c_d = cols["stakes"], cols["cost_attacker"], cols["cost_defender"]
        zeros = np.zeros(len(self.v))
        self.rho = cols.get("initiative", zeros)
        self.g = cols.get("revision", zeros)
        self.cond = cols.get("conditional", zeros)
        code = cols["pledge"].astype(int)
        mult = np.array([COMMITMENT_TYPES[c][1] for c in code]) if len(code) else zeros
        self.pledged = (code != 0) & (not fam.is_baseline)
        self.a = np.where(self.pledged, cols["audience_cost"] * mult, 0.0)
        k = cols["capability"]
        grid = np.arange(n + 1)[None, :] * k[:, None]
        self.win = win_probability(
            cols["p_alone"][:, None], cols["p_allied"][:, None], cols["decisiveness"][:, None], grid
        )
        _check_contest(cols, k * n)
        self.delta = np.diff(self.win, axis=1)
        gain = self.delta.max(axis=1) * self.v
        self.unwilling = np.column_stack(
            [
                self.w_c * gain < self.cost - 1e-12 * np.maximum(1, self.cost),
                self.w_u * gain < self.cost - 1e-12 * np.maximum(1, self.cost),
            ]
        )
        self.unwilling &= self.pledged[:, None]

    def audience(self, war: str) -> np.ndarray:
        return self.a * (1 - self.cond) if war == "provoked" else self.a

    def covered(self, war: str) -> np.ndarray:
        return self.pledged & (self.cond < 1) if war == "provoked" else self.pledged

    def game(self, k: int, cols: dict[str, np.ndarray]) -> Any:
        """The aggregated game at point ``k`` of the group (built once)."""
        if k not in self._games:
            self._games[k] = self.fam.game_at({name: float(v[k]) for name, v in cols.items()})
        return self._games[k]


def _check_contest(cols: dict[str, np.ndarray], total: np.ndarray) -> None:
    """Refuse points where the contest function is undefined (as ``Contest.check`` does)."""
    from ..game.collective import Contest

    p0, p1, r = cols["p_alone"], cols["p_allied"], cols["decisiveness"]
    with np.errstate(divide="ignore", invalid="ignore"):
        x0 = np.where(p0 < 1, (p0 / np.where(p0 < 1, 1 - p0, 1)) ** (1 / r), np.inf)
        x1 = np.where(p1 < 1, (p1 / np.where(p1 < 1, 1 - p1, 1)) ** (1 / r), np.inf)
        bad = (p1 < 1) & (total > 0) & ((p0 >= 1) | (x0 + total * (x1 - x0) < -1e-12 * np.maximum(1, x0)))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        Contest(float(p0[k]), float(p1[k]), float(r[k])).check(float(total[k]))


def _combinations(sols: dict[str, Any], wars: tuple[str, ...], npts: int) -> dict[str, dict[str, np.ndarray]]:
    """Every pair of symmetric solutions (one per kind of war) at the same point."""
    d = sols["defence"]
    if len(wars) == 1:
        return {"defence": {"point": d.point, "s_c": d.s_c, "s_u": d.s_u, "q": d.q, "knife": d.knife}}
    pr = sols["provoked"]
    left, right = [], []
    for pt in range(npts):
        a = np.flatnonzero(d.point == pt)
        b = np.flatnonzero(pr.point == pt)
        left.append(np.repeat(a, len(b)))
        right.append(np.tile(b, len(a)))
    li, ri = np.concatenate(left).astype(np.int64), np.concatenate(right).astype(np.int64)
    return {
        "defence": {
            "point": d.point[li],
            "s_c": d.s_c[li],
            "s_u": d.s_u[li],
            "q": d.q[li],
            "knife": d.knife[li],
        },
        "provoked": {
            "point": pr.point[ri],
            "s_c": pr.s_c[ri],
            "s_u": pr.s_u[ri],
            "q": pr.q[ri],
            "knife": pr.knife[ri],
        },
    }


class _RowBuilder:
    """Outcomes, payoffs, measures, certificates and the table of a group's equilibria."""

    def __init__(
        self,
        fam: Any,
        p: _Points,
        cols: dict[str, np.ndarray],
        ids: np.ndarray,
        spec: RowSpec,
        wars: tuple[str, ...],
    ) -> None:
        self.fam, self.p, self.cols, self.ids, self.wars = fam, p, cols, ids, wars
        self.pt = spec.pt
        self.top = spec
        self.j = spec.joins
        self.win = spec.win
        self.beliefs = spec.beliefs

    def _stage(self, war: str) -> dict[str, np.ndarray]:
        p, j, pt, n = self.p, self.j[war], self.pt, self.p.n
        q, s_c, s_u = j["q"], j["s_c"], j["s_u"]
        pi = p.pi[pt]
        e = pi * s_c * p.unwilling[pt, 0] + (1 - pi) * s_u * p.unwilling[pt, 1]
        stay = bernstein_mean(p.win[pt][:, :n], q)
        fight = bernstein_mean(p.win[pt][:, 1:], q)
        a = p.audience(war)[pt]
        cost = p.cost[pt]
        v = p.v[pt]
        ally = pi * (s_c * (p.w_c[pt] * v * fight - cost) + (1 - s_c) * (p.w_c[pt] * v * stay - a)) + (
            1 - pi
        ) * (s_u * (p.w_u[pt] * v * fight - cost) + (1 - s_u) * (p.w_u[pt] * v * stay - a))
        covered = p.covered(war)[pt]
        return {
            "none": (1 - q) ** n,
            "abandon": np.where(covered, 1 - q**n, 0.0),
            "entrapped": e,
            "some_entrapped": 1 - (1 - e) ** n,
            "ally": ally,
            "q": q,
            "covered": covered,
        }

    def build(self, tol: float) -> pd.DataFrame:
        p, t, pt = self.p, self.top, self.pt
        rho = p.rho[pt]
        v, g = p.v[pt], p.g[pt]
        weight = {"defence": (1 - rho) * t.alpha * t.tau, "provoked": rho * t.beta}
        stages = {w: self._stage(w) for w in self.wars}
        quo = (1 - rho) * (1 - t.alpha) + rho * (1 - t.beta)
        out = {lab: np.zeros(len(pt)) for lab in LABELS}
        out["status_quo"] = quo
        out["capitulation"] = (1 - rho) * t.alpha * (1 - t.tau)
        pay_a = out["capitulation"] * v
        pay_d = quo * v
        ally_quo = v * (p.pi[pt] * p.w_c[pt] + (1 - p.pi[pt]) * p.w_u[pt])
        pay_l = quo * ally_quo
        meas = {m: np.zeros(len(pt)) for m in MEASURES}
        for w in self.wars:
            s, wt, win = stages[w], weight[w], self.win[w]
            out["war"] += wt * s["none"]
            out["allied_war"] += wt * (1 - s["none"])
            out["abandonment"] += wt * s["abandon"]
            out["entrapment"] += wt * s["some_entrapped"]
            if w == "defence":
                pay_a += wt * ((1 - win) * v - p.c_a[pt])
                pay_d += wt * (win * v - p.c_d[pt])
            else:
                pay_a += wt * ((1 - win) * v - win * g - p.c_a[pt])
                pay_d += wt * (win * (v + g) - p.c_d[pt])
            pay_l += wt * s["ally"]
            meas["expected_allies_at_war"] += wt * p.n * s["q"]
            meas["expected_entrapped"] += wt * p.n * s["entrapped"]
            meas["p_full_abandonment"] += wt * s["none"] * s["covered"]
            if w == "provoked":
                meas["p_chain_gang"] += wt * s["some_entrapped"]
            meas["p_target_wins"] += wt * win
        meas["join_probability"] = stages["defence"]["q"]
        certs = self._certify(tol)
        return self._table(out, {"Attacker": pay_a, "Defender": pay_d, "Ally": pay_l}, meas, certs)

    def _profiles(self) -> np.ndarray:
        """``(rows, sets, 2)``: every row's profile in the order of the game's information sets."""
        p, t = self.p, self.top
        cols = [np.column_stack([1 - t.alpha, t.alpha]), np.column_stack([1 - t.tau, t.tau])]
        if self.fam.provocation:
            cols.append(np.column_stack([1 - t.beta, t.beta]))
        for w in self.wars:
            for _i in range(p.n):
                for key in ("s_c", "s_u"):
                    s = self.j[w][key]
                    cols.append(np.column_stack([s, 1 - s]))
        return np.stack(cols, axis=1)

    def _certify(self, tol: float) -> list[Any]:
        games = [self.p.game(int(k), self.cols) for k in self.pt]
        certs = certify_collective_batch(games, self._profiles(), "pbe", beliefs=self.beliefs, tol=tol)
        for k, c in enumerate(certs):
            if not c.passed:
                raise SolverError(
                    f"a symmetric equilibrium of {self.fam.name} failed its certificate at point "
                    f"{int(self.ids[self.pt[k]])} (relative regret "
                    f"{c.details.get('relative_regret', np.nan):.3g}); this is a bug"
                )
        return certs

    def _table(
        self,
        out: dict[str, np.ndarray],
        pay: dict[str, np.ndarray],
        meas: dict[str, np.ndarray],
        certs: list[Any],
    ) -> pd.DataFrame:
        t, pt = self.top, self.pt
        pure = np.isin(t.alpha, (0, 1)) & np.isin(t.tau, (0, 1)) & np.isin(t.beta, (0, 1))
        for w in self.wars:
            pure &= np.isin(self.j[w]["s_c"], (0, 1)) & np.isin(self.j[w]["s_u"], (0, 1))
        data: dict[str, Any] = {"point": self.ids[pt]}
        for name, v in self.cols.items():
            data[name] = v[pt]
        data["equilibrium"] = np.zeros(len(pt), dtype=np.int64)  # numbered by _numbered
        data["n_equilibria"] = np.zeros(len(pt), dtype=np.int64)
        data["regime"] = regime_labels(out, pure, n=len(pt))
        data.update(indicator_values(out, np.zeros(len(pt))))
        for name, v in pay.items():
            data[f"payoff_{name}"] = v
        for lab in LABELS:
            data[f"outcome_{lab}"] = out[lab]
        data["regret"] = np.array([c.regret for c in certs])
        data["bayes_error"] = np.array([c.bayes_error for c in certs])
        data["path"] = np.full(len(pt), "compiled")
        data.update(meas)
        return pd.DataFrame(data)


def _symmetric_points(p: _Points, war: str) -> SymmetricPoints:
    return SymmetricPoints(p.pi, p.w_c, p.w_u, p.cost, p.audience(war), p.v, p.c_a, p.c_d, p.g, p.win)


def _free_spec(p: _Points, sols: Any) -> RowSpec:
    """The equilibria that only free off-path beliefs support, at every point of the group (one
    kind of war): cases A and B of :func:`~deterrence.solvers._collective_free.symmetric_free`,
    with the beliefs that support them for the certificate."""
    n = p.n
    rows = symmetric_free(_symmetric_points(p, "defence"), sols, "defence", SOLVE_TOL)
    beliefs = np.full((len(rows.point), 2 + 2 * n, n), np.nan)
    tables: dict[int, np.ndarray] = {}
    for r in range(len(rows.point)):
        if rows.target[r] >= 0:
            beliefs[r, 1, :] = float(rows.target[r])
        for t in (0, 1):
            m = int(rows.believed[r, t])
            if m >= 0:
                if m not in tables:
                    tables[m] = committed_others(n, m)
                beliefs[r, 2 + 2 * np.arange(n) + t, :] = tables[m]
    joins = {
        "defence": {
            "s_c": rows.s_c,
            "s_u": rows.s_u,
            "q": rows.q,
            "knife": np.zeros(len(rows.point), dtype=bool),
        }
    }
    return RowSpec(rows.point, rows.alpha, rows.tau, rows.beta, joins, {"defence": rows.win}, beliefs)


def _free_screen(p: _Points, sols: dict[str, Any], wars: tuple[str, ...]) -> np.ndarray:
    """Points of the provocation-prone variant where free beliefs add an equilibrium in some kind
    of war; they are solved one by one (where the two kinds of war are combined)."""
    flag = np.zeros(len(p.v), dtype=bool)
    for war in wars:
        rows = symmetric_free(_symmetric_points(p, war), sols[war], war, SOLVE_TOL)
        flag[rows.point] = True
    return np.flatnonzero(flag)


__all__ = ["CollectiveKernel", "RowSpec", "point_rows", "symmetric_rows"]
