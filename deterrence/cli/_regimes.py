"""The ``regimes`` verb: exact regime conditions, thresholds, numeric boundaries (``--json``: as data)."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

import deterrence as dt

from ._args import close_match_hint, parse_sets
from ._format import jsonable

#: the numeric boundaries' scan points and bracket width unless --grid / --tol say otherwise
SCAN_POINTS, SCAN_TOL = 17, 1e-4
#: the options of the numeric boundaries only (found where a model has no closed form)
NUMERIC_OPTIONS = ("grid", "tol", "lo", "hi", "max_mixed_sets")


def cmd_regimes(args: argparse.Namespace) -> int:
    model = dt.load_model(args.model)
    fixed = parse_sets(args.set)
    _check_scan_options(args, model, fixed)
    try:
        result = dt.regimes(model, concept=args.concept, belief_policy=args.belief_policy, **fixed)
    except (dt.UnsupportedError, dt.ResourceError) as exc:
        args.grid = SCAN_POINTS if args.grid is None else args.grid
        args.tol = SCAN_TOL if args.tol is None else args.tol
        if args.json:
            print(json.dumps(_numeric_json(model, fixed, args, reason=str(exc)), indent=2))
            return 0
        return _numeric_regimes(model, fixed, args, reason=str(exc))
    _refuse_numeric_options(args, model)
    if args.json:
        print(json.dumps(_regimes_json(model, result, fixed, args), indent=2))
        return 0
    if hasattr(result, "to_text"):
        print(result.to_text(latex=args.latex))
        param = args.threshold or ("credibility" if "credibility" in model.parameters else None)
        if param and param not in fixed:
            _print_thresholds(model, result, param, fixed, args)
        return 0
    import sympy as sp  # a plain mapping regime -> condition

    for name, cond in dict(result).items():
        print(f"{name}: {sp.latex(cond) if args.latex and isinstance(cond, sp.Basic) else cond}")
    return 0


def _check_scan_options(args: argparse.Namespace, model: Any, fixed: dict) -> None:
    """Refuse, before any work, a --threshold that is no parameter (or one --set fixes), and scan
    options no scan can use (``--grid`` below 3, ``--tol``, ``--lo``/``--hi``); numeric options
    that a closed form would ignore are refused once it is found (:func:`_refuse_numeric_options`)."""
    if args.threshold is not None:
        if args.threshold not in model.parameters:
            raise dt.ParameterError(
                f"--threshold '{args.threshold}' is not a parameter of '{model.name}'"
                f"{close_match_hint(args.threshold, model.parameters)}; "
                f"parameters: {', '.join(model.parameters)}",
                name=args.threshold,
            )
        if args.threshold in fixed:
            raise dt.ParameterError(
                f"--threshold '{args.threshold}' is also fixed by --set; drop one of them",
                name=args.threshold,
            )
    # (too many scan points: dt.numeric_threshold refuses them before any work)
    if args.grid is not None and args.grid < 3:
        raise dt.ParameterError(f"--grid must be at least 3 scan points, got {args.grid}", name="grid")
    if args.tol is not None and not (math.isfinite(args.tol) and args.tol > 0):
        raise dt.ParameterError(f"--tol must be a positive number, got {args.tol}", name="tol")
    for flag in ("lo", "hi"):
        value = getattr(args, flag)
        if value is not None and not math.isfinite(value):
            raise dt.ParameterError(f"--{flag} must be a finite number, got {value}", name=flag)
    if args.lo is not None and args.hi is not None and not args.lo < args.hi:
        raise dt.ParameterError(f"--lo {args.lo:g} must be below --hi {args.hi:g}", name="lo")
    if args.max_mixed_sets is not None and args.max_mixed_sets < 0:
        raise dt.ParameterError(f"--max-mixed-sets must be 0 or more, got {args.max_mixed_sets}",
                                name="max_mixed_sets")


def _refuse_numeric_options(args: argparse.Namespace, model: Any) -> None:
    """The regimes have a closed form: refuse the options of the numeric boundaries (``--grid``,
    ``--tol``, ``--lo``, ``--hi``, ``--max-mixed-sets``), which it would ignore without a word."""
    given = ["--" + name.replace("_", "-") for name in NUMERIC_OPTIONS if getattr(args, name) is not None]
    if given:
        concept = f" ({args.concept})" if args.concept else ""
        raise dt.ParameterError(
            f"{', '.join(given)}: options of the numeric boundaries, which '{model.name}'{concept} does "
            "not need: its regimes have a closed form, with exact thresholds; drop them",
            name=given[0][2:].replace("-", "_"),
        )


def _numeric_regimes(model: Any, fixed: dict, args: argparse.Namespace, reason: str) -> int:
    """No closed form: say so, and find the regime boundaries on one parameter numerically."""
    concept = args.concept or model.default_concept
    print(f"No closed-form regimes for '{model.name}' ({concept}, beliefs {args.belief_policy}): {reason}.")
    param = args.threshold or ("credibility" if "credibility" in model.parameters else None)
    if not param:
        print("Give --threshold PARAM (and --lo/--hi for an unbounded domain) for numeric boundaries "
              "found with the per-point solver.")
        return 0
    options = {} if args.max_mixed_sets is None else {"max_mixed_sets": args.max_mixed_sets}
    rows = dt.numeric_threshold(model, param, concept, args.belief_policy, lo=args.lo, hi=args.hi,
                             grid=args.grid, tol=args.tol, solve_options=options, **fixed)
    others = "the defaults" if not fixed else ", ".join(f"{k} = {v}" for k, v in fixed.items())
    print(f"Numeric boundaries on {param} (per-point solver on {args.grid} points, bisection to "
          f"{args.tol:g}; other parameters at {others}):")
    if not rows:
        print("  none found: the same regimes hold at every scanned point")
    for t in rows:
        below, above = ", ".join(t["below"]) or "none", ", ".join(t["above"]) or "none"
        print(f"  {param} ≈ {t['numeric']:.6g}: below {below}; above {above}")
    return 0


def _threshold_parameter(model: Any, fixed: dict, args: argparse.Namespace) -> str | None:
    """The parameter to solve boundaries for: ``--threshold``, else ``credibility`` if the model has it."""
    param = args.threshold or ("credibility" if "credibility" in model.parameters else None)
    return param if param and param not in fixed else None


def _crossings(rows: list[dict[str, Any]], latex: Any) -> list[dict[str, Any]]:
    """``dt.threshold`` rows as JSON data: the exact value as text and LaTeX where there is one."""
    return [{"value": None if t.get("value") is None else str(t["value"]),
             "latex": None if t.get("value") is None else latex(t["value"]),
             "numeric": float(t["numeric"]), "below": list(t["below"]), "above": list(t["above"]),
             "exact": bool(t.get("exact", t.get("value") is not None))} for t in rows]


def _regimes_json(model: Any, result: Any, fixed: dict, args: argparse.Namespace) -> dict[str, Any]:
    """The exact regimes (and the thresholds on one parameter) as JSON data: conditions as sympy text
    (``condition``) and as LaTeX (``latex``), in the parameters' own names and symbols."""
    import sympy as sp

    if not hasattr(result, "to_text"):  # a plain mapping regime -> condition
        regimes = [{"label": k, "condition": str(c), "latex": sp.latex(c)} for k, c in dict(result).items()]
        return {"model": model.name, "closed_form": True, "regimes": regimes}
    if not hasattr(result, "regimes"):  # a model family's regimes (deterrence.families)
        return _family_json(model, result, fixed, args)
    names = {result.symbols[k]: v for k, v in result.latex_names.items() if k in result.symbols and v}

    def latex(expr: Any) -> str:
        return sp.latex(expr, symbol_names=names)

    regimes = [{
        "label": r.label, "condition": sp.sstr(r.shown_condition), "latex": latex(r.shown_condition),
        "indicators": {k: sp.sstr(v) for k, v in r.indicators().items()},
        "structures": [{"profile": sc.profile, "mixing": {str(k): sp.sstr(v) for k, v in sc.mixing.items()},
                        "condition": sp.sstr(sc.shown), "latex": latex(sc.shown)} for sc in r.structures],
    } for r in result.regimes]
    doc = {"model": result.model, "concept": result.concept, "belief_policy": result.belief_policy,
           "fixed": jsonable(dict(result.fixed)), "closed_form": True, "regimes": regimes,
           "omitted": result.omitted, "notes": list(result.notes), "threshold": None}
    param = _threshold_parameter(model, fixed, args)
    if param:
        defaults = {n: p.default for n, p in model.parameters.items()}
        linear = [{"regime": row["regime"], "profile": row["profile"], "relation": row["relation"],
                   "threshold": sp.sstr(row["threshold"]), "latex": latex(row["threshold"])}
                  for row in result.boundaries(param, at={**defaults, **fixed})]
        rows = dt.threshold(model, param, concept=args.concept, belief_policy=args.belief_policy, **fixed)
        doc["threshold"] = {"parameter": param, "conditions": linear, "crossings": _crossings(rows, latex)}
    return doc


def _family_json(model: Any, result: Any, fixed: dict, args: argparse.Namespace) -> dict[str, Any]:
    """A model family's exact regimes as JSON data: each join regime's conditions joined by "and",
    the Target side's chance of winning ``win`` and an ally's marginal contribution ``marginal``."""
    import sympy as sp

    names = {result.symbols[k]: v for k, v in result.latex_names.items() if k in result.symbols and v}

    def latex(expr: Any) -> str:
        return sp.latex(expr, symbol_names=names)

    regimes = [{"label": name, "condition": " & ".join(sp.sstr(c) for c in conds),
                "latex": r" \wedge ".join(latex(c) for c in conds)}
               for name, conds in result.conditions.items()]
    doc = {"model": result.model, "members": result.members, "concept": result.concept,
           "belief_policy": result.belief_policy, "fixed": jsonable(dict(result.fixed)), "closed_form": True,
           "regimes": regimes, "win": sp.sstr(result.win), "marginal": sp.sstr(result.marginal),
           "notes": list(result.notes), "threshold": None}
    param = _threshold_parameter(model, fixed, args)
    if param:
        defaults = {n: p.default for n, p in model.parameters.items()}
        linear = [{"regime": row["regime"], "relation": row["relation"],
                   "threshold": sp.sstr(row["threshold"]), "latex": latex(row["threshold"]),
                   "exact": bool(row["exact"])}
                  for row in result.boundaries(param, at={**defaults, **fixed})]
        rows = dt.threshold(model, param, concept=args.concept, belief_policy=args.belief_policy, **fixed)
        doc["threshold"] = {"parameter": param, "conditions": linear, "crossings": _crossings(rows, latex)}
    return doc


def _numeric_json(model: Any, fixed: dict, args: argparse.Namespace, reason: str) -> dict[str, Any]:
    """No closed form: the reason and the numeric boundaries on one parameter, as JSON data."""
    concept = args.concept or model.default_concept
    doc: dict[str, Any] = {"model": model.name, "concept": concept, "belief_policy": args.belief_policy,
                           "fixed": jsonable(fixed), "closed_form": False, "reason": reason,
                           "regimes": None, "threshold": None}
    param = _threshold_parameter(model, fixed, args)
    if param:
        options = {} if args.max_mixed_sets is None else {"max_mixed_sets": args.max_mixed_sets}
        rows = dt.numeric_threshold(model, param, concept, args.belief_policy, lo=args.lo, hi=args.hi,
                                    grid=args.grid, tol=args.tol, solve_options=options, **fixed)
        doc["threshold"] = {"parameter": param, "grid": args.grid, "tol": args.tol, "conditions": [],
                            "crossings": _crossings(rows, str)}
    return doc


def _print_thresholds(model: Any, result: Any, param: str, fixed: dict, args: argparse.Namespace) -> None:
    import sympy as sp

    names = {result.symbols[k]: v for k, v in getattr(result, "latex_names", {}).items() if v}

    def fmt(expr: Any) -> str:
        return sp.latex(expr, symbol_names=names) if args.latex else sp.sstr(expr)

    defaults = {n: p.default for n, p in model.parameters.items()}
    lo, hi = model.parameters[param].domain
    rows = [r for r in result.boundaries(param, at={**defaults, **fixed})
            if not (r["threshold"].is_number and float(r["threshold"]) in (float(lo), float(hi)))]
    print()
    print(f"Thresholds on {param} (exact; direction for coefficients signed as at the defaults):")
    if not rows:
        print(f"  no regime condition is linear in {param}")
    for row in rows:
        shown = fmt(result.symbols[param]) if args.latex else param
        print(f"  [{row['regime']}] needs {shown} {row['relation']} {fmt(row['threshold'])}")
    numeric = dt.threshold(model, param, concept=args.concept, belief_policy=args.belief_policy, **fixed)
    if numeric:
        print(f"At the defaults of the other parameters, the regimes change at {param} =")
        for t in numeric:
            below, above = ", ".join(t["below"]) or "none", ", ".join(t["above"]) or "none"
            print(f"  {fmt(t['value'])} (= {t['numeric']:.6g}): below {below}; above {above}")


def register_regimes(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``regimes`` verb: exact conditions for each regime."""
    s = sub.add_parser(
        "regimes", parents=[common], help="exact conditions for each equilibrium regime",
        epilog="--grid, --tol, --lo, --hi and --max-mixed-sets shape the numeric boundaries found where "
        "a model has no closed form; where it has one they are refused (status 2), not ignored.")
    s.add_argument("model", help="catalogue name or model file (.toml)")
    s.add_argument("--concept", choices=("spe", "pbe"),
                   help="default: pbe if the model declares it, else spe")
    s.add_argument("--belief-policy", default="free", choices=("free", "prior", "d1"),
                   help="PBE off-path beliefs (d1 has no closed form: numeric boundaries)")
    s.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="substitute a parameter value (repeatable); the others stay symbolic")
    s.add_argument("--latex", action="store_true", help="print conditions as LaTeX")
    s.add_argument("--json", action="store_true",
                   help="machine-readable output: each regime's condition as sympy text and as LaTeX, its "
                   "structures and indicators, and the thresholds on --threshold's parameter "
                   "(closed_form false, with the numeric boundaries, where there is no closed form)")
    s.add_argument("--threshold", metavar="PARAM",
                   help="solve the regime boundaries for this parameter "
                   "(default: credibility, if the model has it)")
    s.add_argument("--lo", type=float, help="numeric boundaries: lower end of the scan (default: domain)")
    s.add_argument("--hi", type=float, help="numeric boundaries: upper end of the scan (default: domain)")
    s.add_argument("--grid", type=int,
                   help=f"numeric boundaries: scan points (default {SCAN_POINTS})")
    s.add_argument("--tol", type=float,
                   help=f"numeric boundaries: bracket width (default {SCAN_TOL:g})")
    s.add_argument("--max-mixed-sets", type=int,
                   help="numeric boundaries: PBE option max_mixed_sets of the per-point solver")
    s.set_defaults(func=cmd_regimes)
