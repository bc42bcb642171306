"""The store: the only code that knows where and how data is kept.

Open one with :func:`open_store`; every backend offers the :class:`Store` interface
(:mod:`geo.store.base`). Data leaves it only through methods that take a role
(:mod:`geo.privacy`). The embedded backend is :mod:`geo.store.sqlite`, with its SQL in
:mod:`geo.store.sql` and the column cache of large tables in :mod:`geo.store.column_cache`.
"""

from __future__ import annotations

from pathlib import Path

from geo.errors import StoreError
from geo.store.base import (
    DEFAULT_STORE,
    STORE_ENV,
    Batch,
    LinkDecision,
    Lookup,
    Store,
    Table,
    default_store_path,
    demo_store_path,
)
from geo.store.sqlite import SQLiteStore


def open_store(location: str | Path | None = None) -> Store:
    """Open (creating if needed) the store at ``location``.

    ``location`` is a file path for the embedded store; ``None`` means
    :func:`default_store_path`. A ``postgresql://`` URL is reserved for the shared backend.
    """
    text = str(location) if location is not None else str(default_store_path())
    if text.startswith(("postgresql:", "postgres:")):
        raise StoreError(
            "the PostGIS backend is not built yet; use a file path for the embedded store"
        )
    return SQLiteStore(Path(text))


__all__ = [
    "DEFAULT_STORE",
    "STORE_ENV",
    "Batch",
    "LinkDecision",
    "Lookup",
    "SQLiteStore",
    "Store",
    "Table",
    "default_store_path",
    "demo_store_path",
    "open_store",
]
