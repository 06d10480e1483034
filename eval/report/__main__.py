"""`python -m eval.report`."""


import sys

from eval.report.cli import main

if __name__ == "__main__":
    sys.exit(main())
