"""Entry point of the packaged program: the same `ocppscope` command as the pip install."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
