"""`python -m qrag_desktop` starts the desktop app."""

import sys

from qrag_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
