"""The questions each audience brings, answered from a store for a role.

Every function here takes the store and a role and reads records only through the store for
that role, so what leaves is what the role may see: coordinators get exact places, police get
places snapped to 100 m (hotspots, sites and gaps worked out from those), councillors get ward
figures only, suppressed by role before they leave :func:`area_summary`, and are refused the
rest. The command line and the app both call these; neither reads records itself.

Places are named for people: every site, hot patch and gap carries ``place_name`` (what the
records there call it, see :mod:`geo.analysis.sites`; else "a place in Station ward") and
``ward_name``; coordinators also get ``languages`` and ``flags``, the needs seen there.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import ndimage

from geo.analysis import coverage, hotspots, patrol
from geo.analysis.coverage import DEFAULT_DAYS, DEFAULT_WALK_M, TimeOfDay
from geo.analysis.overview import Overview, overview_of
from geo.analysis.sites import (
    NEEDS_COLUMNS,
    SITE_NIGHTS,
    SITE_RADIUS_M,
    SITE_WINDOW,
    describe_places,
    most_common,
    persistent_sites,
)
from geo.analysis.street_count import MERGE_M
from geo.analysis.ward_counts import period_blocks, summary_parts
from geo.analysis.ward_figures import (
    DEFAULT_PERIODS,
    SUMMARY_COLUMNS,
    TREND_PERIODS,
    AreaSummary,
    Period,
    check_summary,
    summarise,
)
from geo.errors import AccessDenied, AnalysisError
from geo.filters import Filters
from geo.io.exports import write_layers
from geo.nights import latest_night, night_number, night_numbers, nights_ending
from geo.privacy.figures import view_summary
from geo.privacy.roles import Role, check_can_see_figures, check_role
from geo.privacy.users import withheld
from geo.questions.blocks import kept_parts
from geo.questions.kept import kept_street_count, per_version
from geo.schema import TIMEZONE, is_demand
from geo.store import Store
from geo.store.audit import current_actor

#: Nights of sightings that count as "recent" demand for coverage gaps and hotspots.
DEMAND_NIGHTS: Final = 28
#: Roles that see the needs at a place (``languages``, ``flags``); see DESIGN.md.
NEEDS_ROLES: Final[tuple[Role, ...]] = ("coordinator",)


def _last_night(records: pd.DataFrame, end: date | None) -> date | None:
    return end if end is not None else latest_night(records)


def area_summary(
    store: Store,
    *,
    role: Role,
    layer: str | gpd.GeoDataFrame = "ward",
    period: Period = "week",
    start: date | None = None,
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    threshold: int | None = None,
    filters: Filters | None = None,
    activation_nights: bool = False,
) -> AreaSummary:
    """Figures per area and period as ``role`` may see them (see :mod:`geo.privacy.figures`).

    ``activation_nights`` keeps only the nights of recorded SWEP activations (see
    :func:`geo.questions.swep.activation_night_numbers`), for coordinators only.

    ``filters`` (the pages' shared filters) give the period, its last night and, for
    coordinators, cuts by agency, kind and time of day; they replace ``period``, ``start``
    and ``end``, and a role may use only what :meth:`Filters.for_role` allows it.

    ``layer`` is the name of a stored layer (``"ward"``, ``"lsoa"``...) or, for coordinators
    only, a GeoDataFrame of areas (a patrol beat, say): a small shape drawn round one doorway
    would count the people at a point, which no other role may see. Records are placed by
    their true location and small numbers hidden afterwards, so coarsening for police never
    moves a count. Roles whose small numbers are hidden get aligned, whole periods (see
    :func:`summarise`) and no ``range``: two overlapping ranges would give one night's count as
    their difference.
    """
    role = check_role(role)
    check_can_see_figures(role)
    if filters is not None:
        filters = filters.for_role(role)
        period, start, end = filters.period, filters.start, filters.end
    exact_role = role == "coordinator"
    version = store.cache_key()  # before every read: what the street count is kept under
    areas, placed = figure_layer(store, layer, role=role)
    check_period_for(role, period)
    timed = filters is not None and filters.time_of_day != "any"
    unlinked = store.unlinked_pairs()  # a coordinator's unlinks hold in every role's figures
    columns = [*SUMMARY_COLUMNS, *([] if placed else ["lon", "lat"]), *(["observed_at"] * timed)]
    columns += ["record_id"] if unlinked else []
    records = store.records_for_figures(role=role, columns=columns)
    if filters is not None and filters.is_cut:
        # the period ends on the store's latest night, not the cut's: one agency's week is
        # the same week as everyone's
        end = _last_night(records, end)
        records = _cut(records, filters)
    if activation_nights:
        from geo.questions.swep import activation_night_numbers  # swep imports this module

        keep = activation_night_numbers(store, role=role)
        records = records.loc[np.isin(night_numbers(records), keep)]
    whole = not (filters is not None and filters.is_cut) and not activation_nights

    def work() -> AreaSummary:
        counted = None
        if whole:
            # every record the role's figures read: the same rule's answer for every period
            counted = kept_street_count(
                store, role=role, rows=len(records), version=version, unlinked=unlinked
            )
        parts_of = summary_parts
        if whole and not exact_role and isinstance(layer, str):
            # whole aligned periods: blocks counted for another week's figures are taken
            parts_of = partial(kept_parts, store, (role, layer), version=version)
        exact = summarise(
            records,
            areas,
            period=period,
            start=start,
            end=end,
            periods=periods,
            placed=placed,
            aligned=not exact_role,
            unlinked=unlinked,
            counted=counted,
            parts_of=parts_of,
        )
        return view_summary(exact, role=role, threshold=threshold, withheld=withheld(store, role))

    if exact_role or not whole or not isinstance(layer, str):
        return work()
    # aligned periods: every last night of one week (or month) gives the same whole periods,
    # so the answer is kept for them (the options checked first, as summarise checks them)
    check_summary(areas, period=period, start=start, end=end, periods=periods, placed=placed,
                  merge_m=MERGE_M, trend_periods=TREND_PERIODS, aligned=True)  # fmt: skip
    blocks = period_blocks(
        night_numbers(records), period=period, start=start, end=end, periods=periods, aligned=True
    )
    asked = (role, layer, period, blocks, threshold)
    return per_version(store, "area summary", asked, work, version=version)


def figure_layer(
    store: Store, layer: str | gpd.GeoDataFrame, *, role: Role
) -> tuple[gpd.GeoDataFrame, bool]:
    """The areas ``role`` may count in, and whether the records' ``area_code`` places them
    already (the stored wards): a stored layer by name for every role, or for coordinators
    only a GeoDataFrame of areas (a small shape drawn round one doorway would count the
    people at a point, which no other role may see)."""
    if isinstance(layer, str):
        return stored_layer(store, layer), layer == "ward"
    if role != "coordinator":
        raise AccessDenied(
            f"the {role} role sees figures for stored layers (wards, LSOAs) only; a drawn area"
            " could count the people at one place. Ask a coordinator to add the layer."
        )
    return layer, False


def stored_layer(store: Store, layer: str) -> gpd.GeoDataFrame:
    """The store's areas of ``layer``; an error saying how to import them when there are none.

    For a user bound to a council, the wards are those whose records they read (their
    council's and those shared with it): other councils' wards would show as empty."""
    areas = store.areas(layer=layer)
    council = current_actor().council
    if layer == "ward" and council is not None and not areas.empty:
        areas = areas.loc[areas["area_code"].isin(store.council_wards(council))]
        areas = areas.reset_index(drop=True)
        if areas.empty:
            raise AnalysisError(
                f"no stored ward belongs to council {council}, the council you are bound to;"
                " ask an admin to check the council code given to you"
            )
    if areas.empty:
        command = (
            "python -m geo import wards FILE"
            if layer == "ward"
            else f"python -m geo import areas FILE --layer-name {layer}"
        )
        raise AnalysisError(f"the store has no {layer!r} areas; import them first with '{command}'")
    return areas


def check_period_for(role: Role, period: str) -> None:
    """Refuse a ``range`` to roles whose small numbers are hidden."""
    if period == "range" and role != "coordinator":
        raise AccessDenied(
            f"the {role} role sees whole nights, weeks or months, not ranges: two overlapping"
            " ranges would give away one night's small count"
        )


def _cut(records: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The records of the chosen agencies, kinds and time of day (a coordinator's cut)."""
    keep = np.ones(len(records), dtype=bool)
    if filters.agencies:
        keep &= records["agency"].isin(filters.agencies).to_numpy()
    if filters.kinds:
        keep &= records["kind"].isin(filters.kinds).to_numpy()
    if filters.time_of_day != "any":
        hour = pd.to_datetime(records["observed_at"]).dt.tz_convert(TIMEZONE).dt.hour
        evening, morning = coverage.NIGHT_HOURS
        at_night = ((hour >= evening) | (hour < morning)).to_numpy()
        keep &= at_night if filters.time_of_day == "night" else ~at_night
    return records.loc[keep]


def hotspot_cells(
    store: Store,
    *,
    role: Role,
    nights: int = DEMAND_NIGHTS,
    end: date | None = None,
    cell_m: float = 100.0,
    alpha: float = 0.05,
) -> gpd.GeoDataFrame:
    """Gi* hotspots over the last ``nights`` nights (to ``end``, default the latest night),
    every grid cell with its class; see :func:`geo.analysis.hotspots.hotspots`."""
    if nights < 1:
        raise AnalysisError(f"nights must be at least 1; got {nights}")
    records = store.records(role=role)
    last = _last_night(records, end)
    start = None if last is None else nights_ending(last, nights)[0]
    return hotspots.hotspots(records, cell_m=cell_m, start=start, end=last, alpha=alpha)


def sites(
    store: Store,
    *,
    role: Role,
    min_nights: int = SITE_NIGHTS,
    last_nights: int = SITE_WINDOW,
    radius_m: float = SITE_RADIUS_M,
    end: date | None = None,
) -> gpd.GeoDataFrame:
    """Persistent sites (see :func:`geo.analysis.sites.persistent_sites`), each named for
    people (``place_name``, ``ward_name``; needs for coordinators) and with the distance to
    the nearest service of each type (see :func:`geo.analysis.coverage.nearest_services`)."""
    records = store.records(role=role)
    found = persistent_sites(
        records, radius_m=radius_m, min_nights=min_nights, last_nights=last_nights, end=end
    )
    return sites_for(found, wards=store.areas(layer="ward"), services=store.services(), role=role)


def sites_for(
    found: gpd.GeoDataFrame, *, wards: pd.DataFrame, services: pd.DataFrame, role: Role
) -> gpd.GeoDataFrame:
    """Persistent sites as :func:`sites` gives them, from :func:`persistent_sites`' frame."""
    found = named_places(found, wards=wards, role=role)
    if services.empty:
        return found
    return coverage.nearest_services(found, services)


@dataclass(frozen=True)
class Coverage:
    """Coverage, gaps and overlaps at one moment.

    Attributes
    ----------
    demand
        Every place of demand (persistent sites, hot cells, recent sightings) with the
        agencies that covered it, ``days_since_visit`` and a ``demand`` label.
    gaps, overlaps
        See :func:`geo.analysis.coverage.gaps` and :func:`geo.analysis.coverage.overlaps`.
    agencies
        One row per agency: its visits and contacts in the window and the area it covers.
    wards
        Every ward's share of recent demand (people) that was covered.
    """

    demand: pd.DataFrame
    gaps: gpd.GeoDataFrame
    overlaps: gpd.GeoDataFrame
    agencies: gpd.GeoDataFrame
    wards: pd.DataFrame


def demand_places(
    records: pd.DataFrame,
    *,
    end: date | None,
    demand_nights: int = DEMAND_NIGHTS,
) -> pd.DataFrame:
    """Places of demand for coverage and patrols: persistent sites, hot cells, and sightings
    of the last ``demand_nights`` nights, each with ``demand``, ``place_id``, ``people``,
    ``easting``, ``northing``, ``area_code`` (where known), ``place_name`` (None where no
    record there says) and, when the records carry them, ``languages`` and ``flags``."""
    return _demand_places(records, end=end, demand_nights=demand_nights)


@dataclass(frozen=True)
class RecentDemand:
    """What places of demand are made of besides the persistent sites, to the night
    ``last``: the hot ``cells`` and the demand ``records`` of the last nights, and those
    records as places of demand (``sightings``)."""

    last: date
    cells: gpd.GeoDataFrame
    records: pd.DataFrame
    sightings: pd.DataFrame


def _recent_demand(
    records: pd.DataFrame, *, end: date | None, demand_nights: int
) -> RecentDemand | None:
    """The parts of :func:`demand_places` that need no sites (None: no night to end on)."""
    last = _last_night(records, end)
    if last is None:
        return None
    start, _ = nights_ending(last, demand_nights)
    cells = hotspots.hotspots(records, start=start, end=last, only=hotspots.HOT)
    night = night_numbers(records)
    first_night, last_night = night_number(start, name="end"), night_number(last, name="end")
    recent = records.loc[
        is_demand(records["kind"]) & (night >= first_night) & (night <= last_night)
    ]
    said = describe_places(recent, rows=np.arange(len(recent)), places=np.arange(len(recent)))
    sightings = _places("sighting", recent, id_column="record_id", said=said)
    return RecentDemand(last, cells, recent, sightings)


def _demand_places(
    records: pd.DataFrame,
    *,
    end: date | None,
    demand_nights: int,
    site: gpd.GeoDataFrame | None = None,
    recent: RecentDemand | None = None,
) -> pd.DataFrame:
    """:func:`demand_places`; ``site`` is ``persistent_sites(records, min_nights=SITE_NIGHTS,
    last_nights=SITE_WINDOW, end=<the last night>)`` and ``recent`` is
    ``_recent_demand(records, end=end, demand_nights=demand_nights)`` when the caller has them
    already."""
    if recent is None:
        recent = _recent_demand(records, end=end, demand_nights=demand_nights)
    if recent is None:
        return pd.DataFrame(
            columns=["demand", "place_id", "people", "easting", "northing", "area_code"]
        )
    if site is None:
        site = persistent_sites(
            records, min_nights=SITE_NIGHTS, last_nights=SITE_WINDOW, end=recent.last
        )
    hot = _hot_places(recent.cells, sites=site, nights=demand_nights, records=recent.records)
    parts = [
        _places("site", site, id_column="site_id", extra=["nights_seen"]),
        _places("hotspot", hot, id_column="place_id", extra=["cells"]),
        recent.sightings,
    ]
    found = [part for part in parts if len(part)]
    # every kind's columns, whichever kinds were found: a hot patch with no site beside it
    # still has a ``nights_seen`` (not known), as the brief's tables read it
    columns = list(dict.fromkeys(name for part in parts for name in part.columns))
    return (pd.concat(found, ignore_index=True) if found else parts[-1]).reindex(columns=columns)


def _places(
    label: str,
    frame: pd.DataFrame,
    *,
    id_column: str,
    extra: list[str] | None = None,
    said: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Places of demand of one kind, in the columns coverage and patrols read; ``said``
    (row for row with ``frame``) gives what is said of each place instead of ``frame``."""

    def text(values: pd.Series) -> object:  # text stays text: no round trip through objects
        return values.array if isinstance(values.dtype, pd.StringDtype) else values.to_numpy(object)

    columns = {
        "demand": label,
        "place_id": text(frame[id_column]),
        "people": frame["people"].to_numpy(float),
        "easting": frame["easting"].to_numpy(float),
        "northing": frame["northing"].to_numpy(float),
        "area_code": text(frame["area_code"]),
    }
    columns.update({name: frame[name].to_numpy(float) for name in extra or []})
    said = frame if said is None else said
    named = [name for name in ("place_name", *NEEDS_COLUMNS) if name in said.columns]
    columns.update({name: said[name].to_numpy(object) for name in named})
    return pd.DataFrame(columns)


def _hot_places(
    cells: gpd.GeoDataFrame,
    *,
    sites: pd.DataFrame,
    nights: int,
    records: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One place per patch of touching hot cells: its busiest cell, with the patch's people
    per night (rounded up). A patch holding a persistent site is that site, and is dropped.

    With ``records`` (the demand the cells were counted from), each patch also gets the ward
    most of its records fall in (``area_code``) and what they call it and need there (see
    :func:`geo.analysis.sites.describe_places`); without, ``area_code`` is None.
    """
    hot = cells.loc[cells["hotspot"] == "hot"]
    if hot.empty:
        return pd.DataFrame(
            columns=["place_id", "people", "easting", "northing", "cells", "area_code"]
        )
    col, row = hot["col"].to_numpy(), hot["row"].to_numpy()
    grid = np.zeros((row.max() - row.min() + 1, col.max() - col.min() + 1), dtype=bool)
    grid[row - row.min(), col - col.min()] = True
    labels, _ = ndimage.label(grid, structure=np.ones((3, 3)))
    patch = labels[row - row.min(), col - col.min()]
    frame = pd.DataFrame(
        {
            "place_id": hot.index.to_numpy(object),
            "patch": patch,
            "people": hot["people"].to_numpy(float),
            "easting": hot["easting"].to_numpy(float),
            "northing": hot["northing"].to_numpy(float),
        }
    )
    busiest = frame.sort_values("people", ascending=False, kind="stable").drop_duplicates("patch")
    per_patch = frame.groupby("patch")["people"].agg(["sum", "size"])
    busiest = busiest.assign(
        people=np.ceil(per_patch.loc[busiest["patch"], "sum"].to_numpy() / nights),
        cells=per_patch.loc[busiest["patch"], "size"].to_numpy(),
        area_code=None,
    )

    def patch_at(places: pd.DataFrame) -> np.ndarray:
        """The patch each place lies in (0: none)."""
        size = _cell_size(cells)
        y = np.floor(places["northing"].to_numpy(float) / size) - row.min()
        x = np.floor(places["easting"].to_numpy(float) / size) - col.min()
        on_grid = (y >= 0) & (y < grid.shape[0]) & (x >= 0) & (x < grid.shape[1])
        found = np.zeros(len(places), dtype=labels.dtype)
        found[on_grid] = labels[y[on_grid].astype(int), x[on_grid].astype(int)]
        return found

    if len(sites):
        site_patch = patch_at(sites)
        busiest = busiest.loc[~busiest["patch"].isin(site_patch[site_patch > 0])]
    if records is not None and len(records) and len(busiest):
        rows = np.flatnonzero(patch_at(records) > 0)
        at = patch_at(records)[rows]
        said = describe_places(records, rows=rows, places=at)
        busiest = busiest.join(said, on="patch")
        area = most_common(at, records["area_code"].to_numpy(object)[rows])
        busiest["area_code"] = busiest["patch"].map(area).astype(object)
        busiest["area_code"] = busiest["area_code"].where(busiest["area_code"].notna(), None)
    return busiest.drop(columns="patch").reset_index(drop=True)


def _cell_size(cells: gpd.GeoDataFrame) -> float:
    """The side of a grid's cells in metres."""
    return float(np.sqrt(cells.geometry.iloc[0].area))


def named_places(places: pd.DataFrame, *, wards: pd.DataFrame, role: Role) -> pd.DataFrame:
    """``places`` with ``ward_name`` and a ``place_name`` for every place, and the needs at
    each (``languages``, ``flags``) only for :data:`NEEDS_ROLES`.

    A place no record names is "a place in <ward> ward", or "an unnamed place" outside every
    ward: never an id or coordinates.
    """
    role = check_role(role)
    out = places.copy()
    if role not in NEEDS_ROLES:
        out = out.drop(columns=[name for name in NEEDS_COLUMNS if name in out.columns])
    lookup = dict(zip(wards["area_code"], wards["area_name"], strict=True))
    codes = out["area_code"] if "area_code" in out.columns else pd.Series(None, index=out.index)
    which, seen = pd.factorize(codes)  # a few wards for many places: each looked up once
    names = np.empty(len(seen) + 1, dtype=object)  # the last: no ward (which == -1)
    names[:] = [*(lookup.get(code) for code in seen), None]
    names[pd.isna(names)] = None
    called = np.empty(len(names), dtype=object)
    called[:] = [
        "an unnamed place" if name is None else f"a place in {name} ward" for name in names
    ]
    ward = pd.Series(names[which], index=out.index, dtype=object)
    fallback = pd.Series(called[which], index=out.index, dtype=object)
    if "place_name" not in out.columns:
        out.insert(1 if len(out.columns) else 0, "place_name", None)
    said = out["place_name"].astype(object)
    out["place_name"] = said.where(said.notna(), fallback)
    out.insert(out.columns.get_loc("place_name") + 1, "ward_name", ward)
    return out


def coverage_gaps(
    store: Store,
    *,
    role: Role,
    days: int = DEFAULT_DAYS,
    walk_m: float = DEFAULT_WALK_M,
    demand_nights: int = DEMAND_NIGHTS,
    end: date | None = None,
    time_of_day: TimeOfDay = "any",
) -> Coverage:
    """Coverage by agency over the last ``days`` nights, the places of demand it missed, the
    places several agencies covered while others were missed, and each ward's covered share.

    Demand is persistent sites, hot cells, and sightings of the last ``demand_nights`` nights
    (default 28): a sighting of three weeks ago that nobody has been back to is a gap even
    though the sighting itself was someone being there.
    """
    if demand_nights < days:
        raise AnalysisError(
            f"demand_nights ({demand_nights}) must be at least days ({days}): demand older than"
            " the coverage window is what a gap is made of"
        )
    records = store.records(role=role)
    last = _last_night(records, end)
    wards = store.areas(layer="ward")
    demand = named_places(
        demand_places(records, end=last, demand_nights=demand_nights), wards=wards, role=role
    )
    options = {"days": days, "walk_m": walk_m, "end": last, "time_of_day": time_of_day}
    covered = coverage.demand_coverage(demand, records, **options)
    sightings = demand.loc[demand["demand"] == "sighting"]
    return Coverage(
        demand=covered,
        gaps=coverage.gaps_among(covered),
        overlaps=coverage.overlaps_among(covered),
        agencies=coverage.agency_coverage(records, **options),
        wards=coverage.ward_coverage(records, wards, demand=sightings, **options),
    )


def plan(
    store: Store,
    *,
    role: Role,
    start_lonlat: tuple[float, float] | None,
    stops: int | None = None,
    budget_minutes: float | None = None,
    days: int = DEFAULT_DAYS,
    end: date | None = None,
    walk_kmh: float = patrol.DEFAULT_WALK_KMH,
    dwell_minutes: float = patrol.DEFAULT_DWELL_MINUTES,
    return_to_start: bool = False,
) -> patrol.Patrol:
    """A patrol from ``start_lonlat`` (None: from the first stop) over persistent sites and hot
    cells, uncovered first.

    Single sightings are left out: a patrol goes where people keep sleeping.
    """
    found = coverage_gaps(store, role=role, days=days, end=end)
    candidates = found.demand.loc[found.demand["demand"].isin(["site", "hotspot"])]
    return patrol.plan_patrol(
        candidates,
        start_lonlat=start_lonlat,
        stops=stops,
        budget_minutes=budget_minutes,
        walk_kmh=walk_kmh,
        dwell_minutes=dwell_minutes,
        return_to_start=return_to_start,
    )


def export_geopackage(store: Store, path: str | Path, *, role: Role) -> dict[str, int]:
    """Write wards, records (as ``role`` may see them), services and police incidents to a
    GeoPackage that QGIS opens; the file is replaced if it exists.

    A police export has coarsened points and no personal attributes; councillor and admin
    exports have no records layer at all. Returns the features written per layer.
    """
    role = check_role(role)
    layers: dict[str, pd.DataFrame] = {"wards": store.areas(layer="ward")}
    with contextlib.suppress(AccessDenied):  # roles that see no records get no layer
        layers["records"] = store.records(role=role)
    layers["services"] = store.services()
    layers["police_incidents"] = store.police_incidents()
    return write_layers(layers, path)


__all__ = [
    "DEMAND_NIGHTS",
    "area_summary",
    "export_geopackage",
    "Coverage",
    "coverage_gaps",
    "demand_places",
    "hotspot_cells",
    "overview",
    "plan",
    "sites",
    "tasking_brief",
]


def overview(
    store: Store,
    *,
    role: Role,
    period: Period = "week",
    end: date | None = None,
    periods: int = DEFAULT_PERIODS,
    start: date | None = None,
    filters: Filters | None = None,
) -> Overview:
    """The Overview for ``role``: the last ``period`` against the one before, the borough's
    people counted over ``periods`` periods, and the wards rising fast.

    Read from :func:`area_summary` for the role (with the pages' ``filters``, which replace
    ``period``, ``start`` and ``end``), so every figure is one the role may see and equals the
    ward map's for the same period; ``start`` is for a coordinator's ``range``. Say it in
    words with :func:`geo.analysis.overview.what_changed`.
    """
    summary = area_summary(
        store, role=role, period=period, start=start, end=end, periods=periods, filters=filters
    )
    return overview_of(summary, period=period if filters is None else filters.period)


# the tasking brief reads through this package: imported last, once the rest is defined
from geo.questions.brief import BRIEF_NEEDS, BRIEF_PERIODS, tasking_brief  # noqa: E402, F401
