"""police.uk street-level crime files, as published, for the ASB and crime overlay.

Every row with coordinates is one incident, byte-identical rows included (police.uk publishes
separate incidents snapped to the same point that way); rows without coordinates ("No
Location") are rejected as such. Importing the same file again adds nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pandas as pd

from geo.importing.pipeline import ImportSpec, Step, file_sha256, run_import, text
from geo.importing.report import ImportReport
from geo.io.limits import MaxMB, check_size
from geo.io.tables import read_table
from geo.schema import POLICE_UK_HEADER
from geo.store import Store


def import_police(
    store: Store, path: str | Path, *, source: str | None = None, max_mb: MaxMB = "upload"
) -> ImportReport:
    """Import a police.uk street-level crime CSV as published (see the module docstring).

    ``max_mb`` caps the file's size before it is read (see :mod:`geo.io.limits`).
    """
    path = Path(path)
    check_size(path, max_mb=max_mb, source=source)
    table = read_table(path, source=source)
    return run_import(POLICE_UK, store, table, sha256=file_sha256(path))


def _parse_police(step: Step) -> dict[str, pd.Series]:
    frame, rows = step.table.frame, step.rows
    month = frame["Month"]
    rows.reject(
        (~month.str.fullmatch(r"\d{4}-\d{2}")).to_numpy(),
        column="Month",
        problem="month is not YYYY-MM",
    )
    no_location = frame["Longitude"].eq("") | frame["Latitude"].eq("")
    rows.reject(
        no_location.to_numpy(),
        column="Longitude",
        problem="no coordinates (police.uk publishes some incidents with 'No Location')",
    )
    return {
        "crime_id": text(frame["Crime ID"]),
        "month": month,
        "reported_by": text(frame["Reported by"]),
        "falls_within": text(frame["Falls within"]),
        "location": text(frame["Location"]),
        "lsoa_code": text(frame["LSOA code"]),
        "lsoa_name": text(frame["LSOA name"]),
        "crime_type": text(frame["Crime type"]),
        "last_outcome": text(frame["Last outcome category"]),
        "context": text(frame["Context"]),
    }


POLICE_UK: Final = ImportSpec(
    kind="police",
    title="police.uk street-level file",
    table="police",
    key="incident_id",
    id_prefix="i_",
    header=POLICE_UK_HEADER,
    header_fields={"lat": "Latitude", "lon": "Longitude"},
    parse=_parse_police,
    id_scope=lambda step: "police.uk",
    personal=False,
    occurrence=True,
)
