"""The canonical tables every importer maps onto, and the constants the whole tool shares.

Records: one row per sighting, contact, referral or visit. Visits (an agency was there, found
nobody or did not count) are records of kind ``visit`` with ``people == 0``; every other kind has
``people >= 1``. Coverage reads visits and contacts together; demand reads the rest.

Each table is a tuple of :class:`Column` (a name and a type); the store's column types, the
typed empty frames (:func:`empty_frame`) and the check at the store's door (:func:`validate`)
all come from these tuples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

#: Metric CRS for analysis in Great Britain (British National Grid).
WORKING_CRS: Final = "EPSG:27700"
#: CRS of the store and of every map.
DISPLAY_CRS: Final = "EPSG:4326"
#: Local time of every record; a night is dated by its evening.
TIMEZONE: Final = "Europe/London"
#: Hour before which a sighting belongs to the previous evening's night.
NIGHT_ROLLOVER_HOUR: Final = 12

#: Longitude/latitude box of Great Britain, Northern Ireland and the islands, with a margin.
UK_LON_RANGE: Final = (-8.8, 2.0)
UK_LAT_RANGE: Final = (49.8, 61.0)
#: Easting/northing box of the British National Grid.
BNG_EASTING_RANGE: Final = (0.0, 700_000.0)
BNG_NORTHING_RANGE: Final = (0.0, 1_300_000.0)

RecordKind = Literal["street_count", "outreach_contact", "referral", "visit"]
#: Every kind of record, in the order forms and help list them.
RECORD_KINDS: Final[tuple[str, ...]] = get_args(RecordKind)
#: A visit: an agency was at a place and found no one. Coverage, never demand.
VISIT: Final = "visit"
#: Demand: records of people (a count, a contact, a referral), i.e. everything but a visit.
DEMAND_KINDS: Final[tuple[str, ...]] = tuple(k for k in RECORD_KINDS if k != VISIT)
#: Records in which an agency spoke to or referred someone (the ``contacts`` figure).
CONTACT_KINDS: Final[tuple[str, ...]] = ("outreach_contact", "referral")
#: Records that show an agency was present at a place (coverage): a referral is made by the
#: public, so it says someone was there, not that an agency was.
PRESENCE_KINDS: Final[tuple[str, ...]] = (VISIT, "outreach_contact", "street_count")

LocationSource = Literal["gps", "coordinates", "grid_ref", "postcode", "place"]
LOCATION_SOURCES: Final[tuple[str, ...]] = ("gps", "coordinates", "grid_ref", "postcode", "place")

NationalityGroup = Literal["UK", "EU/EEA", "non-EU", "unknown"]
NATIONALITY_GROUPS: Final[tuple[str, ...]] = ("UK", "EU/EEA", "non-EU", "unknown")

#: Flags a record can carry; stored as 0/1 columns of the same names.
RECORD_FLAGS: Final[tuple[str, ...]] = ("nrpf", "trafficking_concern", "under_18")

ColumnType = Literal["text", "real", "integer", "flag", "timestamp", "date", "geometry"]


@dataclass(frozen=True)
class Column:
    """One canonical column: its name and the type of value it holds.

    ``text`` (str), ``real`` (a number), ``integer`` (a whole number), ``flag`` (0 or 1),
    ``timestamp`` (a timezone-aware time), ``date`` (a day, as a time at midnight) or
    ``geometry`` (a shape). Any value may be missing (None, NaN, NaT).
    """

    name: str
    type: ColumnType


#: Records in store order (geometry is kept as lon/lat plus easting/northing).
RECORD_TABLE: Final[tuple[Column, ...]] = (
    Column("record_id", "text"),  # from the source, else a hash of the row
    Column("kind", "text"),  # one of RECORD_KINDS
    Column("agency", "text"),
    Column("observed_at", "timestamp"),  # stored as ISO 8601 with the Europe/London offset
    Column("night", "date"),  # the evening the night began
    Column("lon", "real"),
    Column("lat", "real"),
    Column("easting", "real"),
    Column("northing", "real"),
    Column("location_source", "text"),  # one of LOCATION_SOURCES
    Column("location_precision_m", "real"),
    Column("location_text", "text"),
    Column("location_note", "text"),  # e.g. "terminated postcode", "latitude/longitude swapped"
    Column("people", "integer"),  # >= 1; 0 for a visit
    Column("person_ref", "text"),  # keyed hash, never a name
    Column("sex", "text"),
    Column("age_band", "text"),
    Column("nationality", "text"),
    Column("nationality_group", "text"),  # one of NATIONALITY_GROUPS
    Column("language", "text"),
    Column("interpreter_needed", "flag"),
    *(Column(flag, "flag") for flag in RECORD_FLAGS),
    Column("outcome", "text"),
    Column("notes", "text"),
    Column("area_code", "text"),  # ward the point falls in, worked out on import; None outside
    Column("batch_id", "text"),
)

AREA_TABLE: Final[tuple[Column, ...]] = (
    Column("area_code", "text"),
    Column("area_name", "text"),
    Column("area_type", "text"),  # ward, lsoa, ...
    Column("parent_code", "text"),
    Column("population", "real"),
    Column("geometry", "geometry"),  # EPSG:4326 in the store
)

SERVICE_TYPES: Final[tuple[str, ...]] = (
    "day_centre",
    "night_shelter",
    "hostel",
    "food",
    "health",
    "interpreter",
    "advice",
    "other",
)
SERVICE_TABLE: Final[tuple[Column, ...]] = (
    Column("service_id", "text"),
    Column("name", "text"),
    Column("service_type", "text"),  # one of SERVICE_TYPES
    Column("opening_hours", "text"),
    Column("languages", "text"),
    Column("lon", "real"),
    Column("lat", "real"),
    Column("easting", "real"),
    Column("northing", "real"),
    Column("area_code", "text"),
    Column("batch_id", "text"),
)

#: police.uk street-level incidents (already public and anonymised by police.uk).
POLICE_TABLE: Final[tuple[Column, ...]] = (
    Column("incident_id", "text"),
    Column("crime_id", "text"),
    Column("month", "text"),  # as published: 2026-10
    Column("reported_by", "text"),
    Column("falls_within", "text"),
    Column("lon", "real"),
    Column("lat", "real"),
    Column("easting", "real"),
    Column("northing", "real"),
    Column("location", "text"),
    Column("lsoa_code", "text"),
    Column("lsoa_name", "text"),
    Column("crime_type", "text"),
    Column("last_outcome", "text"),
    Column("context", "text"),
    Column("area_code", "text"),
    Column("batch_id", "text"),
)

#: What a coordinator decided about two records the street-count rule links as one person.
LinkAction = Literal["unlink", "relink"]
LINK_ACTIONS: Final[tuple[str, ...]] = get_args(LinkAction)
#: Link decisions, kept in the order made and never changed (append-only): the latest
#: decision about a pair holds. ``decided_at`` is UTC ISO 8601 text.
LINK_DECISION_COLUMNS: Final[tuple[str, ...]] = (
    "record_a",
    "record_b",
    "action",
    "decided_by",
    "decided_at",
    "reason",
)

#: Severe weather emergency protocol (SWEP) activations, kept in the order recorded and never
#: changed (append-only): the nights ``first_night`` to ``last_night`` (ISO dates, both
#: included) were an activation. ``recorded_at`` is UTC ISO 8601 text.
ACTIVATION_COLUMNS: Final[tuple[str, ...]] = (
    "first_night",
    "last_night",
    "recorded_by",
    "recorded_at",
    "note",
)

TableName = Literal["records", "services", "police", "areas"]
TABLES: Final[dict[str, tuple[Column, ...]]] = {
    "records": RECORD_TABLE,
    "services": SERVICE_TABLE,
    "police": POLICE_TABLE,
    "areas": AREA_TABLE,
}
#: The column that tells one row of a table from another.
KEYS: Final[dict[str, str]] = {
    "records": "record_id",
    "services": "service_id",
    "police": "incident_id",
    "areas": "area_code",
}

#: Each table's column names, in store order (what most code needs).
RECORD_COLUMNS: Final[tuple[str, ...]] = tuple(column.name for column in RECORD_TABLE)
AREA_COLUMNS: Final[tuple[str, ...]] = tuple(column.name for column in AREA_TABLE)
SERVICE_COLUMNS: Final[tuple[str, ...]] = tuple(column.name for column in SERVICE_TABLE)
POLICE_COLUMNS: Final[tuple[str, ...]] = tuple(column.name for column in POLICE_TABLE)
#: Record columns that place a record as a point (what a role's view may coarsen).
POINT_COLUMNS: Final = ("lon", "lat", "easting", "northing", "location_precision_m")

#: Header of a police.uk street-level crime file, exactly as published.
POLICE_UK_HEADER: Final[tuple[str, ...]] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)


def is_demand(kinds: pd.Series) -> np.ndarray:
    """True where a record is demand (people seen), False for visits and missing kinds.

    The one definition every figure, hotspot, site and gap uses.

    Examples
    --------
    >>> is_demand(pd.Series(["street_count", "visit", "referral", None])).tolist()
    [True, False, True, False]
    """
    return kinds.isin(DEMAND_KINDS).to_numpy(dtype=bool)


#: The pandas dtype of each column type in a typed frame (geometry: a GeoSeries).
DTYPES: Final[dict[str, object]] = {
    "text": object,
    "real": "float64",
    "integer": "Int64",
    "flag": "Int8",
    "timestamp": pd.DatetimeTZDtype("ns", TIMEZONE),
    "date": "datetime64[ns]",
    "geometry": object,
}
#: What each type holds and how to make a column hold it, for error messages.
_FIXES: Final[dict[str, tuple[str, str]]] = {
    "text": ("text", "give str values, None where unknown"),
    "real": ("numbers", "convert it with pd.to_numeric"),
    "integer": ("whole numbers", "convert it with pd.to_numeric and round it"),
    "flag": ("0/1 flags", "give 0 or 1 (or True/False)"),
    "timestamp": ("timezone-aware times", "use .dt.tz_localize('Europe/London')"),
    "date": ("dates", "convert it with pd.to_datetime, at midnight"),
    "geometry": ("shapes", "give a GeoSeries"),
}
#: Object columns that hold these (as pandas infers them) hold numbers of a type.
_OBJECT_NUMBERS: Final[dict[str, tuple[str, ...]]] = {
    "real": ("integer", "floating", "mixed-integer-float"),
    "integer": ("integer", "boolean"),
    "flag": ("integer", "boolean"),
}


def empty_frame(table: TableName) -> pd.DataFrame:
    """A frame with no rows and every column of ``table``, each of its type's dtype.

    Areas come as a GeoDataFrame in :data:`DISPLAY_CRS`.

    Examples
    --------
    >>> frame = empty_frame("records")
    >>> len(frame), frame.columns[0], str(frame["people"].dtype), str(frame["observed_at"].dtype)
    (0, 'record_id', 'Int64', 'datetime64[ns, Europe/London]')
    """
    columns = _table(table)
    frame = pd.DataFrame(
        {c.name: pd.Series(dtype=DTYPES[c.type]) for c in columns if c.type != "geometry"}
    )
    if table != "areas":
        return frame
    import geopandas as gpd  # only areas need it

    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=DISPLAY_CRS), crs=DISPLAY_CRS)


def validate(table: TableName, frame: pd.DataFrame) -> None:
    """Check that ``frame`` has every column of ``table``, each holding values of its type.

    Columns are judged by their dtype (a column of object dtype by the values pandas finds in
    it; a column missing throughout fits any type), so that checking a million rows costs
    nothing. Values are not checked against their lists (a kind outside :data:`RECORD_KINDS`
    passes), and other columns are allowed.

    Raises
    ------
    ValueError
        Naming the columns missing, or each column holding another type and how to fix it.

    Examples
    --------
    >>> validate("services", empty_frame("services").drop(columns=["lon", "lat"]))
    Traceback (most recent call last):
    ...
    ValueError: services: columns missing: lon, lat
    >>> one = empty_frame("records").reindex([0])  # one row, every value missing
    >>> validate("records", one.assign(people=1.5))
    Traceback (most recent call last):
    ...
    ValueError: records: column 'people' holds float64, not whole numbers (convert it ...)
    """
    columns = _table(table)
    missing = [c.name for c in columns if c.name not in frame.columns]
    if missing:
        raise ValueError(f"{table}: columns missing: {', '.join(missing)}")
    wrong = [
        f"column {c.name!r} holds {frame[c.name].dtype}, not {_FIXES[c.type][0]}"
        f" ({_FIXES[c.type][1]})"
        for c in columns
        if not _fits(frame[c.name], c.type)
    ]
    if wrong:
        raise ValueError(f"{table}: {'; '.join(wrong)}")


def _table(table: str) -> tuple[Column, ...]:
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; choose from {', '.join(TABLES)}")
    return TABLES[table]


def _fits(column: pd.Series, kind: ColumnType) -> bool:
    """Whether ``column`` holds values of type ``kind`` (see :func:`validate`)."""
    dtype = column.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        fits = kind == "timestamp"
    elif kind == "text":
        fits = ptypes.is_string_dtype(dtype)
    elif kind == "real":
        fits = ptypes.is_numeric_dtype(dtype) and not ptypes.is_bool_dtype(dtype)
    elif kind in ("integer", "flag"):
        fits = ptypes.is_integer_dtype(dtype) or ptypes.is_bool_dtype(dtype)
        if ptypes.is_float_dtype(dtype):
            values = column.to_numpy(dtype=float, na_value=np.nan)
            fits = bool(np.all(np.isnan(values) | (np.mod(values, 1) == 0)))
    elif kind == "date":
        fits = ptypes.is_datetime64_dtype(dtype)
    else:
        fits = getattr(dtype, "name", "") == "geometry"
    if fits:
        return True
    if ptypes.is_object_dtype(dtype) and kind in _OBJECT_NUMBERS:
        return ptypes.infer_dtype(column, skipna=True) in (*_OBJECT_NUMBERS[kind], "empty")
    return bool(column.isna().all())
