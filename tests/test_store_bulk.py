"""Bulk writes to the embedded store: many rows per INSERT statement, same rows as one by one.

Worked by hand: :func:`geo.store.sql.insert_rows` binds ``ROWS_PER_STATEMENT`` rows per
statement, fewer when SQLite allows fewer values per statement. With 300 rows of 3 bound
columns and a limit of 20 values, that is 6 rows a statement: 50 statements, no tail; with
the default (128 rows) it is 2 statements of 128 and a tail of 44 rows one by one. Keys 5 and
77 are stored beforehand, so ``INSERT OR IGNORE`` skips those two rows only: 298 rows are
added, in the order given, after the two already there.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from geo.store.sql import ROWS_PER_STATEMENT, insert_rows, sql_values


def _table() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE TABLE t (k TEXT NOT NULL UNIQUE, agency TEXT, x REAL, note TEXT)")
    db.execute("INSERT INTO t VALUES ('k5', 'old', 0.0, NULL), ('k77', 'old', 0.0, NULL)")
    return db


# a literal holding the text the statement is split at, to show it is split at the right place
STATEMENT = "INSERT OR IGNORE INTO t (k, agency, x, note) VALUES (?, 'A) VALUES (''x', ?, ?)"


def _cells(n: int) -> list[list[object]]:
    keys = [f"k{i}" for i in range(n)]
    x = [i + 0.1 for i in range(n)]
    note = [None if i % 3 else f"note {i}" for i in range(n)]
    return [keys, x, note]


@pytest.mark.parametrize("limit", [None, 20, 3])
def test_many_rows_a_statement_store_what_one_by_one_stores(limit: int | None) -> None:
    db = _table()
    if limit is not None:
        db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    cells = _cells(300)
    before = db.total_changes
    insert_rows(db, STATEMENT, cells)
    assert db.total_changes - before == 298
    rows = db.execute("SELECT k, agency, x, note FROM t ORDER BY rowid").fetchall()
    expected = [("k5", "old", 0.0, None), ("k77", "old", 0.0, None)] + [
        (k, "A) VALUES ('x", x, n) for k, x, n in zip(*cells, strict=True) if k not in ("k5", "k77")
    ]
    assert rows == expected


def test_fewer_rows_than_a_statement_and_none() -> None:
    assert ROWS_PER_STATEMENT > 5
    db = _table()
    insert_rows(db, STATEMENT, _cells(5))
    assert db.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 2 + 5  # k0..k4, all new
    insert_rows(db, STATEMENT, [])
    insert_rows(db, STATEMENT, [[], [], []])
    assert db.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 7


def test_sql_values_blanks_become_none_in_every_kind_of_column() -> None:
    assert sql_values(pd.Series(["a", None, "c"], dtype=object)) == ["a", None, "c"]
    assert sql_values(pd.Series(["a", None], dtype="str")) == ["a", None]
    assert sql_values(pd.Series([1.5, np.nan, 2.0])) == [1.5, None, 2.0]
    assert sql_values(pd.Series([1, None], dtype="Int64")) == [1, None]
    assert sql_values(pd.Series([None, None], dtype=object)) is None
    values = sql_values(pd.Series([1.5, 2.0]))
    assert values == [1.5, 2.0] and all(type(v) is float for v in values)


def test_a_new_store_has_larger_pages_and_an_old_one_keeps_its_own(tmp_path) -> None:
    from geo.store import open_store
    from geo.store.sqlite import PAGE_BYTES

    def page_size(path) -> int:
        with sqlite3.connect(path) as db:
            return db.execute("PRAGMA page_size").fetchone()[0]

    open_store(tmp_path / "new.sqlite")
    assert page_size(tmp_path / "new.sqlite") == PAGE_BYTES == 16_384
    old = tmp_path / "old.sqlite"  # a store begun with SQLite's default pages, in WAL mode
    with sqlite3.connect(old) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE early (a)")
    store = open_store(old)
    assert page_size(old) == 4_096
    assert store.areas().empty and store.version() >= 0
