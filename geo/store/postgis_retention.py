"""The shared store's deletions: records purged after the retention period, and one person's
records erased at their request (a part of :class:`geo.store.postgis.PostGISStore`).

The same semantics as the embedded store's (:mod:`geo.store.sqlite_retention`): one
transaction deletes the link decisions naming the records, the records, and the closed
safeguarding items whose item has gone with them, and adds one audit row with the counts. A dry
run makes the same deletions, counts them and rolls back.

What SQLite does to leave nothing behind has these equivalents here: there is no column cache
to drop; instead of overwriting freed pages (``secure_delete``) the tables are vacuumed once the
deletion has committed (``VACUUM`` cannot run inside a transaction), which removes the dead rows
and their index entries so the space is reused. PostgreSQL keeps no way to zero freed space or
its write-ahead log at once: the old bytes go as pages are reused and WAL segments recycled,
and the server's keeper expires backups and WAL archives, as with the embedded store's backups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import psycopg

from geo.store.audit import current_actor
from geo.store.memo import forget
from geo.store.postgis_registers import write_audit
from geo.store.rules import DELETED_TABLES, OWN_WARDS, PERSON_KEY, RECORD_KEY, Deletion


class PostGISRetention:
    """The deletions' half of :class:`geo.store.postgis.PostGISStore`, written with its
    ``_transaction`` and ``_connect``."""

    def purge_records(self, before: date, *, dry_run: bool = False) -> dict[str, int]:
        deletion = Deletion.purge(before)  # a StoreError unless before is a date
        deletion = deletion.by_council(current_actor().council)
        return self._delete_records("night < %s", (before,), deletion, dry_run=dry_run)

    def erase_records(
        self, person_refs: Sequence[str], *, detail: Mapping[str, object], dry_run: bool = False
    ) -> dict[str, int]:
        deletion = Deletion.erasure(person_refs, detail=detail)
        deletion = deletion.by_council(current_actor().council)
        return self._delete_records(
            "person_ref = ANY(%s)", (list(deletion.refs),), deletion, dry_run=dry_run
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
            where = f"({where}) AND {OWN_WARDS.format('%s')}"
            params = (*params, deletion.council)
        with self._transaction(keep=not dry_run) as db:
            counts = _deletions(db, where, params)
            if not dry_run:
                write_audit(db, deletion.event(counts))
        if not dry_run:
            forget(self._memo_key, self.location)  # no deleted row kept in this process
            self._vacuum()
        return counts

    def _vacuum(self) -> None:
        """Remove the deleted rows' dead tuples and index entries (outside a transaction)."""
        try:
            with psycopg.connect(self._url, autocommit=True) as db:
                db.execute(f"VACUUM {', '.join(DELETED_TABLES)}")
        except psycopg.Error:
            pass  # a later VACUUM (autovacuum) does it: the deletion itself has committed


def _deletions(db: psycopg.Connection, where: str, params: tuple[object, ...]) -> dict[str, int]:
    """Delete, inside ``db``'s transaction, the records ``where`` holds, the link decisions
    naming them and the closures of items gone with them; the counts by table."""
    db.execute(
        "CREATE TEMP TABLE doomed ON COMMIT DROP AS SELECT seq, record_id, person_ref"
        f" FROM records WHERE {where}",
        params,
    )
    ids = "SELECT record_id FROM doomed"
    links = db.execute(
        f"DELETE FROM link_decisions WHERE record_a IN ({ids}) OR record_b IN ({ids})"
    ).rowcount
    records = db.execute("DELETE FROM records WHERE seq IN (SELECT seq FROM doomed)").rowcount
    gone_people = (
        "SELECT person_ref FROM doomed WHERE person_ref IS NOT NULL"
        " EXCEPT SELECT person_ref FROM records WHERE person_ref IS NOT NULL"
    )
    closures = db.execute(
        "DELETE FROM safeguarding_closures"
        " WHERE key IN (SELECT %s || record_id FROM doomed)"
        f" OR key IN (SELECT %s || person_ref FROM ({gone_people}) AS gone)",
        (RECORD_KEY, PERSON_KEY),
    ).rowcount
    db.execute("DROP TABLE doomed")
    return {"records": records, "link_decisions": links, "safeguarding_closures": closures}
