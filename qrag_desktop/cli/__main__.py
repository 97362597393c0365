"""`python -m qrag_desktop.cli`: the same as the `qrag` command."""

import sys

from qrag_desktop.cli import main

sys.exit(main())
