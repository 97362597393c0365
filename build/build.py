"""Build the one-folder desktop app: ``python build/build.py`` -> ``dist/qrag-desktop/``.

Run it from the environment the app is installed in (``pip install -e ".[dev]"``): PyInstaller
freezes the packages it finds there, so a CUDA or MPS build of torch gives a CUDA or MPS app.
``--install-desktop-entry`` (Linux) adds the built app to the desktop's application menu.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
APP_NAME = "qrag-desktop"
SPEC = HERE / "qrag_desktop.spec"
DESKTOP_FILE = HERE / f"{APP_NAME}.desktop"
ICON_PNG = REPO / "qrag_desktop" / "resources" / "icon.png"  # the app's own icon
ICON_SVG = REPO / "qrag_desktop" / "resources" / "icon.svg"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def executable(app_dir: Path) -> Path:
    """The launcher inside a built app folder (macOS: the one inside the .app bundle)."""
    if sys.platform == "win32":
        return app_dir / f"{APP_NAME}.exe"
    if sys.platform == "darwin" and (app_dir.parent / f"{APP_NAME}.app").is_dir():
        return app_dir.parent / f"{APP_NAME}.app" / "Contents" / "MacOS" / APP_NAME
    return app_dir / APP_NAME


def build(distpath: Path, workpath: Path, *, clean: bool = False, log_level: str = "WARN") -> Path:
    """Run PyInstaller on the spec; returns the app folder (``distpath/qrag-desktop``)."""
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        f"--distpath={distpath}",
        f"--workpath={workpath}",
        f"--log-level={log_level}",
    ]
    if clean:
        cmd.append("--clean")
    env = dict(os.environ)
    env.setdefault("PYTHONWARNINGS", "ignore")  # PyInstaller imports every package; their warnings are noise
    subprocess.run(cmd, check=True, cwd=REPO, env=env)
    app_dir = distpath / APP_NAME
    if sys.platform.startswith("linux"):
        # Beside the executable, so --install-desktop-entry (or a packager) finds them.
        shutil.copy2(DESKTOP_FILE, app_dir / DESKTOP_FILE.name)
        shutil.copy2(ICON_PNG, app_dir / f"{APP_NAME}.png")
        shutil.copy2(ICON_SVG, app_dir / f"{APP_NAME}.svg")
    return app_dir


def install_desktop_entry(app_dir: Path) -> Path:
    """Install the .desktop file and icon for this user (XDG dirs), pointing at the built executable."""
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    apps = data_home / "applications"
    icons = data_home / "icons" / "hicolor"
    (icons / "256x256" / "apps").mkdir(parents=True, exist_ok=True)
    (icons / "scalable" / "apps").mkdir(parents=True, exist_ok=True)
    apps.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ICON_PNG, icons / "256x256" / "apps" / f"{APP_NAME}.png")  # Icon=qrag-desktop
    shutil.copy2(ICON_SVG, icons / "scalable" / "apps" / f"{APP_NAME}.svg")
    exe = executable(app_dir).resolve()
    lines = []
    for line in DESKTOP_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f'Exec="{exe}"'
        elif line.startswith("TryExec="):
            line = f"TryExec={exe}"
        lines.append(line)
    target = apps / DESKTOP_FILE.name
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--distpath", type=Path, default=REPO / "dist", help="where the app folder goes")
    p.add_argument("--workpath", type=Path, default=HERE / "pyinstaller", help="PyInstaller's scratch")
    p.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first (slower)")
    p.add_argument("--self-test", action="store_true", help="run the built app's --self-test afterwards")
    p.add_argument("--verbose", action="store_true", help="PyInstaller's INFO log")
    p.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="Linux: add the built app to this user's application menu (no build)",
    )
    args = p.parse_args(argv)
    app_dir = args.distpath.resolve() / APP_NAME

    if args.install_desktop_entry:
        if not executable(app_dir).exists():
            print(f"No built app at {app_dir}; run `python build/build.py` first.", file=sys.stderr)
            return 1
        print(f"installed {install_desktop_entry(app_dir)}")
        return 0

    t0 = time.monotonic()
    app_dir = build(
        args.distpath.resolve(),
        args.workpath.resolve(),
        clean=args.clean,
        log_level="INFO" if args.verbose else "WARN",
    )
    seconds = time.monotonic() - t0
    size_mb = folder_size(app_dir) / 1e6
    print(f"built {executable(app_dir)} in {seconds / 60:.1f} min; the folder holds {size_mb:,.0f} MB")
    if args.self_test:
        return subprocess.run([str(executable(app_dir)), "--self-test"]).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
