"""``python -m deterrence``: the same as the ``deterrence`` command."""

import sys

from .cli import run

if __name__ == "__main__":  # not when a documentation tool imports every submodule
    sys.exit(run())
