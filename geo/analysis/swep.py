"""The cold-weather list: everyone seen lately, and where, for a severe weather emergency.

When the severe weather emergency protocol (SWEP) is triggered, outreach must find everyone
seen lately and offer them a bed. :func:`cold_weather_list` gives, for a night and the
``nights`` (default 14) nights ending on it (inclusive), from exact records (no role applied):

People: one row per person reference seen on any demand record (street counts, contacts,
referrals; never visits) in the window. A blank reference is nobody in particular: it is left
out of the people (its sightings still make sites).

    - ``person_ref``; ``last_seen``: the ``observed_at`` of their latest sighting;
      ``nights_since``: the night asked for minus the night of that sighting (0: seen that
      night); ``place_name``: that sighting's ``location_text`` (None when it says nothing:
      :mod:`geo.questions.swep` names it "a place in X ward"); ``easting``, ``northing``,
      ``lon``, ``lat``, ``area_code`` and ``agency`` of that sighting;
    - ``last_outcome``: the latest non-blank ``outcome`` of any of their records in the window
      (None when none says);
    - ``languages``: their languages where an interpreter was needed, most frequent first,
      joined with ", "; ``flags``: which of nrpf, trafficking_concern and under_18 any of their
      records carries, joined with ", " (both "" when none, both absent when the records do not
      carry them, as :func:`geo.analysis.sites.describe_places` gives them);
    - ``sightings``: their demand records in the window.

Sites: the persistent sites of the window (:func:`geo.analysis.sites.persistent_sites` with
``end=night`` and ``last_nights=nights``), each with ``last_seen`` (a night) and
``nights_since``, and the needs it gives.

Both are sorted longest unseen first: people then by most sightings, sites by most people;
then by reference or site id, so the same records always give the same list.

Examples
--------
Ann (A1) was seen on 10 and 12 Nov 2026, Bob (B1) on 5 Nov; a sighting with no reference on
the 12th is nobody in particular. On the list for the night of 12 Nov, Bob comes first,
unseen for 7 nights:

>>> seen = pd.DataFrame({
...     "kind": "street_count", "agency": "Council", "people": 1,
...     "night": pd.to_datetime(["2026-11-10", "2026-11-12", "2026-11-05", "2026-11-12"]),
...     "observed_at": pd.to_datetime(["2026-11-10 23:00", "2026-11-12 23:00",
...         "2026-11-05 23:00", "2026-11-12 23:30"]).tz_localize("Europe/London"),
...     "person_ref": ["A1", "A1", "B1", " "], "area_code": "E1",
...     "easting": [530000.0, 530100.0, 531000.0, 530500.0], "northing": 105000.0,
...     "lon": -0.15, "lat": 50.83})
>>> found = cold_weather_list(seen, night=date(2026, 11, 12))
>>> found.people[["person_ref", "nights_since", "sightings"]].values.tolist()
[['B1', 7, 1], ['A1', 0, 2]]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.analysis.hotspots import check_records
from geo.analysis.sites import (
    NEEDS_COLUMNS,
    SITE_NIGHTS,
    SITE_RADIUS_M,
    describe_places,
    persistent_sites,
)
from geo.errors import AnalysisError
from geo.nights import day_number, night_numbers
from geo.schema import DISPLAY_CRS, TIMEZONE, is_demand

__all__ = [
    "MAX_NIGHTS",
    "PEOPLE_COLUMNS",
    "SWEP_NIGHTS",
    "SWEP_READS",
    "ColdWeatherList",
    "cold_weather_list",
    "patrol_candidates",
]

#: Nights looked back over by default: the fortnight outreach teams work from.
SWEP_NIGHTS: Final = 14
#: The longest look back a list may take (a season of cold weather).
MAX_NIGHTS: Final = 120
#: Columns :func:`cold_weather_list` needs; ``location_text``, ``outcome``, ``language``,
#: ``interpreter_needed`` and the flag columns are read when present.
SWEP_READS: Final[tuple[str, ...]] = (
    *("kind", "agency", "night", "observed_at", "people", "person_ref"),
    *("easting", "northing", "lon", "lat", "area_code"),
)
#: The people's columns before the needs (``languages``, ``flags``) and ``sightings``.
PEOPLE_COLUMNS: Final[tuple[str, ...]] = (
    *("person_ref", "last_seen", "nights_since", "place_name"),
    *("easting", "northing", "lon", "lat", "area_code", "agency", "last_outcome"),
)


@dataclass(frozen=True)
class ColdWeatherList:
    """The people (``people``) and persistent sites (``sites``) seen in the ``nights`` nights
    ending on ``night``, longest unseen first (see the module docstring).

    ``role`` says whose view it is once :mod:`geo.questions.swep` has applied one (None: exact).
    """

    night: date
    nights: int
    people: pd.DataFrame
    sites: gpd.GeoDataFrame
    role: str | None = None

    def table(self) -> pd.DataFrame:
        """People then sites in one table, ``entry`` saying which ("person", "site")."""
        people = self.people.assign(entry="person")
        sites = pd.DataFrame(self.sites.drop(columns="geometry", errors="ignore"))
        sites = sites.assign(entry="site", last_seen=sites["last_seen"].dt.date)
        people = people.assign(last_seen=people["last_seen"].astype(object))
        table = pd.concat([people, sites], ignore_index=True)
        return table.loc[:, ["entry", *(c for c in table.columns if c != "entry")]]

    def features(self) -> gpd.GeoDataFrame:
        """:meth:`table` as points (EPSG:4326), for GeoJSON."""
        table = self.table()
        geometry = gpd.points_from_xy(table["lon"], table["lat"], crs=DISPLAY_CRS)
        return gpd.GeoDataFrame(table, geometry=geometry, crs=DISPLAY_CRS)


def cold_weather_list(
    records: pd.DataFrame,
    *,
    night: date,
    nights: int = SWEP_NIGHTS,
    radius_m: float = SITE_RADIUS_M,
) -> ColdWeatherList:
    """Everyone and every persistent site seen in the ``nights`` nights ending on ``night``.

    Parameters
    ----------
    records
        Records as the store gives them, with :data:`SWEP_READS`.
    night
        The night the list is for (its evening's date); it is the last night looked at.
    nights
        How many nights, ``night`` included (at least :data:`SITE_NIGHTS`, at most
        :data:`MAX_NIGHTS`).
    radius_m
        The persistent sites' radius (see :func:`geo.analysis.sites.persistent_sites`).

    Returns
    -------
    ColdWeatherList
        See the module docstring for every column and the order.
    """
    if isinstance(night, pd.Timestamp) or not isinstance(night, date):
        raise AnalysisError(f"night must be a date (the evening of the night); got {night!r}")
    if (
        isinstance(nights, bool)
        or not isinstance(nights, int)
        or not SITE_NIGHTS <= nights <= MAX_NIGHTS
    ):
        raise AnalysisError(
            f"nights must be a whole number from {SITE_NIGHTS} to {MAX_NIGHTS}; got {nights!r}"
            f" (e.g. nights={SWEP_NIGHTS}, a fortnight)"
        )
    check_records(records, SWEP_READS)
    n = day_number(night)
    numbers = night_numbers(records)
    keep = (numbers > n - nights) & (numbers <= n) & is_demand(records["kind"])
    window = records.loc[keep]
    people = _people(window, numbers[keep], n=n)
    sites = persistent_sites(
        records, radius_m=radius_m, min_nights=SITE_NIGHTS, last_nights=nights, end=night
    )
    return ColdWeatherList(night=night, nights=nights, people=people, sites=_sites(sites, n=n))


def patrol_candidates(found: ColdWeatherList, *, radius_m: float = SITE_RADIUS_M) -> pd.DataFrame:
    """Stops for :func:`geo.analysis.patrol.plan_patrol`: every site, and every person's last
    place away from the sites.

    A person last seen within ``radius_m`` of a site's centre is looked for there: the site's
    stop's ``people`` is the more of the site's own count and the people last seen there, and
    it takes the longest ``nights_since`` of its own and theirs. Urgency is how long unseen:
    ``days_since_visit`` is ``nights_since`` and every stop has the same priority (``demand``
    "site", ``n_agencies`` 0), so the planner's score is ``people * (1 + nights_since / 7)``;
    ``stop_kind`` says "site" or "person". Text columns (``place_name``, ``ward_name``, needs)
    are kept where the frames carry them.
    """
    people, sites = found.people, pd.DataFrame(found.sites.drop(columns="geometry"))
    at_site = np.full(len(people), -1, dtype=np.int64)
    if len(sites) and len(people):
        distance, nearest = cKDTree(sites[["easting", "northing"]].to_numpy(float)).query(
            people[["easting", "northing"]].to_numpy(float), distance_upper_bound=radius_m
        )
        at_site = np.where(np.isfinite(distance), nearest, -1)
    joined = at_site >= 0
    extra = np.bincount(at_site[joined], minlength=len(sites)) if len(sites) else np.zeros(0)
    longest = pd.Series(people["nights_since"].to_numpy()[joined]).groupby(at_site[joined]).max()
    site_since = np.maximum(
        sites["nights_since"].to_numpy(np.int64),
        longest.reindex(range(len(sites)), fill_value=-1).to_numpy(np.int64),
    )
    text = [c for c in ("place_name", "ward_name", *NEEDS_COLUMNS) if c in people.columns]
    site_stops = sites.assign(
        place_id=sites["site_id"],
        stop_kind="site",
        people=np.maximum(sites["people"].to_numpy(np.int64), extra),
        nights_since=site_since,
    )
    person_stops = people.loc[~joined].assign(
        place_id=(
            "person " + pd.Series(np.arange(1, int((~joined).sum()) + 1)).astype(str)
        ).to_numpy(object),
        stop_kind="person",
        people=1,
    )
    columns = ["place_id", "stop_kind", *text, "easting", "northing", "people", "nights_since"]
    stops = pd.concat(
        [
            site_stops.reindex(columns=columns),
            person_stops.reindex(columns=columns),
        ],
        ignore_index=True,
    )
    return stops.assign(
        demand="site", n_agencies=0, days_since_visit=stops["nights_since"].astype(float)
    )


# -- helpers ---------------------------------------------------------------------------------


def _references(values: pd.Series) -> np.ndarray:
    """Each record's reference as a whole number (-1: none, blank included)."""
    text = values.astype("string")
    blank = text.str.strip().fillna("").eq("").to_numpy(dtype=bool)
    codes, _ = pd.factorize(text.str.strip().mask(blank))
    return codes.astype(np.int64)


def _people(window: pd.DataFrame, numbers: np.ndarray, *, n: int) -> pd.DataFrame:
    """One row per reference in ``window`` (demand records of the window), with the columns
    the module docstring lists, longest unseen first."""
    code = _references(window["person_ref"])
    named = np.flatnonzero(code >= 0)
    stamp = pd.to_datetime(window["observed_at"], utc=True).to_numpy("datetime64[ns]")
    # latest sighting of each person: sort by person, then time (then store order)
    order = named[np.lexsort((named, stamp[named], code[named]))]
    last_of = order[np.r_[code[order][1:] != code[order][:-1], True]] if order.size else order
    rows = window.iloc[last_of]
    texts = {  # as objects, None where missing (pandas would infer text with NaN)
        "person_ref": rows["person_ref"].astype("string").str.strip().to_numpy(object),
        "place_name": _text(rows, "location_text"),
        "area_code": _objects(rows["area_code"]),
        "agency": _objects(rows["agency"]),
        "last_outcome": _last_outcome(window, code, stamp, last_of),
    }
    out = pd.DataFrame(
        {
            "person_ref": pd.Series(texts["person_ref"], dtype=object),
            "last_seen": pd.to_datetime(rows["observed_at"], utc=True).to_numpy(),
            "nights_since": (n - numbers[last_of]).astype(np.int64),
            "place_name": pd.Series(texts["place_name"], dtype=object),
            **{c: rows[c].to_numpy(float) for c in ("easting", "northing", "lon", "lat")},
            **{c: pd.Series(texts[c], dtype=object) for c in PEOPLE_COLUMNS[-3:]},
        }
    )
    out["last_seen"] = pd.to_datetime(out["last_seen"], utc=True).dt.tz_convert(TIMEZONE)
    needs = describe_places(window, rows=named, places=code[named])
    for column in (c for c in NEEDS_COLUMNS if c in needs.columns):
        out[column] = needs[column].reindex(code[last_of]).fillna("").to_numpy(object)
    out["sightings"] = np.bincount(code[named], minlength=len(last_of))[code[last_of]]
    return out.sort_values(
        ["nights_since", "sightings", "person_ref"],
        ascending=[False, False, True],
        ignore_index=True,
        kind="stable",
    )


def _last_outcome(
    window: pd.DataFrame, code: np.ndarray, stamp: np.ndarray, last_of: np.ndarray
) -> np.ndarray:
    """Per person (in ``last_of``'s order), the latest non-blank outcome in the window."""
    out = np.full(len(last_of), None, dtype=object)
    if "outcome" not in window.columns or not len(last_of):
        return out
    said = _text(window, "outcome")
    has = np.flatnonzero((code >= 0) & pd.notna(said))
    order = has[np.lexsort((has, stamp[has], code[has]))]
    latest = order[np.r_[code[order][1:] != code[order][:-1], True]] if order.size else order
    values = pd.Series(said[latest], index=code[latest]).reindex(code[last_of]).to_numpy(object)
    return np.where(pd.notna(values), values, None)


def _text(rows: pd.DataFrame, column: str) -> np.ndarray:
    """A text column trimmed, blanks as None (None throughout when ``rows`` lack it)."""
    if column not in rows.columns:
        return np.full(len(rows), None, dtype=object)
    text = rows[column].astype("string").str.strip()
    text = text.mask(text.fillna("").eq("")).to_numpy(object)
    return np.where(pd.notna(text), text, None)


def _objects(values: pd.Series) -> np.ndarray:
    array = values.to_numpy(object)
    return np.where(pd.notna(array), array, None)


def _sites(sites: gpd.GeoDataFrame, *, n: int) -> gpd.GeoDataFrame:
    """Persistent sites with ``nights_since``, longest unseen first (then most people)."""
    last = sites["last_seen"].to_numpy("datetime64[D]").astype(np.int64)
    out = sites.assign(nights_since=(n - last).astype(np.int64))
    return out.sort_values(
        ["nights_since", "people", "sightings", "site_id"],
        ascending=[False, False, False, True],
        ignore_index=True,
        kind="stable",
    )
