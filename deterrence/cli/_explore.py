"""The ``explore`` verb: the teaching page in the browser, or its static export."""

from __future__ import annotations

import argparse
from typing import Any

import deterrence as dt

from ._args import parse_number, parse_sets


def parse_ranges(items: list[str] | None) -> dict[str, tuple[float, float]]:
    """``["credibility=0:1"]`` -> ``{"credibility": (0.0, 1.0)}``."""
    out: dict[str, tuple[float, float]] = {}
    for item in items or ():
        name, sep, spec = item.partition("=")
        name = name.strip()
        parts = spec.split(":")
        if not sep or not name or len(parts) != 2:
            raise dt.ParameterError(f"--range '{item}': expected NAME=LO:HI")
        lo, hi = (float(parse_number(p, f"--range {name}")) for p in parts)
        out[name] = (lo, hi)
    return out


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {"belief_policy": args.belief_policy}
    if args.concept:
        options["concept"] = args.concept
    values = {k: float(v) for k, v in parse_sets(args.set).items()}
    if values:
        options["values"] = values
    ranges = parse_ranges(args.range)
    if ranges:
        options["ranges"] = ranges
    return options


def cmd_explore(args: argparse.Namespace) -> int:
    options = _options(args)
    if args.export:
        params = [p.strip() for p in args.params.split(",")] if args.params else None
        print(f"Solving the grid for the static page of '{args.model}'...", flush=True)
        page = dt.explorer.export(
            args.model,
            args.export,
            params=params,
            cells=args.cells,
            steps=args.steps,
            say=lambda text: print(text, flush=True),
            **options,
        )
        print(f"Wrote {page} (open it in a browser; it needs neither Python nor a network)")
        return 0
    if args.params:
        raise dt.ParameterError("--params is for --export; the live page maps --x against --y")
    dt.explorer.serve(
        args.model,
        port=args.port,
        open_browser=not args.no_browser,
        x=args.x,
        y=args.y,
        grid=args.grid,
        **options,
    )
    return 0


def register_explore(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``explore`` verb: sliders, the game tree and the regime map in the browser."""
    s = sub.add_parser(
        "explore",
        parents=[common],
        help="explore a model in the browser (sliders, tree, map)",
        description="Start a local web page (on 127.0.0.1, offline) with a slider per "
        "parameter, the game tree with the equilibrium path, the regime map of two "
        "parameters and the indicators; or write a static page with --export.",
    )
    s.add_argument(
        "model",
        nargs="?",
        default="extended_deterrence",
        help="catalogue name or model file (.toml); default extended_deterrence",
    )
    s.add_argument(
        "--port",
        type=int,
        default=dt.explorer.DEFAULT_PORT,
        help=f"port on 127.0.0.1 (default {dt.explorer.DEFAULT_PORT}; 0 for any free port)",
    )
    s.add_argument("--no-browser", action="store_true", help="print the address instead of opening a browser")
    s.add_argument("--concept", choices=("pbe", "spe", "nash", "qre"),
                   help="default: pbe, else spe, nash, qre: the first of these the model declares")
    s.add_argument(
        "--belief-policy",
        default="free",
        choices=("free", "prior", "d1"),
        help="PBE off-path beliefs (default free)",
    )
    s.add_argument("--x", metavar="PARAM", help="the map's horizontal parameter")
    s.add_argument("--y", metavar="PARAM", help="the map's vertical parameter")
    s.add_argument("--set", action="append", metavar="NAME=VALUE", help="a starting value (repeatable)")
    s.add_argument(
        "--range",
        action="append",
        metavar="NAME=LO:HI",
        help="a slider's range inside the domain (repeatable)",
    )
    s.add_argument("--grid", type=int, default=41, help="map cells per axis on compiled models (default 41)")
    s.add_argument("--export", metavar="DIR", help="write a static page DIR/index.html instead of serving")
    s.add_argument(
        "--params",
        metavar="A,B[,C]",
        help="--export: the map's two parameters and an optional third with its own slider",
    )
    s.add_argument("--cells", type=int, default=21, help="--export: grid points per map axis (default 21)")
    s.add_argument(
        "--steps", type=int, default=7, help="--export: grid points of the third parameter (default 7)"
    )
    s.set_defaults(func=cmd_explore)
