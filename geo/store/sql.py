"""SQL for the SQLite backend: the tables (from :mod:`geo.schema`) and frames as INSERTs.

Binding values is most of the cost of a large import, so :func:`insert` binds as little as it
can (see there), and :func:`sql_values` turns a column into the Python values sqlite3 binds
fastest, with times as ISO 8601 text.
"""

from __future__ import annotations

import sqlite3
from itertools import chain
from typing import Final

import numpy as np
import pandas as pd

from geo.schema import KEYS, TABLES

#: SQLite column type of each column type; every other type is kept as TEXT.
_SQL_TYPES: Final = {"real": "REAL", "integer": "INTEGER", "flag": "INTEGER"}
#: Rows bound per INSERT statement by :func:`insert_rows` (fewer where SQLite allows fewer
#: values per statement): a million rows went in 25-30 % faster than one row per statement.
ROWS_PER_STATEMENT: Final = 128


def key_index(table: str) -> str:
    """The name of the unique index on ``table``'s key."""
    return f"{table}_{KEYS[table]}"


def _table_sql(table: str) -> str:
    """A table of records, services or police incidents, and the unique index on its key.

    The key is unique through an index rather than a TEXT PRIMARY KEY, so that a large import
    can drop the index, insert, and build it again in one sort (see :meth:`SQLiteStore.add`).
    """
    key = KEYS[table]
    columns = ", ".join(
        f"{c.name} {_SQL_TYPES.get(c.type, 'TEXT')}" + (" NOT NULL" if c.name == key else "")
        for c in TABLES[table]
    )
    return (
        f"CREATE TABLE IF NOT EXISTS {table} ({columns});\n"
        f"CREATE UNIQUE INDEX IF NOT EXISTS {key_index(table)} ON {table} ({key});\n"
    )


#: Every table of the store; statements are separated by semicolons.
SCHEMA: Final = (
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
CREATE TABLE IF NOT EXISTS postcodes (
    postcode TEXT PRIMARY KEY, easting REAL, northing REAL, lon REAL, lat REAL,
    precision_m REAL, has_position INTEGER NOT NULL, quality INTEGER, terminated TEXT, ward TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_decisions (
    record_a TEXT NOT NULL, record_b TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('unlink', 'relink')),
    decided_by TEXT NOT NULL, decided_at TEXT NOT NULL, reason TEXT
);
CREATE TABLE IF NOT EXISTS activations (
    first_night TEXT NOT NULL, last_night TEXT NOT NULL, recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL, note TEXT, CHECK (first_night <= last_night)
);
CREATE TABLE IF NOT EXISTS safeguarding_closures (
    key TEXT NOT NULL, closed_by TEXT NOT NULL, closed_at TEXT NOT NULL, reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    email TEXT PRIMARY KEY, role TEXT NOT NULL, agency TEXT, added_by TEXT NOT NULL,
    added_at TEXT NOT NULL, council TEXT
);
CREATE TABLE IF NOT EXISTS sharing (
    from_council TEXT NOT NULL, to_council TEXT NOT NULL, by TEXT NOT NULL,
    reason TEXT NOT NULL, at TEXT NOT NULL, ended_at TEXT, ended_by TEXT,
    CHECK (from_council != to_council)
);
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY, value TEXT NOT NULL, changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL, reason TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT NOT NULL, role TEXT,
    action TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lookups (
    kind TEXT PRIMARY KEY, name TEXT NOT NULL, entries INTEGER NOT NULL, data BLOB,
    batch_id TEXT NOT NULL
);
"""
    + _table_sql("records")
    + _table_sql("services")
    + _table_sql("police")
)


def add_councils(db: sqlite3.Connection) -> None:
    """Give a store made before councils were kept its users' ``council`` column (None: not
    bound), once; :data:`SCHEMA` makes the ``sharing`` table. Idempotent."""
    names = {row[1] for row in db.execute("PRAGMA table_info(users)")}
    if "council" not in names:
        db.execute("ALTER TABLE users ADD COLUMN council TEXT")


#: The audit log is append-only: these refuse any change to a row, whoever asks.
AUDIT_TRIGGERS: Final = tuple(
    f"CREATE TRIGGER IF NOT EXISTS audit_no_{verb.lower()} BEFORE {verb} ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    for verb in ("UPDATE", "DELETE")
)


def insert(
    table: str, frame: pd.DataFrame
) -> tuple[str, list[list[object]], dict[str, list[object]]]:
    """An INSERT statement for ``frame``, the values it binds column by column, and those
    values by column name.

    Rows keep their order, so the store keeps each file's order. Binding is most of the cost
    of a large import, so columns empty throughout are left out (their default is NULL; the
    sqlite3 module also binds ``None`` slowly, looking for an adapter every time), and a
    column holding one value throughout (the agency, the batch) is written into the statement
    as a quoted SQL literal instead of being bound a million times.
    """
    key = KEYS[table]
    names, slots, cells = [], [], []
    for name in frame.columns:
        column = frame[name]
        literal = None if name == key else _literal(column)
        values = None if literal is not None else sql_values(column)
        if literal is None and values is None:
            continue  # NULL throughout
        names.append(name)
        slots.append("?" if literal is None else literal)
        if values is not None:
            cells.append(values)
    statement = f"INSERT OR IGNORE INTO {table} ({', '.join(names)}) VALUES ({', '.join(slots)})"
    bound = [name for name, slot in zip(names, slots, strict=True) if slot == "?"]
    return statement, cells, dict(zip(bound, cells, strict=True))


def insert_rows(db: sqlite3.Connection, statement: str, cells: list[list[object]]) -> None:
    """Run an INSERT made by :func:`insert` for every row of ``cells`` (values by column).

    Rows go in many to a statement (``VALUES (...), (...), ...``), in their order: sqlite3
    spends much of a large import starting each statement, and this starts a hundredth as
    many. ``INSERT OR IGNORE`` still ignores each row whose key is stored, on its own.
    """
    if not cells:
        return
    head, _, row = statement.partition(") VALUES ")  # the column list holds names only
    head += ") VALUES "
    limit = db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(ROWS_PER_STATEMENT, limit // len(cells)))
    total = len(cells[0])
    whole = total - total % per
    if whole:
        many = head + ", ".join([row] * per)
        db.executemany(
            many,
            (
                list(chain.from_iterable(zip(*(c[i : i + per] for c in cells), strict=True)))
                for i in range(0, whole, per)
            ),
        )
    if whole < total:
        db.executemany(statement, zip(*(c[whole:] for c in cells), strict=True))


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
    value = (sql_values(column.iloc[:1]) or [None])[0]
    if isinstance(value, str) and "\x00" not in value and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return str(value)
    if isinstance(value, float) and np.isfinite(value):
        return repr(value)
    return None


def sql_values(column: pd.Series) -> list[object] | None:
    """A column as Python values SQLite binds (None for missing, ISO text for times).

    ``None`` when every value is missing.
    """
    blank = np.asarray(pd.isna(column))
    if blank.all():
        return None
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        values = _iso_times(column).tolist()
    elif pd.api.types.is_datetime64_any_dtype(column.dtype):
        values = _iso_days(column).tolist()
    elif pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_integer_dtype(column.dtype):
        # tolist gives Python ints and floats: numpy integers do not bind at all
        values = column.to_numpy(dtype=np.int64, na_value=0).tolist()
    elif pd.api.types.is_float_dtype(column.dtype):
        values = column.to_numpy(dtype=float, na_value=np.nan).tolist()
    else:
        cells = column.to_numpy(dtype=object)
        if blank.any():
            cells = cells.copy()
            cells[blank] = None
        return cells.tolist()
    if blank.any():
        values = np.array(values, dtype=object)
        values[blank] = None
        values = values.tolist()
    return values


def _iso_days(column: pd.Series) -> np.ndarray:
    """Dates (a night) as ``2026-11-04`` text, None for NaT: formatted once per distinct date
    (a million records fall on a few hundred nights)."""
    codes, uniques = pd.factorize(column)  # NaT -> -1
    days = np.datetime_as_string(uniques.to_numpy(dtype="datetime64[D]"), unit="D")
    return np.append(days.astype(object), None)[codes]  # NaT has code -1: the last slot (None)


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


def data_version(db: sqlite3.Connection) -> tuple[int, str]:
    """The data version and token of the snapshot ``db`` reads: what caches are keyed on."""
    values = dict(
        db.execute("SELECT key, value FROM meta WHERE key IN ('data_version', 'data_token')")
    )
    return int(values["data_version"]), values.get("data_token", "none")
