"""Shared test set-up: make ``tests/helpers`` importable as ``helpers``, and the hypothesis profile.

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
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

settings.register_profile(
    "deterrence", suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("deterrence")


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
    yet cached on disk; on a fresh install they all need the same kernels at about the same
    time, and compile them side by side. ``deterrence warm`` compiles them once, in parallel
    parts, into numba's cache, from which every process then loads them. Set
    ``DETERRENCE_TEST_WARM=0`` to skip it; a warm-up that fails is reported and the tests run
    (any kernel it did not compile compiles on first use).
    """
    config = session.config
    if os.environ.get("DETERRENCE_TEST_WARM") == "0" or not _runs_workers(config):
        return
    jobs = str(max(1, min(os.cpu_count() or 1, 4)))
    # run from a neutral folder: from the checkout, ``-m deterrence`` would find the sources
    # before the installed package the workers import
    done = subprocess.run([sys.executable, "-m", "deterrence", "warm", "--jobs", jobs],
                          capture_output=True, text=True, cwd=tempfile.gettempdir())
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    lines = (done.stdout + done.stderr).strip().splitlines()
    if reporter is not None:
        for line in lines:
            reporter.write_line(f"deterrence warm: {line}")
