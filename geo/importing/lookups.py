"""What later imports locate by, imported once: a postcode directory and a gazetteer of places.

A national postcode directory (ONSPD, NSPL) is over 1 GB: nobody can send it with every file.
``python -m geo import postcodes ONSPD.zip`` (or the Import page) keeps it in the store, and
every later import, the sighting form included, locates postcodes with it. Only the postcodes a
file holds are read back (:meth:`Store.postcode_rows`), so an import never loads the whole
directory. A gazetteer of the teams' own place names is kept the same way. Importing another
replaces the one kept; a file given with an import (``--postcodes``, ``--places``) is used for
that import instead.

Every row of the file is accounted for: stored, skipped (the same postcode again in the file:
the live, placed copy is kept), or rejected with its reason (not a postcode).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo import locate
from geo.importing.pipeline import file_sha256
from geo.importing.report import ImportReport
from geo.io.gazetteer_files import read_gazetteer_file
from geo.io.limits import MaxMB, check_size
from geo.io.postcode_files import normalise_postcode, read_postcode_file
from geo.store import Batch, Store

__all__ = ["import_places", "import_postcodes"]

#: How many rejected rows a report keeps to show and download (the count is always exact).
_REJECTS_KEPT = 1_000


def import_postcodes(
    store: Store, path: str | Path, *, source: str | None = None, max_mb: MaxMB = "upload"
) -> ImportReport:
    """Keep a postcode directory in the store for every later import (replacing any before).

    Accepts what :meth:`geo.locate.PostcodeDirectory.from_file` reads: ONSPD, NSPL, OS
    Code-Point Open (a CSV or the zip as published) or a postcode list with positions.
    ``max_mb`` caps the file's size before it is read: a national directory is over 1 GB, so
    the command line passes ``None`` (see :mod:`geo.io.limits`).

    Raises
    ------
    InputFileError, GeocodeError
        The file cannot be read or is not a postcode directory; the directory kept before is
        left as it was.
    """
    path = Path(path)
    check_size(path, max_mb=max_mb, source=source)
    read = read_postcode_file(path)
    name = source or path.name
    report = ImportReport(source=name, kind="postcodes")
    text = read.columns["postcode"].str.strip()
    blank = read.columns.isna().all(axis=1).to_numpy() | text.isna().to_numpy()
    report.blank_lines = int(blank.sum())
    report.read = len(text) - report.blank_lines
    invalid = normalise_postcode(text).isna().to_numpy() & ~blank
    if invalid.any():
        reason = "not a UK postcode"
        report.rejected = int(invalid.sum())
        report.rejected_by_reason = {reason: report.rejected}
        where = read.origin[invalid].head(_REJECTS_KEPT)
        report.rejects = pd.DataFrame(
            {
                "file": where["file"].to_numpy(),
                "line": where["line"].to_numpy(),
                "postcode": text[invalid].head(_REJECTS_KEPT).to_numpy(),
                "reason": reason,
            }
        )
    directory = locate.PostcodeDirectory.from_read(read, name=name)
    report.stored = len(directory)
    report.skipped = report.read - report.rejected - report.stored
    if report.skipped:
        report.skipped_by_reason = {
            "the same postcode again in the file (the live, placed copy is kept)": report.skipped
        }
    report.columns = {c: c for c in read.columns.columns}
    batch = Batch.new(kind="postcodes", source=name, sha256=file_sha256(path))
    report.batch_id = batch.batch_id
    report.check()
    batch = Batch(**{**batch.__dict__, "accounting": report.to_dict()})
    store.replace_postcodes(directory.table, name=directory.name, batch=batch)
    return report


def import_places(
    store: Store, path: str | Path, *, source: str | None = None, max_mb: MaxMB = "upload"
) -> ImportReport:
    """Keep a gazetteer of the teams' place names in the store for every later import.

    The file is checked whole first (:meth:`geo.locate.Gazetteer.from_file`): a row that cannot
    be placed stops the import with its row number, and the gazetteer kept before stays.
    ``max_mb`` caps the file's size before it is read (see :mod:`geo.io.limits`).
    """
    path = Path(path)
    check_size(path, max_mb=max_mb, source=source)
    name = source or path.name
    frame = read_gazetteer_file(path)
    gazetteer = locate.Gazetteer.from_frame(frame, name=name)
    report = ImportReport(source=name, kind="places")
    filled = frame.astype("string").fillna("").apply(lambda c: c.str.strip().ne("")).any(axis=1)
    report.blank_lines = int((~filled).sum())
    report.read = int(filled.sum())
    report.stored = len(gazetteer)
    batch = Batch.new(kind="places", source=name, sha256=file_sha256(path))
    report.batch_id = batch.batch_id
    report.check()
    batch = Batch(**{**batch.__dict__, "accounting": report.to_dict()})
    store.replace_places(frame, name=name, batch=batch)
    return report
