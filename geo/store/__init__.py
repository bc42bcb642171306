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
from typing import Final

from geo.errors import StoreError
from geo.store.base import Batch, LinkDecision, Lookup, Store, Table
from geo.store.locations import (
    DEFAULT_STORE,
    STORE_ENV,
    default_store_location,
    default_store_path,
    demo_store_path,
    is_store_url,
)
from geo.store.sqlite import SQLiteStore

#: The folder a shared (PostGIS) store's files (its base map) are kept in; default ``var``.
FILES_ENV: Final = "OUTREACH_ATLAS_FILES"


def open_store(location: str | Path | None = None) -> Store:
    """Open (creating if needed) the store at ``location``.

    ``location`` is a file path for the embedded store, or a ``postgresql://`` (or
    ``postgres://``) URL for the shared PostGIS store; ``None`` means
    :func:`default_store_path` (the ``OUTREACH_ATLAS_STORE`` environment variable may hold
    either).
    """
    text = str(location).strip() if location is not None else default_store_location()
    if is_store_url(text):
        try:  # loaded only for the shared store: the embedded default needs no driver
            from geo.store.postgis import PostGISStore
        except ImportError as err:
            raise StoreError(
                f"the PostGIS store needs the psycopg package ({err}); install requirements.txt"
            ) from err
        return PostGISStore(text)
    return SQLiteStore(Path(text) if text else default_store_path())


def app_store_location() -> str:
    """The store the app shows: a URL in ``OUTREACH_ATLAS_STORE`` as given (a shared store is
    always a real one), else the real store's file once it has been begun, else the demo
    borough's own store beside it (:func:`demo_store_path`): made-up and real people are
    never mixed."""
    location = default_store_location()
    if is_store_url(location):
        return location
    real = Path(location).resolve()
    return str(real if real.exists() else demo_store_path(real))


def files_folder(location: str | Path) -> Path:
    """The folder that files kept for the store at ``location`` go in (its base map).

    An embedded store's files go beside its own file. A shared store's database keeps no
    files, so they go in the folder ``OUTREACH_ATLAS_FILES`` names, else ``var`` in the
    working directory (where the embedded store would be), named after the database.
    """
    if not is_store_url(location):
        return Path(location).parent
    chosen = (os.environ.get(FILES_ENV) or "").strip()
    return Path(chosen).expanduser() if chosen else DEFAULT_STORE.parent


__all__ = [
    "DEFAULT_STORE",
    "FILES_ENV",
    "STORE_ENV",
    "Batch",
    "LinkDecision",
    "Lookup",
    "SQLiteStore",
    "Store",
    "Table",
    "app_store_location",
    "default_store_location",
    "default_store_path",
    "demo_store_path",
    "files_folder",
    "is_store_url",
    "open_store",
]
