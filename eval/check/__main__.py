import sys

from eval.check.cli import main

sys.exit(main())
