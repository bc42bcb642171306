"""The shared store's part in copying a whole store (:mod:`geo.store.copying`): the whole
postcode directory read, and the import log, registers, audit log and key written as they
were, in one transaction under the write lock (a part of
:class:`geo.store.postgis.PostGISStore`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from geo.store.audit import Event
from geo.store.base import CopiedLog
from geo.store.rules import restored_rows

if TYPE_CHECKING:
    import psycopg


class PostGISCopying:
    """Copying's half of :class:`geo.store.postgis.PostGISStore`, written with its
    ``_reading``, ``_transaction`` and ``postcode_rows``."""

    def postcode_table(self) -> pd.DataFrame:
        with self._reading() as db:
            postcodes = [row[0] for row in db.execute("SELECT postcode FROM postcodes")]
        return self.postcode_rows(postcodes)

    def restore_log(self, log: CopiedLog, *, event: Event) -> None:
        with self._transaction(event=event) as db:
            db.execute("DELETE FROM imports")
            for table, (columns, rows) in restored_rows(log).items():
                _insert(db, table, columns, rows)
            db.execute(
                "INSERT INTO secret VALUES (1, %s)"
                " ON CONFLICT (id) DO UPDATE SET key = excluded.key",
                (log.key,),
            )


def _insert(
    db: psycopg.Connection,
    table: str,
    columns: tuple[str, ...],
    rows: Sequence[tuple[object, ...]],
) -> None:
    """Add ``rows`` (cells in the order of ``columns``; None: NULL) to ``table``, in order."""
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    with db.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows
        )
