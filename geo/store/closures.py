"""Closed safeguarding items: an append-only table of who closed which item, when and why.

Kept beside :mod:`geo.store.sqlite` (as link decisions and activations are kept in it) in a
table of its own, made the first time an item is closed. Nothing is ever changed or deleted:
an item closed twice has two rows, and the latest counts.
"""

from __future__ import annotations

import secrets
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from typing import Final

import pandas as pd

from geo.errors import StoreError
from geo.store.base import Store
from geo.store.column_cache import version_key
from geo.store.sqlite import SQLiteStore, _data_version

#: The columns of :func:`closures`.
CLOSURE_COLUMNS: Final[tuple[str, ...]] = ("key", "closed_by", "closed_at", "reason")
_TABLE: Final = (
    "CREATE TABLE IF NOT EXISTS safeguarding_closures"
    " (key TEXT NOT NULL, closed_by TEXT NOT NULL, closed_at TEXT NOT NULL, reason TEXT NOT NULL)"
)


@dataclass(frozen=True)
class Closure:
    """One closed item: its key, who closed it, when (UTC ISO 8601) and why."""

    key: str
    closed_by: str
    closed_at: str
    reason: str


def add_closure(store: Store, *, key: str, by: str, reason: str) -> Closure:
    """Record that ``by`` closed the item ``key`` now, for ``reason``; a ``StoreError`` says
    what is missing. Callers check the role (:func:`geo.questions.safeguarding.close_item`)."""
    sqlite = _sqlite(store)
    texts = {"key": key, "who closed it (a name)": by, "a reason": reason}
    for what, value in texts.items():
        if not isinstance(value, str) or not value.strip():
            raise StoreError(f"give {what}: a closed item is kept with who closed it and why")
    closure = Closure(key.strip(), by.strip(), datetime.now(UTC).isoformat(), reason.strip())
    # a closure changes the queue: the data version moves on, so cached queues are refreshed;
    # the records did not change, so their column cache is carried over, as for link decisions
    token = secrets.token_hex(8)
    with sqlite._transaction(token=token) as db:
        version, old_token = _data_version(db)
        db.execute(_TABLE)
        db.execute("INSERT INTO safeguarding_closures VALUES (?, ?, ?, ?)", astuple(closure))
    sqlite._carry_caches(
        old=version_key(version, old_token), new=version_key(version + 1, token), changed=None
    )
    return closure


def closures(store: Store) -> pd.DataFrame:
    """Every closure, oldest first (:data:`CLOSURE_COLUMNS`)."""
    sqlite = _sqlite(store)
    with sqlite._reading() as db:
        made = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'safeguarding_closures'"
        ).fetchone()
        rows = (
            db.execute(
                f"SELECT {', '.join(CLOSURE_COLUMNS)} FROM safeguarding_closures ORDER BY rowid"
            ).fetchall()
            if made
            else []
        )
    return pd.DataFrame.from_records(rows, columns=list(CLOSURE_COLUMNS))


def _sqlite(store: Store) -> SQLiteStore:
    if not isinstance(store, SQLiteStore):
        raise StoreError("closing safeguarding items needs the embedded (file) store")
    return store
