"""Tabular files as users have them: CSV (UTF-8, UTF-8 with BOM, Windows-1252) and XLSX.

Everything is read as text, keeping each row's number in the file as a user would see it in a
text editor or in Excel (the header is row 1), so every message can name the row. Blank lines are
not rows; lines with more fields than the header are rejected, never silently cut.
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

#: Encodings tried in order; Windows-1252 is what Excel's "CSV" writes on a UK council PC.
_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


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


def decode(data: bytes, *, source: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), falling back to Windows-1252.

    Returns the text and the name of the encoding used.
    """
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        name = (
            "UTF-8 with BOM"
            if data.startswith(b"\xef\xbb\xbf")
            else {
                "utf-8-sig": "UTF-8",
                "cp1252": "Windows-1252",
                "latin-1": "Latin-1",
            }[encoding]
        )
        return text, name
    raise InputFileError(
        f"{source}: cannot decode the file as UTF-8 or Windows-1252"
    )  # unreachable


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
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, sheet=sheet, header=header, source=source)
    if suffix in {".xls", ".ods"}:
        raise InputFileError(
            f"{source}: {suffix} files are not read; save the sheet as .xlsx or CSV and import that"
        )
    text, encoding = decode(path.read_bytes(), source=source)
    return _read_csv_text(text, header=header, source=source, encoding=encoding)


def _read_csv_text(
    text: str, *, header: bool, source: str, encoding: str, delimiter: str | None = None
) -> RawTable:
    delimiter = delimiter or _sniff_delimiter(text[:65536])
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


def _sniff_delimiter(sample: str) -> str:
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


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
