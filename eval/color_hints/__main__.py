"""`python -m eval.color_hints`."""

import sys

from eval.color_hints.cli import main

if __name__ == "__main__":
    sys.exit(main())
