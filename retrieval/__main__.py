"""`python -m retrieval library-args...`: the library CLI without a visual embedder."""

import sys

from retrieval.cli import main

sys.exit(main())
