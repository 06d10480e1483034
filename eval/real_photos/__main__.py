"""`python -m eval.real_photos`."""


import sys

from eval.real_photos.cli import main

if __name__ == "__main__":
    sys.exit(main())
