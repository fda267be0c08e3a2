"""Benchmark: how fast the explorer answers a slider move, measured in a real browser.

Run from the repository root (Debian's ``chromium`` and ``chromium-driver``, and selenium)::

    python benchmarks/bench_explorer.py                       # three compiled models, 20 moves each
    python benchmarks/bench_explorer.py --moves 40 --models extended_deterrence

For each model it starts ``deterrence explore MODEL --no-browser --port 0`` (the real server),
opens the page in headless Chromium and, ``--moves`` times, sets a slider's value from the
page's JavaScript (what the slider widget does when dragged) and waits for the indicators panel
to show the new answer: the time from the move to the new text in the page, round trip included
(browser -> server -> solve -> browser). The slider alternates between 10 % and 90 % of its
range, so every move changes the answer. Two sliders are timed: one of the map's parameters
(only the point is recomputed) and one other parameter (the point, then a new map: the time to
the new map is reported separately). Prints the median, 90th percentile and maximum in ms.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from helpers import browser  # noqa: E402

MOVE = """
const [name, value, watch, done] = arguments;
const doc = Bokeh.documents[0];
const slider = doc.get_model_by_name(name), panel = doc.get_model_by_name(watch);
const before = panel.text, t0 = performance.now();
const stop = setTimeout(() => done(-1), 10000);
panel.properties.text.change.connect(() => {
  if (panel.text !== before) { clearTimeout(stop); done(performance.now() - t0); }
});
slider.value = value;
"""

MAP_DONE = """
const [done] = arguments;
const status = Bokeh.documents[0].get_model_by_name("map_status"), t0 = performance.now();
const check = () => /compiled\\)|cached/.test(status.text)
  ? done(performance.now() - t0) : setTimeout(check, 5);
check();
"""


def _settle(driver) -> None:
    browser.wait_for(driver, lambda d: "p_attack" in browser.shown_text(d, "indicators"), 60, "no answer")
    browser.wait_for(driver, lambda d: "compiled" in browser.shown_text(d, "map_status"), 60, "no map")


def time_moves(driver, name: str, lo: float, hi: float, moves: int, with_map: bool) -> tuple[list, list]:
    answers, maps = [], []
    for k in range(moves):
        value = hi if k % 2 == 0 else lo
        ms = driver.execute_async_script(MOVE, name, value, "indicators")
        if ms >= 0:
            answers.append(ms)
        if with_map:
            maps.append(driver.execute_async_script(MAP_DONE))
        time.sleep(0.05)
    return answers, maps


def _stats(values: list[float]) -> str:
    if not values:
        return "no change seen"
    q = statistics.quantiles(values, n=10)[-1] if len(values) > 2 else max(values)
    median = statistics.median(values)
    return f"median {median:6.1f} ms, p90 {q:6.1f} ms, max {max(values):6.1f} ms (n={len(values)})"


def bench_model(driver, model: str, moves: int) -> None:
    import deterrence as dt

    cfg = dt.explorer.make_config(model)
    proc = subprocess.Popen(
        [sys.executable, "-m", "deterrence", "explore", model, "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        url = proc.stdout.readline().split(" at ")[1].split()[0]
        driver.get(url)
        _settle(driver)
        other = [n for n in cfg.model.parameters if n not in (cfg.x, cfg.y)][-1]
        for name, with_map in ((cfg.x, False), (other, True)):
            r = cfg.ranges[name]
            lo, hi = r.snap(r.lo + 0.1 * (r.hi - r.lo)), r.snap(r.lo + 0.9 * (r.hi - r.lo))
            answers, maps = time_moves(driver, name, lo, hi, moves, with_map)
            print(f"{model:32s} {name:22s} answer: {_stats(answers)}")
            if with_map:
                print(f"{'':32s} {'':22s} new map after the answer: {_stats(maps)}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument(
        "--models", nargs="+", default=["extended_deterrence", "unilateral_deterrence", "tripartite_crisis"]
    )
    args = parser.parse_args()
    why = browser.missing()
    if why:
        print(f"cannot run: {why}", file=sys.stderr)
        return 2
    driver, profile = browser.start_chromium()
    try:
        for model in args.models:
            bench_model(driver, model, args.moves)
    finally:
        browser.stop_chromium(driver, profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
