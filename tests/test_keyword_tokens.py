"""English text is keyword-indexed without jieba's Chinese dictionary, with jieba's very tokens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jieba
import pytest

from qrag_desktop.core.keyword_tokens import cut, has_han, latin_tokenizer

SAMPLES = [
    "How does Milvus flush data? Growing segments are sealed, e.g. every 10 s (3.5% of the time).",
    "C++ and C# clients; AT&T's co-op x86_64 build; abc# and c++17; user@example.com; v2.4.1-rc",
    "Ünïcödé “quotes” — dashes… naïve café Straße; tabs\tand\r\nnew lines; Ωμέγα; Привет; かな",
    "QQ PK AA KTV CEO: upper-case words that look like Chinese dictionary entries elsewhere",
]


@pytest.fixture(scope="module")
def real_jieba() -> object:
    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


@pytest.mark.parametrize("search", [True, False])
def test_same_tokens_as_jieba_for_text_without_chinese(real_jieba, search: bool) -> None:
    corpus = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "milvus-docs-en" / "faq"
    texts = list(SAMPLES)
    assert not any(has_han(t) for t in texts)
    if corpus.is_dir():  # real documents, with a few Chinese words in them (those go to jieba)
        texts += [p.read_text(encoding="utf-8")[:30000] for p in sorted(corpus.glob("*.md"))]
    for text in texts:
        expected = list(jieba.cut_for_search(text) if search else jieba.cut(text))
        assert cut(text, search=search) == expected
    assert latin_tokenizer().total == jieba.dt.total  # the same segment costs as the full dictionary


def test_chinese_text_goes_to_jieba(real_jieba) -> None:
    text = "向量数据库把数据存储在对象存储中 with MinIO"
    assert has_han(text)
    assert cut(text) == list(jieba.cut_for_search(text))
    assert "对象" in cut(text)


SCRIPT = """
import json, sys
from pathlib import Path
from qrag_desktop.core.engine import Engine
from qrag_desktop.core.settings import Paths, Settings
import jieba
eng = Engine(Settings(), Paths.resolve(sys.argv[1]).ensure())
list(eng.index([sys.argv[2]], keyword_only=True))
english = jieba.dt.initialized
found = [Path(h.path).name for h in eng.store.keyword_search("Note 2 object storage", 5)]
Path(sys.argv[2], "zh.txt").write_text("向量数据库把数据存储在对象存储中。", encoding="utf-8")
list(eng.index([sys.argv[2]], keyword_only=True))
zh = [Path(h.path).name for h in eng.store.keyword_search("对象存储", 5)]
print(json.dumps({"english": english, "chinese": jieba.dt.initialized, "found": found[:1], "zh": zh[:1]}))
eng.close()
"""


def test_keyword_indexing_english_files_leaves_the_dictionary_unloaded(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(4):
        (docs / f"note{i}.md").write_text(f"# Note {i}\n\nMilvus stores data in object storage.\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "data"), str(docs)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {"english": False, "chinese": True, "found": ["note2.md"], "zh": ["zh.txt"]}
