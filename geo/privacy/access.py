"""Records as each role may see them, applied where data leaves the store.

The store never hands out records without a role. Coordinators see records as points with
their flags; police see points snapped to a grid and no personal attributes; councillors and
admins see no records at all, only figures (see :mod:`geo.privacy.figures`).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from geo.crs import to_lonlat
from geo.errors import AccessDenied
from geo.privacy.roles import Role, check_role

#: Grid, in metres, that police see record locations snapped to.
POLICE_GRID_M: Final = 100.0

#: Record columns police may see: when, who recorded it, how many, and a coarse place.
_POLICE_COLUMNS: Final = (
    "record_id",
    "kind",
    "agency",
    "observed_at",
    "night",
    "lon",
    "lat",
    "easting",
    "northing",
    "location_source",
    "location_precision_m",
    "people",
    "area_code",
)


def view_records(records: pd.DataFrame, *, role: Role) -> pd.DataFrame:
    """The records a role may see, as a new frame (the input is not changed).

    Raises
    ------
    AccessDenied
        For roles that may not see records as points (councillor, admin).
    """
    role = check_role(role)
    if role == "coordinator":
        return records.copy()
    if role == "police":
        return _coarsen(records.loc[:, list(_POLICE_COLUMNS)], grid_m=POLICE_GRID_M)
    raise AccessDenied(
        f"the {role} role does not see records as points; use the ward figures instead"
    )


def _coarsen(records: pd.DataFrame, *, grid_m: float) -> pd.DataFrame:
    """Snap points to the centre of a ``grid_m`` square in British National Grid."""
    out = records.copy()
    easting = (np.floor(out["easting"].to_numpy(float) / grid_m) + 0.5) * grid_m
    northing = (np.floor(out["northing"].to_numpy(float) / grid_m) + 0.5) * grid_m
    # many records share a square: each centre is transformed once (unlocated: -1, NaN)
    square, centres = pd.factorize(easting + 1j * northing)
    lon, lat = (
        np.append(values, np.nan)[square] for values in to_lonlat(centres.real, centres.imag)
    )
    out["easting"], out["northing"], out["lon"], out["lat"] = easting, northing, lon, lat
    out["location_precision_m"] = np.maximum(out["location_precision_m"].to_numpy(float), grid_m)
    return out
