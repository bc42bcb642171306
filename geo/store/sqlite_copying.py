"""The embedded store's part in copying a whole store (:mod:`geo.store.copying`): the whole
postcode directory read, and the import log, registers, audit log and key written as they
were (a part of :class:`geo.store.sqlite.SQLiteStore`, through its registers)."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Sequence

import pandas as pd

from geo.store.audit import Event
from geo.store.base import CopiedLog
from geo.store.rules import restored_rows


class SQLiteCopying:
    """Copying's half of :class:`geo.store.sqlite.SQLiteStore`, written with its ``path``,
    ``_reading``, ``_noted`` and ``postcode_rows``."""

    def postcode_table(self) -> pd.DataFrame:
        with self._reading() as db:
            postcodes = [row[0] for row in db.execute("SELECT postcode FROM postcodes")]
        return self.postcode_rows(postcodes)

    def restore_log(self, log: CopiedLog, *, event: Event) -> None:
        _write_key(self.path.with_name(self.path.stem + ".key"), log.key)
        with self._noted(event) as db:
            db.execute("DELETE FROM imports")
            for table, (columns, rows) in restored_rows(log).items():
                _insert(db, table, columns, rows)


def _insert(
    db: sqlite3.Connection,
    table: str,
    columns: tuple[str, ...],
    rows: Sequence[tuple[object, ...]],
) -> None:
    """Add ``rows`` (cells in the order of ``columns``; None: NULL) to ``table``."""
    names = ", ".join(f'"{c}"' for c in columns)
    db.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)


def _write_key(path: os.PathLike[str], key: bytes) -> None:
    """Replace the key file at ``path`` with ``key`` whole (readable by its owner only)."""
    folder, name = os.path.split(os.fspath(path))
    staging = os.path.join(folder, f".{name}.{secrets.token_hex(4)}")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        os.replace(staging, path)
    except BaseException:
        if os.path.exists(staging):
            os.remove(staging)
        raise
