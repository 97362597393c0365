"""Conversations kept in SQLite in the data dir: questions, answers and the passages they used.

Qt-free, so the CLI or a test can read them too. A follow-up question passes the earlier
(question, answer) pairs of its conversation as ``history`` to ``build_request``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from qrag_desktop.core.errors import QragError
from qrag_desktop.core.messages import QT_TRANSLATE_NOOP, tr
from qrag_desktop.core.sqlite_files import open_checked
from qrag_desktop.core.types import Hit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    answer TEXT,
    error TEXT,
    passages TEXT NOT NULL,
    sent_text TEXT,
    token_count INTEGER,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id);
"""

TITLE_CHARS = 80


def _prepare(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA journal_mode = WAL")
    db.executescript(_SCHEMA)
    db.commit()


class ConversationError(QragError):
    """The conversation database cannot be read or written."""


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    created_at: float
    updated_at: float
    message_count: int = 0


@dataclass(frozen=True)
class Message:
    """One question and what came back; ``answer`` is None when none was generated (``error`` says why)."""

    id: int
    conversation_id: int
    question: str
    answer: str | None
    passages: tuple[Hit, ...]
    error: str | None = None
    sent_text: str | None = None  # the exact text sent to the cloud model, when something was sent
    token_count: int | None = None
    created_at: float = 0.0


def _hit_to_json(h: Hit) -> dict[str, object]:
    return {
        "chunk_id": h.chunk_id,
        "path": h.path,
        "page": h.page,
        "heading": h.heading,
        "position": h.position,
        "text": h.text,
        "score": h.score,
    }


def _hit_from_json(d: dict[str, object]) -> Hit:
    page = d.get("page")
    return Hit(
        chunk_id=str(d.get("chunk_id", "")),
        path=str(d.get("path", "")),
        page=int(page) if isinstance(page, int) else None,
        heading=str(d.get("heading", "")),
        position=int(d.get("position", 0) or 0),  # type: ignore[call-overload]
        text=str(d.get("text", "")),
        score=float(d.get("score", 0.0) or 0.0),  # type: ignore[arg-type]
    )


def _title_for(question: str) -> str:
    one_line = " ".join(question.split())
    return one_line if len(one_line) <= TITLE_CHARS else one_line[: TITLE_CHARS - 1] + "…"


class ConversationStore:
    """A small SQLite file; use it from one thread (the GUI thread: every call is quick)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            db, self.set_aside = open_checked(
                self.path, _prepare, what=QT_TRANSLATE_NOOP("core", "conversation history")
            )
        except QragError as exc:
            raise ConversationError(exc.message, cause=exc.cause, hint=exc.hint) from exc
        self._db: sqlite3.Connection | None = db

    def notice(self) -> str | None:
        """One sentence for the user when the history was damaged at open (and started afresh)."""
        if self.set_aside is None:
            return None
        return tr(
            QT_TRANSLATE_NOOP(
                "core",
                "The conversation history %1 was damaged; it was set aside as %2 and a new, empty "
                "history was started.",
            ),
            self.path,
            self.set_aside.name,
        )

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise ConversationError("The conversation history is closed.")
        return self._db

    def create(self, first_question: str) -> Conversation:
        now = time.time()
        title = _title_for(first_question)
        with self.db:
            cur = self.db.execute(
                "INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)",
                (title, now, now),
            )
        return Conversation(id=int(cur.lastrowid or 0), title=title, created_at=now, updated_at=now)

    def add_message(
        self,
        conversation_id: int,
        question: str,
        answer: str | None,
        passages: tuple[Hit, ...] | list[Hit],
        *,
        error: str | None = None,
        sent_text: str | None = None,
        token_count: int | None = None,
    ) -> Message:
        now = time.time()
        payload = json.dumps([_hit_to_json(h) for h in passages], ensure_ascii=False)
        with self.db:
            cur = self.db.execute(
                "INSERT INTO messages (conversation_id, question, answer, error, passages, sent_text,"
                " token_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, question, answer, error, payload, sent_text, token_count, now),
            )
            self.db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
        return Message(
            id=int(cur.lastrowid or 0),
            conversation_id=conversation_id,
            question=question,
            answer=answer,
            passages=tuple(passages),
            error=error,
            sent_text=sent_text,
            token_count=token_count,
            created_at=now,
        )

    def conversations(self) -> list[Conversation]:
        """Most recently used first."""
        rows = self.db.execute(
            "SELECT c.id, c.title, c.created_at, c.updated_at, COUNT(m.id) FROM conversations c"
            " LEFT JOIN messages m ON m.conversation_id = c.id GROUP BY c.id"
            " ORDER BY c.updated_at DESC, c.id DESC"
        ).fetchall()
        return [Conversation(int(r[0]), str(r[1]), float(r[2]), float(r[3]), int(r[4])) for r in rows]

    def get(self, conversation_id: int) -> Conversation | None:
        for c in self.conversations():
            if c.id == conversation_id:
                return c
        return None

    def messages(self, conversation_id: int) -> list[Message]:
        rows = self.db.execute(
            "SELECT id, conversation_id, question, answer, error, passages, sent_text, token_count,"
            " created_at FROM messages WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        ).fetchall()
        out = []
        for r in rows:
            try:
                passages = tuple(_hit_from_json(d) for d in json.loads(r[5] or "[]"))
            except (ValueError, TypeError):
                passages = ()  # a damaged row still shows its question and answer
            out.append(
                Message(
                    id=int(r[0]),
                    conversation_id=int(r[1]),
                    question=str(r[2]),
                    answer=r[3],
                    passages=passages,
                    error=r[4],
                    sent_text=r[6],
                    token_count=r[7],
                    created_at=float(r[8]),
                )
            )
        return out

    def history(self, conversation_id: int) -> list[tuple[str, str]]:
        """Earlier (question, answer) pairs, oldest first; turns without an answer are left out."""
        return [(m.question, m.answer) for m in self.messages(conversation_id) if m.answer]

    def rename(self, conversation_id: int, title: str) -> None:
        """A title the person chose (blank: kept as it was); it does not move the conversation up."""
        title = _title_for(title)
        if title:
            with self.db:
                self.db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def delete(self, conversation_id: int) -> None:
        with self.db:
            self.db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


__all__ = ["Conversation", "ConversationError", "ConversationStore", "Message"]
