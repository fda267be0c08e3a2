"""Commitment types: how often does the ally assist, by the kind of alliance it signed?

The model ``models/extended_deterrence_commitment_types.toml`` (builder
:func:`deterrence.catalogue.builders.extended_deterrence_commitment_types`) carries the kind of
alliance as a numeric parameter ``commitment_type``: 0 coalition of convenience, 1 non-aggression
pact, 2 entente, 3 defence pact (codes in the model's ``[meta] commitment_types``). The type sets
the ally's audience cost of reneging and the credibility the Attacker infers. This module sweeps
one Sobol sample of the *other* parameters once per type code and compares the ally's probability
of assistance across types.

Assistance probability
----------------------
Per parameter point and equilibrium, the probability that the ally fights given that the
Defender was attacked and resisted, computed from outcome probabilities only::

    assistance = P(allied_war) / (P(allied_war) + P(war))

where the denominator is positive, ``NaN`` where it is zero (no war on the equilibrium path: the
Attacker is deterred, or the attacked Defender concedes). In the models of this module every
war is one the ally joined (``allied_war``) or stayed out of (``war``; with ``abandonment`` as well
where it broke a treaty, not for a coalition of convenience), so the denominator is the
probability that the Defender is attacked and resists. A model without both labels is refused.

The ordering
------------
The empirical claim (issue 9; Leeds et al. 2002) is an ordering of assistance in war: defence
pact > entente > non-aggression pact. :func:`commitment_type_sweep` reports, per point, whether
the assistance probabilities of these three types satisfy it strictly (``ordering_holds``), with
a tie (``ordering_tie``), reversed (``ordering_reversed``), or cannot be compared because some type
has no war on its equilibrium path (``ordering_defined`` False). ``ordering_case`` names the case.

The sample
----------
The other parameters are drawn from a scrambled Sobol sequence
(:func:`deterrence.sweeps.sample_unit`, the sweep engine's sampler) over their declared domains,
with :data:`DEFAULT_BOUNDS` where a domain is unbounded, and only points that satisfy the model's
orderings are kept (the first ``samples`` accepted points of the sequence, in order). ``stakes``
is fixed at 1 by default: every payoff is linear in ``stakes``, the costs and the audience cost,
so scaling them together changes no equilibrium and the costs are read per unit of stakes.
Each point is evaluated once per type code by the compiled kernels
(:func:`deterrence.kernels.compile_model`, knife edges included), with the points they cannot
decide solved one by one (:mod:`deterrence.sweeps._pointwise`), exactly as
:func:`deterrence.sweep` evaluates a chunk; one
equilibrium per point is selected by the sweep's rule (:mod:`deterrence.sweeps._tidy`).
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._numbers import numpy_function
from ..errors import OptionError, ParameterError, SweepError, UnsupportedError

__all__ = [
    "COMPARED",
    "DEFAULT_BOUNDS",
    "DEFAULT_FIXED",
    "MODEL",
    "assistance_probability",
    "commitment_type_sweep",
    "ordering_by_point",
    "sample_points",
    "summarise",
    "type_codes",
]

#: the catalogue model swept by :func:`commitment_type_sweep`
MODEL = "extended_deterrence_commitment_types"

#: the types whose assistance probabilities are compared, strongest promise first
COMPARED: tuple[str, ...] = ("defence_pact", "entente", "non_aggression_pact")

#: sampling ranges for parameters whose declared domain is unbounded (per unit of stakes):
#: costs and the audience cost up to the whole prize, the committed type's interest up to
#: twice it, the uncommitted type's up to once it
DEFAULT_BOUNDS: dict[str, tuple[float, float]] = {
    "max_audience_cost": (0.0, 1.0),
    "cost_attacker": (0.0, 1.0),
    "cost_defender": (0.0, 1.0),
    "cost_ally": (0.0, 1.0),
    "interest_committed": (0.0, 2.0),
    "interest_uncommitted": (0.0, 1.0),
}

#: parameters pinned unless the caller passes them (see the module docstring on ``stakes``)
DEFAULT_FIXED: dict[str, float] = {"stakes": 1.0}

#: outcome probabilities below this count as zero
TOL = 1e-9

_INDICATORS = ("p_attack", "p_war", "p_allied_war", "p_abandonment", "p_entrapment")
_DERIVED = ("credibility", "audience_cost", "entrapment_threshold")


# ------------------------------------------------------------------ assistance probability
def assistance_probability(table: pd.DataFrame, tol: float = TOL) -> pd.Series:
    """The probability that the ally fights, given that the Defender is attacked and resists.

    ``P(allied_war) / (P(allied_war) + P(war))`` per row, from the tidy columns
    ``outcome_allied_war`` and ``outcome_war``; ``NaN`` where the denominator is at most
    ``tol`` (no war on the path). See the module docstring.

    Parameters
    ----------
    table
        A tidy sweep table (:attr:`deterrence.SweepResult.table`) or any frame with those columns.
    tol
        Denominators at or below this are treated as zero.

    Returns
    -------
    pandas.Series
        Indexed like ``table``, named ``assistance``.

    Raises
    ------
    SweepError
        If a needed column is missing (a model without the ``allied_war`` or ``war`` label: no
        war the ally could join or stay out of).
    """
    missing = [c for c in ("outcome_allied_war", "outcome_war") if c not in table.columns]
    if missing:
        raise SweepError(
            f"assistance_probability needs the column(s) {', '.join(missing)}: the model's outcomes must "
            "include 'allied_war' and 'war' (a war the ally can join or stay out of)"
        )
    allied = table["outcome_allied_war"].to_numpy(dtype=float)
    refused = table["outcome_war"].to_numpy(dtype=float)
    denom = allied + refused
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(denom > tol, allied / np.where(denom > tol, denom, 1.0), np.nan)
    return pd.Series(out, index=table.index, name="assistance")


# ------------------------------------------------------------------ the model and its types
def _model(model: Any = None) -> Any:
    if model is None or isinstance(model, str):
        from ..catalogue import load_model

        return load_model(model or MODEL)
    return model


def type_codes(model: Any = None) -> dict[str, int]:
    """Commitment type name -> code of ``commitment_type``, from the model's ``[meta]``.

    Raises
    ------
    SweepError
        If the model has no ``commitment_type`` parameter or no ``commitment_types`` table, or
        lacks one of the compared types.
    """
    model = _model(model)
    meta = dict(getattr(model, "meta", None) or {})
    codes = meta.get("commitment_types")
    if "commitment_type" not in model.parameters or not isinstance(codes, Mapping):
        raise SweepError(
            f"model '{getattr(model, 'name', '?')}' has no commitment_type parameter with a "
            "[meta] commitment_types table; use models/extended_deterrence_commitment_types.toml"
        )
    out = {str(k): int(v) for k, v in codes.items()}
    lacking = [t for t in COMPARED if t not in out]
    if lacking:
        raise SweepError(f"model '{model.name}' lacks the commitment type(s) {', '.join(lacking)} in [meta]")
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


# ------------------------------------------------------------------ the sample
def _ranges(model: Any, varied: Sequence[str], bounds: Mapping[str, Sequence[float]]
            ) -> tuple[np.ndarray, np.ndarray]:
    lo = np.empty(len(varied))
    hi = np.empty(len(varied))
    for k, name in enumerate(varied):
        par = model.parameters[name]
        dom = tuple(float(x) for x in par.domain)
        b = _pair(name, bounds[name]) if name in bounds else dom
        if len(b) != 2 or not b[0] < b[1]:
            raise SweepError(f"bounds for '{name}' must be (lo, hi) with lo < hi, got {list(b)}")
        if not all(map(math.isfinite, b)):
            raise SweepError(
                f"parameter '{name}' has an unbounded domain [{dom[0]:g}, {dom[1]:g}]; "
                f"give bounds={{'{name}': (lo, hi)}} or fix it"
            )
        if name in bounds and not all(par.contains(b)):  # each end in the domain, as for dt.sweep
            raise ParameterError(
                f"bounds {list(b)} for '{name}' leave its domain {par.domain_text}",
                name=name, value=b, domain=dom,
            )
        lo[k], hi[k] = b
    return lo, hi


def _pair(name: str, given: Any) -> tuple[float, ...]:
    """Bounds ``(lo, hi)`` as floats; a :class:`SweepError` for anything but a pair of numbers."""
    if isinstance(given, str | bytes) or not isinstance(given, Sequence | np.ndarray) or not all(
        isinstance(x, numbers.Real) and not isinstance(x, bool | np.bool_) for x in given
    ):
        raise SweepError(f"bounds for '{name}' must be (lo, hi), two numbers; got {given!r}")
    return tuple(float(x) for x in given)


def sample_points(
    samples: int,
    seed: int = 0,
    *,
    model: Any = None,
    bounds: Mapping[str, Sequence[float]] | None = None,
    fixed: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The first ``samples`` points of a scrambled Sobol sequence that satisfy the model's orderings.

    Every parameter other than ``commitment_type`` and those in ``fixed`` is drawn over its
    declared domain, or over ``bounds`` / :data:`DEFAULT_BOUNDS` where the domain is unbounded.
    :data:`DEFAULT_FIXED` pins ``stakes`` at 1 unless ``fixed`` or ``bounds`` names it. The
    sequence is drawn in powers of two until enough points satisfy the orderings.

    Returns
    -------
    pandas.DataFrame
        Index ``point`` (``0..samples-1``), one column per parameter; ``commitment_type`` is NaN
        (set per type by :func:`commitment_type_sweep`).

    Raises
    ------
    SweepError
        ``samples`` not a positive integer, an unknown parameter, an unbounded range, or a design
        whose points (almost) never satisfy the orderings.
    ParameterError
        A fixed value or bound outside its parameter's domain.
    """
    from ..sweeps import sample_unit

    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples <= 0:
        raise SweepError(f"samples must be a positive integer, got {samples!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SweepError(f"seed must be a non-negative integer, got {seed!r}")
    model = _model(model)
    bounds = dict(bounds or {})
    fixed = {**{n: v for n, v in DEFAULT_FIXED.items() if n not in bounds}, **dict(fixed or {})}
    bounds = {**DEFAULT_BOUNDS, **bounds}
    for what, names in (("fixed", fixed), ("bounds", bounds)):
        unknown = [n for n in names if n not in model.parameters]
        if unknown:
            raise SweepError(f"unknown parameter '{unknown[0]}' in {what}=; parameters are "
                             f"{', '.join(model.parameters)}")
    if "commitment_type" in fixed:
        raise SweepError("commitment_type is swept over every type code; do not fix it")
    for name, value in fixed.items():
        model.parameters[name].check(value, what="fixed value")
    varied = [n for n in model.parameters if n != "commitment_type" and n not in fixed]
    lo, hi = _ranges(model, varied, bounds)
    n_draw = 1 << max(6, math.ceil(math.log2(8 * samples)))
    while True:
        unit = sample_unit("sobol", n_draw, len(varied), int(seed))
        values = {n: lo[k] + unit[:, k] * (hi[k] - lo[k]) for k, n in enumerate(varied)}
        for n, v in fixed.items():
            values[n] = np.full(n_draw, float(v))
        values["commitment_type"] = np.full(n_draw, float(model.parameters["commitment_type"].default))
        ok = np.asarray(model.evaluate(values, check=False, check_orderings=False).ordering_ok, dtype=bool)
        ok = np.broadcast_to(ok, (n_draw,))
        if ok.sum() >= samples:
            break
        if n_draw >= 1 << 24:
            raise SweepError(
                f"only {int(ok.sum())} of {n_draw:,} Sobol points satisfy the model's orderings; "
                "widen the bounds or fix fewer parameters")
        n_draw *= 2
    keep = np.flatnonzero(ok)[:samples]
    frame = pd.DataFrame({n: np.asarray(values[n])[keep] for n in model.parameters})
    frame["commitment_type"] = np.nan
    frame.index = pd.RangeIndex(samples, name="point")
    return frame


# ------------------------------------------------------------------ evaluation
def _derived_functions(model: Any) -> dict[str, Any]:
    """The model's derived quantities of :data:`_DERIVED` as numpy functions of all parameters."""
    symbols = [model.symbols[n] for n in model.parameters]
    derived = getattr(model, "derived", {}) or {}
    return {name: numpy_function(symbols, derived[name].expr) for name in _DERIVED if name in derived}


def _derived(model: Any, functions: Mapping[str, Any], points: pd.DataFrame) -> dict[str, np.ndarray]:
    args = [points[n].to_numpy(dtype=float) for n in model.parameters]
    return {name: np.broadcast_to(np.asarray(f(*args), dtype=float), (len(points),)).copy()
            for name, f in functions.items()}


def _selected_rows(model: Any, compiled: Any, points: pd.DataFrame, concept: str, belief_policy: str,
                   selection: str) -> pd.DataFrame:
    """The selected equilibrium's tidy row at every point (compiled; undecided points per point)."""
    from ..sweeps import evaluate_points, select

    rows, undecided = compiled.evaluate(points)
    undecided = np.asarray(undecided, dtype=bool)
    if undecided.any():
        redo = points[undecided].reset_index()
        rows = rows[~rows["point"].isin(redo["point"])]
        extra = evaluate_points(model, redo, concept, belief_policy)
        rows = extra if rows.empty else pd.concat([rows, extra[rows.columns.intersection(extra.columns)]],
                                                  ignore_index=True)
    rows = rows.sort_values(["point", "equilibrium"], kind="stable").reset_index(drop=True)
    chosen = rows[select(rows, selection).to_numpy()].set_index("point")
    lost = points.index.difference(chosen.index)
    if len(lost):
        p = int(lost[0])
        raise SweepError(f"no equilibrium was found at point {p} ({dict(points.loc[p])}); cannot select one")
    return chosen.loc[points.index]


def _compiled(model: Any, concept: str, belief_policy: str) -> Any:
    """The compiled kernel the study runs on; a model, concept or policy the kernels do not take is
    an :class:`~deterrence.errors.UnsupportedError` that says what the study and a sweep can do."""
    from ..kernels import compile_model

    try:
        return compile_model(model, concept, belief_policy)
    except OptionError:
        raise
    except UnsupportedError as exc:
        raise UnsupportedError(
            f"commitment_type_sweep runs on the compiled kernels, and they do not take concept={concept!r} "
            f"with belief_policy={belief_policy!r} here ({exc}); the study's default concept 'pbe' compiles, "
            "and dt.sweep with commitment_type among the varied parameters sweeps other concepts point "
            "by point") from exc


def commitment_type_sweep(
    samples: int = 1024,
    seed: int = 0,
    *,
    model: Any = None,
    bounds: Mapping[str, Sequence[float]] | None = None,
    concept: str = "pbe",
    belief_policy: str = "free",
    selection: str = "pessimistic",
    **fixed: float,
) -> pd.DataFrame:
    """Sweep one Sobol sample of the other parameters once per commitment type.

    Parameters
    ----------
    samples
        Number of parameter points (each satisfying the model's orderings).
    seed
        Seed of the scrambled Sobol sequence.
    model
        The model (default: the catalogue's ``extended_deterrence_commitment_types``).
    bounds
        Sampling ranges overriding :data:`DEFAULT_BOUNDS` or a declared domain.
    concept, belief_policy, selection
        As for :func:`deterrence.sweep` on its compiled path, which this study runs on (the
        default concept ``pbe`` compiles; the default selection is pessimistic: the equilibrium
        with the highest ``p_attack``).
    **fixed
        Parameters pinned at a value (``stakes`` is 1 unless given); not ``commitment_type``.

    Returns
    -------
    pandas.DataFrame
        One row per point and type code, sorted by point then code: ``point``, ``commitment_type``
        (the code), ``type`` (its name), the parameters, the model's derived ``credibility``,
        ``audience_cost`` and ``entrapment_threshold``, the selected equilibrium's ``regime``,
        ``n_equilibria``, ``p_attack``, ``p_war``, ``p_allied_war``, ``p_abandonment``,
        ``p_entrapment``, ``outcome_capitulation``, ``path``, then ``assistance``
        (:func:`assistance_probability`), ``war_status`` (``"war"``, ``"deterred"``: no attack,
        ``"capitulation"``: attacked and conceded, ``"mixed"`` otherwise), and the per-point
        columns of :func:`ordering_by_point` (``ordering_defined``, ``ordering_holds``,
        ``ordering_tie``, ``ordering_reversed``, ``ordering_case``) repeated on each of the
        point's rows.
    """
    from ..sweeps import SELECTIONS

    model = _model(model)
    if selection not in SELECTIONS:
        raise SweepError(f"unknown selection rule '{selection}'; rules are {', '.join(SELECTIONS)}")
    codes = type_codes(model)
    base = sample_points(samples, seed, model=model, bounds=bounds, fixed=fixed)
    compiled = _compiled(model, concept, belief_policy)
    functions = _derived_functions(model)
    parts = []
    for name, code in codes.items():
        pts = base.copy()
        pts["commitment_type"] = float(code)
        chosen = _selected_rows(model, compiled, pts, concept, belief_policy, selection)
        part = pd.DataFrame({"point": pts.index.to_numpy(), "commitment_type": code, "type": name})
        for n in model.parameters:
            if n != "commitment_type":
                part[n] = pts[n].to_numpy()
        for n, v in _derived(model, functions, pts).items():
            part[n] = v
        part["regime"] = chosen["regime"].to_numpy()
        part["n_equilibria"] = chosen["n_equilibria"].to_numpy()
        for c in _INDICATORS:
            part[c] = chosen[c].to_numpy(dtype=float)
        part["outcome_capitulation"] = (chosen["outcome_capitulation"].to_numpy(dtype=float)
                                        if "outcome_capitulation" in chosen else 0.0)
        part["path"] = chosen["path"].to_numpy()
        part["assistance"] = assistance_probability(chosen).to_numpy()
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    long["war_status"] = _war_status(long)
    long = long.sort_values(["point", "commitment_type"], kind="stable").reset_index(drop=True)
    per_point = ordering_by_point(long).filter(like="ordering_")
    return long.merge(per_point, left_on="point", right_index=True, how="left")


def _war_status(frame: pd.DataFrame) -> np.ndarray:
    war = frame["assistance"].notna().to_numpy()
    deterred = frame["p_attack"].to_numpy(dtype=float) <= TOL
    conceded = ((frame["p_attack"].to_numpy(dtype=float) >= 1 - TOL)
                & (frame["outcome_capitulation"].to_numpy(dtype=float) >= 1 - TOL))
    return np.select([war, deterred, conceded], ["war", "deterred", "capitulation"], "mixed")


# ------------------------------------------------------------------ the ordering
def ordering_by_point(frame: pd.DataFrame, tol: float = TOL) -> pd.DataFrame:
    """Per point: does defence pact > entente > non-aggression pact hold in assistance probability?

    Parameters
    ----------
    frame
        Long table with ``point``, ``type`` and ``assistance`` columns (as built by
        :func:`commitment_type_sweep`).
    tol
        Differences within ``tol`` are ties.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``point``: ``assistance_<type>`` for each compared type, and

        ``ordering_defined``
            every compared type has a war on its equilibrium path (all three defined);
        ``ordering_holds``
            defined and strictly ordered;
        ``ordering_tie``
            defined, weakly ordered, with at least one tie;
        ``ordering_reversed``
            some pair of *defined* types (not only adjacent) is strictly in the wrong order;
        ``ordering_case``
            ``"strict"``, ``"tie"``, ``"reversed"`` or ``"undefined"`` (a type without war).
    """
    missing = [c for c in ("point", "type", "assistance") if c not in frame.columns]
    if missing:
        raise SweepError(f"ordering_by_point needs the column(s) {', '.join(missing)}")
    try:
        wide = frame.pivot(index="point", columns="type", values="assistance")
    except ValueError as exc:  # a (point, type) pair given twice
        raise SweepError(f"ordering_by_point needs one row per point and type ({exc})") from None
    absent = [t for t in COMPARED if t not in wide.columns]
    if absent:
        raise SweepError(f"ordering_by_point needs rows of every compared type; missing {', '.join(absent)}")
    a = wide[list(COMPARED)].to_numpy(dtype=float)  # strongest first
    defined = ~np.isnan(a).any(axis=1)
    reversed_ = np.zeros(len(a), dtype=bool)
    for i in range(len(COMPARED)):
        for j in range(i + 1, len(COMPARED)):
            with np.errstate(invalid="ignore"):
                reversed_ |= np.nan_to_num(a[:, j] - a[:, i], nan=-1.0) > tol
    with np.errstate(invalid="ignore"):
        strict = defined & (a[:, 0] - a[:, 1] > tol) & (a[:, 1] - a[:, 2] > tol)
    tie = defined & ~strict & ~reversed_
    case = np.select([reversed_, strict, tie], ["reversed", "strict", "tie"], "undefined")
    out = pd.DataFrame({f"assistance_{t}": a[:, k] for k, t in enumerate(COMPARED)}, index=wide.index)
    out["ordering_defined"] = defined
    out["ordering_holds"] = strict
    out["ordering_tie"] = tie
    out["ordering_reversed"] = reversed_
    out["ordering_case"] = case
    return out


def summarise(frame: pd.DataFrame) -> dict[str, Any]:
    """Shares of points in each ordering case, pairwise comparisons, and per-type averages.

    Parameters
    ----------
    frame
        The result of :func:`commitment_type_sweep`.

    Returns
    -------
    dict
        ``n_points``; ``share_strict``, ``share_tie``, ``share_reversed``, ``share_undefined`` (of all
        points); ``share_strict_of_defined`` (of the points where all three compared types have a
        war); ``pairs``: for each adjacent pair ``"defence_pact>entente"`` and
        ``"entente>non_aggression_pact"``, over the points where both types have a war, the count
        ``n`` and the shares ``strict``, ``tie`` and ``reversed``; ``undefined_reasons``: over the
        undefined points, their count ``n`` and the shares where some compared type is deterred,
        where some compared type's Defender capitulates, where none of the three has a war, and
        where each type has none; ``war_status`` (type -> status -> share of points);
        ``mean_assistance`` (type -> mean over the points with a war);
        ``pooled_assistance`` (type -> sum of P(allied_war) over sum of P(allied_war) +
        P(war) across all points: the share of the sample's wars in which the ally
        fought, the quantity alliance-reliability studies count); ``mean_p_attack`` by type.
    """
    per_point = ordering_by_point(frame)
    n = len(per_point)
    cases = per_point["ordering_case"].value_counts()
    defined = int(per_point["ordering_defined"].sum())
    pairs = {}
    for strong, weak in itertools.pairwise(COMPARED):
        a, b = per_point[f"assistance_{strong}"], per_point[f"assistance_{weak}"]
        both = a.notna() & b.notna()
        d = (a - b)[both]
        m = int(both.sum())
        pairs[f"{strong}>{weak}"] = {
            "n": m,
            "strict": float((d > TOL).sum()) / m if m else math.nan,
            "tie": float((d.abs() <= TOL).sum()) / m if m else math.nan,
            "reversed": float((d < -TOL).sum()) / m if m else math.nan,
        }
    status = frame.groupby("type")["war_status"].value_counts(normalize=True).unstack(fill_value=0.0)
    undefined = per_point.index[per_point["ordering_case"] == "undefined"]
    compared = frame[frame["type"].isin(COMPARED)].pivot(index="point", columns="type", values="war_status")
    compared = compared.loc[undefined]
    m = len(undefined)
    reasons = {
        "n": m,
        "some_type_deterred": float((compared == "deterred").any(axis=1).sum()) / m if m else math.nan,
        "some_type_capitulates": float((compared == "capitulation").any(axis=1).sum()) / m if m else math.nan,
        "no_type_has_war": float((compared != "war").all(axis=1).sum()) / m if m else math.nan,
        **{f"{t}_without_war": float((compared[t] != "war").sum()) / m if m else math.nan for t in COMPARED},
    }
    grouped = frame.groupby("type")
    pooled = grouped["p_allied_war"].sum() / grouped["p_war"].sum()  # p_war = P(war) + P(allied_war)
    return {
        "n_points": n,
        **{f"share_{c}": float(cases.get(c, 0)) / n for c in ("strict", "tie", "reversed", "undefined")},
        "share_strict_of_defined": float(cases.get("strict", 0)) / defined if defined else math.nan,
        "pairs": pairs,
        "undefined_reasons": reasons,
        "war_status": {str(t): {str(s): float(v) for s, v in row.items()} for t, row in status.iterrows()},
        "mean_assistance": {str(t): float(v) for t, v in grouped["assistance"].mean().items()},
        "pooled_assistance": {str(t): float(v) for t, v in pooled.items()},
        "mean_p_attack": {str(t): float(v) for t, v in grouped["p_attack"].mean().items()},
    }
