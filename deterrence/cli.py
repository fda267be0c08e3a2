"""The ``deterrence`` command: models, show, solve, sweep, regimes.

Calls only the public API. Every error of the library (:class:`~deterrence.errors.DeterrenceError`)
and every bad command line prints one line ``deterrence: error: <message>`` on stderr and exits
with status 2; ``--debug`` shows the traceback as well.

Examples
--------
::

    deterrence models
    deterrence show extended_deterrence
    deterrence solve extended_deterrence --set credibility=0.7 --concept pbe
    deterrence solve game.efg --concept nash --json
    deterrence sweep extended_deterrence --vary credibility=0:1:201 --vary cost_attacker=0:2:201 \
        --out results/
    deterrence regimes extended_deterrence --concept spe --latex
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, NoReturn

from .errors import DeterrenceError, ParameterError, ResourceError, SweepError, UnsupportedError

PROG = "deterrence"
GAME_SUFFIXES = (".efg", ".nfg")


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line on stderr and status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


# ---------------------------------------------------------------------------- parsing helpers
def _number(text: str, what: str) -> float | Fraction:
    """``"0.7"`` -> 0.7, ``"1/3"`` -> Fraction(1, 3); anything else is a ParameterError."""
    raw = text.strip()
    try:
        if "/" in raw:
            return Fraction(raw)
        value = float(raw)
    except (ValueError, ZeroDivisionError):
        raise ParameterError(f"{what}: '{text}' is not a number", value=text) from None
    if not math.isfinite(value):
        raise ParameterError(f"{what}: '{text}' is not a finite number", value=text)
    return value


def parse_sets(items: Sequence[str] | None) -> dict[str, float | Fraction]:
    """``["a=1", "b=1/3"]`` -> ``{"a": 1.0, "b": Fraction(1, 3)}``."""
    out: dict[str, float | Fraction] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"--set '{item}': expected NAME=VALUE")
        if name in out:
            raise ParameterError(f"--set: parameter '{name}' is set twice", name=name)
        out[name] = _number(value, f"--set {name}")
    return out


#: solver options the command line accepts, with their types (see the solvers' docstrings)
SOLVER_OPTIONS: dict[str, type] = {"mixed": bool, "max_mixed_sets": int, "seeds": bool}


def parse_options(items: Sequence[str] | None) -> dict[str, Any]:
    """``["mixed=false", "max_mixed_sets=2"]`` -> ``{"mixed": False, "max_mixed_sets": 2}``."""
    out: dict[str, Any] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip().lower()
        if not sep or not name:
            raise ParameterError(f"--option '{item}': expected NAME=VALUE")
        kind = SOLVER_OPTIONS.get(name)
        if kind is None:
            raise ParameterError(
                f"--option: unknown solver option '{name}'; options: {', '.join(SOLVER_OPTIONS)}", name=name
            )
        if kind is bool:
            if value not in ("true", "false", "1", "0", "yes", "no"):
                raise ParameterError(f"--option {name}: expected true or false, got '{value}'", name=name)
            out[name] = value in ("true", "1", "yes")
        else:
            if not value.isdigit():
                raise ParameterError(f"--option {name}: expected a non-negative integer, got '{value}'",
                                     name=name)
            out[name] = int(value)
    return out


def parse_vary(items: Sequence[str] | None, sampling: bool
               ) -> tuple[dict[str, Any], dict[str, tuple[float, float]]]:
    """Parse ``--vary`` specs.

    Grid mode: ``k=lo:hi:n`` (``n`` evenly spaced values, ends included) or ``k=v1,v2,...``.
    Sampling mode: ``k`` (sample over its domain) or ``k=lo:hi`` (over these bounds).

    Returns
    -------
    grid_or_vary, bounds
        ``{name: values}`` (grid) or ``{name: None}`` (sampling), and sampling bounds.
    """
    import numpy as np

    values: dict[str, Any] = {}
    bounds: dict[str, tuple[float, float]] = {}
    for item in items or ():
        name, sep, spec = item.partition("=")
        name = name.strip()
        if not name:
            raise SweepError(f"--vary '{item}': expected NAME=LO:HI:N")
        if name in values:
            raise SweepError(f"--vary: parameter '{name}' is varied twice")
        if sampling:
            values[name] = None
            if sep:
                parts = spec.split(":")
                if len(parts) != 2:
                    raise SweepError(f"--vary '{item}': with --samples give NAME or NAME=LO:HI")
                lo, hi = (float(_number(p, f"--vary {name}")) for p in parts)
                bounds[name] = (lo, hi)
            continue
        if not sep or not spec.strip():
            raise SweepError(f"--vary '{item}': expected NAME=LO:HI:N or NAME=V1,V2,...")
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) != 3:
                raise SweepError(f"--vary '{item}': expected NAME=LO:HI:N (three fields), got {len(parts)}")
            lo, hi = (float(_number(p, f"--vary {name}")) for p in parts[:2])
            try:
                n = int(parts[2])
            except ValueError:
                raise SweepError(
                    f"--vary '{item}': the number of steps '{parts[2]}' is not an integer") from None
            if n < 1:
                raise SweepError(f"--vary '{item}': the number of steps must be at least 1, got {n}")
            if n > 1 and lo == hi:
                raise SweepError(f"--vary '{item}': empty range ({lo:g} to {hi:g}) with {n} steps")
            values[name] = np.linspace(lo, hi, n)
        else:
            values[name] = np.array([float(_number(p, f"--vary {name}")) for p in spec.split(",")])
    return values, bounds


# ---------------------------------------------------------------------------- formatting helpers
def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    cells = [[str(h) for h in header], *[[_fmt(c) for c in r] for r in rows]]
    widths = [max(len(r[k]) for r in cells) for k in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _nonzero(d: Mapping[str, float], tol: float = 1e-12) -> dict[str, float]:
    return {k: float(v) for k, v in d.items() if abs(float(v)) > tol}


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Fraction):
        return float(obj)
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            return obj.item()
        except (ValueError, AttributeError):
            pass
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return obj


# ---------------------------------------------------------------------------- commands
def cmd_models(args: argparse.Namespace) -> int:
    import deterrence as dt

    rows = []
    for name in dt.list_models():
        model = dt.load_model(name)
        rows.append((name, getattr(model, "status", "") or "", getattr(model, "title", "") or ""))
    print(_table(rows, ("name", "status", "title")))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    import deterrence as dt

    m = dt.load_model(args.model)
    print(f"{m.name}: {getattr(m, 'title', '')}")
    if getattr(m, "status", ""):
        print(f"status: {m.status}")
    if getattr(m, "description", ""):
        print(f"\n{m.description.strip()}")
    print(f"\nplayers: {', '.join(m.players)}")
    concepts = getattr(m, "concepts", ()) or ()
    print(f"concepts: {', '.join(concepts) if concepts else '(any)'}")
    rows = []
    for name, p in m.parameters.items():
        dom = getattr(p, "domain_text", None) or f"[{p.domain[0]}, {p.domain[1]}]"
        rows.append((name, p.default, dom, getattr(p, "description", "")))
    print("\nparameters:\n" + _table(rows, ("name", "default", "domain", "description")))
    orderings = getattr(m, "orderings", ()) or ()
    if orderings:
        print("\norderings: " + "; ".join(getattr(o, "text", str(o)) for o in orderings))
    desc = getattr(m, "baseline_description", "")
    if desc:
        print(f"\nno-pledge baseline: {desc}")
    refs = getattr(m, "references", ()) or ()
    if refs:
        print("\nreferences:")
        for r in refs:
            extra = getattr(r, "doi", "") or getattr(r, "url", "")
            print(f"  - {getattr(r, 'citation', r)}" + (f" ({extra})" if extra else ""))
    return 0


def _target(args: argparse.Namespace) -> tuple[Any, Any, str]:
    """(game, model or None, default concept) for ``solve``."""
    import deterrence as dt

    sets = parse_sets(args.set)
    target = args.target
    if target.lower().endswith(GAME_SUFFIXES):
        if sets:
            raise ParameterError(f"--set applies to models, not to the game file '{target}'",
                                 name=next(iter(sets)))
        game = dt.read_game(target)
        return game, None, "nash"
    model = dt.load_model(target)
    game = model.game(**sets)
    concepts = getattr(model, "concepts", ()) or ()
    return game, model, (concepts[0] if concepts else ("pbe" if game.kind == "extensive" else "nash"))


def _lam(text: str | None) -> Any:
    if text is None:
        return None
    parts = [float(_number(p, "--lam")) for p in text.split(",")]
    return parts[0] if len(parts) == 1 else parts


def _equilibrium_dict(eq: Any) -> dict[str, Any]:
    from .outcomes import regime_label

    cert = eq.certificate
    return _jsonable({
        "regime": regime_label(eq.outcomes, eq.is_pure()),
        "label": eq.label,
        "profile": eq.profile,
        "beliefs": eq.beliefs,
        "off_path": list(eq.off_path),
        "payoffs": eq.payoffs,
        "outcomes": eq.outcomes,
        "indicators": eq.indicators,
        "regret": cert.regret,
        "bayes_error": cert.bayes_error,
        "qre_residual": cert.qre_residual,
        "certificate": {"concept": cert.concept, "tolerance": cert.tolerance, "exact": cert.exact,
                        "passed": cert.passed},
        "lam": eq.lam,
    })


def _print_profile(profile: Mapping[str, Any], indent: str = "    ") -> None:
    for player, part in profile.items():
        first = next(iter(part.values()), None) if isinstance(part, Mapping) else None
        if isinstance(first, Mapping):  # extensive: infoset -> action -> prob
            for infoset, dist in part.items():
                shown = ", ".join(f"{a}={p:.4g}" for a, p in _nonzero(dist).items())
                print(f"{indent}{player} @ {infoset}: {shown}")
        else:
            shown = ", ".join(f"{a}={p:.4g}" for a, p in _nonzero(part).items())
            print(f"{indent}{player}: {shown}")


def cmd_solve(args: argparse.Namespace) -> int:
    from ._solve import solve  # dt.solve

    game, model, default_concept = _target(args)
    concept = args.concept or default_concept
    options: dict[str, Any] = {"belief_policy": args.belief_policy}
    if args.lam is not None:
        options["lam"] = _lam(args.lam)
    if args.tol is not None:
        options["tol"] = args.tol
    options.update(parse_options(args.option))
    eqs = solve(game, concept=concept, method=args.method, **options)
    if args.json:
        doc = {
            "target": args.target, "model": getattr(model, "name", None),
            "parameters": None if model is None else _jsonable(dict(model.defaults, **parse_sets(args.set))),
            "concept": eqs.concept, "method": eqs.method, "complete": eqs.complete,
            "degenerate": eqs.degenerate, "belief_policy": eqs.belief_policy, "tolerance": eqs.tolerance,
            "notes": list(eqs.notes), "equilibria": [_equilibrium_dict(e) for e in eqs],
        }
        print(json.dumps(doc, indent=2))
        return 0
    title = getattr(game, "title", "") or args.target
    print(f"{title}: {len(eqs)} {concept} equilibri{'um' if len(eqs) == 1 else 'a'} "
          f"(method {eqs.method}, complete={eqs.complete}, degenerate={eqs.degenerate}"
          + (f", belief policy {eqs.belief_policy}" if eqs.belief_policy else "") + ")")
    for note in eqs.notes:
        print(f"  note: {note}")
    for k, eq in enumerate(eqs):
        d = _equilibrium_dict(eq)
        print(f"\n[{k}] {d['regime']}" + (f" ({eq.label})" if eq.label else ""))
        print("  profile:")
        _print_profile(eq.profile)
        if eq.beliefs:
            print("  beliefs:")
            for infoset, dist in eq.beliefs.items():
                tag = " (off path)" if infoset in eq.off_path else ""
                shown = ", ".join(f"{n}={p:.4g}" for n, p in dist.items())
                print(f"    {infoset}{tag}: {shown}")
        print("  payoffs:  " + ", ".join(f"{p}={v:.6g}" for p, v in eq.payoffs.items()))
        if eq.outcomes:
            print("  outcomes: " + ", ".join(f"{o}={v:.4g}" for o, v in _nonzero(eq.outcomes).items()))
            print("  indicators: " + ", ".join(f"{o}={v:.4g}" for o, v in eq.indicators.items()))
        cert = eq.certificate
        print(f"  regret {cert.regret:.3g}, Bayes error {cert.bayes_error:.3g}"
              + (f", QRE residual {cert.qre_residual:.3g}" if concept == "qre" else "")
              + (" (exact)" if cert.exact else "") + f", tolerance {cert.tolerance:.3g}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    import numpy as np

    import deterrence as dt

    from .sweeps import sweep  # dt.sweep, imported from its module (the module shares its name)

    sampling = args.samples is not None
    if not args.vary and not sampling:
        raise SweepError("give at least one --vary NAME=LO:HI:N (or --samples N)")
    varied, bounds = parse_vary(args.vary, sampling)
    fixed = {k: float(v) for k, v in parse_sets(args.set).items()}
    model = dt.load_model(args.model)
    out = Path(args.out)
    t0 = time.time()
    common: dict[str, Any] = dict(
        fixed=fixed, concept=args.concept, belief_policy=args.belief_policy, selection=args.selection,
        path=args.path, backend=args.backend, scheduler=args.scheduler, workers=args.workers,
        chunk_size=args.chunk_size, out=out, progress=not args.no_progress,
    )
    options = parse_options(args.option)
    if options:
        common["solve_options"] = options
    if sampling:
        result = sweep(model, samples=args.samples, method=args.method, vary=list(varied) or None,
                       bounds=bounds or None, rng=args.seed, **common)
    else:
        result = sweep(model, grid=varied, **common)
    elapsed = time.time() - t0
    files = [out / "table.csv", out / "table.parquet", out / "manifest.json"]
    names = result.varied
    x = args.x or (names[0] if names else None)
    y = args.y or (names[1] if len(names) > 1 else None)
    sel = result.selected()
    if x is not None and y is not None:
        at = {n: float(np.median(sel[n])) for n in names if n not in (x, y)} or None
        if at:
            at = {n: float(sel[n].to_numpy()[np.argmin(np.abs(sel[n].to_numpy() - v))])
                  for n, v in at.items()}
        result.plot(x, y, indicator=args.indicator, path=out / "regime_map.png", at=at)
        files.append(out / "regime_map.png")
    elif x is not None:
        result.plot_lines(x, indicator=args.indicator or "p_attack", path=out / "lines.png")
        files.append(out / "lines.png")
    n = int(result.manifest.get("n_points", len(sel)))
    print(f"{result.manifest['model']['name']}: {n:,} points, {len(result.table):,} rows "
          f"({result.manifest['concept']}, selection {result.manifest['selection']})")
    print("regimes (selected):")
    for regime, share in result.regime_shares().items():
        print(f"  {share:7.2%}  {regime}")
    multi = int((sel["n_equilibria"] > 1).sum())
    if multi:
        print(f"points with several equilibria: {multi:,} ({multi / max(1, n):.1%})")
    paths = result.manifest.get("paths", {})
    computed = sum(r.get("computed_chunks", 0) for r in result.manifest.get("runs", [])[-1:])
    print(f"paths: {', '.join(f'{k} {v:,}' for k, v in paths.items())}; "
          f"{computed} of {result.manifest.get('n_chunks')} chunks computed in this run")
    print(f"time {elapsed:.2f} s, {n / max(elapsed, 1e-9):,.0f} points/second")
    print("wrote: " + ", ".join(str(f) for f in files))
    return 0


def cmd_regimes(args: argparse.Namespace) -> int:
    import deterrence as dt

    model = dt.load_model(args.model)
    try:
        from .analysis import regimes  # dt.regimes
    except ImportError as exc:
        raise UnsupportedError(f"symbolic regimes are not available in this installation ({exc})") from None
    fixed = parse_sets(args.set)
    try:
        result = regimes(model, concept=args.concept, belief_policy=args.belief_policy, **fixed)
    except (UnsupportedError, ResourceError) as exc:
        return _numeric_regimes(model, fixed, args, reason=str(exc))
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


def _numeric_regimes(model: Any, fixed: dict, args: argparse.Namespace, reason: str) -> int:
    """No closed form: say so, and find the regime boundaries on one parameter numerically."""
    from .analysis import numeric_threshold

    concept = args.concept or model.concepts[0]
    print(f"No closed-form regimes for '{model.name}' ({concept}, beliefs {args.belief_policy}): {reason}.")
    param = args.threshold or ("credibility" if "credibility" in model.parameters else None)
    if not param:
        print("Give --threshold PARAM (and --lo/--hi for an unbounded domain) for numeric boundaries "
              "found with the per-point solver.")
        return 0
    options = {} if args.max_mixed_sets is None else {"max_mixed_sets": args.max_mixed_sets}
    rows = numeric_threshold(model, param, concept, args.belief_policy, lo=args.lo, hi=args.hi,
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


def _print_thresholds(model: Any, result: Any, param: str, fixed: dict, args: argparse.Namespace) -> None:
    import sympy as sp

    from .analysis import threshold

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
    numeric = threshold(model, param, concept=args.concept, belief_policy=args.belief_policy, **fixed)
    if numeric:
        print(f"At the defaults of the other parameters, the regimes change at {param} =")
        for t in numeric:
            below, above = ", ".join(t["below"]) or "none", ", ".join(t["above"]) or "none"
            print(f"  {fmt(t['value'])} (= {t['numeric']:.6g}): below {below}; above {above}")


# ---------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback on errors")
    p = _Parser(prog=PROG, description="Game-theoretic models of deterrence and alliances.",
                parents=[common])
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    s = sub.add_parser("models", parents=[common], help="list the models in the catalogue")
    s.set_defaults(func=cmd_models)

    s = sub.add_parser("show", parents=[common], help="describe a model: parameters, players, references")
    s.add_argument("model", help="catalogue name or model file (.toml)")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("solve", parents=[common], help="solve a model or a Gambit .efg/.nfg game")
    s.add_argument("target", help="catalogue name, model file (.toml) or Gambit file (.efg, .nfg)")
    s.add_argument("--set", action="append", metavar="NAME=VALUE", help="parameter value (repeatable)")
    s.add_argument("--concept", choices=("nash", "spe", "pbe", "qre"),
                   help="solution concept (default: the model's first concept; nash for game files)")
    s.add_argument("--method", default="auto", help="solver (default auto)")
    s.add_argument("--belief-policy", default="free", choices=("free", "prior", "d1"),
                   help="PBE off-path beliefs (default free)")
    s.add_argument("--lam", help="QRE precision: a number or one per player, comma-separated")
    s.add_argument("--tol", type=float, help="certification tolerance (default 1e-8)")
    s.add_argument("--option", action="append", metavar="NAME=VALUE",
                   help="solver option (repeatable): mixed=true|false, max_mixed_sets=N, seeds=true|false "
                   "(PBE; see the pbe solver's documentation)")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=cmd_solve)

    s = sub.add_parser("sweep", parents=[common],
                       help="sweep parameters; write table, manifest and regime map")
    s.add_argument("model", help="catalogue name or model file (.toml)")
    s.add_argument("--vary", action="append", metavar="NAME=LO:HI:N",
                   help="grid: NAME=LO:HI:N or NAME=V1,V2,...; with --samples: NAME or NAME=LO:HI "
                        "(repeatable)")
    s.add_argument("--samples", type=int, help="number of sample points instead of a grid")
    s.add_argument("--method", default="sobol", choices=("sobol", "lhs", "random", "saltelli"),
                   help="sampling method (default sobol)")
    s.add_argument("--seed", type=int, help="seed of the sample (default: fresh, recorded in the manifest)")
    s.add_argument("--set", action="append", metavar="NAME=VALUE", help="fixed parameter value (repeatable)")
    s.add_argument("--concept", choices=("nash", "spe", "pbe", "qre"), help="default: the model's concept")
    s.add_argument("--belief-policy", default="free", choices=("free", "prior", "d1"))
    s.add_argument("--selection", default="pessimistic", choices=("pessimistic", "optimistic", "first"),
                   help="which equilibrium gives the point's regime on the map (default pessimistic)")
    s.add_argument("--path", default="auto", choices=("auto", "compiled", "pointwise"))
    s.add_argument("--backend", default="numpy", choices=("numpy", "processes", "dask"))
    s.add_argument("--scheduler", help="Dask scheduler address (default: a LocalCluster)")
    s.add_argument("--workers", type=int, help="worker processes (processes/dask backends)")
    s.add_argument("--chunk-size", type=int, help="points per chunk")
    s.add_argument("--option", action="append", metavar="NAME=VALUE",
                   help="solver option for points solved one by one (repeatable): mixed=true|false, "
                   "max_mixed_sets=N, seeds=true|false")
    s.add_argument("--out", required=True, help="output folder (resumes an interrupted sweep there)")
    s.add_argument("--x", help="regime map x parameter (default: first varied)")
    s.add_argument("--y", help="regime map y parameter (default: second varied)")
    s.add_argument("--indicator", default="p_attack", help="contoured indicator (default p_attack)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_sweep)

    s = sub.add_parser("regimes", parents=[common], help="exact conditions for each equilibrium regime")
    s.add_argument("model", help="catalogue name or model file (.toml)")
    s.add_argument("--concept", choices=("spe", "pbe"), help="default: the model's first of these")
    s.add_argument("--belief-policy", default="free", choices=("free", "prior", "d1"),
                   help="PBE off-path beliefs (d1 has no closed form: numeric boundaries)")
    s.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="substitute a parameter value (repeatable); the others stay symbolic")
    s.add_argument("--latex", action="store_true", help="print conditions as LaTeX")
    s.add_argument("--threshold", metavar="PARAM",
                   help="solve the regime boundaries for this parameter "
                   "(default: credibility, if the model has it)")
    s.add_argument("--lo", type=float, help="numeric boundaries: lower end of the scan (default: domain)")
    s.add_argument("--hi", type=float, help="numeric boundaries: upper end of the scan (default: domain)")
    s.add_argument("--grid", type=int, default=17, help="numeric boundaries: scan points (default 17)")
    s.add_argument("--tol", type=float, default=1e-4, help="numeric boundaries: bracket width (default 1e-4)")
    s.add_argument("--max-mixed-sets", type=int,
                   help="numeric boundaries: PBE option max_mixed_sets of the per-point solver")
    s.set_defaults(func=cmd_regimes)
    return p


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    notes = getattr(exc, "__notes__", None) or []
    if notes:
        text += " (" + "; ".join(str(n) for n in notes) + ")"
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 error, 130 interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    try:
        return int(args.func(args) or 0)
    except DeterrenceError as exc:
        if debug:
            traceback.print_exc()
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        print(f"{PROG}: interrupted (finished sweep chunks are kept; rerun the same command to resume)",
              file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `deterrence models | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
