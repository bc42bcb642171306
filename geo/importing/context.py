"""Ward context, imported once: figures about each ward from outside the partnership.

Tension follows change more than any level: rural to urban, rich to poor, stable to changing
populations, changing local industry. An analyst imports a file of such figures once
(``python -m geo import context FILE.csv``, or the Import page): a column of area codes and any
other columns, such as two years of ONS mid-year population estimates, the English indices of
deprivation decile, the rural-urban classification. The pages show them in the ward profile and
beside the tension watch, as context for a conversation: they never decide anything
(:mod:`geo.analysis.tension` never reads them).

The ethnic or national make-up of an area is never context: a column whose header names it
(ethnicity, nationality, country of birth, religion, migration, main language and the like) is
not kept, and the report says so.

Which column holds the codes is found by its values (the one holding most codes of the areas in
the store) unless named. A column is a number column when at least half its filled cells are
numbers (``1,234``, ``12.5%``); the published marks for a figure not given (``..``, ``x``,
``c``, ``-``) count as blank. Any other column is kept as text (a classification such as
"Urban city and town"), except the areas' names, which the store already has.

Every row is accounted for: stored; skipped (the same area again: the first is kept); or
rejected with its row, column and problem (no area code, a code that is not an area in the
store, text in a number column). Importing another file replaces the context kept; a file with
nothing to keep stops with a message, and the context kept before stays.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from geo.errors import InputFileError
from geo.importing.pipeline import file_sha256
from geo.importing.report import ColumnNote, ImportReport
from geo.importing.rows import Rows, finish
from geo.io.limits import MaxMB, check_size
from geo.io.tables import RawTable, read_table
from geo.store import Batch, Store

__all__ = ["MAKE_UP_HEADER", "import_context"]

#: Headers naming the ethnic, national or religious make-up of an area: never kept as context.
MAKE_UP_HEADER: Final = re.compile(
    r"\b(ethnic\w*|nationals?|nationalit\w*|national identity|country of (birth|origin)|born"
    r"|non uk|overseas|foreign|passports?|races?|racial\w*|religio\w*|faith|migra\w*"
    r"|immigra\w*|asylum|refugees?|citizens?\w*|white|black|asian|arab|bame|bme|minorit\w*"
    r"|gypsy|roma|traveller\w*|(main|first|household|home) language|languages? spoken"
    r"|english proficiency|proficiency in english|eal)\b"
)

#: Cells published for a figure that is not given (suppressed, not available): blank.
_NOT_GIVEN: Final = frozenset({"..", ".", ":", "x", "c", "-", "–", "n/a", "na", "*", "[x]", "[c]"})

_NAME_HEADER: Final = re.compile(r"(^|[^a-z])(name|nm)$|^[a-z]{2,4}\d{2}nm$")
_ROW_NUMBER_HEADER: Final = re.compile(r"^(object ?id|fid|ogc fid|id|row|index)$")
_OTHER_CODES: Final = r"[EWSNK]\d{8}"


def import_context(
    store: Store,
    path: str | Path,
    *,
    code_field: str | None = None,
    layer: str = "ward",
    source: str | None = None,
    max_mb: MaxMB = "upload",
) -> ImportReport:
    """Keep a file of ward context in the store (replacing any kept before).

    Parameters
    ----------
    store
        Where the context is kept; its ``layer`` areas must be imported first.
    path
        A CSV (any encoding, comma, semicolon or tab separated) or XLSX file.
    code_field
        The column of area codes; by default the column holding most codes of the areas.
    layer
        The layer of areas the codes belong to.
    source
        The file's name in messages and the import log (an upload's own name).
    max_mb
        The size cap in megabytes, checked before the file is read: ``"upload"`` (the
        configured upload cap), a number, or ``None`` for none (see :mod:`geo.io.limits`).

    Raises
    ------
    InputFileError
        The file cannot be read, has no column of area codes or nothing to keep: the context
        kept before stays.
    """
    path = Path(path)
    name = source or path.name
    check_size(path, max_mb=max_mb, source=name)
    areas = store.areas(layer=layer)
    if areas.empty:
        raise InputFileError(
            f"{name}: no {layer} areas in the store yet: import the boundaries first, then the"
            " context of each area"
        )
    table = read_table(path, source=name)
    codes = set(areas["area_code"].astype(str))
    code_column = _code_column(table, codes, code_field=code_field)
    report = ImportReport(source=name, kind="context", columns={"area_code": code_column})
    kept, rows = _checked(table, code_column, codes, report=report, names=areas["area_name"])
    finish(report, rows, kept_columns=[code_column])
    report.stored = int(rows.ok.sum())
    report.skipped = int(pd.notna(rows.skip).sum())
    if report.skipped:
        report.skipped_by_reason = {f"the same {layer} again in the file (the first is kept)": (
            report.skipped
        )}  # fmt: skip
    report.check()
    if not report.stored:
        raise InputFileError(f"{name}: no row could be kept ({_reasons(report)})")
    batch = Batch.new(kind="context", source=name, sha256=file_sha256(path))
    report.batch_id = batch.batch_id
    batch = Batch(**{**batch.__dict__, "accounting": report.to_dict()})
    store.replace_kept_table(
        "context", kept.loc[rows.ok].reset_index(drop=True), name=name, entries=report.stored,
        batch=batch,
    )  # fmt: skip
    return report


def _code_column(table: RawTable, codes: set[str], *, code_field: str | None) -> str:
    frame = table.frame
    if code_field is not None:
        if code_field not in frame.columns:
            raise InputFileError(
                f"{table.source}: no column {code_field!r}; the columns are"
                f" {', '.join(map(str, frame.columns))}"
            )
        return code_field
    found = {column: int(frame[column].str.upper().isin(codes).sum()) for column in frame.columns}
    best = max(found, key=found.__getitem__, default=None)
    if best is None or found[best] == 0:
        raise InputFileError(
            f"{table.source}: no column holds codes of the areas in the store (such as"
            f" {min(codes)}): is the file for another place, or another year's boundaries? Name"
            " the column of area codes with --code-field"
        )
    return best


def _checked(
    table: RawTable, code_column: str, codes: set[str], *, report: ImportReport, names: pd.Series
) -> tuple[pd.DataFrame, Rows]:
    """The kept cells (``area_code`` then one column per kept column) and each row's fate."""
    frame, rows = table.frame, Rows(table)
    code = frame[code_column].str.upper()
    rows.reject(code.eq("").to_numpy(), column=code_column, problem="no area code")
    rows.reject(
        ~code.isin(codes).to_numpy(), column=code_column, problem="not an area in the store"
    )
    kept = pd.DataFrame({"area_code": code.to_numpy(object)})
    known_names = set(names.astype(str).str.casefold())
    for column in frame.columns:
        if column == code_column:
            continue
        cells = frame[column]
        header = re.sub(r"[^a-z0-9]+", " ", str(column).casefold()).strip()
        if MAKE_UP_HEADER.search(header):
            report.columns_not_stored[column] = ColumnNote(
                "unused",
                "the ethnic, national or religious make-up of an area is never kept as context",
            )
            continue
        given = ~cells.str.casefold().isin(_NOT_GIVEN) & cells.ne("")
        if not given.any():
            report.columns_not_stored[column] = ColumnNote("unused", "empty")
            continue
        if (
            _NAME_HEADER.search(header)
            or cells[given].str.casefold().isin(known_names).mean() > 0.5
        ):
            report.columns_not_stored[column] = ColumnNote(
                "unused", "area names (the store has them)"
            )
            continue
        if _ROW_NUMBER_HEADER.match(header):
            report.columns_not_stored[column] = ColumnNote("unused", "row numbers of the file")
            continue
        if cells[given].str.fullmatch(_OTHER_CODES).all():
            report.columns_not_stored[column] = ColumnNote("unused", "codes of other areas")
            continue
        number = pd.to_numeric(cells.str.replace(r"[,%£\s]", "", regex=True), errors="coerce")
        if number[given].notna().mean() >= 0.5:
            bad = given & number.isna()
            rows.reject(bad.to_numpy(), column=column, problem="not a number")
            kept[column] = number.where(given).to_numpy(dtype=float)
        else:
            kept[column] = cells.where(given).to_numpy(dtype=object)
        report.columns[str(column)] = str(column)
    ok = rows.ok
    first = np.zeros(len(ok), dtype=bool)
    first[np.flatnonzero(ok)[~code[ok].duplicated().to_numpy()]] = True
    rows.skip_rows(ok & ~first, reason="duplicate")
    if len(kept.columns) == 1:
        raise InputFileError(
            f"{table.source}: nothing to keep besides the area codes in {code_column!r}: add"
            " columns of figures (population, deprivation decile, rural-urban class)"
        )
    return kept, rows


def _reasons(report: ImportReport) -> str:
    reasons = {**report.rejected_by_reason, **report.skipped_by_reason}
    said = [f"{n:,} row{'' if n == 1 else 's'}: {why}" for why, n in reasons.items()]
    return "; ".join(said) or "no rows"
