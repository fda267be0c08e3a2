"""Shared test set-up: the checkout's package under test, ``tests/helpers`` importable as ``helpers``,
the hypothesis profile, and the kernels compiled once before an xdist run's workers start.

The profile turns off two of hypothesis's health checks, which judge the generators and the
machine, not the code under test: ``too_slow`` (generation time, which depends on the load of the
shared CI cores) and ``data_too_large`` (a generator such as ``test_pbe_patterns.signalling_trees``
that sometimes draws more than hypothesis's buffer; it failed one run of
``test_pbe_pruning.py::test_every_pattern_of_random_trees_is_tested_as_alone`` with no failing
example). Each test's own ``@settings`` still sets its examples and deadline.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

from helpers.checkout import ROOT, checkout_env

# the checkout's package is the one under test, in process as in the subprocesses the tests start
# (which put it on ``PYTHONPATH``), so that both load the same compiled kernels from numba's cache
# (numba keys its cache on the file that defines a kernel: an installed copy of the package has
# caches of its own, and would compile every kernel once more)
sys.path.insert(0, str(ROOT))

settings.register_profile(
    "deterrence", suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("deterrence")


#: seconds after which the warm-up is stopped: a guard against a hang only, never a measure
WARM_GUARD = 900


def _runs_workers(config: pytest.Config) -> bool:
    """Whether this is the controller of a pytest-xdist run with worker processes."""
    if hasattr(config, "workerinput") or config.getoption("collectonly", False):
        return False
    return config.getoption("dist", "no") != "no" and bool(config.getoption("numprocesses", 0))


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Before the workers start, compile the kernels once (``deterrence warm``).

    Each worker process, and each process a test starts (the explorer's server, a notebook's
    kernel, the command line), compiles on first use whatever kernels it needs and numba has not
    yet cached on disk; on a fresh install each of them compiles the same kernels again.
    ``deterrence warm`` compiles them once, in parallel parts, into numba's cache, from which
    every process then loads them. Set
    ``DETERRENCE_TEST_WARM=0`` to skip it; a warm-up that fails is reported and the tests run
    (any kernel it did not compile compiles on first use).
    """
    config = session.config
    if os.environ.get("DETERRENCE_TEST_WARM") == "0" or not _runs_workers(config):
        return
    try:
        done = subprocess.run([sys.executable, "-m", "deterrence", "warm"], capture_output=True,
                              text=True, env=checkout_env(), cwd=ROOT, timeout=WARM_GUARD)
        lines = (done.stdout + done.stderr).strip().splitlines()
    except subprocess.TimeoutExpired:
        lines = [f"stopped after {WARM_GUARD} s; the kernels it did not compile compile on first use"]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        for line in lines:
            reporter.write_line(f"deterrence warm: {line}")
