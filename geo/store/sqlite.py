"""The embedded backend: one SQLite file, written in WAL mode, one transaction per write.

The store is one file (``var/outreach-atlas.sqlite`` by default; the ``OUTREACH_ATLAS_STORE``
environment variable or ``--store`` changes it), written in WAL mode with ``BEGIN IMMEDIATE``
and a busy timeout, so several processes can import at once without losing a row and a reader
never sees half an import. GeoPackage was tried for this and rejected: with several writers,
reads through GDAL were silently short (see the project notes).

Every write is one transaction: an import that fails or is killed half-way leaves the store
exactly as it was. Every write bumps :meth:`Store.version`, which callers use as a cache key.
Writes use ``synchronous = NORMAL``, which in WAL mode is still atomic and survives the app
being killed; only a power cut or an operating-system crash can lose the last imports committed
before it (never half of one), and importing those files again restores them.

Records are kept with longitude/latitude (EPSG:4326) and easting/northing (EPSG:27700) and
the code of the ward they fall in, worked out on import and again whenever wards are replaced.
Column types come from :mod:`geo.schema`; large tables keep a column cache beside the file
(:mod:`geo.store.column_cache`).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import StoreError
from geo.locate.areas import area_index, assign_points
from geo.locate.postcodes import TABLE_COLUMNS
from geo.schema import (
    DISPLAY_CRS,
    KEYS,
    POLICE_COLUMNS,
    RECORD_COLUMNS,
    SERVICE_COLUMNS,
    validate,
)
from geo.store import sql
from geo.store.audit import Event
from geo.store.base import (
    Batch,
    KeptTableKind,
    Lookup,
    LookupKind,
    Store,
    Table,
)
from geo.store.column_cache import ColumnCache, version_key
from geo.store.frames import (
    AREA_COLUMNS,
    areas_frame,
    kept_table_data,
    kept_table_frame,
    postcode_frame,
)
from geo.store.frames import typed_columns as _typed  # the name the tests patch
from geo.store.memo import memo_for
from geo.store.sql import AUDIT_TRIGGERS, SCHEMA, add_councils, data_version, insert, key_index
from geo.store.sqlite_registers import SQLiteRegisters, write_audit
from geo.store.sqlite_retention import SQLiteRetention

#: 2: keys unique through an index (not a TEXT PRIMARY KEY); no night or ward index on records.
SCHEMA_VERSION: Final = 2
#: How long a writer waits for another process's import to finish before giving up.
BUSY_TIMEOUT_MS: Final = 120_000
#: Page cache of each connection, in KiB: a million-row import touches ~300 MB of pages.
CACHE_KIB: Final = 65_536
#: Page size of a new store (SQLite's default is 4096): a million-row import's insert, index
#: and commit took 6.1 s with 4 KiB pages and 5.6 s with 16 KiB. Stores made before keep theirs.
PAGE_BYTES: Final = 16_384
#: Imports of at least this many rows, into a table holding at most this many times as many,
#: rebuild the key index instead of updating it row by row (see :meth:`SQLiteStore.add`).
_BULK_FROM: Final = 20_000
_BULK_STORE_RATIO: Final = 4
#: Tables of at least this many rows keep a column cache beside the store.
CACHE_FROM_ROWS: Final = 50_000
#: A stored postcode directory's columns after the postcode.
_POSTCODE_COLUMNS: Final = TABLE_COLUMNS
#: The tables :meth:`SQLiteStore.add` writes, with their columns in store order.
_COLUMNS: Final = {"records": RECORD_COLUMNS, "services": SERVICE_COLUMNS, "police": POLICE_COLUMNS}


class SQLiteStore(SQLiteRetention, SQLiteRegisters, Store):
    """The embedded store: one SQLite file, WAL mode, one transaction per import."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._memo_key = str(self.path.resolve())
        self._memo = memo_for(self._memo_key)
        if self.path.is_dir():
            raise StoreError(f"store path {self.path} is a folder; give a file path")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create the store folder {self.path.parent}: {err}") from err
        with self._transaction(bump=False) as db:
            has_meta = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
            ).fetchone()
            row = (
                db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if has_meta
                else None
            )
            if row is not None and int(row[0]) > SCHEMA_VERSION:
                raise StoreError(
                    f"store {self.path} was written by a newer Outreach Atlas (schema {row[0]});"
                    " upgrade the app"
                )
            if row is not None and int(row[0]) < SCHEMA_VERSION:
                raise StoreError(
                    f"store {self.path} was made by an earlier Outreach Atlas (schema {row[0]},"
                    f" this version needs {SCHEMA_VERSION}) and cannot be read; move the file"
                    " (and its .key file) aside and import your ward, record, service and police"
                    " files again into a new store"
                )
            for statement in (*SCHEMA.split(";"), *AUDIT_TRIGGERS):
                if statement.strip():
                    db.execute(statement)
            add_councils(db)
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
                db.execute("INSERT INTO meta VALUES ('data_version', '0')")

    # -- connections -------------------------------------------------------------------------
    def _connect(self, *, busy_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, timeout=busy_ms / 1000, isolation_level=None)
        except sqlite3.Error as err:
            raise StoreError(f"cannot open the store {self.path}: {err}") from err
        db.execute(f"PRAGMA busy_timeout = {busy_ms}")
        # before WAL mode: a new store is made with larger pages; no-op on an existing one
        db.execute(f"PRAGMA page_size = {PAGE_BYTES}")
        db.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode: atomic, and safe if the app is killed; see the module docstring
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
        return db

    @contextlib.contextmanager
    def _transaction(
        self,
        *,
        bump: bool = True,
        token: str | None = None,
        event: Event | None = None,
        busy_ms: int = BUSY_TIMEOUT_MS,
    ) -> Iterator[sqlite3.Connection]:
        """A write transaction: taken at once (BEGIN IMMEDIATE), all or nothing.

        ``bump`` advances the data version, so caches keyed on it are refreshed. ``event`` is
        added to the audit log in the same transaction, once the write has succeeded.
        ``busy_ms`` is how long to wait for another process's write to finish.
        """
        db = self._connect(busy_ms=busy_ms)
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                if event is not None:
                    write_audit(db, event)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            if bump:
                db.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'"
                )
                # a fresh random token too: the version alone can repeat (a store deleted and
                # begun again, a backup restored, commits lost in a power cut), the pair cannot
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('data_token', ?)",
                    (token or secrets.token_hex(8),),
                )
            db.execute("COMMIT")
        except sqlite3.OperationalError as err:
            raise StoreError(f"store {self.path}: {err}") from err
        finally:
            db.close()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent snapshot even while others write."""
        db = self._connect()
        try:
            db.execute("BEGIN")
            yield db
            db.execute("COMMIT")
        finally:
            db.close()

    # -- writing -----------------------------------------------------------------------------
    def replace_areas(self, areas: gpd.GeoDataFrame, *, layer: str, batch: Batch) -> int:
        if areas.crs is None or not areas.crs.equals(DISPLAY_CRS):
            raise StoreError("areas must be in EPSG:4326 to be stored; use to_crs('EPSG:4326')")
        rows = list(
            zip(
                [layer] * len(areas),
                areas["area_code"].astype(str),
                areas["area_name"].astype(object).where(areas["area_name"].notna(), None),
                areas["area_type"].astype(object),
                areas["parent_code"].astype(object).where(areas["parent_code"].notna(), None),
                [None if pd.isna(v) else float(v) for v in areas["population"]],
                shapely.to_wkb(areas.geometry.to_numpy()),
                [batch.batch_id] * len(areas),
                strict=True,
            )
        )
        with self._transaction() as db:
            db.execute("DELETE FROM areas WHERE layer = ?", (layer,))
            db.executemany("INSERT INTO areas VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            if layer == "ward":
                # in the order areas() reads them back, so that the index kept here is the
                # one the next import finds (an index is kept per layer and order)
                ordered = areas.sort_values("area_code", kind="stable")
                for table in ("records", "services", "police"):
                    self._reassign(db, table, ordered)
                # built now, with the wards, so that the next import only loads it
                area_index(
                    codes=ordered["area_code"],
                    geometries=ordered.geometry,
                    folder=self.cache_folder,
                )
            self._log(db, batch)
        return len(rows)

    def _reassign(self, db: sqlite3.Connection, table: str, areas: gpd.GeoDataFrame) -> None:
        points = pd.read_sql_query(f"SELECT rowid, lon, lat, area_code FROM {table}", db)
        if points.empty:
            return
        codes = assign_points(
            points["lon"],
            points["lat"],
            codes=areas["area_code"],
            geometries=areas.geometry,
            folder=self.cache_folder,
        )
        old = points["area_code"].to_numpy(dtype=object)
        changed = (codes != old) & ~(pd.isna(codes) & pd.isna(old))
        db.executemany(
            f"UPDATE {table} SET area_code = ? WHERE rowid = ?",
            zip(codes[changed].tolist(), points["rowid"].to_numpy()[changed].tolist(), strict=True),
        )

    def add(self, table: Table, rows: pd.DataFrame, *, batch: Batch) -> int:
        """Insert rows whose key is new, in one transaction; return how many were stored.

        A large import into a store not much bigger than it drops the unique index on the key,
        inserts, and builds the index again: one sort instead of a B-tree insertion per row
        (about ten times faster). Keys already stored are looked up first inside the same
        transaction, so nothing is stored twice either way.
        """
        columns = _COLUMNS[table]
        key = KEYS[table]
        frame = rows.assign(batch_id=batch.batch_id)
        try:
            validate(table, frame)
        except ValueError as err:
            raise StoreError(f"cannot store {err}") from err
        frame = frame.loc[:, list(columns)]
        repeated = frame[key].duplicated().to_numpy()
        if repeated.any():
            frame = frame.loc[~repeated]  # the first of a key wins
        statement, cells, bound = insert(table, frame)
        inserted = frame
        staged: threading.Thread | None = None
        token = secrets.token_hex(8)
        staging = self.cache_folder / table / f".staging-{token}"
        try:
            with self._transaction(token=token) as db:
                size = db.execute(f"SELECT MAX(rowid) FROM {table}").fetchone()[0] or 0
                version, old_token = data_version(db)
                old_key, new_key = version_key(version, old_token), version_key(version + 1, token)
                before = db.total_changes
                bulk = len(frame) >= _BULK_FROM and size <= _BULK_STORE_RATIO * len(frame)
                if bulk:
                    known = _keys_in(db, table, frame[key])
                    if known.any():
                        inserted = frame.loc[~known]
                        statement, cells, bound = insert(table, inserted)
                    db.execute(f"DROP INDEX {key_index(table)}")
                sql.insert_rows(db, statement, cells)
                stored = db.total_changes - before
                if stored == len(inserted) and size + stored >= CACHE_FROM_ROWS:
                    # Every row went in, after the rows already there: the cache of the version
                    # this write makes is the last one's (or nothing) with these rows after it.
                    # It is written while SQLite builds its index and commits (which let go of
                    # Python), and published only once the commit has succeeded.
                    staged = threading.Thread(
                        target=self._column_cache(table, old_key).stage_extension,
                        args=(inserted, bound, staging),
                        kwargs={"columns": columns, "empty": size == 0},
                    )
                    staged.start()
                if bulk:
                    db.execute(f"CREATE UNIQUE INDEX {key_index(table)} ON {table} ({key})")
                self._log(db, batch, stored=stored)
        except BaseException:
            if staged is not None:
                staged.join()
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._carry_caches(old=old_key, new=new_key, changed=table)
        if staged is not None:
            staged.join()
            self._column_cache(table, new_key).publish(staging)
        return stored

    def _carry_caches(self, *, old: str, new: str, changed: str | None) -> None:
        """Tables this write did not touch keep their cache under the new version."""
        for other in _COLUMNS:
            if other != changed:
                self._column_cache(other, old).move_to(new)
                self._memo.carry(other, old=old, new=new)

    def existing_keys(self, table: Table, keys: pd.Series) -> np.ndarray:
        with self._reading() as db:
            return _keys_in(db, table, keys)

    # -- what later imports locate by ------------------------------------------------------------
    def replace_postcodes(self, table: pd.DataFrame, *, name: str, batch: Batch) -> int:
        missing = [c for c in _POSTCODE_COLUMNS if c not in table.columns]
        if missing:
            raise StoreError(f"cannot store a postcode directory without {', '.join(missing)}")
        cells = [table.index.astype(str).tolist()] + [
            table[c].astype(object).where(table[c].notna(), None).tolist()
            for c in _POSTCODE_COLUMNS
        ]
        cells[_POSTCODE_COLUMNS.index("has_position") + 1] = [
            int(bool(v)) for v in table["has_position"]
        ]
        slots = ", ".join("?" * (len(_POSTCODE_COLUMNS) + 1))
        self._replace_lookup(
            "postcodes",
            name=name,
            entries=len(table),
            batch=batch,
            fill=lambda db: (
                db.execute("DELETE FROM postcodes"),
                db.executemany(f"INSERT INTO postcodes VALUES ({slots})", zip(*cells, strict=True)),
            ),
        )
        return len(table)

    def postcode_rows(self, postcodes: Sequence[str]) -> pd.DataFrame:
        wanted = list(dict.fromkeys(str(p) for p in postcodes))
        rows: list[tuple[object, ...]] = []
        with self._reading() as db:
            size = db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            for start in range(0, len(wanted), size):
                part = wanted[start : start + size]
                rows += db.execute(
                    f"SELECT * FROM postcodes WHERE postcode IN ({', '.join('?' * len(part))})",
                    part,
                ).fetchall()
        frame = pd.DataFrame.from_records(rows, columns=["postcode", *_POSTCODE_COLUMNS])
        return postcode_frame(frame)

    def replace_kept_table(
        self, kind: KeptTableKind, table: pd.DataFrame, *, name: str, entries: int, batch: Batch
    ) -> None:
        data = kept_table_data(table)
        self._replace_lookup(kind, name=name, entries=entries, batch=batch, data=data)

    def kept_table(self, kind: KeptTableKind) -> pd.DataFrame | None:
        with self._reading() as db:
            row = db.execute("SELECT data FROM lookups WHERE kind = ?", (kind,)).fetchone()
        if row is None:
            return None
        return kept_table_frame(row[0])

    def lookups(self) -> dict[LookupKind, Lookup]:
        with self._reading() as db:
            rows = db.execute(
                "SELECT lookups.kind, name, entries, imported_at FROM lookups"
                " JOIN imports USING (batch_id) ORDER BY lookups.kind"
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
        fill: Callable[[sqlite3.Connection], object] | None = None,
    ) -> None:
        """Replace one lookup in one transaction; the records' column caches stay valid."""
        with self._noted(None) as db:
            if fill is not None:
                fill(db)
            db.execute(
                "INSERT OR REPLACE INTO lookups VALUES (?, ?, ?, ?, ?)",
                (kind, name, entries, data, batch.batch_id),
            )
            self._log(db, batch, stored=entries)

    def _log(self, db: sqlite3.Connection, batch: Batch, *, stored: int | None = None) -> None:
        accounting = dict(batch.accounting)
        if stored is not None:
            accounting["stored"] = stored  # what this transaction really added
        db.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?)",
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

    # -- reading -----------------------------------------------------------------------------
    def version(self) -> int:
        with self._reading() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        return int(row[0])

    def cache_key(self) -> str:
        with self._reading() as db:
            version, token = data_version(db)
        return f"{version}-{token}"

    def areas(self, *, layer: str = "ward") -> gpd.GeoDataFrame:
        with self._reading() as db:
            return areas_frame(
                self._memo,
                layer=layer,
                version=version_key(*data_version(db)),
                read=lambda: pd.read_sql_query(
                    f"SELECT {', '.join(AREA_COLUMNS)} FROM areas WHERE layer = ?"
                    " ORDER BY area_code",
                    db,
                    params=(layer,),
                ),
            )

    def _read(self, table: Table, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
        names = list(_COLUMNS[table] if columns is None else columns)
        with self._reading() as db:
            count = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            if not names:
                return pd.DataFrame(index=pd.RangeIndex(count))
            key = version_key(*data_version(db))
            typed = self._memo.get(table, key, names)  # typed already, at this version
            wanted = [name for name in names if name not in typed]
            cache = self._column_cache(table, key) if count >= CACHE_FROM_ROWS else None
            cached = cache.read(wanted, expected=count) if cache is not None and wanted else {}
            missing = [name for name in wanted if name not in cached]
            if missing:
                # in the order stored (each file's own order): a scan, not a key-index walk
                rows = db.execute(
                    f"SELECT {', '.join(missing)} FROM {table} ORDER BY rowid"
                ).fetchall()
                fresh = pd.DataFrame.from_records(rows, columns=missing, nrows=len(rows))
                if cache is not None:
                    cache.write({name: fresh[name] for name in missing})
                cached.update({name: fresh[name] for name in missing})
        if wanted:
            fresh_typed = _typed(table, pd.DataFrame({name: cached[name] for name in wanted}))
            typed.update({name: fresh_typed[name] for name in wanted})
            self._memo.keep(table, key, {name: typed[name] for name in wanted})
        return pd.DataFrame({name: typed[name] for name in names})

    @property
    def cache_folder(self) -> Path:  # type: ignore[override]
        return self.path.with_name(self.path.stem + ".cache")

    def _column_cache(self, table: str, version: str) -> ColumnCache:
        return ColumnCache(self.cache_folder / table, version)

    def imports(self) -> pd.DataFrame:
        with self._reading() as db:
            frame = pd.read_sql_query("SELECT * FROM imports ORDER BY rowid DESC", db)
        frame["accounting"] = frame["accounting"].map(json.loads)
        return frame

    def counts(self) -> dict[str, int]:
        with self._reading() as db:
            return {
                table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("areas", "records", "services", "police", "imports")
            }

    def secret_key(self) -> bytes:
        path = self.path.with_name(self.path.stem + ".key")
        if not path.exists():
            with contextlib.suppress(FileExistsError):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(secrets.token_bytes(32).hex().encode())
        key = path.read_bytes().strip()
        if len(key) < 32:
            raise StoreError(f"the key file {path} is damaged (too short); restore it from backup")
        return key


def _keys_in(db: sqlite3.Connection, table: str, keys: pd.Series) -> np.ndarray:
    """Which of ``keys`` are stored in ``table`` (a boolean per key)."""
    key = KEYS[table]
    stored = db.execute(f"SELECT MAX(rowid) FROM {table}").fetchone()[0] or 0
    if stored == 0 or len(keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    wanted = pd.Series([str(k) for k in keys.to_numpy(dtype=object)], dtype=object)
    distinct = wanted.drop_duplicates().tolist()
    if stored <= 4 * len(distinct):  # reading every key beats looking each one up
        found = {row[0] for row in db.execute(f"SELECT {key} FROM {table}")}
    else:
        found = set()
        size = db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        for start in range(0, len(distinct), size):
            part = distinct[start : start + size]
            placeholders = ", ".join("?" * len(part))
            query = f"SELECT {key} FROM {table} WHERE {key} IN ({placeholders})"
            found.update(row[0] for row in db.execute(query, part))
    return wanted.isin(found).to_numpy()
