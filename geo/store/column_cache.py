"""Columns of a large table as read at one data version, as Arrow files beside the store.

Reading a million rows out of SQLite costs about 0.3 s a column (every cell becomes a Python
object); reading a column back from an Arrow file costs milliseconds. A column is written when
an import extends the table or the first time it is read at a version, and used until the next
write to the table, so the cache never disagrees with the store; deleting it at any time is
safe. It holds what the store holds, beside it, under the same protection.

Keying: a cache is kept in ``<folder>/<table>/v<version>-<token>``, named by the data version
and the random token of the write that made it (:func:`version_key`). The version alone can
repeat (a store deleted and begun again, a backup restored, commits lost in a power cut); the
pair cannot, so an old cache is never read as a new one.

Several threads and processes may use one cache at once: files are written to a temporary
name and renamed, so a reader never sees half of one; a column that vanishes or has the wrong
length is read from the store instead. There is no state in memory to guard.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import pandas as pd
import pyarrow as pa
import pyarrow.ipc  # noqa: F401  (makes pa.ipc available)

from geo.store.sql import sql_values

#: Staging folders older than this (seconds) were left by a killed import and are removed.
_STALE_AFTER_S: Final = 3600


def version_key(version: int, token: str) -> str:
    """The name a version's cache is kept under (see the module docstring)."""
    return f"{version}-{token}"


class ColumnCache:
    """The cache of one table at one version: ``folder`` is the table's, ``here`` the
    version's (or, for a cache being staged, any folder)."""

    def __init__(self, folder: Path, version: str, *, here: Path | None = None) -> None:
        self.folder = folder
        self.here = here or folder / f"v{version}"

    def read(self, names: Sequence[str], *, expected: int | None = None) -> dict[str, pd.Series]:
        """The columns of ``names`` found here (of ``expected`` rows), by name."""
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

    def write(self, columns: Mapping[str, pd.Series | list[object]], *, prune: bool = True) -> None:
        """Keep ``columns`` here, then (with ``prune``) remove every other version's cache."""
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

    def publish(self, staging: Path) -> None:
        """Make a folder written by :meth:`stage_extension` this version's cache."""
        try:
            if staging.is_dir() and any(staging.iterdir()):
                os.replace(staging, self.here)
                self._prune()
        except OSError:
            pass
        shutil.rmtree(staging, ignore_errors=True)

    def move_to(self, version: str) -> None:
        """Keep this cache under ``version`` (a write that did not touch its table)."""
        with contextlib.suppress(OSError):
            os.replace(self.here, ColumnCache(self.folder, version).here)

    def stage_extension(
        self,
        rows: pd.DataFrame,
        bound: Mapping[str, list[object]],
        staging: Path,
        *,
        columns: Sequence[str],
        empty: bool,
    ) -> None:
        """Write into ``staging`` this cache with ``rows`` after it (just ``rows`` if ``empty``).

        Times are cached as the ISO text that was bound (``bound``, by column), as SQLite gives
        them back; other columns as they are (the reader converts both paths alike). Nothing
        is written unless this cache holds every column.
        """
        previous = {} if empty else self.read(columns)
        if not empty and len(previous) < len(columns):
            return  # no whole cache to extend; the next read builds one
        fresh: dict[str, pd.Series | list[object]] = {}
        for name in columns:
            column: pd.Series | list[object] = rows[name]
            if isinstance(rows[name].dtype, pd.DatetimeTZDtype) or (
                pd.api.types.is_datetime64_any_dtype(rows[name].dtype)
            ):
                values = bound[name] if name in bound else sql_values(rows[name])
                column = values or [None] * len(rows)  # the ISO text SQLite holds
            elif pd.api.types.is_bool_dtype(rows[name].dtype):
                column = rows[name].astype("Int64")
            if previous:
                tail = column if isinstance(column, pd.Series) else pd.Series(column, dtype=object)
                column = pd.concat([previous[name], tail], ignore_index=True)
            fresh[name] = column
        ColumnCache(staging.parent, "staging", here=staging).write(fresh, prune=False)

    def _prune(self) -> None:
        for old in self.folder.iterdir():
            stale = old.name.startswith(".staging") and time.time() - old.stat().st_mtime > (
                _STALE_AFTER_S
            )
            if old != self.here and (old.name.startswith("v") or stale):
                shutil.rmtree(old, ignore_errors=True)  # stale: left by a killed import
