"""The shared backend: PostgreSQL with PostGIS, one transaction per write, chosen by a URL.

``open_store("postgresql://user@host/db")`` (or ``postgres://``; ``--store`` and
``OUTREACH_ATLAS_STORE`` take the same URL) opens this store; it answers every question of the
:class:`~geo.store.base.Store` interface exactly as the embedded store does, with the same
columns, dtypes and order. It talks to the server with psycopg 3 directly.

The schema is created and migrated by the app on opening: an ordered list of steps in
:mod:`geo.store.postgis_sql` and a ``schema_version`` table (our equivalent of Alembic). A
database written by a newer Outreach Atlas is refused.

Every write is one transaction (an import that fails, or whose process is killed, leaves the
store as it was), takes ``pg_advisory_xact_lock`` on one fixed key first, so writers go one at
a time and the keys already stored cannot change between looking them up and inserting (several
importers at once lose nothing and store nothing twice), adds its audit row in the same
transaction, and moves the data version on with a fresh random token. Rows go in with COPY.
Reads are one ``REPEATABLE READ`` snapshot, so a reader never sees half an import.

Unlike the embedded store this one keeps no column cache beside it (``cache_folder`` is None):
the server's own buffers serve repeated reads, and a cache on the app's disk would be a second
copy of the records outside the database's access control. Nor does it keep the ward index
beside it; it is built in memory when wards are replaced. Columns read are kept typed in the
process's memory for the data version they were read at, per login and per council read for
(:mod:`geo.store.memo`), as the embedded store keeps them.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Callable, Iterator, Sequence
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import conninfo

from geo.errors import StoreError
from geo.locate.areas import assign_points
from geo.locate.postcodes import TABLE_COLUMNS
from geo.schema import (
    DISPLAY_CRS,
    KEYS,
    POLICE_COLUMNS,
    RECORD_COLUMNS,
    SERVICE_COLUMNS,
    TABLES,
    validate,
)
from geo.store.audit import Event
from geo.store.base import Batch, KeptTableKind, Lookup, LookupKind, Store, Table, reading_for
from geo.store.frames import (
    AREA_COLUMNS,
    areas_frame,
    kept_table_data,
    kept_table_frame,
    postcode_frame,
)
from geo.store.frames import typed_columns as _typed  # the name the tests patch
from geo.store.memo import memo_for
from geo.store.postgis_copying import PostGISCopying
from geo.store.postgis_registers import PostGISRegisters, write_audit
from geo.store.postgis_retention import PostGISRetention
from geo.store.postgis_sql import MIGRATIONS, SCHEMA_VERSION, WRITE_LOCK, copy_rows

#: How long a writer waits for another's write to finish before giving up (as SQLite's does).
BUSY_TIMEOUT_MS: Final = 120_000
#: The tables :meth:`PostGISStore.add` writes, with their columns in store order.
_COLUMNS: Final = {"records": RECORD_COLUMNS, "services": SERVICE_COLUMNS, "police": POLICE_COLUMNS}
_POSTCODE_COLUMNS: Final = TABLE_COLUMNS
#: How :meth:`PostGISStore._read` selects times and nights: as ISO text, as SQLite keeps them.
_AS_TEXT: Final = {
    "timestamp": "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+0000\"') AS {0}",
    "date": "to_char({0}, 'YYYY-MM-DD') AS {0}",
}


class PostGISStore(PostGISCopying, PostGISRetention, PostGISRegisters, Store):
    """The shared store: a PostgreSQL database with PostGIS, one transaction per write."""

    cache_folder = None

    def __init__(self, url: str) -> None:
        self._url = (
            "postgresql:" + str(url).split(":", 1)[1] if url.startswith("postgres:") else url
        )
        self.location = _shown(self._url)
        self._memo_key = self._url  # per login: row-level security gives each its own rows
        self._memo = memo_for(self._memo_key)  # typed columns per version, for the process
        self._migrate()

    # -- the schema ------------------------------------------------------------------------
    def _migrate(self) -> None:
        """Apply the schema steps this database lacks; refuse one written by a newer app."""
        with self._reading() as db:
            current = _schema_version(db)
        if current == SCHEMA_VERSION:
            return
        _refuse_newer(current, self.location)
        with self._transaction(bump=False) as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            current = _schema_version(db)  # another process may have migrated meanwhile
            _refuse_newer(current, self.location)
            for number in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number - 1]:
                    db.execute(statement)
                db.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))

    # -- connections -----------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self._url, connect_timeout=10)
        except psycopg.Error as err:
            raise StoreError(f"cannot reach the store {self.location}: {err}") from err

    @contextlib.contextmanager
    def _transaction(
        self,
        *,
        bump: bool = True,
        event: Event | None = None,
        wait_ms: int = BUSY_TIMEOUT_MS,
        keep: bool = True,
    ) -> Iterator[psycopg.Connection]:
        """A write transaction, all or nothing, with the write lock held throughout.

        ``bump`` moves the data version on (with a fresh token). ``event`` is added to the
        audit log in the same transaction, once the write has succeeded. ``wait_ms`` is how
        long to wait for another write to finish. ``keep=False`` rolls back (a dry run).
        """
        db = self._connect()
        try:
            with db:  # commits when the block ends, rolls back on any error, then closes
                db.execute(f"SET LOCAL lock_timeout = {int(wait_ms)}")
                db.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                yield db
                if not keep:
                    db.rollback()
                    return
                if event is not None:
                    write_audit(db, event)
                if bump:
                    db.execute(
                        "UPDATE meta SET value = (value::bigint + 1)::text"
                        " WHERE key = 'data_version'"
                    )
                    db.execute(
                        "UPDATE meta SET value = %s WHERE key = 'data_token'",
                        (secrets.token_hex(8),),
                    )
        except psycopg.errors.LockNotAvailable as err:
            raise StoreError(
                f"store {self.location} is busy with another write (waited {wait_ms / 1000:g} s);"
                " try again when it has finished"
            ) from err
        except psycopg.Error as err:
            raise StoreError(f"store {self.location}: {err}") from err

    @contextlib.contextmanager
    def _reading(self) -> Iterator[psycopg.Connection]:
        """A read transaction: one consistent snapshot even while others write.

        While records are read for a council (:func:`geo.store.base.reading_for`), the
        transaction sets ``atlas.council`` to it: row-level security then gives the app's
        own login only that council's rows and those shared with it (see
        :data:`geo.store.postgis_sql._COUNCILS`), a second barrier behind the store's own.
        """
        db = self._connect()
        db.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        db.read_only = True
        council = reading_for()
        try:
            with db:
                if council is not None:
                    db.execute("SELECT set_config('atlas.council', %s, true)", (council,))
                yield db
        except psycopg.Error as err:
            raise StoreError(f"store {self.location}: {err}") from err

    # -- writing ---------------------------------------------------------------------------
    def replace_areas(self, areas: gpd.GeoDataFrame, *, layer: str, batch: Batch) -> int:
        if areas.crs is None or not areas.crs.equals(DISPLAY_CRS):
            raise StoreError("areas must be in EPSG:4326 to be stored; use to_crs('EPSG:4326')")
        shapes = shapely.set_srid(areas.geometry.to_numpy(), 4326)
        frame = pd.DataFrame(
            {
                "layer": layer,
                "area_code": areas["area_code"].astype(str).to_numpy(),
                "area_name": areas["area_name"].to_numpy(dtype=object),
                "area_type": areas["area_type"].to_numpy(dtype=object),
                "parent_code": areas["parent_code"].to_numpy(dtype=object),
                "population": pd.to_numeric(areas["population"]).to_numpy(dtype=float),
                "geometry": shapely.to_wkb(shapes, hex=True, include_srid=True),
                "batch_id": batch.batch_id,
            }
        )
        with self._transaction() as db:
            db.execute("DELETE FROM areas WHERE layer = %s", (layer,))
            copy_rows(db, "areas", frame)
            if layer == "ward":
                for table in _COLUMNS:
                    _reassign(db, table, areas)
            self._log(db, batch)
        return len(frame)

    def add(self, table: Table, rows: pd.DataFrame, *, batch: Batch) -> int:
        """Insert rows whose key is new, in one transaction; return how many were stored.

        The keys already stored are looked up inside the transaction, under the write lock,
        so nothing is stored twice; the rest go in with one COPY, in the frame's order.
        """
        columns = _COLUMNS[table]
        key = KEYS[table]
        frame = rows.assign(batch_id=batch.batch_id)
        try:
            validate(table, frame)
        except ValueError as err:
            raise StoreError(f"cannot store {err}") from err
        frame = frame.loc[:, list(columns)]
        frame = frame.loc[~frame[key].duplicated().to_numpy()]  # the first of a key wins
        _refuse_nul(table, frame)
        with self._transaction() as db:
            known = _keys_in(db, table, frame[key])
            inserted = frame.loc[~known]
            copy_rows(db, table, inserted)
            self._log(db, batch, stored=len(inserted))
        return len(inserted)

    def existing_keys(self, table: Table, keys: pd.Series) -> np.ndarray:
        with self._reading() as db:
            return _keys_in(db, table, keys)

    # -- what later imports locate by ------------------------------------------------------
    def replace_postcodes(self, table: pd.DataFrame, *, name: str, batch: Batch) -> int:
        missing = [c for c in _POSTCODE_COLUMNS if c not in table.columns]
        if missing:
            raise StoreError(f"cannot store a postcode directory without {', '.join(missing)}")
        frame = table.loc[:, list(_POSTCODE_COLUMNS)].copy()
        frame.insert(0, "postcode", table.index.astype(str))
        frame["has_position"] = frame["has_position"].astype(bool)

        def fill(db: psycopg.Connection) -> None:
            db.execute("DELETE FROM postcodes")
            copy_rows(db, "postcodes", frame)

        self._replace_lookup("postcodes", name=name, entries=len(table), batch=batch, fill=fill)
        return len(table)

    def postcode_rows(self, postcodes: Sequence[str]) -> pd.DataFrame:
        wanted = list(dict.fromkeys(str(p) for p in postcodes))
        names = ["postcode", *_POSTCODE_COLUMNS]
        with self._reading() as db:
            rows = db.execute(
                f"SELECT {', '.join(names)} FROM postcodes WHERE postcode = ANY(%s)"
                ' ORDER BY postcode COLLATE "C"',
                (wanted,),
            ).fetchall()
        frame = pd.DataFrame.from_records(rows, columns=names, nrows=len(rows))
        return postcode_frame(frame)

    def replace_kept_table(
        self, kind: KeptTableKind, table: pd.DataFrame, *, name: str, entries: int, batch: Batch
    ) -> None:
        data = kept_table_data(table)
        self._replace_lookup(kind, name=name, entries=entries, batch=batch, data=data)

    def kept_table(self, kind: KeptTableKind) -> pd.DataFrame | None:
        with self._reading() as db:
            row = db.execute("SELECT data FROM lookups WHERE kind = %s", (kind,)).fetchone()
        if row is None:
            return None
        return kept_table_frame(bytes(row[0]))

    def lookups(self) -> dict[LookupKind, Lookup]:
        with self._reading() as db:
            rows = db.execute(
                "SELECT lookups.kind, name, entries, imported_at FROM lookups"
                ' JOIN imports USING (batch_id) ORDER BY lookups.kind COLLATE "C"'
            ).fetchall()
        return {kind: Lookup(kind, name, int(entries), at) for kind, name, entries, at in rows}

    def _replace_lookup(
        self,
        kind: LookupKind,
        *,
        name: str,
        entries: int,
        batch: Batch,
        data: bytes | None = None,
        fill: Callable[[psycopg.Connection], None] | None = None,
    ) -> None:
        """Replace one lookup in one transaction."""
        with self._transaction() as db:
            if fill is not None:
                fill(db)
            db.execute(
                "INSERT INTO lookups VALUES (%s, %s, %s, %s, %s) ON CONFLICT (kind) DO UPDATE"
                " SET name = excluded.name, entries = excluded.entries, data = excluded.data,"
                " batch_id = excluded.batch_id",
                (kind, name, entries, data, batch.batch_id),
            )
            self._log(db, batch, stored=entries)

    def _log(self, db: psycopg.Connection, batch: Batch, *, stored: int | None = None) -> None:
        accounting = dict(batch.accounting)
        if stored is not None:
            accounting["stored"] = stored  # what this transaction really added
        db.execute(
            "INSERT INTO imports (batch_id, kind, source, sha256, agency, imported_at,"
            " accounting) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (
                batch.batch_id,
                batch.kind,
                batch.source,
                batch.sha256,
                batch.agency,
                batch.imported_at,
                json.dumps(accounting, default=str),
            ),
        )
        detail = {"kind": batch.kind, "source": batch.source, "agency": batch.agency}
        write_audit(
            db,
            Event(
                "import", {**detail, "batch_id": batch.batch_id, "stored": accounting.get("stored")}
            ),
        )

    # -- reading ---------------------------------------------------------------------------
    def version(self) -> int:
        with self._reading() as db:
            return _data_version(db)[1]

    def cache_key(self) -> str:
        with self._reading() as db:
            store_id, version, token = _data_version(db)
        return f"{version}-{store_id}-{token}"

    def areas(self, *, layer: str = "ward") -> gpd.GeoDataFrame:
        def read() -> pd.DataFrame:
            rows = db.execute(
                "SELECT area_code, area_name, area_type, parent_code, population,"
                ' ST_AsBinary(geometry) FROM areas WHERE layer = %s ORDER BY area_code COLLATE "C"',
                (layer,),
            ).fetchall()
            frame = pd.DataFrame.from_records(rows, columns=AREA_COLUMNS, nrows=len(rows))
            return frame.assign(geometry=[bytes(g) for g in frame["geometry"]])

        with self._reading() as db:
            store_id, version, token = _data_version(db)
            return areas_frame(
                self._memo, layer=layer, version=f"{version}-{store_id}-{token}", read=read
            )

    def _read(self, table: Table, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
        names = list(_COLUMNS[table] if columns is None else columns)
        types = {column.name: column.type for column in TABLES[table]}
        # row-level security gives a council's reader its rows only: kept apart per council
        scope = f"{table}@{reading_for() or ''}"
        with self._reading() as db:
            if not names:
                (count,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
                return pd.DataFrame(index=pd.RangeIndex(count))
            store_id, version, token = _data_version(db)
            key = f"{version}-{store_id}-{token}"
            typed = self._memo.get(scope, key, names)  # typed already, at this version
            wanted = [name for name in names if name not in typed]
            if wanted:
                # in the order stored (each file's own order); times and nights as the
                # embedded store's text, so that they come back with the very same dtypes
                chosen = ", ".join(_AS_TEXT.get(types[n], "{0}").format(n) for n in wanted)
                rows = db.execute(f"SELECT {chosen} FROM {table} ORDER BY seq").fetchall()
        if wanted:
            fresh = _typed(table, pd.DataFrame.from_records(rows, columns=wanted, nrows=len(rows)))
            typed.update({name: fresh[name] for name in wanted})
            self._memo.keep(scope, key, {name: typed[name] for name in wanted})
        return pd.DataFrame({name: typed[name] for name in names})

    def imports(self) -> pd.DataFrame:
        names = ["batch_id", "kind", "source", "sha256", "agency", "imported_at", "accounting"]
        with self._reading() as db:
            rows = db.execute(
                f"SELECT {', '.join(names)} FROM imports ORDER BY seq DESC"
            ).fetchall()
        frame = pd.DataFrame.from_records(rows, columns=names, nrows=len(rows))
        frame["accounting"] = frame["accounting"].map(json.loads)
        return frame

    def counts(self) -> dict[str, int]:
        tables = ("areas", "records", "services", "police", "imports")
        with self._reading() as db:
            return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}

    def secret_key(self) -> bytes:
        """The key, made once (32 random bytes, kept as hex as the embedded store's key file
        is) in a table of its own."""
        db = self._connect()
        try:
            with db:
                row = db.execute("SELECT key FROM secret WHERE id = 1").fetchone()
                if row is None:
                    fresh = secrets.token_bytes(32).hex().encode()
                    db.execute(
                        "INSERT INTO secret VALUES (1, %s) ON CONFLICT (id) DO NOTHING", (fresh,)
                    )
                    row = db.execute("SELECT key FROM secret WHERE id = 1").fetchone()
        except psycopg.Error as err:
            raise StoreError(f"store {self.location}: {err}") from err
        key = bytes(row[0])
        if len(key) < 32:
            raise StoreError(f"the key in store {self.location} is damaged (too short)")
        return key


def _shown(url: str) -> str:
    """``url`` without its password, for messages and the status line."""
    try:
        parts = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as err:
        raise StoreError(f"{url.split('@')[-1]!r} is not a PostgreSQL URL: {err}") from err
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


def _schema_version(db: psycopg.Connection) -> int:
    """The last schema step applied to the database ``db`` reads (0: none)."""
    (exists,) = db.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not exists:
        return 0
    (version,) = db.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(version or 0)


def _refuse_newer(version: int, location: str) -> None:
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"store {location} was written by a newer Outreach Atlas (schema {version}, this"
            f" version knows up to {SCHEMA_VERSION}); upgrade the app"
        )


def _data_version(db: psycopg.Connection) -> tuple[str, int, str]:
    """The store's id, data version and token of the snapshot ``db`` reads."""
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    return meta["store_id"], int(meta["data_version"]), meta["data_token"]


def _keys_in(db: psycopg.Connection, table: str, keys: pd.Series) -> np.ndarray:
    """Which of ``keys`` are stored in ``table`` (a boolean per key)."""
    key = KEYS[table]
    if len(keys) == 0:
        return np.zeros(0, dtype=bool)
    wanted = pd.Series([str(k) for k in keys.to_numpy(dtype=object)], dtype=object)
    distinct = wanted.drop_duplicates().tolist()
    found = db.execute(f"SELECT {key} FROM {table} WHERE {key} = ANY(%s)", (distinct,))
    return wanted.isin({row[0] for row in found}).to_numpy()


def _reassign(db: psycopg.Connection, table: str, areas: gpd.GeoDataFrame) -> None:
    """Place every point of ``table`` in the new wards (as the embedded store does)."""
    rows = db.execute(f"SELECT seq, lon, lat, area_code FROM {table}").fetchall()
    if not rows:
        return
    points = pd.DataFrame.from_records(rows, columns=["seq", "lon", "lat", "area_code"])
    codes = assign_points(
        pd.to_numeric(points["lon"]).astype(float),
        pd.to_numeric(points["lat"]).astype(float),
        codes=areas["area_code"],
        geometries=areas.geometry,
    )
    old = points["area_code"].to_numpy(dtype=object)
    changed = (codes != old) & ~(pd.isna(codes) & pd.isna(old))
    if not changed.any():
        return
    db.execute("CREATE TEMP TABLE placed (seq bigint, area_code text) ON COMMIT DROP")
    moved = pd.DataFrame({"seq": points["seq"].to_numpy()[changed], "area_code": codes[changed]})
    copy_rows(db, "placed", moved)
    db.execute(
        f"UPDATE {table} SET area_code = placed.area_code FROM placed"
        f" WHERE {table}.seq = placed.seq"
    )
    db.execute("DROP TABLE placed")


def _refuse_nul(table: str, frame: pd.DataFrame) -> None:
    """PostgreSQL text cannot hold a NUL character: name the column and row instead."""
    for name in frame.columns:
        column = frame[name]
        if not pd.api.types.is_object_dtype(column) and not pd.api.types.is_string_dtype(column):
            continue
        text = column.astype("string").str.contains("\x00", regex=False).fillna(False)
        if text.any():
            raise StoreError(
                f"cannot store {table}: column {name!r} holds text with a NUL character"
                f" (row {int(np.flatnonzero(text.to_numpy())[0]) + 1} of the import), which"
                " PostgreSQL cannot keep; remove it from the file and import it again"
            )


__all__ = ["PostGISStore"]
