"""The store: the only code that knows where and how data is kept.

Open one with :func:`open_store`; every backend offers the :class:`Store` interface
(:mod:`geo.store.base`). Data leaves it only through methods that take a role
(:mod:`geo.privacy`). The embedded backend is :mod:`geo.store.sqlite`, with its SQL in
:mod:`geo.store.sql` and the column cache of large tables in :mod:`geo.store.column_cache`;
the shared one is :mod:`geo.store.postgis` (PostgreSQL with PostGIS), chosen by a URL.
"""

from __future__ import annotations

import os
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

    ``location`` is a file path for the embedded store, or a ``postgresql://`` (or
    ``postgres://``) URL for the shared PostGIS store; ``None`` means
    :func:`default_store_path` (the ``OUTREACH_ATLAS_STORE`` environment variable may hold
    either).
    """
    text = str(location) if location is not None else os.environ.get(STORE_ENV) or ""
    if text.startswith(("postgresql:", "postgres:")):
        try:  # loaded only for the shared store: the embedded default needs no driver
            from geo.store.postgis import PostGISStore
        except ImportError as err:
            raise StoreError(
                f"the PostGIS store needs the psycopg package ({err}); install requirements.txt"
            ) from err
        return PostGISStore(text)
    return SQLiteStore(Path(text) if text else default_store_path())


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
