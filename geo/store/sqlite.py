"""The store: the only code that knows where and how data is kept.

The default backend is one SQLite file (``var/outreach-atlas.sqlite`` by default; the
``OUTREACH_ATLAS_STORE`` environment variable or ``--store`` changes it), written in WAL mode
with ``BEGIN IMMEDIATE`` and a busy timeout, so several processes can import at once without
losing a row and a reader never sees half an import. GeoPackage was tried for this and rejected:
with several writers, reads through GDAL were silently short (see the project notes).

Every write is one transaction: an import that fails or is killed half-way leaves the store
exactly as it was. Every write bumps :meth:`Store.version`, which callers use as a cache key.
Writes use ``synchronous = NORMAL``, which in WAL mode is still atomic and survives the app
being killed; only a power cut or an operating-system crash can lose the last imports committed
before it (never half of one), and importing those files again restores them.

Records are kept with longitude/latitude (EPSG:4326) and easting/northing (EPSG:27700) and
the code of the ward they fall in, worked out on import and again whenever wards are replaced.
Data leaves the store only through methods that take a role (:mod:`geo.privacy`), in the order
it was stored (each file's own order), and a reader may ask for only the columns it needs.

A shared PostGIS backend will implement the same :class:`Store` interface.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc  # noqa: F401  (makes pa.ipc available)
import shapely

from geo.errors import StoreError
from geo.locate.areas import area_index, assign_points
from geo.privacy import access as privacy
from geo.privacy.roles import check_can_see_figures, check_role
from geo.schema import DISPLAY_CRS, POLICE_COLUMNS, RECORD_COLUMNS, SERVICE_COLUMNS, TIMEZONE

#: Where the store lives when nothing else is said (relative to the working directory).
DEFAULT_STORE: Final = Path("var") / "outreach-atlas.sqlite"
STORE_ENV: Final = "OUTREACH_ATLAS_STORE"
#: 2: keys unique through an index (not a TEXT PRIMARY KEY); no night or ward index on records.
SCHEMA_VERSION: Final = 2
#: How long a writer waits for another process's import to finish before giving up.
BUSY_TIMEOUT_MS: Final = 120_000

Table = Literal["records", "services", "police"]
_KEYS: Final[dict[str, str]] = {
    "records": "record_id",
    "services": "service_id",
    "police": "incident_id",
}
_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "records": RECORD_COLUMNS,
    "services": SERVICE_COLUMNS,
    "police": POLICE_COLUMNS,
}
_REAL: Final = {"lon", "lat", "easting", "northing", "location_precision_m", "population"}
_INTEGER: Final = {"people", "interpreter_needed", "nrpf", "trafficking_concern", "under_18"}
#: Record columns that say where a record is (what a role's view may coarsen).
_LOCATION_COLUMNS: Final = ("lon", "lat", "easting", "northing", "location_precision_m")
#: Page cache of each connection, in KiB: a million-row import touches ~300 MB of pages.
CACHE_KIB: Final = 65_536
#: Imports of at least this many rows, into a table holding at most this many times as many,
#: rebuild the key index instead of updating it row by row (see :meth:`SQLiteStore.add`).
_BULK_FROM: Final = 20_000
#: Tables of at least this many rows keep a column cache beside the store (see _ColumnCache).
CACHE_FROM_ROWS: Final = 50_000
_BULK_STORE_RATIO: Final = 4


def default_store_path() -> Path:
    """The store path from ``OUTREACH_ATLAS_STORE``, else :data:`DEFAULT_STORE`."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


@dataclass(frozen=True)
class Batch:
    """One import: what it was, from which file, when, and what it counted."""

    batch_id: str
    kind: str
    source: str
    sha256: str
    agency: str | None
    imported_at: str
    accounting: Mapping[str, object]

    @classmethod
    def new(
        cls,
        *,
        kind: str,
        source: str,
        sha256: str,
        agency: str | None = None,
        accounting: Mapping[str, object] | None = None,
    ) -> Batch:
        """A batch stamped with a fresh id and the current time (UTC)."""
        return cls(
            batch_id=f"b_{datetime.now(UTC):%Y%m%dT%H%M%S}_{secrets.token_hex(4)}",
            kind=kind,
            source=source,
            sha256=sha256,
            agency=agency,
            imported_at=datetime.now(UTC).isoformat(timespec="seconds"),
            accounting=dict(accounting or {}),
        )


class Store(ABC):
    """What every backend offers. Nothing outside a backend knows how data is kept."""

    location: str
    #: A folder this backend keeps caches in (column and ward-index caches), or None.
    cache_folder: Path | None = None

    # -- writing: each call is one transaction ---------------------------------------------
    @abstractmethod
    def replace_areas(self, areas: gpd.GeoDataFrame, *, layer: str, batch: Batch) -> int:
        """Replace a layer of areas and re-place every point in it if it is the ward layer."""

    @abstractmethod
    def add(self, table: Table, rows: pd.DataFrame, *, batch: Batch) -> int:
        """Insert rows whose key is new; return how many were stored (the rest are duplicates)."""

    @abstractmethod
    def existing_keys(self, table: Table, keys: pd.Series) -> np.ndarray:
        """Which of ``keys`` are already stored (a boolean per key)."""

    # -- reading ---------------------------------------------------------------------------
    @abstractmethod
    def version(self) -> int:
        """A number that changes on every write: the cache key for anything read."""

    @abstractmethod
    def areas(self, *, layer: str = "ward") -> gpd.GeoDataFrame:
        """Areas of a layer (public boundaries: any role may read them)."""

    @abstractmethod
    def _read(self, table: Table, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Every row of a table (all columns or ``columns``), unfiltered.

        Private: data leaves through a role.
        """

    @abstractmethod
    def imports(self) -> pd.DataFrame:
        """The import log, newest first, with each import's accounting."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Rows per table (no personal data), for status lines."""

    @abstractmethod
    def secret_key(self) -> bytes:
        """The key used to hash person identifiers; made on first use, kept out of the repo."""

    def records(self, *, role: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Records as the role may see them (see :func:`geo.privacy.view_records`).

        Parameters
        ----------
        role
            Who is asking; councillors and admins see no records (``AccessDenied``).
        columns
            Only these record columns, in this order (reading fewer columns of a large store
            is much faster). Columns the role may not see are left out, as they are when
            every column is read; police locations are coarsened either way.
        """
        check_role(role)
        if columns is None:
            return privacy.view_records(self._read("records"), role=role)
        visible = privacy.view_records(pd.DataFrame(columns=list(RECORD_COLUMNS)), role=role)
        wanted = [c for c in _checked_columns(columns) if c in visible.columns]
        if not set(wanted) & set(_LOCATION_COLUMNS):
            # views change only locations: other columns pass through as stored
            return self._read("records", columns=wanted)
        needed = list(dict.fromkeys([*wanted, *_LOCATION_COLUMNS]))
        frame = self._read("records", columns=needed)
        for name in visible.columns.difference(frame.columns):
            frame[name] = None  # columns the view needs but nobody asked for
        return privacy.view_records(frame, role=role).loc[:, wanted]

    def records_for_figures(self, *, role: str, columns: Sequence[str]) -> pd.DataFrame:
        """Exact records for working out figures that ``role`` sees only as figures.

        Councillors see ward figures worked out from exact locations (coarsening a point could
        move it to the next ward), with small numbers hidden afterwards. The rows returned here
        must never be shown: :mod:`geo.questions` is the one caller, and it hands them straight
        to the figures and the role's view of them (an architecture test keeps it so).
        """
        check_can_see_figures(role)
        return self._read("records", columns=_checked_columns(columns))

    def services(self) -> pd.DataFrame:
        """Services (public places: any role may read them)."""
        return self._read("services")

    def police_incidents(self) -> pd.DataFrame:
        """police.uk incidents (already public and anonymised by police.uk)."""
        return self._read("police")

    def pseudonymise(self, values: pd.Series, *, scope: str) -> pd.Series:
        """Keyed hashes of person identifiers; blanks stay blank.

        ``scope`` (usually the agency) is hashed in, so two agencies' client numbers never
        collide; identifiers shared across agencies (a CHAIN number) use scope ``"shared"``.
        """
        scoped = hmac.new(self.secret_key(), scope.encode() + b"\x1f", hashlib.sha256)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)  # clients recur: hash once
        text = pd.Series(uniques, dtype=object).fillna("").astype(str).str.strip()
        hashed = np.full(len(text), None, dtype=object)
        for i, value in enumerate(text.tolist()):
            if value:
                mac = scoped.copy()
                mac.update(value.encode())
                hashed[i] = "p_" + mac.hexdigest()[:32]
        return pd.Series(hashed[codes], index=values.index, dtype=object)


def open_store(location: str | Path | None = None) -> Store:
    """Open (creating if needed) the store at ``location``.

    ``location`` is a file path for the embedded store; ``None`` means
    :func:`default_store_path`. A ``postgresql://`` URL is reserved for the shared backend.
    """
    text = str(location) if location is not None else str(default_store_path())
    if text.startswith(("postgresql:", "postgres:")):
        raise StoreError(
            "the PostGIS backend is not built yet; use a file path for the embedded store"
        )
    return SQLiteStore(Path(text))


def _table_sql(table: str, integer: set[str] | frozenset[str] = frozenset()) -> str:
    """A table of records, services or police incidents, and the unique index on its key.

    The key is unique through an index rather than a TEXT PRIMARY KEY, so that a large import
    can drop the index, insert, and build it again in one sort (see :meth:`SQLiteStore.add`).
    """
    key = _KEYS[table]
    columns = ", ".join(
        f"{c} {'REAL' if c in _REAL else 'INTEGER' if c in integer else 'TEXT'}"
        + (" NOT NULL" if c == key else "")
        for c in _COLUMNS[table]
    )
    return (
        f"CREATE TABLE IF NOT EXISTS {table} ({columns});\n"
        f"CREATE UNIQUE INDEX IF NOT EXISTS {_key_index(table)} ON {table} ({key});\n"
    )


def _key_index(table: str) -> str:
    return f"{table}_{_KEYS[table]}"


_SCHEMA: Final = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
    batch_id TEXT PRIMARY KEY, kind TEXT NOT NULL, source TEXT NOT NULL, sha256 TEXT NOT NULL,
    agency TEXT, imported_at TEXT NOT NULL, accounting TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS areas (
    layer TEXT NOT NULL, area_code TEXT NOT NULL, area_name TEXT, area_type TEXT,
    parent_code TEXT, population REAL, geometry BLOB NOT NULL, batch_id TEXT,
    PRIMARY KEY (layer, area_code)
);
"""
    + _table_sql("records", _INTEGER)
    + _table_sql("services")
    + _table_sql("police")
)


class SQLiteStore(Store):
    """The embedded store: one SQLite file, WAL mode, one transaction per import."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.location = str(self.path)
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
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
                db.execute("INSERT INTO meta VALUES ('data_version', '0')")

    # -- connections -------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as err:
            raise StoreError(f"cannot open the store {self.path}: {err}") from err
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode: atomic, and safe if the app is killed; see the module docstring
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
        return db

    @contextlib.contextmanager
    def _transaction(
        self, *, bump: bool = True, token: str | None = None
    ) -> Iterator[sqlite3.Connection]:
        """A write transaction: taken at once (BEGIN IMMEDIATE), all or nothing.

        ``bump`` advances the data version, so caches keyed on it are refreshed.
        """
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
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
                for table in ("records", "services", "police"):
                    self._reassign(db, table, areas)
                # built now, with the wards, so that the next import only loads it
                area_index(
                    codes=areas["area_code"],
                    geometries=areas.geometry,
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
        key = _KEYS[table]
        missing = [c for c in columns if c not in rows.columns and c != "batch_id"]
        if missing:
            raise StoreError(f"cannot store {table}: columns missing: {', '.join(missing)}")
        frame = rows.assign(batch_id=batch.batch_id).loc[:, list(columns)]
        repeated = frame[key].duplicated().to_numpy()
        if repeated.any():
            frame = frame.loc[~repeated]  # the first of a key wins
        statement, cells, bound = _insert(table, frame)
        inserted = frame
        staged: threading.Thread | None = None
        token = secrets.token_hex(8)
        staging = self.cache_folder / table / f".staging-{token}"
        try:
            with self._transaction(token=token) as db:
                size = db.execute(f"SELECT MAX(rowid) FROM {table}").fetchone()[0] or 0
                old_key = _cache_key(db)
                version = int(old_key.split("-")[0])
                new_key = f"{version + 1}-{token}"
                before = db.total_changes
                bulk = len(frame) >= _BULK_FROM and size <= _BULK_STORE_RATIO * len(frame)
                if bulk:
                    known = _keys_in(db, table, frame[key])
                    if known.any():
                        inserted = frame.loc[~known]
                        statement, cells, bound = _insert(table, inserted)
                    db.execute(f"DROP INDEX {_key_index(table)}")
                # zip hands executemany one reused tuple per row: no million tuples in memory
                db.executemany(statement, zip(*cells, strict=True))
                stored = db.total_changes - before
                if stored == len(inserted) and size + stored >= CACHE_FROM_ROWS:
                    # Every row went in, after the rows already there: the cache of the version
                    # this write makes is the last one's (or nothing) with these rows after it.
                    # It is written while SQLite builds its index and commits (which let go of
                    # Python), and published only once the commit has succeeded.
                    staged = threading.Thread(
                        target=self._extend_cache,
                        args=(table, inserted, bound, staging),
                        kwargs={"old": old_key, "empty": size == 0},
                    )
                    staged.start()
                if bulk:
                    db.execute(f"CREATE UNIQUE INDEX {_key_index(table)} ON {table} ({key})")
                self._log(db, batch, stored=stored)
        except BaseException:
            if staged is not None:
                staged.join()
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._carry_caches(old=old_key, new=new_key, changed=table)
        if staged is not None:
            staged.join()
            _ColumnCache(self.cache_folder / table, new_key).publish(staging)
        return stored

    def _carry_caches(self, *, old: str, new: str, changed: str) -> None:
        """Tables this write did not touch keep their cache under the new version."""
        for other in _COLUMNS:
            if other != changed:
                with contextlib.suppress(OSError):
                    os.replace(
                        self._column_cache(other, old).here, self._column_cache(other, new).here
                    )

    def _extend_cache(
        self,
        table: str,
        rows: pd.DataFrame,
        bound: dict[str, list[object]],
        staging: Path,
        *,
        old: str,
        empty: bool,
    ) -> None:
        """Write into ``staging`` the cache of version ``old`` with ``rows`` after it.

        Times are cached as the ISO text that was bound, as SQLite gives them back; other
        columns as they are (the reader converts both paths alike).
        """
        previous = {} if empty else self._column_cache(table, old).read(_COLUMNS[table])
        if not empty and len(previous) < len(_COLUMNS[table]):
            return  # no whole cache to extend; the next read builds one
        fresh: dict[str, pd.Series | list[object]] = {}
        for name in _COLUMNS[table]:
            column: pd.Series | list[object] = rows[name]
            if isinstance(rows[name].dtype, pd.DatetimeTZDtype) or (
                pd.api.types.is_datetime64_any_dtype(rows[name].dtype)
            ):
                values = bound[name] if name in bound else _sql_values(rows[name])
                column = values or [None] * len(rows)  # the ISO text SQLite holds
            elif pd.api.types.is_bool_dtype(rows[name].dtype):
                column = rows[name].astype("Int64")
            if previous:
                tail = column if isinstance(column, pd.Series) else pd.Series(column, dtype=object)
                column = pd.concat([previous[name], tail], ignore_index=True)
            fresh[name] = column
        _ColumnCache(staging.parent, "staging", here=staging).write(fresh, prune=False)

    def existing_keys(self, table: Table, keys: pd.Series) -> np.ndarray:
        with self._reading() as db:
            return _keys_in(db, table, keys)

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

    # -- reading -----------------------------------------------------------------------------
    def version(self) -> int:
        with self._reading() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        return int(row[0])

    def areas(self, *, layer: str = "ward") -> gpd.GeoDataFrame:
        with self._reading() as db:
            frame = pd.read_sql_query(
                "SELECT area_code, area_name, area_type, parent_code, population, geometry"
                " FROM areas WHERE layer = ? ORDER BY area_code",
                db,
                params=(layer,),
            )
        geometry = shapely.from_wkb(frame.pop("geometry").to_numpy())
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=DISPLAY_CRS)

    def _read(self, table: Table, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
        names = list(_COLUMNS[table] if columns is None else columns)
        with self._reading() as db:
            count = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            if not names:
                return pd.DataFrame(index=pd.RangeIndex(count))
            cache = self._column_cache(table, _cache_key(db)) if count >= CACHE_FROM_ROWS else None
            cached = cache.read(names, expected=count) if cache is not None else {}
            missing = [name for name in names if name not in cached]
            if missing:
                # in the order stored (each file's own order): a scan, not a key-index walk
                rows = db.execute(
                    f"SELECT {', '.join(missing)} FROM {table} ORDER BY rowid"
                ).fetchall()
                fresh = pd.DataFrame.from_records(rows, columns=missing, nrows=len(rows))
                if cache is not None:
                    cache.write({name: fresh[name] for name in missing})
                cached.update({name: fresh[name] for name in missing})
        frame = pd.DataFrame({name: cached[name] for name in names})
        if table == "records":
            if "observed_at" in frame:
                frame["observed_at"] = _per_distinct(
                    frame["observed_at"],
                    lambda text: pd.to_datetime(text, utc=True).dt.tz_convert(TIMEZONE),
                )
            if "night" in frame:
                frame["night"] = _per_distinct(frame["night"], pd.to_datetime)
            for flag in (_INTEGER - {"people"}) & set(names):
                frame[flag] = frame[flag].astype("Int8")
        return frame

    @property
    def cache_folder(self) -> Path:  # type: ignore[override]
        return self.path.with_name(self.path.stem + ".cache")

    def _column_cache(self, table: str, version: str) -> _ColumnCache:
        return _ColumnCache(self.cache_folder / table, version)

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


def _cache_key(db: sqlite3.Connection) -> str:
    """The data version and token of the snapshot ``db`` reads: what the cache is keyed on."""
    values = dict(
        db.execute("SELECT key, value FROM meta WHERE key IN ('data_version', 'data_token')")
    )
    return f"{values['data_version']}-{values.get('data_token', 'none')}"


class _ColumnCache:
    """Columns of a large table as read at one data version, as Arrow files beside the store.

    Reading a million rows out of SQLite costs about 0.3 s a column (every cell becomes a
    Python object); reading a column back from an Arrow file costs milliseconds. A column is
    written when an import extends the table or the first time it is read at a version, and
    used until the next write to the table, so the cache never disagrees with the store;
    deleting it at any time is safe. Files are written to a temporary name and renamed, so a
    reader never sees half of one. It holds what the store holds, beside it, under the same
    protection.
    """

    def __init__(self, folder: Path, version: str, *, here: Path | None = None) -> None:
        self.folder = folder
        self.here = here or folder / f"v{version}"

    def read(self, names: Sequence[str], *, expected: int | None = None) -> dict[str, pd.Series]:
        found: dict[str, pd.Series] = {}
        for name in names:
            path = self.here / f"{name}.arrow"
            try:
                with pa.memory_map(str(path)) as source:
                    column = pa.ipc.open_file(source).read_all().column(0)
            except (FileNotFoundError, pa.ArrowInvalid, OSError):
                continue
            if expected is not None and len(column) != expected:
                continue  # never trust a column of the wrong length
            found[name] = pd.Series(column.to_pandas(), name=name)
        return found

    def publish(self, staging: Path) -> None:
        """Make a folder written by :meth:`write` elsewhere this version's cache."""
        try:
            if staging.is_dir() and any(staging.iterdir()):
                os.replace(staging, self.here)
                self._prune()
        except OSError:
            pass
        shutil.rmtree(staging, ignore_errors=True)

    def _prune(self) -> None:
        for old in self.folder.iterdir():
            stale = old.name.startswith(".staging") and time.time() - old.stat().st_mtime > 3600
            if old != self.here and (old.name.startswith("v") or stale):
                shutil.rmtree(old, ignore_errors=True)  # stale: left by a killed import

    def write(self, columns: Mapping[str, pd.Series | list[object]], *, prune: bool = True) -> None:
        try:
            self.here.mkdir(parents=True, exist_ok=True)
            for name, values in columns.items():
                array = (
                    pa.array(values, from_pandas=True)
                    if isinstance(values, pd.Series)
                    else pa.array(values, type=pa.string())
                )
                table = pa.table({name: array})
                temporary = self.here / f".{name}.{secrets.token_hex(4)}.tmp"
                with (
                    pa.OSFile(str(temporary), "wb") as sink,
                    pa.ipc.new_file(sink, table.schema) as writer,
                ):
                    writer.write_table(table)
                os.replace(temporary, self.here / f"{name}.arrow")
            if prune:
                self._prune()
        except (OSError, pa.ArrowException):
            pass  # a cache that cannot be written only means the next read is slow again


def _keys_in(db: sqlite3.Connection, table: str, keys: pd.Series) -> np.ndarray:
    """Which of ``keys`` are stored in ``table`` (a boolean per key)."""
    key = _KEYS[table]
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


def _checked_columns(columns: Sequence[str]) -> list[str]:
    """``columns`` as a list, each a record column, or a ``ValueError`` naming the others."""
    if isinstance(columns, str):
        raise ValueError(f"columns must be a list of column names, not the text {columns!r}")
    unknown = [c for c in columns if c not in RECORD_COLUMNS]
    if unknown:
        raise ValueError(
            f"columns {', '.join(map(repr, unknown))} are not record columns; choose from"
            f" {', '.join(RECORD_COLUMNS)}"
        )
    return list(dict.fromkeys(columns))


def _per_distinct(values: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``convert(values)`` worked out once per distinct value (nights and times recur)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    converted = convert(pd.Series(uniques, dtype=object))
    return pd.Series(converted.array.take(codes), index=values.index, dtype=converted.dtype)


def _insert(
    table: str, frame: pd.DataFrame
) -> tuple[str, list[list[object]], dict[str, list[object]]]:
    """An INSERT statement for ``frame`` and the values it binds, column by column.

    Rows keep their order, so the store keeps each file's order. Binding is most of the cost
    of a large import, so columns empty throughout are left out (their default is NULL; the
    sqlite3 module also binds ``None`` slowly, looking for an adapter every time), and a
    column holding one value throughout (the agency, the batch) is written into the statement
    as a quoted SQL literal instead of being bound a million times.
    """
    key = _KEYS[table]
    names, slots, cells = [], [], []
    for name in frame.columns:
        column = frame[name]
        literal = None if name == key else _literal(column)
        values = None if literal is not None else _sql_values(column)
        if literal is None and values is None:
            continue  # NULL throughout
        names.append(name)
        slots.append("?" if literal is None else literal)
        if values is not None:
            cells.append(values)
    statement = f"INSERT OR IGNORE INTO {table} ({', '.join(names)}) VALUES ({', '.join(slots)})"
    bound = [name for name, slot in zip(names, slots, strict=True) if slot == "?"]
    return statement, cells, dict(zip(bound, cells, strict=True))


def _literal(column: pd.Series) -> str | None:
    """The SQL literal of a column's only value; None unless every row holds that one value.

    Only text without NUL characters and finite numbers are written as literals (text is
    quoted by doubling its single quotes, which is all SQLite's quoting needs).
    """
    if len(column) < 2 or pd.isna(column.iloc[0]):
        return None
    first = column.iloc[0]
    for part in (column.iloc[:64], column):  # most columns differ within their first rows
        same = part == first
        if not bool(same.fillna(False).all() if same.dtype != bool else same.all()):
            return None
    value = (_sql_values(column.iloc[:1]) or [None])[0]
    if isinstance(value, str) and "\x00" not in value and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return str(value)
    if isinstance(value, float) and np.isfinite(value):
        return repr(value)
    return None


def _sql_values(column: pd.Series) -> list[object] | None:
    """A column as Python values SQLite binds (None for missing, ISO text for times).

    ``None`` when every value is missing.
    """
    blank = np.asarray(pd.isna(column))
    if blank.all():
        return None
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        values = _iso_times(column).tolist()
    elif pd.api.types.is_datetime64_any_dtype(column.dtype):
        days = column.to_numpy(dtype="datetime64[D]")
        values = np.datetime_as_string(days, unit="D").tolist()
    elif pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_integer_dtype(column.dtype):
        # tolist gives Python ints and floats: numpy integers do not bind at all
        values = column.to_numpy(dtype=np.int64, na_value=0).tolist()
    elif pd.api.types.is_float_dtype(column.dtype):
        values = column.to_numpy(dtype=float, na_value=np.nan).tolist()
    else:
        values = column.to_numpy(dtype=object).tolist()
    for i in np.flatnonzero(blank).tolist():
        values[i] = None
    return values


def _iso_times(column: pd.Series) -> np.ndarray:
    """Aware times as ``2026-11-04T23:40:00+0000`` text (their own UTC offset), None for NaT.

    Formatted once per distinct time, with numpy rather than ``strftime``.
    """
    codes, uniques = pd.factorize(column)  # NaT -> -1
    local = uniques.tz_localize(None).to_numpy(dtype="datetime64[s]")
    utc = uniques.tz_convert("UTC").tz_localize(None).to_numpy(dtype="datetime64[s]")
    minutes = (local - utc).astype(np.int64) // 60
    offset_codes, offsets = pd.factorize(minutes)
    offset_text = np.array(
        [f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}{abs(m) % 60:02d}" for m in offsets], dtype="U5"
    )
    text = np.strings.add(np.datetime_as_string(local, unit="s"), offset_text[offset_codes])
    out = np.append(text.astype(object), None)
    return out[codes]  # NaT has code -1: the last slot (None)
