"""The ``demo`` verb: list the teaching demos shipped in the package, or run one."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import deterrence as dt

from ._format import table


def cmd_demo(args: argparse.Namespace) -> int:
    if not args.name:
        rows = [(d.name, d.title) for d in map(dt.demos.get, dt.demos.names())]
        print(table(rows, ("name", "what it shows")))
        print("\nRun one with: deterrence demo NAME [--out DIR] [--quick]")
        return 0
    demo = dt.demos.get(args.name)
    print(f"{demo.title} ({demo.name})\n{demo.shows}\n", flush=True)
    result = dt.demos.run(demo.name, args.out, quick=args.quick)
    for line in result.lines:
        print(line)
    figures = [p for p in result.written if p.suffix == ".png"]
    others = [p for p in result.written if p.suffix != ".png"]
    print(f"\nFigure{'s' if len(figures) != 1 else ''}: " + ", ".join(str(p) for p in figures))
    if others:
        print("Tables: " + ", ".join(str(p) for p in others))
    print(f"Read more: docs/{demo.tutorial}")
    return 0


def register_demo(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``demo`` verb: the teaching demos."""
    s = sub.add_parser(
        "demo",
        parents=[common],
        help="list or run the teaching demos",
        description="Without NAME, list the demos; with NAME, run it, say what it shows "
        "and where it wrote its figure.",
    )
    s.add_argument("name", nargs="?", help="the demo to run (see the list)")
    s.add_argument(
        "--out",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="folder for the figure and tables (default: the current folder)",
    )
    s.add_argument("--quick", action="store_true", help="a small, fast version (seconds)")
    s.set_defaults(func=cmd_demo)
