"""Repeated timing with a budget, and the summary statistics reported for every measurement.

Used both in the main process (our code) and inside the peer workers (pygambit, nashpy,
QuantEcon), so that every tool is timed by the same loop: each repeat runs the *whole job*
(build a fresh game object from the raw payoffs, then solve) for every item of the case.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any


def summary(values: Sequence[float]) -> dict[str, float | int | None]:
    """Median, quartiles, min and max of ``values`` (``None`` entries when empty)."""
    vals = sorted(float(v) for v in values)
    if not vals:
        return {"n": 0, "median": None, "q1": None, "q3": None, "min": None, "max": None}
    if len(vals) >= 2:
        q1, _, q3 = statistics.quantiles(vals, n=4, method="inclusive")
    else:
        q1 = q3 = vals[0]
    return {
        "n": len(vals),
        "median": statistics.median(vals),
        "q1": q1,
        "q3": q3,
        "min": vals[0],
        "max": vals[-1],
    }


#: a case keeps repeating past ``repeats`` until it has spent this many seconds (cheap cases)
MIN_SPENT = 0.25
#: and never more often than this
MAX_REPEATS = 200


def repeat_items(
    call: Callable[[Any], Any],
    items: Sequence[Any],
    repeats: int,
    budget: float,
    keep: Callable[[Any], Any] | None = None,
    item_budget: float | None = None,
) -> Iterator[dict[str, Any]]:
    """Time ``call(item)`` for every item, ``repeats`` times; yield one record per repeat.

    A record holds the wall and CPU seconds of every item and of the whole repeat, and (first
    repeat only) ``keep(result)`` per item, e.g. the equilibria found. After the first repeat,
    repeating stops once the wall time spent exceeds ``budget`` seconds (slow tools get fewer
    repeats; the number done is reported with the statistics). Cheap cases repeat further, up
    to ``MAX_REPEATS``, until they have spent ``MIN_SPENT`` seconds: a median of three repeats
    of a few microsecond calls is noise on a shared machine. Ours and the peers (which run this
    same function in their worker) follow the same rule. The first repeat starts after a full
    garbage collection (untimed), for ours and the peers alike: the objects a worker's imports
    left pending would otherwise be scanned in whichever short window the collector picks. Only
    the first: a collection before every repeat makes each repeat start with cold caches (and,
    for large results, fresh pages), 4-5x on a 40 µs call.
    """
    spent = 0.0
    for r in range(max(repeats, MAX_REPEATS)):
        if r >= max(1, repeats) and spent >= MIN_SPENT:
            return
        if r > 0 and spent > budget:
            return
        wall, cpu, kept = [], [], []
        if r == 0:  # untimed: the first repeat starts on a clean heap, not with the imports' objects pending
            gc.collect()  # (once: a collection before every repeat leaves the next one's caches cold)
        for item in items:
            if r == 0 and item_budget is not None and wall and sum(wall) > item_budget:
                items = items[: len(wall)]
                break
            c0, t0 = time.process_time(), time.perf_counter()
            out = call(item)
            t1, c1 = time.perf_counter(), time.process_time()
            wall.append(t1 - t0)
            cpu.append(c1 - c0)
            if r == 0 and keep is not None:
                kept.append(keep(out))
        spent += sum(wall)
        rec: dict[str, Any] = {
            "repeat": r,
            "wall": wall,
            "cpu": cpu,
            "total": sum(wall),
            "cpu_total": sum(cpu),
        }
        if r == 0 and keep is not None:
            rec["results"] = kept
        yield rec


def collect(records: Sequence[dict[str, Any]], n_items: int | None) -> dict[str, Any]:
    """Statistics over complete repeats: seconds per item (whole-job time / number of items).

    ``n_items=None``: as many items as the first repeat did (see ``item_budget``).
    """
    if n_items is None:
        n_items = len(records[0]["wall"]) if records else 0
    full = [r for r in records if len(r["wall"]) == n_items] if n_items else []
    per_item = [r["total"] / n_items for r in full]
    per_item_cpu = [r["cpu_total"] / n_items for r in full]
    return {
        "repeats": len(full),
        "items_done": n_items,
        "per_item": per_item,
        "stats": summary(per_item),
        "cpu_median": summary(per_item_cpu)["median"],
        # the first complete repeat item by item (CPU and wall seconds), for per-item statistics
        "item_cpu": list(full[0]["cpu"]) if full else [],
        "item_wall": list(full[0]["wall"]) if full else [],
    }
