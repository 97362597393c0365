"""Conversations survive closing the store; follow-ups see the history; deleting removes messages."""

from __future__ import annotations

from qrag_desktop.core.conversations import ConversationStore
from qrag_desktop.core.types import Hit


def _hit(n: int) -> Hit:
    return Hit(f"c{n}", f"/docs/f{n}.md", None, "Intro", 0, f"passage {n}", 1.0 / n)


def test_conversations_persist_and_feed_history(tmp_path):
    store = ConversationStore(tmp_path / "c.sqlite")
    conv = store.create("What is   Milvus?\nA vector DB?")
    store.add_message(
        conv.id,
        "What is Milvus?",
        "A vector database [1].",
        [_hit(1), _hit(2)],
        sent_text="Passages…",
        token_count=42,
    )
    store.add_message(conv.id, "And Lite?", None, [_hit(3)], error="No OpenAI API key is set.")
    store.close()

    again = ConversationStore(tmp_path / "c.sqlite")
    [listed] = again.conversations()
    assert listed.title == "What is Milvus? A vector DB?"
    assert listed.message_count == 2
    msgs = again.messages(conv.id)
    assert [m.question for m in msgs] == ["What is Milvus?", "And Lite?"]
    assert msgs[0].passages == (_hit(1), _hit(2))
    assert msgs[0].token_count == 42
    assert msgs[1].error == "No OpenAI API key is set."
    # a turn without an answer is not history the model should see
    assert again.history(conv.id) == [("What is Milvus?", "A vector database [1].")]

    again.delete(conv.id)
    assert again.conversations() == []
    assert again.messages(conv.id) == []
    again.close()
