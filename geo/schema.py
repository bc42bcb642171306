"""The canonical tables every importer maps onto, and the constants the whole tool shares.

Records: one row per sighting, contact, referral or visit. Visits (an agency was there, found
nobody or did not count) are records of kind ``visit`` with ``people == 0``; every other kind has
``people >= 1``. Coverage reads visits and contacts together; demand reads the rest.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

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

#: Canonical record columns in store order (geometry is kept as lon/lat plus easting/northing).
RECORD_COLUMNS: Final[tuple[str, ...]] = (
    "record_id",
    "kind",
    "agency",
    "observed_at",  # ISO 8601 with the Europe/London offset
    "night",  # ISO date of the evening the night began
    "lon",
    "lat",
    "easting",
    "northing",
    "location_source",
    "location_precision_m",
    "location_text",
    "location_note",  # e.g. "terminated postcode", "latitude/longitude were swapped"
    "people",
    "person_ref",  # keyed hash, never a name
    "sex",
    "age_band",
    "nationality",
    "nationality_group",
    "language",
    "interpreter_needed",
    *RECORD_FLAGS,
    "outcome",
    "notes",
    "area_code",  # ward the point falls in, worked out on import; None outside every ward
    "batch_id",
)

AREA_COLUMNS: Final[tuple[str, ...]] = (
    "area_code",
    "area_name",
    "area_type",
    "parent_code",
    "population",
    "geometry",
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
SERVICE_COLUMNS: Final[tuple[str, ...]] = (
    "service_id",
    "name",
    "service_type",
    "opening_hours",
    "languages",
    "lon",
    "lat",
    "easting",
    "northing",
    "area_code",
    "batch_id",
)

POLICE_COLUMNS: Final[tuple[str, ...]] = (
    "incident_id",
    "crime_id",
    "month",
    "reported_by",
    "falls_within",
    "lon",
    "lat",
    "easting",
    "northing",
    "location",
    "lsoa_code",
    "lsoa_name",
    "crime_type",
    "last_outcome",
    "context",
    "area_code",
    "batch_id",
)

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
