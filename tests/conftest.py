"""Shared test set-up: make ``tests/helpers`` importable as ``helpers``, and the hypothesis profile.

The profile turns off two of hypothesis's health checks, which judge the generators and the
machine, not the code under test: ``too_slow`` (generation time, which depends on the load of the
shared CI cores) and ``data_too_large`` (a generator such as ``test_pbe_patterns.signalling_trees``
that sometimes draws more than hypothesis's buffer; it failed one run of
``test_pbe_pruning.py::test_every_pattern_of_random_trees_is_tested_as_alone`` with no failing
example). Each test's own ``@settings`` still sets its examples and deadline.
"""

import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

settings.register_profile(
    "deterrence", suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("deterrence")
