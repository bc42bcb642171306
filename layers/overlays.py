"""Point layers as the map pages show them: records, their heat, services, police.uk ASB.

Each builder takes the frame a page already has (records as the role may see them, the
services table, police.uk incidents) and returns one ``folium.FeatureGroup``, added to ``m``
unless ``m`` is None. Popups use plain words ("Night", "Place"), never record ids, and only
columns the frame holds: a frame prepared for the police role has no place description, so
none is shown. Rows without a location are left off (the Import page accounts for them).

No layer sends an unbounded number of points: beyond ``max_points`` (default
:data:`MAX_POINTS`), points are counted in cells of about 100 m (then 1 km, then 10 km, until
few enough), each drawn once with its count.
"""

from __future__ import annotations

from typing import Final

import folium
import numpy as np
import pandas as pd

from layers import maps

#: Most points a layer sends before it counts them in cells instead.
MAX_POINTS: Final = 5_000
#: Decimal places of longitude/latitude cells tried in turn: about 100 m, 1 km, 10 km.
_CELL_DECIMALS: Final = (3, 2, 1)
#: Record columns shown in a record's popup, in order, and their names there.
_RECORD_POPUP: Final[dict[str, str]] = {
    "night": "Night",
    "agency": "Agency",
    "kind": "Kind",
    "people": "People",
    "location_text": "Place",
    "outcome": "Outcome",
}
_SERVICE_POPUP: Final[dict[str, str]] = {
    "name": "Name",
    "service_type": "Type",
    "opening_hours": "Opening hours",
    "languages": "Languages",
}
_POLICE_POPUP: Final[dict[str, str]] = {"month": "Month", "location": "Where"}
SERVICE_COLOUR: Final = "#1b7837"
ASB_COLOUR: Final = "#762a83"
#: police.uk's name for anti-social behaviour, exactly as published.
ASB: Final = "Anti-social behaviour"


def add_records(
    m: folium.Map | folium.FeatureGroup | None,
    records: pd.DataFrame,
    *,
    label: str = "Sightings and contacts",
    max_points: int = MAX_POINTS,
    show: bool = True,
) -> folium.FeatureGroup:
    """Records as clustered points, each with a popup of when, who, how many and where."""
    located = _located(records)
    if len(located) > max_points:
        cells = _cells(located, weight=_people(located), max_points=max_points)
        points = cells.rename(columns={"count": "Records here", "weight": "People"})
        popup = ["Records here", "People"]
    else:
        points = _plain(located, _RECORD_POPUP)
        popup = [name for column, name in _RECORD_POPUP.items() if column in located.columns]
    return maps.add_points(m, points, label=label, popup_columns=popup, show=show)


def add_record_heat(
    m: folium.Map | folium.FeatureGroup | None,
    records: pd.DataFrame,
    *,
    label: str = "Heat of people seen",
    max_points: int = MAX_POINTS,
    show: bool = True,
) -> folium.FeatureGroup:
    """Heat of records, weighted by the people each counted (1 where ``people`` is absent)."""
    located = _located(records)
    cells = _cells(located, weight=_people(located), max_points=max_points)
    return maps.add_heat(m, cells, weight_column="weight", label=label, show=show)


def add_services(
    m: folium.Map | folium.FeatureGroup | None,
    services: pd.DataFrame,
    *,
    label: str = "Services",
    show: bool = True,
) -> folium.FeatureGroup:
    """Services as green points with their name, type, opening hours and languages."""
    located = _located(services)
    popup = [name for column, name in _SERVICE_POPUP.items() if column in located.columns]
    if located.empty:
        popup = []  # folium refuses a popup on a GeoJson with no features
    return maps.add_points(
        m,
        _plain(located, _SERVICE_POPUP),
        label=label,
        popup_columns=popup,
        cluster=False,
        colour=SERVICE_COLOUR,
        show=show,
    )


def add_police_asb(
    m: folium.Map | folium.FeatureGroup | None,
    incidents: pd.DataFrame,
    *,
    label: str = "police.uk anti-social behaviour",
    max_points: int = MAX_POINTS,
    show: bool = True,
) -> folium.FeatureGroup:
    """police.uk anti-social behaviour incidents (other crime types are left off), clustered."""
    if "crime_type" not in incidents.columns:
        raise ValueError(
            "incidents has no crime_type column; pass the police.uk table "
            "(store.police_incidents())"
        )
    located = _located(incidents[incidents["crime_type"] == ASB])
    if len(located) > max_points:
        weight = np.ones(len(located))
        points = _cells(located, weight=weight, max_points=max_points)
        points = points.drop(columns="weight").rename(columns={"count": "Incidents here"})
        popup = ["Incidents here"]
    else:
        if "month" in located.columns:
            month = pd.to_datetime(located["month"], format="%Y-%m", errors="coerce")
            located = located.assign(month=month.dt.strftime("%b %Y").fillna(located["month"]))
        points = _plain(located, _POLICE_POPUP)
        popup = [name for column, name in _POLICE_POPUP.items() if column in located.columns]
    return maps.add_points(
        m, points, label=label, popup_columns=popup, colour=ASB_COLOUR, show=show
    )


# --- Helpers ----------------------------------------------------------------------------------


def _located(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows with a longitude and latitude."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a DataFrame, got {type(frame).__name__}")
    absent = [c for c in ("lon", "lat") if c not in frame.columns]
    if absent:
        raise ValueError(
            f"the frame has no {' or '.join(absent)} column; columns are "
            f"{sorted(map(str, frame.columns))}"
        )
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    return frame[lon.notna() & lat.notna()]


def _people(records: pd.DataFrame) -> np.ndarray:
    if "people" not in records.columns:
        return np.ones(len(records))
    people = pd.to_numeric(records["people"], errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(people) & (people >= 0), people, 1.0)


def _plain(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """``lon``, ``lat`` and the popup columns, renamed to plain words and written for people."""
    shown = [c for c in names if c in frame.columns]
    out = frame.loc[:, ["lon", "lat", *shown]].copy()
    for column in shown:
        values = out[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            out[column] = values.dt.strftime("%a %d %b %Y")
        elif column in ("kind", "service_type", "outcome"):
            out[column] = values.where(values.isna(), values.astype(str).str.replace("_", " "))
    return out.rename(columns=names)


def _cells(frame: pd.DataFrame, *, weight: np.ndarray, max_points: int) -> pd.DataFrame:
    """Points counted in cells, the finest of :data:`_CELL_DECIMALS` giving at most
    ``max_points`` cells (or the coarsest); every point is kept if there are few enough."""
    if max_points < 1:
        raise ValueError(f"max_points must be at least 1, got {max_points!r}")
    lon = pd.to_numeric(frame["lon"]).to_numpy(dtype=float)
    lat = pd.to_numeric(frame["lat"]).to_numpy(dtype=float)
    points = pd.DataFrame({"lon": lon, "lat": lat, "count": 1, "weight": weight})
    if len(points) <= max_points:
        return points
    for decimals in _CELL_DECIMALS:
        cells = (
            points.assign(lon=points["lon"].round(decimals), lat=points["lat"].round(decimals))
            .groupby(["lon", "lat"], as_index=False, sort=True)
            .agg(count=("count", "sum"), weight=("weight", "sum"))
        )
        if len(cells) <= max_points:
            break
    return cells
