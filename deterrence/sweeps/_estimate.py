"""What a sweep will cost, estimated before it starts: time, disk, and the refusal of too much.

A sweep's size is known before any work: its points and chunks. Its cost per point is not,
so :func:`measure` times the sweep's own chunk evaluation on a few points spread over the
design (the points are computed again later: the probe costs a few percent of a sweep large
enough to need it, and nothing for small ones). From that it estimates the time on the
workers and the bytes the chunk and table files will take, and :func:`refuse_beyond` refuses a
sweep beyond a day's work or the free disk unless the caller insists (``allow_large=True``,
command line ``--yes``). :func:`refuse_at_once` refuses, without measuring, a sweep that would
exceed a day even at a speed no model reaches. Used by :func:`deterrence.sweeps.sweep`.
"""

from __future__ import annotations

import io
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ResourceError
from ._storage import write_csv

#: a day's work: sweeps estimated to take longer are refused unless the caller insists
DAY_SECONDS = 86_400.0
#: more points per second per worker than any model reaches (the bound of :func:`refuse_at_once`)
FASTEST_POINTS_PER_SECOND = 10**7
#: sweeps with fewer points to compute than this (compiled path; per-point path: the second
#: number) are not measured: they cannot take long enough to matter
MEASURE_ABOVE = (20_000, 1_000)
#: how to call the insistence in messages
INSIST = "allow_large=True (command line: --yes)"


@dataclass(frozen=True)
class Estimate:
    """The cost of the points left to compute, estimated before the work.

    Attributes
    ----------
    points, chunks
        Points and chunks to compute.
    workers
        Workers they run on.
    seconds
        Estimated wall time.
    points_per_second
        Measured speed of one worker (chunk overheads included).
    measured_on
        Points the measurement evaluated.
    disk_bytes, free_bytes
        Estimated bytes the sweep writes (chunks, and the table files when written), and the
        bytes free where it writes (``None`` without ``out=``).
    """

    points: int
    chunks: int
    workers: int
    seconds: float
    points_per_second: float
    measured_on: int
    disk_bytes: float | None = None
    free_bytes: float | None = None

    def text(self) -> str:
        """One line for the user: ``estimate: ... points in about ..., writing about ...``."""
        line = (
            f"estimate: {self.points:,} points to compute in about {duration(self.seconds)} "
            f"on {self.workers} "
            f"worker{'s' if self.workers != 1 else ''} (about {self.points_per_second:,.0f} points/s per "
            f"worker, measured on {self.measured_on:,} points)"
        )
        if self.disk_bytes is not None:
            line += f", writing about {size(self.disk_bytes)}"
            if self.free_bytes is not None:
                line += f" ({size(self.free_bytes)} free)"
        return line

    def to_json(self) -> dict[str, Any]:
        return {
            "points": self.points,
            "chunks": self.chunks,
            "workers": self.workers,
            "seconds": self.seconds,
            "points_per_second": self.points_per_second,
            "measured_on": self.measured_on,
            "disk_bytes": self.disk_bytes,
            "free_bytes": self.free_bytes,
        }


def duration(seconds: float) -> str:
    """``12 s``, ``3.4 min``, ``5.1 h``, ``2.3 days``, ``1.2e+05 years``."""
    if seconds < 60:
        return f"{seconds:.2g} s" if seconds < 10 else f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * DAY_SECONDS:
        return f"{seconds / 3600:.1f} h"
    if seconds < 365 * DAY_SECONDS:
        return f"{seconds / DAY_SECONDS:.1f} days"
    return f"{seconds / (365 * DAY_SECONDS):.3g} years"


def size(n_bytes: float) -> str:
    """``12 kB``, ``3.4 MB``, ``5.1 GB``, ``2.3 TB`` (powers of 1000)."""
    for unit, scale in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.3g} {unit}"
    return f"{n_bytes:.0f} bytes"


def refuse_at_once(points: int, workers: int, allow_large: bool) -> None:
    """Refuse, before anything is compiled or measured, a sweep that would take more than a day
    even at :data:`FASTEST_POINTS_PER_SECOND` per worker."""
    fastest = points / (FASTEST_POINTS_PER_SECOND * max(1, workers))
    if fastest > DAY_SECONDS and not allow_large:
        raise ResourceError(
            f"the sweep has {points:,} points to compute: at least {duration(fastest)} on {workers} "
            f"worker{'s' if workers != 1 else ''} even at {FASTEST_POINTS_PER_SECOND:,} points/s each, "
            "beyond a "
            f"day's work; use fewer points, or {INSIST} to run it anyway",
            estimate=fastest,
        )


def worth_measuring(points: int, compiled: bool) -> bool:
    return points > MEASURE_ABOVE[0 if compiled else 1]


def measure(
    evaluate: Any,
    design: Any,
    points: int,
    chunks: int,
    workers: int,
    compiled: bool,
    out: Path | None,
    table_files: bool,
) -> Estimate:
    """Time ``evaluate(points_frame) -> rows`` (a chunk's evaluation) on a few points of the
    design and estimate the cost of ``points`` points in ``chunks`` chunks on ``workers``.

    The probes are points spread evenly over the design, so that they meet the knife edges the
    compiled path re-solves one by one in the share the whole sweep does. On the compiled path
    two probes (256 and 2,048 points) separate the fixed cost of a chunk from the cost of a
    point, in time and in bytes of Parquet (spread points compress less than a chunk's run of
    neighbours: the disk estimate errs high); the per-point path is timed on a few points
    (fewer when they are slow).
    """
    n = design.n_points
    evaluate(design.points_at(np.array([0])))  # warm: the baseline's kernel, imports, caches
    probes = []
    for k in (min(n, 256), min(n, 2048)) if compiled else (1, min(n, 4)):
        idx = np.unique(np.linspace(0, n - 1, k).round())
        t0 = time.perf_counter()
        rows = evaluate(design.points_at(idx.astype(np.int64)))
        probes.append((len(idx), time.perf_counter() - t0, rows))
        if not compiled and probes[-1][1] > 1.0:
            break
    (k1, t1, rows1), (k2, t2, rows2) = probes[0], probes[-1]
    per_chunk, per_point = _line(k1, t1, k2, t2)
    busy = min(max(1, workers), max(1, chunks))
    seconds = (points * per_point + chunks * (per_chunk if compiled else 0.0)) / busy
    disk = free = None
    if out is not None and len(rows2):
        disk = _disk(rows1, rows2, k2, points, chunks, table_files)
        free = float(shutil.disk_usage(_existing(out)).free)
    return Estimate(points, chunks, busy, seconds, 1 / max(per_point, 1e-12), k2, disk, free)


def _line(x1: float, y1: float, x2: float, y2: float) -> tuple[float, float]:
    """``(a, b)`` of ``y = a + b x`` through two measurements (``b`` at least a tenth of the
    average, as timings are noisy; ``a`` not negative)."""
    b = (y2 - y1) / (x2 - x1) if x2 > x1 else y2 / x2
    b = max(b, 0.1 * y2 / x2)
    return max(0.0, y2 - b * x2), b


def _parquet_bytes(rows: Any) -> int:
    buf = io.BytesIO()
    rows.to_parquet(buf, index=False)
    return buf.tell()


def _disk(rows1: Any, rows2: Any, k2: int, points: int, chunks: int, table_files: bool) -> float:
    """Bytes of the chunk files (a fixed part per file, a part per row, from two probes), and of
    ``table.parquet`` and ``table.csv`` too when they are written."""
    per_file, per_row = _line(len(rows1), _parquet_bytes(rows1), len(rows2), _parquet_bytes(rows2))
    rows = points * len(rows2) / k2
    total = chunks * per_file + rows * per_row
    if table_files:
        text = io.StringIO(newline="")
        write_csv(rows2, text)
        total += rows * per_row + rows * len(text.getvalue().encode()) / len(rows2)
    return total


def _existing(path: Path) -> Path:
    for p in (path, *path.parents):
        if p.exists():
            return p
    return Path(".")


def refuse_beyond(estimate: Estimate, allow_large: bool) -> None:
    """Refuse a sweep estimated beyond a day's work or the free disk, unless ``allow_large``."""
    if allow_large:
        return
    over = []
    if estimate.seconds > DAY_SECONDS:
        over.append("a day's work")
    if (
        estimate.disk_bytes is not None
        and estimate.free_bytes is not None
        and estimate.disk_bytes > estimate.free_bytes
    ):
        over.append("the free disk")
    if over:
        raise ResourceError(
            f"{estimate.text()}: beyond {' and '.join(over)}; use fewer points, or {INSIST} to run it anyway",
            estimate=estimate.seconds,
        )


__all__ = ["DAY_SECONDS", "Estimate", "duration", "measure", "refuse_at_once", "refuse_beyond", "size"]
