"""The ``sweep`` verb's pictures, drawn by a helper process while the sweep runs.

Importing matplotlib and drawing a map costs about as much as a small sweep itself. So the
``sweep`` verb starts a helper process first (:class:`Painter`): it imports what drawing needs
while the main process loads the model and computes, then waits for the list of pictures
(:class:`Picture`: which folder, which file, which parameters), reads them from the finished
sweep's folder and draws them, in parallel with the main process's summary. The two processes
speak JSON over pipes; nothing is evaluated from them.

The helper pays only with a core to spare: it costs CPU time of its own (a second interpreter,
numpy and pandas imported twice, the table read back), so on a machine whose other cores are
busy it would slow the command down. It is started when the cores the process may use exceed
the load average by :data:`SPARE_CORES` (one core for the main process, most of one for the
helper), and the pictures are drawn in the main process otherwise; they are the same files
either way. The environment variable :data:`HELPER_VARIABLE` decides instead when set: ``1``
always a helper, ``0`` never.

The helper is a plain ``python -c`` (:data:`HELPER_CODE`) importing the same package as the
main process. It runs in a session of its own (a Ctrl-C at the terminal reaches only the main
process, which stops it), and it ends when its input closes (the main process ended, however
it ended). An error while drawing comes back as the library's typed error
(:class:`~deterrence.SweepError` and the others); a helper that cannot start, or that ends
without answering, is replaced by drawing in the main process.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import deterrence as dt

from ._process import fewer_full_collections, quick_exit

#: the alliance measures drawn for a model family that reports them (collective_defence)
MEASURE_PLOTS = ("expected_allies_at_war", "expected_entrapped")
#: the kinds of picture: a regime map, an indicator line, the alliance measures
KINDS = ("map", "lines", "measures")
#: how long a helper asked to stop may take before it is killed (seconds)
STOP_GRACE = 5.0
#: the helper is started when the cores exceed the load average by this much
SPARE_CORES = 1.5
#: the environment variable that decides instead: "1" always a helper, "0" never
HELPER_VARIABLE = "DETERRENCE_PICTURE_HELPER"
#: what the helper runs: the package's folder (its argument) first on the path, whatever the
#: working directory holds, then :func:`_run`
HELPER_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from deterrence.cli._pictures import _run; sys.exit(_run())"
)


def helper_wanted() -> bool:
    """Whether to draw in a helper process: as :data:`HELPER_VARIABLE` says when it is set,
    else when a core is to spare."""
    said = os.environ.get(HELPER_VARIABLE, "").strip()
    if said in ("0", "1"):
        return said == "1"
    if said:
        raise dt.SweepError(f"{HELPER_VARIABLE}={said!r}: give 1 (draw in a helper process) or 0 (never)")
    return spare_cores() >= SPARE_CORES


def spare_cores() -> float:
    """The cores this process may use, less the system's load average over the last minute
    (``0.0`` where the load is not known)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0
    return cores - load


@dataclass(frozen=True)
class Picture:
    """One picture of a finished sweep: its kind, the sweep's folder, the file to write and
    what to draw (``y``, ``at`` and ``indicator`` as the kind needs them)."""

    kind: str
    folder: str
    path: str
    x: str
    y: str | None = None
    indicator: str = "p_attack"
    at: dict[str, float] | None = field(default=None)

    @classmethod
    def from_json(cls, data: Any) -> Picture:
        """A picture from its JSON form (refused unless it is one)."""
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            raise dt.SweepError(f"not a picture request: {str(data)[:80]}")
        return cls(**{k: data[k] for k in ("kind", "folder", "path", "x", "y", "indicator", "at")})


def draw(picture: Picture) -> Path:
    """Draw one picture from its sweep's folder; the file written."""
    result = dt.SweepResult.load(picture.folder)
    if picture.kind == "map":
        assert picture.y is not None
        result.plot(picture.x, picture.y, indicator=picture.indicator, path=picture.path, at=picture.at)
    elif picture.kind == "lines":
        result.plot_lines(picture.x, indicator=picture.indicator, path=picture.path)
    else:
        _draw_measures(result, picture.x, picture.y, Path(picture.path))
    return Path(picture.path)


def _draw_measures(result: Any, x: str, y: str | None, path: Path) -> None:
    """Expected allies at war and entrapped against ``x``, one line per value of ``y``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(MEASURE_PLOTS), figsize=(6.4 * len(MEASURE_PLOTS), 4.4))
    try:
        for ax, measure in zip(axes, MEASURE_PLOTS, strict=True):
            result.plot_lines(x, indicator=measure, by=y, ax=ax)
        fig.tight_layout()
        fig.savefig(path, dpi=150)
    finally:
        plt.close(fig)


# ====================================================================== the main process's side
class Painter:
    """A helper process that draws a sweep's pictures (see the module's description).

    Use as a context manager: it is started on entering, given the pictures by :meth:`submit`,
    and :meth:`wait` returns the files drawn. Leaving the block stops a helper still running.

    Parameters
    ----------
    helper
        Draw in a helper process (``True``), in this one (``False``), or as
        :func:`helper_wanted` says (``None``).
    """

    def __init__(self, helper: bool | None = None) -> None:
        self.helper = helper_wanted() if helper is None else bool(helper)
        self.process: subprocess.Popen[bytes] | None = None
        self.pictures: list[Picture] = []

    def __enter__(self) -> Painter:
        if not self.helper:
            return self
        package = Path(dt.__file__).resolve().parent.parent  # the child imports this same package
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", HELPER_CODE, str(package)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=os.name == "posix",
            )
        except OSError:
            self.process = None  # no helper: the pictures are drawn here
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def submit(self, pictures: Sequence[Picture]) -> None:
        """Hand the pictures to the helper (it starts drawing at once)."""
        self.pictures = list(pictures)
        if self.process is None or not self.pictures:
            return
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps([asdict(p) for p in self.pictures]).encode() + b"\n")
            self.process.stdin.flush()
        except OSError:
            self.stop(report=True)  # the helper is gone (saying why): the pictures are drawn here

    def wait(self) -> list[Path]:
        """The files drawn, once they are; an error while drawing is raised here, as the
        library's typed error (:class:`~deterrence.SweepError` for an unexpected one). A helper
        that ended without answering is replaced by drawing here."""
        if not self.pictures:
            return []
        process, self.process = self.process, None
        if process is not None:
            out, err = process.communicate()
            if err.strip():  # its warnings, or why it died: shown as the main process's would be
                sys.stderr.write(err.decode(errors="replace"))
            reply = _reply(out)
            if reply is not None:
                return reply
        return [draw(p) for p in self.pictures]

    def stop(self, report: bool = False) -> None:
        """Stop the helper if it is still running, and wait for it; ``report``: show what it wrote
        on stderr (a helper that died before it was given the pictures says why there, as
        :meth:`wait` shows it for one that died later)."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            process.terminate()
        try:
            _, err = process.communicate(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
        if report and err and err.strip():
            sys.stderr.write(err.decode(errors="replace"))


def _reply(out: bytes) -> list[Path] | None:
    """The helper's answer: the files drawn, or its error raised as the library's typed error;
    ``None`` if it gave none."""
    try:
        reply = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    if not isinstance(reply, dict):
        return None
    if "drawn" in reply:
        return [Path(p) for p in reply["drawn"]]
    raise _error(str(reply.get("error", "SweepError")), str(reply.get("message", "")))


def _error(name: str, message: str) -> Exception:
    """The library's error named ``name`` with ``message`` (a :class:`~deterrence.SweepError` for
    any other kind)."""
    cls = getattr(dt, name, None) if name in dt.__all__ else None
    if isinstance(cls, type) and issubclass(cls, dt.DeterrenceError):
        with contextlib.suppress(TypeError):  # an error that needs more than a message
            return cls(message)
    return dt.SweepError(f"drawing the pictures failed: {name}: {message}")


# ====================================================================== the helper process
def _warm_up() -> None:
    """Import what drawing needs and draw a small throw-away figure with text into memory (the
    fonts loaded, the text layout cached), while the main process computes."""
    import io

    from matplotlib.figure import Figure

    assert dt.SweepResult is not None  # the sweeps' tables (pandas, pyarrow)
    fig = Figure(figsize=(2, 2))
    ax = fig.add_subplot()
    ax.imshow(np.zeros((2, 2)))
    ax.set_title("warm-up")
    fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")


def _serve(lines: Iterator[bytes]) -> dict[str, Any] | None:
    """Draw the pictures of the first request; the answer (``None``: no request came)."""
    line = next(lines, b"")
    if not line.strip():
        return None
    try:
        pictures = [Picture.from_json(p) for p in json.loads(line)]
        return {"drawn": [str(draw(p)) for p in pictures]}
    except Exception as exc:  # reported to the main process, raised there as a typed error
        return {"error": type(exc).__name__, "message": str(exc)}


def _stop_on_term(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds: a picture being saved leaves no temporary file


def _run() -> int:
    """The helper process: :func:`_main`, with rarer full garbage collections, then a quick
    exit (the main process waits for the helper's end, so the helper's teardown of matplotlib
    and pandas would be its wait); see :mod:`deterrence.cli._process`."""
    fewer_full_collections()
    status = _main()
    quick_exit(status)
    return status


def _main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_term)
    _warm_up()
    answer = _serve(iter(sys.stdin.buffer.readline, b""))
    if answer is not None:
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0
