"""The store: the only code that knows where and how data is kept.

The default backend is one SQLite file (``var/outreach-atlas.sqlite`` by default; the
``OUTREACH_ATLAS_STORE`` environment variable or ``--store`` changes it), written in WAL mode
with ``BEGIN IMMEDIATE`` and a busy timeout, so several processes can import at once without
losing a row and a reader never sees half an import. GeoPackage was tried for this and rejected:
with several writers, reads through GDAL were silently short (see the project notes).

Every write is one transaction: an import that fails or is killed half-way leaves the store
exactly as it was. Every write bumps :meth:`Store.version`, which callers use as a cache key.

Records are kept with longitude/latitude (EPSG:4326) and easting/northing (EPSG:27700) and
the code of the ward they fall in, worked out on import and again whenever wards are replaced.
Data leaves the store only through methods that take a role (:mod:`geo.privacy`).

A shared PostGIS backend will implement the same :class:`Store` interface.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import privacy
from geo.errors import StoreError
from geo.join import assign_points
from geo.schema import DISPLAY_CRS, POLICE_COLUMNS, RECORD_COLUMNS, SERVICE_COLUMNS, TIMEZONE

#: Where the store lives when nothing else is said (relative to the working directory).
DEFAULT_STORE: Final = Path("var") / "outreach-atlas.sqlite"
STORE_ENV: Final = "OUTREACH_ATLAS_STORE"
SCHEMA_VERSION: Final = 1
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
    def _read(self, table: Table) -> pd.DataFrame:
        """Every row of a table, unfiltered. Private: data leaves through a role."""

    @abstractmethod
    def imports(self) -> pd.DataFrame:
        """The import log, newest first, with each import's accounting."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Rows per table (no personal data), for status lines."""

    @abstractmethod
    def secret_key(self) -> bytes:
        """The key used to hash person identifiers; made on first use, kept out of the repo."""

    def records(self, *, role: str) -> pd.DataFrame:
        """Records as the role may see them (see :func:`geo.privacy.view_records`)."""
        privacy.check_role(role)
        return privacy.view_records(self._read("records"), role=role)

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
        key = self.secret_key()
        text = values.fillna("").astype(str).str.strip()
        prefix = scope.encode() + b"\x1f"

        def one(value: str) -> str | None:
            if not value:
                return None
            return "p_" + hmac.new(key, prefix + value.encode(), hashlib.sha256).hexdigest()[:32]

        return text.map(one).astype(object)


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


_SCHEMA: Final = f"""
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
CREATE TABLE IF NOT EXISTS records ({
    ", ".join(
        f"{c} {'REAL' if c in _REAL else 'INTEGER' if c in _INTEGER else 'TEXT'}"
        + (" PRIMARY KEY" if c == "record_id" else "")
        for c in RECORD_COLUMNS
    )
});
CREATE INDEX IF NOT EXISTS records_night ON records (night);
CREATE INDEX IF NOT EXISTS records_area ON records (area_code);
CREATE TABLE IF NOT EXISTS services ({
    ", ".join(
        f"{c} {'REAL' if c in _REAL else 'TEXT'}" + (" PRIMARY KEY" if c == "service_id" else "")
        for c in SERVICE_COLUMNS
    )
});
CREATE TABLE IF NOT EXISTS police ({
    ", ".join(
        f"{c} {'REAL' if c in _REAL else 'TEXT'}" + (" PRIMARY KEY" if c == "incident_id" else "")
        for c in POLICE_COLUMNS
    )
});
"""


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
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
                db.execute("INSERT INTO meta VALUES ('data_version', '0')")
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreError(
                    f"store {self.path} was written by a newer Outreach Atlas (schema {row[0]});"
                    " upgrade the app"
                )

    # -- connections -------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as err:
            raise StoreError(f"cannot open the store {self.path}: {err}") from err
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        return db

    @contextlib.contextmanager
    def _transaction(self, *, bump: bool = True) -> Iterator[sqlite3.Connection]:
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
            self._log(db, batch)
        return len(rows)

    def _reassign(self, db: sqlite3.Connection, table: str, areas: gpd.GeoDataFrame) -> None:
        key = _KEYS[table]
        points = pd.read_sql_query(f"SELECT {key}, lon, lat FROM {table}", db)
        if points.empty:
            return
        codes = assign_points(
            points["lon"], points["lat"], codes=areas["area_code"], geometries=areas.geometry
        )
        db.executemany(
            f"UPDATE {table} SET area_code = ? WHERE {key} = ?",
            zip(codes.tolist(), points[key].tolist(), strict=True),
        )

    def add(self, table: Table, rows: pd.DataFrame, *, batch: Batch) -> int:
        columns = _COLUMNS[table]
        missing = [c for c in columns if c not in rows.columns and c != "batch_id"]
        if missing:
            raise StoreError(f"cannot store {table}: columns missing: {', '.join(missing)}")
        frame = rows.assign(batch_id=batch.batch_id).loc[:, list(columns)]
        values = _to_sql_values(frame)
        placeholders = ", ".join("?" * len(columns))
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                values,
            )
            stored = db.total_changes - before
            self._log(db, batch, stored=stored)
        return stored

    def existing_keys(self, table: Table, keys: pd.Series) -> np.ndarray:
        key = _KEYS[table]
        wanted = keys.astype(str).tolist()
        with self._reading() as db:
            db.execute("CREATE TEMP TABLE wanted (k TEXT PRIMARY KEY) WITHOUT ROWID")
            db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((k,) for k in wanted))
            found = {
                row[0] for row in db.execute(f"SELECT k FROM wanted JOIN {table} ON {key} = k")
            }
        return np.fromiter((k in found for k in wanted), dtype=bool, count=len(wanted))

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

    def _read(self, table: Table) -> pd.DataFrame:
        columns = _COLUMNS[table]
        with self._reading() as db:
            frame = pd.read_sql_query(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY {_KEYS[table]}", db
            )
        if table == "records":
            frame["observed_at"] = pd.to_datetime(frame["observed_at"], utc=True).dt.tz_convert(
                TIMEZONE
            )
            frame["night"] = pd.to_datetime(frame["night"])
            for flag in _INTEGER - {"people"}:
                frame[flag] = frame[flag].astype("Int8")
        return frame

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


def _to_sql_values(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """Rows as Python tuples SQLite accepts: None for missing, ISO text for times."""
    columns: list[np.ndarray] = []
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            text = column.dt.strftime("%Y-%m-%dT%H:%M:%S%z")  # vectorised; +0100 style offset
            columns.append(text.astype(object).where(column.notna(), None).to_numpy())
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            text = column.dt.strftime("%Y-%m-%d")
            columns.append(text.astype(object).where(column.notna(), None).to_numpy(dtype=object))
        else:
            if pd.api.types.is_integer_dtype(column.dtype) or pd.api.types.is_bool_dtype(
                column.dtype
            ):
                column = column.astype("Int64")  # numpy integers do not bind; Int64 -> int
            columns.append(column.astype(object).where(column.notna(), None).to_numpy())
    return list(zip(*columns, strict=True)) if columns else []
