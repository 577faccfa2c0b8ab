"""Entry point of the packaged program: the same `ocppscope` command as the pip install."""

import multiprocessing
import sys

from app.cli import main

if __name__ == "__main__":
    # a frozen program started again as a worker process (judging a big session) must run
    # the worker, not a second copy of the program; a no-op when not frozen
    multiprocessing.freeze_support()
    sys.exit(main())
