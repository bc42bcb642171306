"""Typed columns of the latest data version, kept in memory by the process that read them.

A page asks several questions on each rerun (the Overview five, the tasking brief more), and
each reads its columns from the store. From the column cache the reading itself takes
milliseconds, but turning stored text into times and nights is most of a read's cost, and
every question paid it again. The memo keeps each column as typed, for the data version it
was read at (the column cache's key: the version and the write's random token, so a version
number that repeats is never mistaken for the one before), and drops a table's columns as
soon as a read sees a newer version.

One memo is kept per store file for the whole process (:func:`memo_for`), since every page
and question opens the store anew. Frames are built afresh from the kept columns on each
read; pandas' copy-on-write means a caller that changes its frame changes its own copy
only. Every thread of the process (every Streamlit session) shares the memo, so it is
guarded by a lock. It is bounded: a table's columns are kept while they hold under
:data:`MEMO_ENV` megabytes (512 by default; 0 turns the memo off), and a column that would
go over is read but not kept.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Final

import numpy as np
import pandas as pd

from geo.errors import StoreError

#: Environment variable: megabytes of typed columns each table may keep in memory.
MEMO_ENV: Final = "OUTREACH_ATLAS_MEMO_MB"
_DEFAULT_MB: Final = 512
#: Python objects of a column measured to estimate its size (see :func:`_bytes`).
_SAMPLE: Final = 1_000


def memo_limit() -> int:
    """Bytes each table's memo may hold, from :data:`MEMO_ENV` (0 keeps nothing)."""
    text = os.environ.get(MEMO_ENV, "").strip()
    if not text:
        return _DEFAULT_MB * 1_000_000
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if megabytes < 0:
        raise StoreError(f"{MEMO_ENV} must be a number of megabytes (0 or more), not {text!r}")
    return int(megabytes * 1_000_000)


class ColumnMemo:
    """Typed columns per table, each table's for one data version at a time."""

    def __init__(self, *, limit: int | None = None) -> None:
        self._limit = memo_limit() if limit is None else limit
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[str, dict[str, pd.Series], int]] = {}

    def get(self, table: str, version: str, names: Sequence[str]) -> dict[str, pd.Series]:
        """The columns of ``names`` kept for ``table`` at ``version``, by name."""
        with self._lock:
            kept = self._kept.get(table)
            if kept is None or kept[0] != version:
                return {}
            return {name: kept[1][name] for name in names if name in kept[1]}

    def keep(self, table: str, version: str, columns: dict[str, pd.Series]) -> None:
        """Keep ``columns`` (typed, read at ``version``), forgetting any other version's."""
        if self._limit <= 0:
            return
        with self._lock:
            kept = self._kept.get(table)
            if kept is None or kept[0] != version:
                kept = (version, {}, 0)
            held, size = dict(kept[1]), kept[2]
            for name, column in columns.items():
                if name in held:
                    continue
                cost = _bytes(column)
                if size + cost > self._limit:
                    continue
                held[name], size = column, size + cost
            self._kept[table] = (version, held, size)

    def clear(self) -> None:
        """Forget every kept column."""
        with self._lock:
            self._kept.clear()

    def carry(self, table: str, *, old: str, new: str) -> None:
        """``table``'s columns kept at ``old`` hold at ``new`` too (a write that left it alone)."""
        with self._lock:
            kept = self._kept.get(table)
            if kept is not None and kept[0] == old:
                self._kept[table] = (new, *kept[1:])


def _bytes(column: pd.Series) -> int:
    """About how many bytes ``column`` holds: exactly for numbers, times and Arrow text; for
    Python objects from an even sample of :data:`_SAMPLE` of them (measuring a million of them
    one by one took 0.8 s, longer than reading them)."""
    if column.dtype != object or len(column) <= _SAMPLE:
        return int(column.memory_usage(index=False, deep=True))
    sample = column.iloc[np.linspace(0, len(column) - 1, _SAMPLE).astype(np.int64)]
    return int(sample.memory_usage(index=False, deep=True) / _SAMPLE * len(column))


_memos: dict[str, ColumnMemo] = {}
_memos_lock = threading.Lock()


def memo_for(location: str) -> ColumnMemo:
    """The process's memo of the store at ``location`` (one per store, made when first asked)."""
    with _memos_lock:
        memo = _memos.get(location)
        if memo is None:
            memo = _memos[location] = ColumnMemo()
        return memo


#: What else keeps answers about a store in this process, told to forget them (see :func:`forget`).
_forgetters: list[Callable[[str], None]] = []


def on_forget(forget_store: Callable[[str], None]) -> None:
    """Have ``forget_store(location)`` called whenever :func:`forget` forgets a store."""
    _forgetters.append(forget_store)


def forget(memo_key: str, location: str) -> None:
    """Forget everything this process keeps about the store (its memo, by ``memo_key``, and
    whatever registered with :func:`on_forget`, by ``location``): after a purge or an
    erasure, no copy of a deleted record may stay in memory."""
    with _memos_lock:
        memo = _memos.get(memo_key)
    if memo is not None:
        memo.clear()
    for forget_store in _forgetters:
        forget_store(location)
