"""`python -m colorizer.apps.service.worker ARGS` = `chronochrome serve --worker-only ARGS`."""

import sys

from colorizer.apps.service.cli import worker_main

sys.exit(worker_main(sys.argv[1:]))
