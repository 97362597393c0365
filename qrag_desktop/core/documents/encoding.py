"""Turn the bytes of a text file into ``str`` without assuming an encoding.

Order: a byte-order mark, strict UTF-8, UTF-16/32 without a BOM (recognised by their zero bytes),
a charset the file declares itself (HTML), then charset-normalizer. charset-normalizer alone
misreads short CJK texts (a GBK sentence of nine characters comes back as Korean cp949), so among
its equally clean guesses we prefer the one whose characters are the common ones of a language.
"""

from __future__ import annotations

import codecs
import functools
import unicodedata

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

from qrag_desktop.core.errors import DocumentError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP

BINARY = QT_TRANSLATE_NOOP("core", "binary file, not text")

# UTF-32 first: its little-endian BOM starts with the UTF-16 little-endian BOM.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAMPLE = 64 * 1024
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1b")


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise DocumentError("binary file, not text") when it is not text.

    ``declared`` is an encoding named by the file itself (an HTML ``<meta charset>``), tried after
    BOMs and UTF-8 because mislabelled pages are common and valid UTF-8 is almost never an accident.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _checked(_strict(data[len(bom) :], name), name)

    sample = data[:_SAMPLE]
    if b"\x00" not in sample:
        text = _strict(data, "utf-8")
        if text is not None:
            return _checked(text, "utf-8")
    else:
        # Only UTF-16/32 text has zero bytes; anything else with them is binary.
        wide = _wide_encoding_without_bom(sample)
        if wide is None:
            raise DocumentError(BINARY)
        return _checked(_strict(data, wide), wide)

    own = _codec_name(declared) if declared else None
    if own is not None:
        text = _strict(data, own)
        if text is not None:
            return _checked(text, own)

    return _checked(*_guess(data))


def _strict(data: bytes, name: str) -> str | None:
    try:
        return data.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None


def _checked(text: str | None, name: str) -> tuple[str, str]:
    """Refuse decodings that still look like binary (control characters where text has none)."""
    if text is None:
        raise DocumentError(BINARY)
    sample = text[:_SAMPLE]
    controls = sum(1 for ch in sample if ch < " " and ch not in _ALLOWED_CONTROLS) + sample.count("\x7f")
    if "\x00" in sample or controls > max(2, len(sample) // 100):
        raise DocumentError(BINARY)
    return text, name


def _wide_encoding_without_bom(sample: bytes) -> str | None:
    """Recognise BOM-less UTF-16/UTF-32 by where the zero bytes of ASCII-range characters sit."""
    n4 = len(sample) // 4 * 4
    if n4 >= 4:
        quads = n4 // 4
        hi_zero_le = sum(1 for i in range(0, n4, 4) if sample[i + 2] == 0 and sample[i + 3] == 0)
        hi_zero_be = sum(1 for i in range(0, n4, 4) if sample[i] == 0 and sample[i + 1] == 0)
        if hi_zero_le == quads:
            return "utf-32-le"
        if hi_zero_be == quads:
            return "utf-32-be"
    n2 = len(sample) // 2 * 2
    if n2 < 2:
        return None
    pairs = n2 // 2
    odd_zero = sum(1 for i in range(1, n2, 2) if sample[i] == 0)
    even_zero = sum(1 for i in range(0, n2, 2) if sample[i] == 0)
    if odd_zero >= pairs * 0.3 and even_zero <= pairs * 0.05:
        return "utf-16-le"
    if even_zero >= pairs * 0.3 and odd_zero <= pairs * 0.05:
        return "utf-16-be"
    return None


def _codec_name(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _guess(data: bytes) -> tuple[str, str]:
    matches = list(from_bytes(data))
    if not matches:
        raise DocumentError(BINARY)
    best_chaos = matches[0].chaos
    candidates: list[tuple[str, str]] = []
    for match in matches:
        name = _codec_name(match.encoding)
        if name is not None and match.chaos <= best_chaos + 0.02:
            candidates.append((name, str(match)))
    if not candidates:
        raise DocumentError(BINARY)
    latin = candidates[0][0] in _LATIN_CODEPAGES
    if latin and all(name != "cp1252" for name, _ in candidates):
        text = _strict(data, "cp1252")
        if text is not None and mess_ratio(text) <= best_chaos + 0.02:
            candidates.append(("cp1252", text))

    def rank(item: tuple[int, tuple[str, str]]) -> tuple[float, bool, int]:
        order, (name, text) = item
        # Equally clean Latin decodings (Spanish as cp1250 gives "Espańa") cannot be told apart
        # without a language model: prefer cp1252, by far the most common Western legacy encoding.
        return (_commonness(text), latin and name == "cp1252", -order)

    _, (name, text) = max(enumerate(candidates), key=rank)
    return text, name


_LATIN_CODEPAGES = frozenset(
    codecs.lookup(n).name
    for n in (
        "cp1250",
        "cp1252",
        "cp1254",
        "cp1257",
        "latin-1",
        "iso8859-2",
        "iso8859-4",
        "iso8859-9",
        "iso8859-10",
        "iso8859-13",
        "iso8859-15",
        "cp437",
        "cp850",
        "cp852",
        "cp857",
        "cp775",
        "mac-roman",
        "mac-latin2",
        "mac-iceland",
        "hp-roman8",
    )
)


def _commonness(text: str) -> float:
    """Share of characters in the everyday repertoire of the language that fits the text best."""
    sample = text[:20000]
    if not sample:
        return 0.0
    base = 0
    others: dict[str, int] = {}
    for ch in sample:
        o = ord(ch)
        if (
            o < 0x7F
            or 0xA0 <= o <= 0xFF
            or 0x2000 <= o <= 0x206F
            or 0x3000 <= o <= 0x303F
            or 0xFF01 <= o <= 0xFF60
        ):
            base += 1
        else:
            for script, chars in _repertoires().items():
                if ch in chars:
                    others[script] = others.get(script, 0) + 1
    return (base + max(others.values(), default=0)) / len(sample)


@functools.cache
def _repertoires() -> dict[str, frozenset[str]]:
    """Frequent characters per script: GB2312 level 1, Big5 frequent, JIS level 1 and kana, KS X 1001
    Hangul, and the letters of Latin Extended-A, Greek and Cyrillic."""

    def table(codec: str, leads: range, trails: list[int]) -> set[str]:
        chars: set[str] = set()
        for lead in leads:
            for trail in trails:
                chars.update(bytes((lead, trail)).decode(codec, errors="ignore"))
        return chars

    def letters(first: int, last: int) -> set[str]:
        return {chr(o) for o in range(first, last + 1) if unicodedata.category(chr(o)).startswith("L")}

    high = list(range(0xA1, 0xFF))
    return {
        "zh-hans": frozenset(table("gb2312", range(0xB0, 0xD8), high)),
        "zh-hant": frozenset(table("big5", range(0xA4, 0xC7), list(range(0x40, 0x7F)) + high)),
        "ja": frozenset(table("euc_jp", range(0xB0, 0xD0), high) | {chr(o) for o in range(0x3040, 0x3100)}),
        "ko": frozenset(table("euc_kr", range(0xB0, 0xC9), high)),
        "latin-ext": frozenset(letters(0x100, 0x17F)),
        "greek": frozenset(letters(0x370, 0x3FF)),
        "cyrillic": frozenset(letters(0x400, 0x45F)),
    }
