"""The shared store's part in copying a whole store (:mod:`geo.store.copying`): the whole
postcode directory read, and the import log, registers, audit log and key written as they
were, in one transaction under the write lock (a part of
:class:`geo.store.postgis.PostGISStore`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd

from geo.schema import ACTIVATION_COLUMNS, LINK_DECISION_COLUMNS
from geo.store.audit import Event
from geo.store.base import CopiedLog
from geo.store.registers import CLOSURE_COLUMNS, SHARING_COLUMNS, USER_COLUMNS
from geo.store.sqlite_copying import AUDIT_WRITTEN, IMPORT_COLUMNS

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
            with db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO settings VALUES (%s, %s, %s, %s, %s)",
                    [
                        (s.name, json.dumps(s.value), s.changed_by, s.changed_at, s.reason)
                        for s in log.settings.values()
                    ],
                )
            _insert(db, "audit", log.audit, AUDIT_WRITTEN)
            db.execute(
                "INSERT INTO secret VALUES (1, %s)"
                " ON CONFLICT (id) DO UPDATE SET key = excluded.key",
                (log.key,),
            )


def _insert(
    db: psycopg.Connection, table: str, frame: pd.DataFrame, columns: tuple[str, ...]
) -> None:
    """Add ``frame``'s ``columns`` to ``table`` as they are (missing values as NULL), in
    order."""
    cells = frame.loc[:, list(columns)].astype(object)
    rows = list(cells.where(cells.notna(), None).itertuples(index=False, name=None))
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    with db.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows
        )
