"""Per-row bookkeeping while an import runs, and the table of rejected rows it ends with.

Every row of the input ends as exactly one of: stored, skipped (a duplicate, with the reason)
or rejected (with the file, row, column, value and problem). The first problem found for a
row wins.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections import Counter
from collections.abc import Iterator

import numpy as np
import pandas as pd

from geo.importing.report import ImportReport
from geo.io.tables import RawTable


@contextlib.contextmanager
def timed(report: ImportReport, phase: str) -> Iterator[None]:
    """Add the time spent in the ``with`` block to ``report.seconds[phase]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        report.seconds[phase] = report.seconds.get(phase, 0.0) + time.perf_counter() - start


class Rows:
    """Per-row bookkeeping while an import runs: the first problem found for a row wins."""

    def __init__(self, table: RawTable) -> None:
        self.table = table
        n = len(table.frame)
        self.problem = np.full(n, None, dtype=object)
        self.column = np.full(n, None, dtype=object)
        self.value = np.full(n, None, dtype=object)
        self.skip = np.full(n, None, dtype=object)
        self._ok = np.ones(n, dtype=bool)

    @property
    def ok(self) -> np.ndarray:
        """Rows neither rejected nor skipped (a copy)."""
        return self._ok.copy()

    def skip_rows(self, mask: np.ndarray, *, reason: str) -> None:
        """Skip rows in ``mask`` (duplicates), giving the reason."""
        self.skip[mask] = reason
        self._ok &= ~mask

    def reject(self, mask: np.ndarray | pd.Series, *, column: str | None, problem: object) -> None:
        """Reject rows in ``mask`` not already rejected; ``problem`` is text or per-row text."""
        mask = np.asarray(mask, dtype=bool) & self._ok
        if not mask.any():
            return
        self._ok &= ~mask
        problems = (
            np.asarray(problem, dtype=object)
            if isinstance(problem, (pd.Series, np.ndarray))
            else np.full(len(mask), problem, dtype=object)
        )
        self.problem[mask] = problems[mask]
        self.column[mask] = column
        if column is not None and column in self.table.frame.columns:
            self.value[mask] = self.table.frame[column].to_numpy(dtype=object)[mask]

    def reject_each(self, problems: pd.Series, *, column: str | None) -> None:
        """Reject every row whose entry in ``problems`` is not None."""
        self.reject(problems.notna().to_numpy(), column=column, problem=problems.to_numpy())


def reason_key(column: object, problem: object) -> str:
    generic = re.sub(r"\s*\([^)]*\)", "", str(problem)).strip()
    return generic if column is None or pd.isna(column) else f"{column}: {generic}"


def finish(
    report: ImportReport,
    rows: Rows,
    *,
    kept_columns: list[str],
) -> None:
    """Fill in the report's rejected/skipped figures and the rejects table."""
    table = rows.table
    rejected = pd.notna(rows.problem)
    columns = list(table.frame.columns)
    ragged = [
        {
            "file": table.source,
            "row": r.row,
            "column": None,
            "value": ",".join(r.cells[r.expected :]),
            "problem": f"row has {r.fields} fields but the header has {r.expected}",
            **{c: v for c, v in zip(columns, r.cells, strict=False) if c in kept_columns},
        }
        for r in table.ragged
    ]
    detail = pd.DataFrame(
        {
            "file": table.source,
            "row": table.rows[rejected],
            "column": rows.column[rejected],
            "value": rows.value[rejected],
            "problem": rows.problem[rejected],
        }
    )
    cells = table.frame.loc[rejected, kept_columns].reset_index(drop=True)
    detail = pd.concat([detail.reset_index(drop=True), cells], axis=1)
    if ragged:
        detail = pd.concat([pd.DataFrame(ragged), detail], ignore_index=True)
    detail = detail.sort_values("row", kind="stable").reset_index(drop=True)
    report.rejects = detail
    report.rejected = len(detail)
    report.rejected_by_reason = dict(
        Counter(
            reason_key(c, p) for c, p in zip(detail["column"], detail["problem"], strict=True)
        ).most_common()
    )
    report.encoding = table.encoding
    report.blank_lines = table.blank_lines
    report.read = table.read
