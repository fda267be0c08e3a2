"""cProfile of our slowest cases, saved as text next to the results."""

from __future__ import annotations

import cProfile
import io
import pstats
from collections.abc import Callable
from pathlib import Path
from typing import Any


def profile(fn: Callable[[], Any], path: Path, what: str, top: int = 30) -> dict[str, Any]:
    """Run ``fn`` under cProfile; write the top entries (cumulative and own time) to ``path``."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    buf.write(f"# {what}\n\n## sorted by cumulative time\n")
    stats = pstats.Stats(prof, stream=buf)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    buf.write("\n## sorted by own time\n")
    stats.sort_stats("tottime").print_stats(top)
    path.write_text(buf.getvalue())
    # a short summary for the report: the functions with the most own time
    entries = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:8]  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
    summary = [
        f"{fn_[2]} ({Path(fn_[0]).name}:{fn_[1]}): {v[2]:.3f} s own, {100 * v[2] / total:.0f}%"
        for fn_, v in entries
    ]
    return {"file": path.name, "what": what, "top": summary}
