"""`python -m eval.blobs`."""


import sys

from eval.blobs.cli import main

if __name__ == "__main__":
    sys.exit(main())
