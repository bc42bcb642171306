"""The embedded store's deletions: records purged after the retention period, and one
person's records erased at their request (a part of :class:`geo.store.sqlite.SQLiteStore`).

A deletion is one transaction: the link decisions naming the records go first, then the
records, then closed safeguarding items whose item has gone with them (``record-<id>``, or
``person-<ref>`` once nobody with that reference is left), and one audit row with the counts.
Services and police.uk incidents hold nobody's data and are never touched.

What is deleted does not linger beside the store: SQLite overwrites the freed pages
(``secure_delete``), the write-ahead log is checkpointed and truncated afterwards, and the
records' column cache is removed (the next read builds it again from the store). Backups made
before are the keeper's to expire.

A dry run makes the same deletions and counts them, then rolls back: the counts are exactly
what a real run would delete, and the store, its version and its audit log are unchanged.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import date

from geo.errors import StoreError
from geo.store.audit import current_actor
from geo.store.column_cache import version_key
from geo.store.memo import forget
from geo.store.rules import OWN_WARDS, PERSON_KEY, RECORD_KEY, Deletion
from geo.store.sql import data_version
from geo.store.sqlite_registers import write_audit


class SQLiteRetention:
    """The deletions' half of :class:`geo.store.sqlite.SQLiteStore`, written with its
    ``_connect``, ``_transaction``, ``_carry_caches`` and ``cache_folder``."""

    def purge_records(self, before: date, *, dry_run: bool = False) -> dict[str, int]:
        deletion = Deletion.purge(before)  # a StoreError unless before is a date
        deletion = deletion.by_council(current_actor().council)
        return self._delete_records("night < ?", (before.isoformat(),), deletion, dry_run=dry_run)

    def erase_records(
        self, person_refs: Sequence[str], *, detail: Mapping[str, object], dry_run: bool = False
    ) -> dict[str, int]:
        deletion = Deletion.erasure(person_refs, detail=detail)
        deletion = deletion.by_council(current_actor().council)
        return self._delete_records(
            f"person_ref IN ({', '.join('?' * len(deletion.refs))})",
            deletion.refs,
            deletion,
            dry_run=dry_run,
        )

    def _delete_records(
        self,
        where: str,
        params: tuple[object, ...],
        deletion: Deletion,
        *,
        dry_run: bool,
    ) -> dict[str, int]:
        """Delete the records ``where`` holds and what is derived from them (see the module
        docstring), and log ``deletion``; with ``dry_run``, count them and roll back."""
        if deletion.council is not None:  # only the acting user's council's wards
            where = f"({where}) AND {OWN_WARDS.format('?')}"
            params = (*params, deletion.council)
        if dry_run:
            with self._rolled_back() as db:
                return _deletions(db, where, params)
        token = secrets.token_hex(8)
        with self._transaction(token=token) as db:
            version, old_token = data_version(db)
            db.execute("PRAGMA secure_delete = ON")  # freed pages are overwritten with zeros
            counts = _deletions(db, where, params)
            write_audit(db, deletion.event(counts))
        self._carry_caches(
            old=version_key(version, old_token),
            new=version_key(version + 1, token),
            changed="records",
        )
        # every version of the records' cache, and what this process keeps in memory: none
        # may keep a deleted row
        shutil.rmtree(self.cache_folder / "records", ignore_errors=True)
        forget(self._memo_key, self.location)
        self._truncate_log()
        return counts

    @contextlib.contextmanager
    def _rolled_back(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that is always rolled back (a dry run)."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            finally:
                db.execute("ROLLBACK")
        except sqlite3.OperationalError as err:
            raise StoreError(f"store {self.path}: {err}") from err
        finally:
            db.close()

    def _truncate_log(self) -> None:
        """Copy the write-ahead log into the store and empty it (the log still holds the
        deleted rows' old pages); a reader holding it open only delays this to a later one."""
        db = self._connect()
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error:
            pass
        finally:
            db.close()


def _deletions(db: sqlite3.Connection, where: str, params: tuple[object, ...]) -> dict[str, int]:
    """Delete, inside ``db``'s transaction, the records ``where`` holds, the link decisions
    naming them and the closures of items gone with them; the counts by table."""
    db.execute("PRAGMA temp_store = MEMORY")  # the ids to delete never reach a temporary file
    db.execute("DROP TABLE IF EXISTS temp.doomed")
    db.execute(
        "CREATE TEMP TABLE doomed AS SELECT rowid AS row, record_id, person_ref FROM records"
        f" WHERE {where}",
        params,
    )
    ids = "SELECT record_id FROM temp.doomed"
    links = db.execute(
        f"DELETE FROM link_decisions WHERE record_a IN ({ids}) OR record_b IN ({ids})"
    ).rowcount
    records = db.execute(
        "DELETE FROM records WHERE rowid IN (SELECT row FROM temp.doomed)"
    ).rowcount
    gone_people = (
        "SELECT person_ref FROM temp.doomed WHERE person_ref IS NOT NULL"
        " EXCEPT SELECT person_ref FROM records WHERE person_ref IS NOT NULL"
    )
    closures = db.execute(
        "DELETE FROM safeguarding_closures"
        " WHERE key IN (SELECT ? || record_id FROM temp.doomed)"
        f" OR key IN (SELECT ? || person_ref FROM ({gone_people}))",
        (RECORD_KEY, PERSON_KEY),
    ).rowcount
    db.execute("DROP TABLE temp.doomed")
    return {"records": records, "link_decisions": links, "safeguarding_closures": closures}
