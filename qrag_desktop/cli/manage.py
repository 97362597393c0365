"""`qrag remove` and `qrag status`: what is indexed, and taking it out."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from qrag_desktop.core.errors import QragError
from qrag_desktop.core.settings import Paths

if TYPE_CHECKING:
    from qrag_desktop.core.engine import Engine


def cmd_remove(args: argparse.Namespace, engine: Engine, paths: Paths) -> int:
    """Take paths out of the index and out of the remembered folders; they need not exist."""
    from qrag_desktop.core.paths import is_under, normalise

    for given in args.paths:
        root = normalise(given)
        files, chunks = engine.remove_path(root)
        known = [f.path for f in engine.folders.entries() if is_under(normalise(f.path), root)]
        for folder in known:
            engine.folders.remove(folder)
        if not known and files == 0:
            raise QragError(f"Nothing indexed under {given}.", hint="`qrag status` lists what is indexed.")
        print(f"Removed {files} files ({chunks} passages) under {root}.")
    return 0


def cmd_status(args: argparse.Namespace, engine: Engine) -> int:
    st = engine.status()
    out = {
        "files": st.files,
        "files_failed": st.files_failed,
        "chunks": st.chunks,
        "model_id": st.model_id,
        "dimension": st.dimension,
        "query_instruction": st.query_instruction,
        "store": st.store,
        "data_dir": st.data_dir,
        "folders": [{"path": f.path, "local_only": f.local_only} for f in st.folders],
        "missing_folders": list(st.missing_folders),
        "store_disagrees": st.store_disagrees,
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"Data dir:  {st.data_dir}")
    print(f"Store:     {st.store}")
    print(
        f"Model:     {st.model_id or '(nothing indexed yet)'}"
        + (f" ({st.dimension} dims)" if st.dimension else "")
    )
    print(
        f"Indexed:   {st.files} files, {st.chunks} chunks"
        + (f", {st.files_failed} failed" if st.files_failed else "")
    )
    for f in st.folders:
        print(f"Folder:    {f.path}" + ("  [local only]" if f.local_only else ""))
    if any(f.local_only for f in st.folders):
        print("           (clear the flag with `qrag index --no-local-only FOLDER`)")
    if st.store_disagrees:
        print(f"Warning:   {st.store_disagrees}")
    for m in st.missing_folders:
        print(f"Missing:   {m} (moved, deleted or unmounted?): `qrag remove {m}` takes it out of the index")
    return 0
