"""Services: day centres, night shelters, hostels, food, health, interpreters, advice.

From a CSV or XLSX with a location in any form records accept, or from any vector file GDAL
reads (points; polygons are placed at a point inside them). Services are public places: no
column is looked at as personal data, and a ``Name`` column is the service's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import locate
from geo.errors import InputFileError
from geo.importing.pipeline import (
    ImportSpec,
    Step,
    file_sha256,
    postcode_directory,
    run_import,
    text,
)
from geo.importing.report import ImportReport
from geo.io.columns import RECORD_FIELDS, FieldSpec
from geo.io.file_kinds import check_input_file
from geo.io.limits import MaxMB, check_size
from geo.io.tables import RawTable, read_table
from geo.schema import DISPLAY_CRS, SERVICE_TYPES
from geo.store import Store

#: Fields a services file can hold, with the location fields of records.
SERVICE_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("source_id", (r"^(id|ref|service id|service ref|uid)$",), "service id"),
    FieldSpec("name", (r"^(name|service|service name|organisation|title)$",), "service name"),
    FieldSpec("service_type", (r"^(type|service type|category|kind)$",), "type of service"),
    FieldSpec(
        "opening_hours", (r"^(opening hours|hours|open|opening times|times)$",), "opening hours"
    ),
    FieldSpec(
        "languages", (r"^(languages?|languages spoken|interpreting languages)$",), "languages"
    ),
    *(
        spec
        for spec in RECORD_FIELDS
        if spec.name in {"lat", "lon", "easting", "northing", "grid_ref", "postcode", "place"}
    ),
)

_SERVICE_ALIASES: Final = {
    "day centre": "day_centre",
    "day center": "day_centre",
    "drop in": "day_centre",
    "night shelter": "night_shelter",
    "shelter": "night_shelter",
    "swep": "night_shelter",
    "hostel": "hostel",
    "supported accommodation": "hostel",
    "food": "food",
    "food bank": "food",
    "foodbank": "food",
    "soup kitchen": "food",
    "meals": "food",
    "health": "health",
    "gp": "health",
    "clinic": "health",
    "nurse": "health",
    "interpreter": "interpreter",
    "interpreting": "interpreter",
    "language": "interpreter",
    "advice": "advice",
    "legal advice": "advice",
    "immigration advice": "advice",
    "other": "other",
}


def import_services(
    store: Store,
    path: str | Path,
    *,
    postcodes: str | Path | locate.PostcodeDirectory | None = None,
    columns: Mapping[str, str] | None = None,
    layer: str | None = None,
    source: str | None = None,
    max_mb: MaxMB = "upload",
) -> ImportReport:
    """Import services (day centres, shelters, food, health, interpreters...).

    From a CSV/XLSX with a location in any form records accept, or from any vector file GDAL
    reads (points; polygons are placed at a point inside them). ``max_mb`` caps the file's
    size before it is read (``"upload"``, a number, or ``None``: see :mod:`geo.io.limits`).
    """
    path = Path(path)
    check_size(path, max_mb=max_mb, source=source)
    if isinstance(postcodes, str | Path):
        check_size(postcodes, max_mb=max_mb)
    if path.suffix.lower() in {".csv", ".txt", ".xlsx", ".xlsm"}:
        table = read_table(path, source=source)
    else:
        table = _vector_table(path, layer=layer, source=source)
    return run_import(
        SERVICES,
        store,
        table,
        sha256=file_sha256(path),
        columns=columns,
        postcodes=postcode_directory(postcodes),
    )


def _parse_services(step: Step) -> dict[str, pd.Series]:
    get = step.get
    step.rows.reject(
        get("name").eq("").to_numpy(), column=step.column("name"), problem="no service name"
    )
    raw_type = get("service_type").str.lower().str.replace(r"[_\-/]+", " ", regex=True).str.strip()
    service_type = raw_type.map(lambda t: _SERVICE_ALIASES.get(t)).astype(object)
    service_type = service_type.where(service_type.notna() | raw_type.isin(SERVICE_TYPES), raw_type)
    unknown = sorted(set(raw_type[~service_type.isin(SERVICE_TYPES) & raw_type.ne("")]))
    if unknown:
        step.report.warn(
            "service_type_unrecognised",
            f"service types not recognised, stored as other: {', '.join(unknown[:10])}",
            column=step.column("service_type"),
        )
    return {
        "name": text(get("name")),
        "service_type": service_type.where(service_type.isin(SERVICE_TYPES), "other"),
        "opening_hours": text(get("opening_hours")),
        "languages": text(get("languages")),
    }


SERVICES: Final = ImportSpec(
    kind="services",
    title="services file",
    table="services",
    key="service_id",
    id_prefix="s_",
    fields=SERVICE_FIELDS,
    parse=_parse_services,
    id_scope=lambda step: "services",
    personal=False,
)


def _vector_table(path: Path, *, layer: str | None, source: str | None = None) -> RawTable:
    """A vector file's attributes as text cells plus lon/lat columns of a point per feature."""
    check_input_file(path, source=source)  # a mislabelled file, or an unsafe zip, before GDAL
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as err:  # pyogrio raises DataSourceError and friends
        raise InputFileError(f"{path.name}: not a readable vector file ({err})") from err
    if frame.crs is None:
        raise InputFileError(f"{path.name}: the file has no CRS; save it with one (EPSG:4326)")
    points = frame.geometry.to_crs(DISPLAY_CRS)
    inside = points.representative_point()
    cells = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(str)
    cells = cells.replace({"None": "", "nan": "", "NaT": ""})
    cells["Longitude"] = np.where(points.isna(), "", inside.x.map("{:.7f}".format))
    cells["Latitude"] = np.where(points.isna(), "", inside.y.map("{:.7f}".format))
    return RawTable(
        source=source or path.name,
        frame=cells.astype(object),
        rows=np.arange(1, len(cells) + 1, dtype=np.int64),
        encoding="vector",
    )
