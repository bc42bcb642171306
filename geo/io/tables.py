"""Tabular files as users have them: CSV (in any encoding :func:`geo.io.text.decode` reads)
and XLSX.

Everything is read as text, keeping each row's number in the file as a user would see it in a
text editor or in Excel (the header is row 1), so every message can name the row. Blank lines are
not rows; lines with more fields than the header are rejected, never silently cut.

A well-formed CSV (every record on one line, no line longer than the header) is parsed by the
pandas C engine, which is about five times faster than the :mod:`csv` module; any other file
falls back to the careful line-by-line reader, so both give the same cells and row numbers.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import InputFileError
from geo.io.file_kinds import check_input_file
from geo.io.text import ENCODINGS, decode, sniff_delimiter

#: Bytes a cell may start or end with that ``str.strip`` removes (bytes >= 0x80 may begin or
#: end a multi-byte space such as U+00A0, so they count too).
_SPACE_BYTES = (0x20, 0x09, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F, *range(0x80, 0x100))


@dataclass(frozen=True)
class RaggedRow:
    """A line whose field count does not match the header."""

    row: int
    fields: int
    expected: int
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class RawTable:
    """A file's cells as stripped text, with the row number of each row in the file.

    ``frame`` has one column per header cell (blank headers become ``column_N``; repeated
    headers get ``_2``, ``_3``), all values ``str`` ("" where empty). ``rows`` holds the row
    number of each frame row. ``ragged`` lists lines with too many fields (they are not in
    ``frame``); lines with too few are padded with "" as spreadsheets do.
    """

    source: str
    frame: pd.DataFrame
    rows: np.ndarray
    encoding: str
    blank_lines: int = 0
    ragged: tuple[RaggedRow, ...] = field(default_factory=tuple)

    @property
    def read(self) -> int:
        """Rows read: every non-blank line after the header, ragged ones included."""
        return len(self.frame) + len(self.ragged)


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    header: bool = True,
    source: str | None = None,
) -> RawTable:
    """Read a CSV or XLSX file into text cells with row numbers.

    Parameters
    ----------
    path
        A ``.csv``/``.txt`` or ``.xlsx``/``.xlsm`` file.
    sheet
        XLSX only: the worksheet to read; by default the first one.
    header
        False for files with no header row (columns become ``column_1``...).
    source
        Name to use in messages (an uploaded file's own name); defaults to the file name.
    """
    path = Path(path)
    source = source or path.name
    if not path.is_file():
        raise InputFileError(f"{source}: file not found ({path})")
    suffix = path.suffix.lower()
    if suffix not in {".xls", ".ods"}:
        check_input_file(path, source=source)  # a mislabelled file, an unsafe zip (.xlsx)
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, sheet=sheet, header=header, source=source)
    if suffix in {".xls", ".ods"}:
        raise InputFileError(
            f"{source}: {suffix} files are not read; save the sheet as .xlsx or CSV and import that"
        )
    data = path.read_bytes()
    decoded = decode(data, source=source)
    text, encoding = decoded.text, decoded.name
    delimiter = sniff_delimiter(text[:65536])
    fast = _read_csv_fast(
        text,
        data,
        codec=decoded.codec,
        delimiter=delimiter,
        header=header,
        source=source,
        encoding=encoding,
    )
    if fast is not None:
        return fast
    return _read_csv_text(
        text, header=header, source=source, encoding=encoding, delimiter=delimiter
    )


def _read_csv_fast(
    text: str,
    data: bytes,
    *,
    codec: str,
    delimiter: str,
    header: bool,
    source: str,
    encoding: str,
) -> RawTable | None:
    """The pandas C engine for a well-formed CSV; ``None`` where the careful reader is needed.

    The C engine is used only when its records are exactly the file's lines (no quoted value
    spans lines, no bare carriage returns, no NUL) and no line is longer than the first, so
    record ``i`` is line ``i + 1`` and every rule of :func:`_read_csv_text` can be applied
    to whole columns: blank lines are counted and dropped, short lines are padded with "".
    """
    if codec not in ENCODINGS:
        return None  # UTF-16: the byte checks below need ASCII characters to be single bytes
    if not text or "\x00" in text or text.count("\r") != text.count("\r\n"):
        return None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        parsed = pd.read_csv(
            io.BytesIO(data),
            encoding=codec,
            sep=delimiter,
            header=None,
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            index_col=False,
            engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return None  # a line longer than the first one, or nothing pandas can split
    if len(parsed) != lines:
        return None  # a quoted value spans lines: line numbers need the careful reader
    if _may_have_padded_cells(data, delimiter=delimiter):
        parsed = _strip(parsed)
    cells = [parsed[c].to_numpy(dtype=object) for c in parsed.columns]
    blank = np.logical_and.reduce([c == "" for c in cells])
    if blank[0]:
        return None  # blank lines first: the first line that is not blank sets the columns
    rows = np.arange(1, len(parsed) + 1, dtype=np.int64)
    if header:
        names = _column_names([str(c[0]) for c in cells])
        cells = [c[1:] for c in cells]
        rows, blank = rows[1:], blank[1:]
    else:
        names = [f"column_{i + 1}" for i in range(len(cells))]
    keep = ~blank
    frame = pd.DataFrame({i: c[keep] for i, c in enumerate(cells)}, dtype=object, copy=False)
    frame.columns = names
    return RawTable(
        source=source,
        frame=frame,
        rows=rows[keep],
        encoding=encoding,
        blank_lines=int(blank.sum()),
    )


def _may_have_padded_cells(data: bytes, *, delimiter: str, chunk: int = 1 << 20) -> bool:
    """Whether any cell might start or end with white space (false alarms are allowed).

    Looks for a space byte next to a delimiter, quote or line end, a megabyte at a time.
    """
    lut = np.zeros(256, dtype=np.uint8)
    lut[list(_SPACE_BYTES)] = 2
    for boundary in {delimiter, "\n", "\r", '"'}:
        lut[ord(boundary)] = 1
    raw = np.frombuffer(data, dtype=np.uint8)
    if len(raw) and (lut[raw[0]] == 2 or lut[raw[-1]] == 2):
        return True
    for start in range(0, len(raw), chunk):
        kind = lut[raw[start : start + chunk + 1]]
        pair = kind[:-1] * np.uint8(4) + kind[1:]
        if ((pair == 6) | (pair == 9)).any():  # boundary then space, or space then boundary
            return True
    return False


def _read_csv_text(
    text: str, *, header: bool, source: str, encoding: str, delimiter: str | None = None
) -> RawTable:
    delimiter = delimiter or sniff_delimiter(text[:65536])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header_cells: list[str] | None = None
    cells: list[list[str]] = []
    rows: list[int] = []
    ragged: list[RaggedRow] = []
    blank = 0
    start = 1
    for record in reader:
        row = start
        start = reader.line_num + 1
        if not any(value.strip() for value in record):
            blank += 1
            continue
        if header_cells is None and header:
            header_cells = record
            continue
        if header_cells is None:
            header_cells = [f"column_{i + 1}" for i in range(len(record))]
        cells.append(record)
        rows.append(row)
    if header_cells is None:
        raise InputFileError(f"{source}: the file is empty (no header row and no data)")
    columns = _column_names(header_cells)
    width = len(columns)
    kept: list[list[str]] = []
    kept_rows: list[int] = []
    for record, row in zip(cells, rows, strict=True):
        n = len(record)
        if n > width and any(value.strip() for value in record[width:]):
            ragged.append(RaggedRow(row=row, fields=n, expected=width, cells=tuple(record)))
            continue
        if n != width:
            record = (record + [""] * width)[:width]
        kept.append(record)
        kept_rows.append(row)
    frame = pd.DataFrame(kept, columns=columns, dtype=object)
    frame = _strip(frame)
    return RawTable(
        source=source,
        frame=frame,
        rows=np.asarray(kept_rows, dtype=np.int64),
        encoding=encoding,
        blank_lines=blank,
        ragged=tuple(ragged),
    )


def _column_names(header_cells: list[str]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(header_cells):
        name = re.sub(r"\s+", " ", str(cell).replace("\ufeff", "")).strip() or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        names.append(name)
    return names


def _strip(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame.astype(object)
    return frame.apply(lambda column: column.astype(str).str.strip()).astype(object)


def _read_xlsx(path: Path, *, sheet: str | None, header: bool, source: str) -> RawTable:
    import openpyxl  # only needed for spreadsheets

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged or mislabelled file
        raise InputFileError(f"{source}: not a readable .xlsx workbook ({err})") from err
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            raise InputFileError(
                f"{source}: no sheet named {sheet!r}; sheets are {', '.join(book.sheetnames)}"
            )
        rows = [
            [_cell_text(value) for value in values]
            for values in worksheet.iter_rows(values_only=True)
        ]
    finally:
        book.close()
    # Re-use the CSV rules on unit-separated text so both formats behave alike. Cells of an
    # .xlsx never span lines, so line numbers are Excel's row numbers.
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\x1f", lineterminator="\n").writerows(rows)
    return _read_csv_text(
        buffer.getvalue(), header=header, source=source, encoding="XLSX", delimiter="\x1f"
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()  # datetime/date/time from Excel cells
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).replace("\x1f", " ").replace("\r", " ").replace("\n", " ")
