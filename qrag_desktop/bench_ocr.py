"""Seconds per page of the local OCR on scanned PDFs: ``python -m qrag_desktop.bench_ocr``.

Without ``--pdf`` it makes an image-only A4 page at 300 dpi full of 11-point English text (a
typical office scan) and reads it ``--pages`` times; give ``--pdf`` to time a real scan instead.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time

WORDS = (
    "the harbour master keeps tide tables ledger invoice shipment quarterly report engine "
    "pressure valve default port server storage segment index query answer passage document"
).split()


def make_scan(pages: int) -> bytes:
    """An image-only PDF: ``pages`` A4 pages at 300 dpi, 45 lines of 11-point text each."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=46)  # 11 pt at 300 dpi
    images = []
    for p in range(pages):
        image = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(image)
        for line in range(45):
            words = [WORDS[(p * 7 + line * 5 + k * 3) % len(WORDS)] for k in range(12)]
            draw.text((220, 260 + line * 68), " ".join(words).capitalize() + ".", fill=0, font=font)
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=300, save_all=True, append_images=images[1:])
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m qrag_desktop.bench_ocr", description=__doc__)
    p.add_argument("--pdf", help="a scanned PDF to read (default: a generated A4 page)")
    p.add_argument("--pages", type=int, default=3, help="pages to read (default 3)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    from qrag_desktop.core.documents import ocr

    data = open(args.pdf, "rb").read() if args.pdf else make_scan(args.pages)  # noqa: SIM115
    t0 = time.perf_counter()
    ocr._ocr_engine()
    load_s = time.perf_counter() - t0
    times: list[float] = []
    cpu: list[float] = []
    chars = 0
    for number in range(1, args.pages + 1):
        t, c = time.perf_counter(), time.process_time()
        text = ocr.ocr_pdf_pages(data, [number]).get(number, "")
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        chars += len(text)
    result = {
        "engine_load_s": round(load_s, 2),
        "seconds_per_page": round(sum(times) / len(times), 2),
        "pages": len(times),
        "page_seconds": [round(t, 2) for t in times],
        # CPU time of all OCR threads: on a busy machine, wall time per page is this divided by
        # the cores the OCR actually got
        "cpu_seconds_per_page": round(sum(cpu) / len(cpu), 2),
        "characters_per_page": chars // max(1, len(times)),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
