"""Measurement records shared by every case: our tools timed in process, peers via workers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .peers import PeerPool, PeerRun
from .timing import collect, repeat_items


@dataclass
class Settings:
    """Run-wide knobs (from the command line)."""

    quick: bool
    repeats: int
    budget: float  # seconds of repeating per tool and case, after the first repeat
    timeout: float  # seconds per peer job
    seed: int


def ours(
    tool: str,
    call: Callable[[Any], Any],
    items: Sequence[Any],
    st: Settings,
    keep: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """Time one of our tools in process (every repeat does the whole job on every item)."""
    try:
        records = list(repeat_items(call, items, st.repeats, st.budget, keep))
    except Exception as exc:  # our failures are results too
        return {
            "tool": tool,
            "role": "ours",
            "status": "error",
            "error": f"{type(exc).__name__}: {exc}",
            "repeats": 0,
            "stats": None,
            "results": None,
        }
    out = {"tool": tool, "role": "ours", "status": "ok", "error": None, **collect(records, len(items))}
    out["results"] = records[0].get("results") if records else None
    return out


def peer(
    pool: PeerPool,
    tool: str,
    label: str,
    items: Sequence[Any],
    st: Settings,
    timeout: float | None = None,
    item_budget: float | None = None,
    role: str = "peer",
) -> dict[str, Any]:
    """Time a tool in its worker process, with the time limit.

    With ``item_budget`` the first repeat stops taking items after that many seconds (the
    statistics are then over the items done; see ``timing.repeat_items``).
    """
    limit = st.timeout if timeout is None else timeout
    run: PeerRun = pool.run(tool, list(items), st.repeats, st.budget, limit, item_budget)
    out: dict[str, Any] = {
        "tool": label,
        "role": role,
        "status": run.status,
        "error": run.error,
        "timeout": limit,
        **collect(run.records, None if item_budget is not None else len(items)),
    }
    if run.status == "timeout" and not out["repeats"]:
        # not one repeat finished: the time per item is at least this
        out["lower_bound_per_item"] = limit / (1 if item_budget is not None else max(1, len(items)))
    if run.status == "timeout" and out["repeats"]:
        out["status"] = "ok"  # finished some repeats before the limit
        out["error"] = f"stopped at the time limit after {out['repeats']} repeats"
    out["results"] = run.results
    return out


def skipped(label: str, why: str, role: str = "peer") -> dict[str, Any]:
    """A tool not run on this case, with the reason (shown in the report)."""
    return {
        "tool": label,
        "role": role,
        "status": "skipped",
        "error": why,
        "repeats": 0,
        "stats": None,
        "results": None,
    }


def median(row: dict[str, Any]) -> float | None:
    """The row's median seconds per item, or ``None``."""
    stats = row.get("stats")
    return None if not stats else stats.get("median")


def strip(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows without bulky per-item results (for the JSON file)."""
    return [{k: v for k, v in r.items() if k not in ("results",)} for r in rows]
