"""The store: the only code that knows where and how data is kept.

Open one with :func:`open_store`; every backend offers the :class:`Store` interface. Data
leaves it only through methods that take a role (:mod:`geo.privacy`).
"""

from geo.store.sqlite import (
    DEFAULT_STORE,
    STORE_ENV,
    Batch,
    SQLiteStore,
    Store,
    Table,
    default_store_path,
    open_store,
)

__all__ = [
    "DEFAULT_STORE",
    "STORE_ENV",
    "Batch",
    "SQLiteStore",
    "Store",
    "Table",
    "default_store_path",
    "open_store",
]
