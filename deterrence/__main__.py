"""``python -m deterrence``: the same as the ``deterrence`` command."""

import sys

from .cli import main

if __name__ == "__main__":  # not when a documentation tool imports every submodule
    sys.exit(main())
