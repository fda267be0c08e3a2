"""The ``deterrence`` command: models, show, solve, sweep, regimes, explore, demo, warm.

Uses only the public API (``import deterrence as dt``). Every error of the library
(:class:`~deterrence.DeterrenceError`) and every bad command line prints one line
``deterrence: error: <message>`` on stderr and exits with status 2; ``--debug`` shows the
traceback as well. Each verb lives in a module of its own that registers its subcommand.

Examples
--------
::

    deterrence models
    deterrence show extended_deterrence
    deterrence solve extended_deterrence --set credibility=0.7 --concept pbe
    deterrence solve game.efg --concept nash --json
    deterrence sweep extended_deterrence --vary credibility=0:1:201 --vary cost_attacker=0:2:201 \\
        --out results/
    deterrence regimes extended_deterrence --concept spe --latex
    deterrence explore extended_deterrence --x credibility --y cost_attacker
    deterrence demo entrapment_window --out figures/
    deterrence warm
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import traceback
from collections.abc import Sequence

import deterrence as dt

from ._args import PROG, Parser
from ._catalogue import register_models, register_show
from ._demo import register_demo
from ._explore import register_explore
from ._format import TerminalSafe, terminal_safe
from ._process import (
    QUICK_EXIT_VARIABLE,
    TERMINATED_STATUS,
    Terminated,
    fewer_full_collections,
    quick_exit,
    stop_on_sigterm,
)
from ._regimes import register_regimes
from ._solving import register_solve
from ._sweeping import register_sweep
from ._warm import register_warm

#: the verbs, in the order ``deterrence --help`` lists them
VERBS = (register_models, register_show, register_solve, register_sweep, register_regimes, register_explore,
         register_demo, register_warm)


def build_parser() -> argparse.ArgumentParser:
    """The ``deterrence`` argument parser with every verb registered."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback on errors")
    p = Parser(prog=PROG, description="Game-theoretic models of deterrence and alliances.",
                parents=[common],
                epilog=f"The program ends without Python's teardown of the libraries it loaded (their exit "
                f"handlers still run); {QUICK_EXIT_VARIABLE}=0 keeps the normal ending.")
    p.add_argument("--version", action="version", version=f"{PROG} {dt.__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    for register in VERBS:
        register(sub, common)
    return p


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    notes = getattr(exc, "__notes__", None) or []
    if notes:
        text += " (" + "; ".join(str(n) for n in notes) + ")"
    return terminal_safe(" ".join(text.split()))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 error, 130 interrupted, 143 stopped
    by SIGTERM: :func:`run` makes it raise :class:`~deterrence.cli._process.Terminated`).

    Everything printed goes through :func:`~deterrence.cli._format.terminal_safe`: a title or a
    label read from a file cannot send escape sequences to the terminal.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    try:
        with contextlib.redirect_stdout(TerminalSafe(sys.stdout)):
            return int(args.func(args) or 0)
    except dt.DeterrenceError as exc:
        if debug:
            traceback.print_exc()
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        if debug:
            traceback.print_exc()
        how = "stopped by SIGTERM" if isinstance(exc, Terminated) else "interrupted"
        print(f"{PROG}: {how} (finished sweep chunks are kept; rerun the same command to resume)",
              file=sys.stderr)
        return TERMINATED_STATUS if isinstance(exc, Terminated) else 130
    except BrokenPipeError:  # e.g. `deterrence models | head`
        return 0


def run() -> int:
    """The ``deterrence`` program: :func:`main` on the process's arguments, with rarer full
    garbage collections and SIGTERM ending it as Ctrl-C does, then a quick exit (the
    interpreter's teardown skipped when that is safe; all three in :mod:`deterrence.cli._process`);
    the exit status, returned when the exit is a normal one."""
    fewer_full_collections()
    stop_on_sigterm()
    status = main()
    quick_exit(status)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
