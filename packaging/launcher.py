"""The bundles' entry script: the same as the `postventa` command (app.cli:main).

It lives here, not at the top of the repository, so the folder PyInstaller adds to the analysis
path holds no other code; the spec points the analysis at the installed `app` package.
"""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
