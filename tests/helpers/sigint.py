"""Starting a subprocess as a test runner that was itself started in the background would.

A command run with ``&`` by a shell without job control (``sh -c 'pytest ... &'``, a script,
some job launchers) starts with SIGINT ignored (POSIX); Python keeps an ignored SIGINT ignored,
and every process started below, the xdist workers and the tests' sweeps included, inherits it.
A test that sends Ctrl-C to a subprocess must therefore make the subprocess restore it (the
tests' sweep scripts do, first thing). :func:`as_if_started_in_the_background` gives every such
subprocess the worst case (SIGINT ignored and blocked) whatever the runner's own state, so that
restoring is checked on every run instead of only under such a runner.
"""

from __future__ import annotations

import signal


def as_if_started_in_the_background() -> None:
    """A ``preexec_fn``: in the child, before ``exec``, ignore and block SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])

