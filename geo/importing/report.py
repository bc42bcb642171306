"""What happened to every row of one import, as structured fields.

``read == stored + skipped + rejected`` always (:meth:`ImportReport.check`). Pages and the
command line show a report from its fields (codes, reasons, columns), never by searching its
text for words.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Final, Literal

import pandas as pd

from geo.io.spreadsheet import neutralise_formula

#: Why a column of the file was not stored.
ColumnReason = Literal["personal", "unused"]

#: Codes of the warnings an import can give, with what each means.
NOTICE_CODES: Final[dict[str, str]] = {
    "not_yes_no": "values of a yes/no column that are not yes or no (stored as not recorded)",
    "nationality_unrecognised": "nationalities not recognised (grouped as unknown)",
    "service_type_unrecognised": "service types not recognised (stored as other)",
    "no_wards": "no wards in the store yet (rows stored but not placed in wards)",
    "boundary": "something the boundary reader noticed or repaired",
}


@dataclass(frozen=True)
class Notice:
    """One warning of an import: a code from :data:`NOTICE_CODES` and the text for people."""

    code: str
    text: str
    column: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "text": self.text, "column": self.column}


@dataclass(frozen=True)
class ColumnNote:
    """Why a column of the file was not stored: ``personal`` (identifies a person: never
    stored) or ``unused`` (not a field Outreach Atlas keeps)."""

    reason: ColumnReason
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"reason": self.reason, "text": self.text}


@dataclass
class ImportReport:
    """What happened to every row of one file (or data frame)."""

    source: str
    kind: str
    read: int = 0
    stored: int = 0
    skipped: int = 0
    rejected: int = 0
    outside_areas: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    #: Canonical field -> the column of the file that fed it.
    columns: dict[str, str] = field(default_factory=dict)
    columns_not_stored: dict[str, ColumnNote] = field(default_factory=dict)
    #: How the stored rows were located: location source -> rows.
    located_by: dict[str, int] = field(default_factory=dict)
    warnings: list[Notice] = field(default_factory=list)
    encoding: str = ""
    blank_lines: int = 0
    batch_id: str | None = None
    #: The shared reference system the file's person references come from (None: the
    #: agency's own references, which never match another agency's).
    ref_namespace: str | None = None
    #: Recording completeness of the stored records (demand only): ``records`` and the share
    #: with each gap (:func:`geo.analysis.completeness.file_completeness`); empty for other
    #: kinds of file.
    completeness: dict[str, float | int | None] = field(default_factory=dict)
    rejects: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    #: Seconds spent in each phase (read, parse, locate, ids, hash, dedupe, join, store);
    #: for benchmarks and slow-import reports, not part of the accounting.
    seconds: dict[str, float] = field(default_factory=dict, repr=False)

    def warn(self, code: str, text: str, *, column: str | None = None) -> None:
        """Add a warning; ``code`` is one of :data:`NOTICE_CODES`."""
        if code not in NOTICE_CODES:
            raise ValueError(f"unknown notice code {code!r}; codes are {', '.join(NOTICE_CODES)}")
        self.warnings.append(Notice(code, text, column))

    @property
    def personal_columns(self) -> list[str]:
        """Columns that looked like personal data and were never stored."""
        return [c for c, note in self.columns_not_stored.items() if note.reason == "personal"]

    def check(self) -> None:
        """Raise if the rows do not add up (a bug, never a user error)."""
        if self.read != self.stored + self.skipped + self.rejected:
            raise AssertionError(
                f"{self.source}: read {self.read} != stored {self.stored} + skipped"
                f" {self.skipped} + rejected {self.rejected}"
            )

    def to_dict(self) -> dict[str, object]:
        """The accounting as plain JSON-ready values (no row contents)."""
        return {
            "source": self.source,
            "kind": self.kind,
            "read": self.read,
            "stored": self.stored,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "outside_areas": self.outside_areas,
            "rejected_by_reason": dict(self.rejected_by_reason),
            "skipped_by_reason": dict(self.skipped_by_reason),
            "columns": dict(self.columns),
            "columns_not_stored": {c: n.to_dict() for c, n in self.columns_not_stored.items()},
            "located_by": dict(self.located_by),
            "warnings": [notice.to_dict() for notice in self.warnings],
            "encoding": self.encoding,
            "blank_lines": self.blank_lines,
            "batch_id": self.batch_id,
            "ref_namespace": self.ref_namespace,
            "completeness": dict(self.completeness),
        }

    def rejects_csv(self) -> bytes:
        """Rejected rows with the reason beside each, as CSV Excel opens (UTF-8 with BOM).

        Text that a spreadsheet would run as a formula is neutralised.
        """
        buffer = io.StringIO()
        frame = self.rejects.map(neutralise_formula) if not self.rejects.empty else self.rejects
        frame.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL)
        return buffer.getvalue().encode("utf-8-sig")
