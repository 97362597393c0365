"""The built app's executable: ``--self-test`` checks the install headlessly; else it opens the window.

``freeze_support()`` comes first: document parsing runs in "spawn" worker processes, which in a
frozen app re-launch this executable, and those launches must become workers, not new windows.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile


def _console_for_windowed_windows() -> None:
    """A windowed Windows build has no stdout: attach to the console that started us, or use a file."""
    if sys.platform != "win32" or sys.stdout is not None:
        return
    import ctypes

    if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
        stream = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115 - lives until exit
    else:
        path = os.path.join(tempfile.gettempdir(), "qrag-desktop-self-test.txt")
        stream = open(path, "w", encoding="utf-8", errors="replace")  # noqa: SIM115 - lives until exit
    sys.stdout = sys.stderr = stream


def main() -> int:
    multiprocessing.freeze_support()
    argv = sys.argv[1:]
    if "--self-test" in argv:
        _console_for_windowed_windows()
        # Plain output even where the console's encoding cannot show the Chinese sample query.
        for stream in (sys.stdout, sys.stderr):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="backslashreplace")
        from qrag_desktop.selftest import main as selftest_main

        return selftest_main(argv)
    from qrag_desktop.app import main as app_main

    return app_main(argv)


if __name__ == "__main__":
    sys.exit(main())
