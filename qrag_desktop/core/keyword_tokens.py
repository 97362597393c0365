"""Keyword (BM25) tokens without loading jieba's Chinese dictionary for text that has no Chinese.

Milvus Lite tokenizes with jieba in this process. jieba loads its 5 MB dictionary the first time
it cuts anything: 1-4 s before the first English file is keyword-indexed. For text without a Han
character, jieba's result depends only on the dictionary's handful of ASCII entries ("C++",
"AT&T") and its total frequency, so a jieba tokenizer holding just those gives the very same
tokens (tests/test_keyword_tokens.py compares them): old indexes and new queries still match.
Text with Chinese goes to jieba itself, which loads its dictionary then.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# The Han range jieba's own block pattern (re_han_default) uses; everything else is cut without
# the dictionary except ASCII words, handled by the small dictionary below.
_HAN = re.compile("[\u4e00-\u9fd5]")
_ASCII_ENTRY = re.compile(rb"^([\x21-\x7e]+ \d+)", re.MULTILINE)
_FREQ = re.compile(rb"^\S+ (\d+)", re.MULTILINE)

_lock = threading.Lock()
_latin: Any = None  # a jieba.Tokenizer that knows only the dictionary's ASCII words


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def latin_tokenizer() -> Any:
    """A jieba tokenizer for text without Han characters (made once; reads the dictionary as text,
    about 0.2 s, instead of building jieba's prefix dictionary)."""
    global _latin
    with _lock:
        if _latin is None:
            import jieba

            data = Path(jieba.__file__).with_name("dict.txt").read_bytes()
            small = b"\n".join(_ASCII_ENTRY.findall(data))
            tk = jieba.Tokenizer()
            tk.FREQ, _small_total = tk.gen_pfdict(io.BytesIO(small))
            # Segment costs are log(freq / total): the full dictionary's total keeps the same choices.
            tk.total = sum(int(n) for n in _FREQ.findall(data))
            tk.initialized = True
            _latin = tk
        return _latin


def cut(text: str, *, search: bool = True) -> list[str]:
    """jieba's cut (``cut_for_search`` when ``search``), loading the full dictionary only for Han text."""
    if has_han(text):
        import jieba

        return list(jieba.cut_for_search(text) if search else jieba.cut(text))
    tk = latin_tokenizer()
    return list(tk.cut_for_search(text) if search else tk.cut(text))


_installed = False


def install_in_milvus_lite() -> None:
    """Make Milvus Lite's jieba analyzer use ``cut`` (idempotent; before a collection is loaded)."""
    global _installed
    if _installed:
        return
    try:
        from milvus_lite.analyzer import jieba_analyzer
    except ImportError:  # another Milvus Lite: its analyzer is left as it is
        return
    base = jieba_analyzer.JiebaAnalyzer
    if not hasattr(base, "tokenize") or not hasattr(base, "__init__"):
        return

    class HanAwareJiebaAnalyzer(base):  # type: ignore[misc, valid-type]
        """The same tokens as Milvus Lite's jieba analyzer; the dictionary loads only for Han text."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # Words added to jieba's dictionary may be ASCII: then only jieba itself cuts alike.
            self._custom_words = bool(kwargs.get("user_dict_words") or (args[2:3] and args[2]))

        def tokenize(self, text: str) -> list[str]:
            if self._custom_words or getattr(self, "_mode", "search") not in ("search", "exact"):
                return super().tokenize(text)
            raw = cut(text, search=self._mode == "search")
            tokens = [t.strip().lower() for t in raw if t.strip()]
            stop = getattr(self, "_stop_words", None)
            return [t for t in tokens if t not in stop] if stop else tokens

    jieba_analyzer.JiebaAnalyzer = HanAwareJiebaAnalyzer  # type: ignore[misc]
    _installed = True


__all__ = ["cut", "has_han", "install_in_milvus_lite", "latin_tokenizer"]
