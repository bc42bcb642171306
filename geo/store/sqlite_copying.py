"""The embedded store's part in copying a whole store (:mod:`geo.store.copying`): the whole
postcode directory read, and the import log, registers, audit log and key written as they
were (a part of :class:`geo.store.sqlite.SQLiteStore`, through its registers)."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3

import pandas as pd

from geo.schema import ACTIVATION_COLUMNS, LINK_DECISION_COLUMNS
from geo.store.audit import Event
from geo.store.base import CopiedLog
from geo.store.registers import CLOSURE_COLUMNS, SHARING_COLUMNS, USER_COLUMNS

#: The import log's columns, in the table's order.
IMPORT_COLUMNS = ("batch_id", "kind", "source", "sha256", "agency", "imported_at", "accounting")
#: The audit log's columns a copy writes (``seq`` is the new store's own).
AUDIT_WRITTEN = ("at", "user", "role", "action", "detail")


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
            imports = log.imports.iloc[::-1].assign(
                accounting=log.imports["accounting"]
                .iloc[::-1]
                .map(lambda kept: json.dumps(kept, default=str))
            )
            _insert(db, "imports", imports, IMPORT_COLUMNS)
            _insert(db, "link_decisions", log.link_decisions, LINK_DECISION_COLUMNS)
            _insert(db, "activations", log.activations, ACTIVATION_COLUMNS)
            _insert(db, "safeguarding_closures", log.closures, CLOSURE_COLUMNS)
            _insert(db, "users", log.users, USER_COLUMNS)
            _insert(db, "sharing", log.sharing, SHARING_COLUMNS)
            db.executemany(
                "INSERT INTO settings VALUES (?, ?, ?, ?, ?)",
                [
                    (s.name, json.dumps(s.value), s.changed_by, s.changed_at, s.reason)
                    for s in log.settings.values()
                ],
            )
            _insert(db, "audit", log.audit, AUDIT_WRITTEN)


def _insert(
    db: sqlite3.Connection, table: str, frame: pd.DataFrame, columns: tuple[str, ...]
) -> None:
    """Add ``frame``'s ``columns`` to ``table`` as they are (missing values as NULL)."""
    cells = frame.loc[:, list(columns)].astype(object)
    rows = cells.where(cells.notna(), None).itertuples(index=False, name=None)
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
