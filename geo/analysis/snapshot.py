"""The snapshot night: the autumn single-night count, per area, with the evidence behind it.

Every autumn each council counts, or estimates, the people sleeping rough on one typical night
between 1 October and 30 November (:data:`SNAPSHOT_WINDOW`) and submits the figure split by
sex, age band and nationality. :func:`snapshot` gives that night's figures per area and in
total, in the shape of the submission, from exact records (no role applied).

What each column means
    - ``people``: the people counted that night under the street-count rule, exactly as the
      ward figures count one night (the figure ``python -m geo summary --period night`` gives).
    - ``sex_*``, ``age_*``, ``nationality_*``: the same people split by sex (male, female,
      other, unknown), age band (under 18, 18-25, 26 and over, unknown) and nationality group
      (UK, EU/EEA, non-EU, unknown); each split adds up to ``people``. A person recorded by
      several agencies that night takes the first thing any of their records says (in time
      order); a count of several people with no details is unknown on every split. An age
      band that straddles 25/26 (an older "25-34") is unknown.
    - ``seen_recently_not_counted``: the evidence for an estimate. Distinct person references
      seen on the ``recent_nights`` (14) nights before the night but not on it, anywhere; each
      in the area where it was last seen.
    - ``sites_recently_not_counted``: for sightings that carry no reference, the persistent
      sites among them in those nights (:func:`geo.analysis.sites.persistent_sites`: seen on at
      least 3 of them) where nobody was seen that night.

The total row counts every person once, wherever they were (people outside every area too).
A night outside the official window gives a warning, not an error: a council may want to
rehearse.

Examples
--------
One ward; on 12 Nov 2026 the council counts Ann (ref A1) and, 20 m away, Harbour Light counts
Ann too (same reference): one person. Bob (B1) was seen on 5 Nov but not on the 12th.

>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> ward = gpd.GeoDataFrame({"area_code": ["E1"], "area_name": ["Market"]},
...                         geometry=[box(-1, 50, 0, 51)], crs="EPSG:4326")
>>> seen = pd.DataFrame({
...     "record_id": ["c1", "h1", "c2"], "kind": "street_count",
...     "agency": ["Council", "Harbour Light", "Council"],
...     "night": pd.to_datetime(["2026-11-12", "2026-11-12", "2026-11-05"]),
...     "observed_at": pd.to_datetime(["2026-11-12 23:00", "2026-11-12 23:30",
...                                    "2026-11-05 23:00"]).tz_localize("Europe/London"),
...     "people": 1, "person_ref": ["A1", "A1", "B1"], "area_code": "E1",
...     "easting": [520000.0, 520020.0, 520000.0], "northing": 105000.0,
...     "sex": ["female", None, "male"], "age_band": ["26-35", None, "18-25"],
...     "nationality_group": ["UK", "UK", "non-EU"]})
>>> out = snapshot(seen, ward, night=date(2026, 11, 12), placed=True)
>>> out.areas.loc[0, ["people", "sex_female", "age_26_plus", "nationality_UK",
...                   "seen_recently_not_counted"]].tolist()
[1, 1, 1, 1, 1]
>>> out.warnings
()
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.analysis.sites import SITE_NIGHTS, SITE_RADIUS_M, persistent_sites
from geo.analysis.street_count import MERGE_M, Unlinked, counted_people
from geo.analysis.ward_figures import NATIONALITY_COLUMNS
from geo.errors import AnalysisError
from geo.locate.areas import area_positions
from geo.nights import day_date, day_number, night_numbers
from geo.schema import DISPLAY_CRS, is_demand

if TYPE_CHECKING:
    import geopandas as gpd

#: The official snapshot window: one night from 1 October to 30 November (month, day).
SNAPSHOT_WINDOW: Final = ((10, 1), (11, 30))
#: Nights before the snapshot night whose sightings are the evidence for an estimate.
RECENT_NIGHTS: Final = 14

SEX_COLUMNS: Final[dict[str, str]] = {
    group: f"sex_{group}" for group in ("male", "female", "other", "unknown")
}
AGE_COLUMNS: Final[dict[str, str]] = {
    "under 18": "age_under_18",
    "18-25": "age_18_25",
    "26+": "age_26_plus",
    "unknown": "age_unknown",
}
#: The count columns of a snapshot, in the order the submission lists them.
SNAPSHOT_COLUMNS: Final[tuple[str, ...]] = (
    "people",
    *SEX_COLUMNS.values(),
    *AGE_COLUMNS.values(),
    *NATIONALITY_COLUMNS.values(),
    "seen_recently_not_counted",
    "sites_recently_not_counted",
)
#: Columns :func:`snapshot` reads (plus ``area_code``, or ``lon``/``lat`` for another layer).
SNAPSHOT_READS: Final[tuple[str, ...]] = (
    *("record_id", "kind", "agency", "night", "observed_at", "people", "person_ref"),
    *("easting", "northing"),
    *("sex", "age_band", "nationality_group"),
)
_SPLITS: Final = (
    ("sex", SEX_COLUMNS),
    ("age_band", AGE_COLUMNS),
    ("nationality_group", NATIONALITY_COLUMNS),
)
_BAND: Final = re.compile(r"^\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*$|^\s*(\d+)\s*\+\s*$")


@dataclass(frozen=True)
class Snapshot:
    """One night's figures per area (``areas``) and in total (``totals``, one row).

    ``warnings`` says what a reader must know before submitting (a night outside the official
    window); ``role`` and ``threshold`` say whose view it is once a role has been applied.
    """

    night: date
    areas: pd.DataFrame
    totals: pd.DataFrame
    warnings: tuple[str, ...] = ()
    recent_nights: int = RECENT_NIGHTS
    role: str | None = None
    threshold: int | None = None

    def table(self) -> pd.DataFrame:
        """The areas, then a "Total" row: the shape of the submission."""
        total = self.totals.assign(area_code="", area_name="Total")
        return pd.concat([self.areas, total], ignore_index=True)


def snapshot(
    records: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    night: date,
    recent_nights: int = RECENT_NIGHTS,
    placed: bool = False,
    merge_m: float = MERGE_M,
    unlinked: Unlinked | None = None,
) -> Snapshot:
    """The snapshot figures of ``night`` per area of ``areas`` (see the module's docstring).

    ``records`` need :data:`SNAPSHOT_READS` and either ``area_code`` (``placed``: it refers to
    ``areas``) or ``lon``/``lat``. ``unlinked`` pairs of record ids (links a coordinator marked
    wrong) are counted as two people, as the ward figures count them.
    """
    if isinstance(night, pd.Timestamp) or not isinstance(night, date):
        raise AnalysisError(f"night must be a date (the evening of the night); got {night!r}")
    if isinstance(recent_nights, bool) or not isinstance(recent_nights, int) or recent_nights < 3:
        raise AnalysisError(
            f"recent_nights must be a whole number, at least {SITE_NIGHTS}; got {recent_nights!r}"
        )
    needs = [*SNAPSHOT_READS, *(["area_code"] if placed else ["lon", "lat"])]
    missing = [c for c in needs if c not in records.columns]
    if missing:
        raise AnalysisError(f"records has no column {', '.join(missing)}; the snapshot needs it")
    if not placed and areas.crs is not None and not areas.crs.equals(DISPLAY_CRS):
        areas = areas.to_crs(DISPLAY_CRS)

    n = day_number(night)
    nights = night_numbers(records)
    keep = (nights >= n - recent_nights) & (nights <= n) & is_demand(records["kind"])
    demand = records.loc[keep].assign(_night=nights[keep])
    codes = pd.Index(areas["area_code"].astype(str))
    where = _areas_of(demand, codes, areas=areas, placed=placed)
    tonight = (demand["_night"] == n).to_numpy()
    counts = _counted(
        demand.loc[tonight], where[tonight], n_areas=len(codes), merge_m=merge_m, unlinked=unlinked
    )
    recent = _recent_people(demand, where, n=n, n_areas=len(codes))
    quiet = _quiet_sites(demand, n=n, recent_nights=recent_nights)
    sites = np.bincount(
        _areas_of(quiet, codes, areas=areas, placed=placed), minlength=len(codes) + 1
    ).astype(np.int64)

    out = pd.DataFrame({"area_code": codes, "area_name": areas["area_name"].astype(str).to_numpy()})
    for column in SNAPSHOT_COLUMNS[:-2]:
        out[column] = counts[column][: len(codes)]
    out["seen_recently_not_counted"] = recent[: len(codes)]
    out["sites_recently_not_counted"] = sites[: len(codes)]
    totals = pd.DataFrame({c: [int(counts[c].sum())] for c in SNAPSHOT_COLUMNS[:-2]})
    totals["seen_recently_not_counted"] = int(recent.sum())
    totals["sites_recently_not_counted"] = int(sites.sum())
    return Snapshot(
        night=night,
        areas=out.astype({c: np.int64 for c in SNAPSHOT_COLUMNS}),
        totals=totals.astype(np.int64),
        warnings=_warnings(night),
        recent_nights=recent_nights,
    )


def in_window(night: date) -> bool:
    """Whether ``night`` is in the official snapshot window (1 October to 30 November).

    >>> in_window(date(2026, 11, 12)), in_window(date(2026, 12, 1))
    (True, False)
    """
    (first_month, first_day), (last_month, last_day) = SNAPSHOT_WINDOW
    return (
        date(night.year, first_month, first_day) <= night <= date(night.year, last_month, last_day)
    )


def snapshot_age(bands: pd.Series) -> pd.Series:
    """Stored age bands -> "under 18", "18-25", "26+" or "unknown".

    >>> snapshot_age(pd.Series(["under 18", "18-25", "26-35", "66+", "25-34", None])).tolist()
    ['under 18', '18-25', '26+', '26+', 'unknown', 'unknown']
    """
    text = bands.astype("string").str.strip().str.lower().fillna("")
    distinct = pd.unique(text)
    mapped = {value: _age_group(value) for value in distinct}
    return text.map(mapped).astype(object)


# -- helpers ---------------------------------------------------------------------------------


def _age_group(band: str) -> str:
    if band in ("under 18", "u18", "<18", "child"):
        return "under 18"
    found = _BAND.match(band)
    if not found:
        return "unknown"
    low = int(found.group(1) or found.group(3))
    high = int(found.group(2)) if found.group(2) else 200
    if high <= 17:
        return "under 18"
    if low >= 18 and high <= 25:
        return "18-25"
    return "26+" if low >= 26 else "unknown"


def _areas_of(
    frame: pd.DataFrame, codes: pd.Index, *, areas: gpd.GeoDataFrame, placed: bool
) -> np.ndarray:
    """Position of each row's area in ``codes``; ``len(codes)`` for outside every area."""
    where = area_positions(frame, codes, geometries=areas.geometry, placed=placed)
    return np.where(where < 0, len(codes), where)


def _refs(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text.fillna("").eq(""))


def _counted(
    tonight: pd.DataFrame,
    where: np.ndarray,
    *,
    n_areas: int,
    merge_m: float,
    unlinked: Unlinked | None,
) -> dict[str, np.ndarray]:
    """People counted per area (the last slot: outside every area), and each split of them."""
    tonight = tonight.assign(
        people=pd.to_numeric(tonight["people"], errors="coerce").fillna(0).astype(np.int64)
    )
    counted = counted_people(
        tonight, merge_m=merge_m, unlinked=unlinked, nights=tonight["_night"].to_numpy()
    )
    out = {"people": np.bincount(where, weights=counted, minlength=n_areas + 1).astype(np.int64)}
    # what a person's records that night say, first known first
    order = np.argsort(pd.to_datetime(tonight["observed_at"], utc=True).to_numpy(), kind="stable")
    details = tonight.iloc[order].assign(_ref=_refs(tonight["person_ref"]).iloc[order])
    named = details["_ref"].notna()
    for column, columns in _SPLITS:
        values = details[column].astype("string").str.strip()
        if column == "age_band":
            values = snapshot_age(values).astype("string")
        elif column == "sex":
            values = values.str.lower()
        groups = list(columns)
        values = values.where(values.isin(groups[:-1]))  # anything else is unknown
        first_known = values.loc[named].groupby(details.loc[named, "_ref"]).first()
        values.loc[named] = details.loc[named, "_ref"].map(first_known)
        position = pd.Index(groups).get_indexer(values.fillna(groups[-1]))
        group_of = np.empty(len(details), dtype=np.int64)
        group_of[order] = position
        cell = where * len(groups) + group_of
        table = np.bincount(cell, weights=counted, minlength=(n_areas + 1) * len(groups))
        table = table.reshape(n_areas + 1, len(groups)).astype(np.int64)
        for i, name in enumerate(columns.values()):
            out[name] = table[:, i]
    return out


def _recent_people(demand: pd.DataFrame, where: np.ndarray, *, n: int, n_areas: int) -> np.ndarray:
    """Per area: references seen before the night but not on it, where each was last seen."""
    ref = _refs(demand["person_ref"])
    named = ref.notna().to_numpy()
    frame = pd.DataFrame(
        {"ref": ref[named], "night": demand["_night"].to_numpy()[named], "area": where[named]}
    )
    tonight = set(frame.loc[frame["night"] == n, "ref"])
    before = frame.loc[(frame["night"] < n) & ~frame["ref"].isin(tonight)]
    last = before.sort_values("night", kind="stable").groupby("ref")["area"].last()
    return np.bincount(last.to_numpy(np.int64), minlength=n_areas + 1).astype(np.int64)


def _quiet_sites(demand: pd.DataFrame, *, n: int, recent_nights: int) -> pd.DataFrame:
    """Persistent sites of unreferenced sightings before the night where nobody was seen on it."""
    before = demand.loc[_refs(demand["person_ref"]).isna().to_numpy() & (demand["_night"] < n)]
    if "area_code" not in before:
        before = before.assign(area_code=None)
    sites = persistent_sites(
        before.drop(columns="_night"), last_nights=recent_nights, end=day_date(n - 1)
    )
    tonight = demand.loc[demand["_night"] == n, ["easting", "northing"]].dropna()
    if sites.empty or tonight.empty:
        return sites
    found = cKDTree(tonight.to_numpy(float)).query_ball_point(
        sites[["easting", "northing"]].to_numpy(float), SITE_RADIUS_M
    )
    return sites.loc[[not hits for hits in found]]


def _warnings(night: date) -> tuple[str, ...]:
    if in_window(night):
        return ()
    return (
        f"{night:%d %B %Y} is outside the official snapshot window (1 October to 30 November);"
        " a submitted snapshot must be a night inside it",
    )
