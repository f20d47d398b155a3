"""Launch Postventa: `python main.py` does the same as the `postventa` command."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
