"""`python -m context IMAGE --hint ...`: the context subcommand on its own."""

import sys

from context.cli import main

sys.exit(main())
