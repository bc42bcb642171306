"""The tasking brief for police and coordinators, read for the role (see
:mod:`geo.analysis.brief`): this period against the last, hot places and their coverage,
persistent sites, needs, the tension watch and the safeguarding count."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd

from geo.analysis import coverage, ward_view
from geo.analysis.brief import TOP as BRIEF_TOP
from geo.analysis.brief import Brief, WardMap, asb_table, build_brief
from geo.analysis.coverage import DEFAULT_DAYS, DEFAULT_WALK_M
from geo.analysis.overview import overview_of
from geo.errors import AccessDenied
from geo.filters import Filters
from geo.privacy.roles import Role, check_role
from geo.questions import (
    DEMAND_NIGHTS,
    SITE_NIGHTS,
    SITE_WINDOW,
    Coverage,
    RecentDemand,
    _demand_places,
    _recent_demand,
    area_summary,
    named_places,
    persistent_sites,
)
from geo.questions.kept import per_version
from geo.schema import TIMEZONE
from geo.store import Store

#: Periods of ward figures the brief asks for: it compares this period with the last only,
#: and each period's figures (suppression included) are worked out from that period alone.
BRIEF_PERIODS: Final = 2
#: The roles that get the brief, and the needs it lists for them when their figures hold them:
#: police figures hold no NRPF unless an admin has allowed it (:func:`geo.privacy.users.withheld`).
BRIEF_NEEDS: Final[dict[str, tuple[str, ...]]] = {
    role: ("interpreter_needed", "nrpf", "trafficking_concern", "under_18")
    for role in ("coordinator", "police")
}


def tasking_brief(
    store: Store,
    *,
    role: Role,
    filters: Filters | None = None,
    made_at: datetime | None = None,
) -> Brief:
    """The tasking brief for ``role`` (coordinators and police): see :mod:`geo.analysis.brief`.

    Every part is read for the role, so police get places worked out from points snapped to
    100 m and needs with small numbers hidden; councillors and admins are refused.
    """
    role = check_role(role)
    if role not in BRIEF_NEEDS:
        raise AccessDenied(
            f"the {role} role does not get the tasking brief; it is for police and coordinators"
        )
    filters = filters or Filters()
    summary = area_summary(store, role=role, filters=filters, periods=BRIEF_PERIODS)
    seen = overview_of(summary, period=filters.period)
    end = pd.Timestamp(seen.period_end).date()  # a night: coverage reads a moment otherwise
    wards = store.areas(layer="ward")
    last = summary.totals.iloc[-1] if len(summary.totals) else None
    needs = pd.DataFrame(
        [
            (ward_view.NEEDS[name], ward_view.shown(None if last is None else last[name]))
            for name in BRIEF_NEEDS[role]
            if name in summary.totals.columns
        ],
        columns=["need", "shown"],
    )
    from geo.questions.signals import brief_signals  # it reads through this package

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="geo-brief") as pool:
        signals = _alongside(pool, brief_signals, store, role=role, period=filters.period, end=end)
        sites, found = brief_places(store, role=role, end=end)
        watch, waiting = signals.result()
    return build_brief(
        seen,
        tension=watch,
        safeguarding=waiting,
        needs=needs,
        demand=found.demand,
        sites=sites,
        agencies=found.agencies,
        gaps=found.gaps,
        overlaps=found.overlaps,
        asb=per_version(  # police.uk's months, whatever the period: the wards read with them
            store,
            "brief asb",
            (),
            lambda: asb_table(store.police_incidents(), store.areas(layer="ward")),
        ),
        role=role,
        made_at=made_at or datetime.now(ZoneInfo(TIMEZONE)),
        ward_map=WardMap(
            wards,
            ward_view.last_period(summary),
            title=f"People counted, {seen.label.removeprefix('the ')}",
        ),
    )


def brief_places(store: Store, *, role: Role, end: date) -> tuple[gpd.GeoDataFrame, Coverage]:
    """The brief's persistent sites (as :func:`sites` gives them, without the services near
    each, which the brief does not show) and coverage (see
    :func:`_brief_coverage`) to the night ``end``, worked out once per store version, role
    and ``end``: they depend on nothing else. A police brief's ``end`` is the last night of a
    whole week or month, so every night of that week asks for the same places.
    """
    role = check_role(role)

    def work() -> tuple[gpd.GeoDataFrame, Coverage]:
        wards = store.areas(layer="ward")
        records = store.records(role=role)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="geo-brief") as pool:
            # the recent demand and each agency's covered area need no sites: they are worked
            # out meanwhile, in the order they are needed
            options = {"days": DEFAULT_DAYS, "walk_m": DEFAULT_WALK_M, "end": end}
            recent = _alongside(pool, _recent_demand, records, end=end, demand_nights=DEMAND_NIGHTS)
            agencies = _alongside(pool, coverage.agency_coverage, records, **options, shapes=False)
            site = persistent_sites(
                records, min_nights=SITE_NIGHTS, last_nights=SITE_WINDOW, end=end
            )
            found = _brief_coverage(
                store, role=role, wards=wards, end=end, records=records, site=site,
                recent=recent.result(), agencies=agencies,
            )  # fmt: skip
        return named_places(site, wards=wards, role=role), found  # no services: not shown

    return per_version(store, "brief places", (role, end), work)


def _brief_coverage(
    store: Store,
    *,
    role: Role,
    wards: gpd.GeoDataFrame,
    end: date,
    records: pd.DataFrame | None = None,
    site: gpd.GeoDataFrame | None = None,
    recent: RecentDemand | None = None,
    agencies: Future[gpd.GeoDataFrame] | None = None,
) -> Coverage:
    """What the brief shows of :func:`coverage_gaps` (same records, places and options).

    ``demand`` holds the hot patches only, ``gaps`` the most urgent the brief lists and
    ``wards`` is empty: the brief shows neither the other places' coverage and gaps nor the
    wards' shares. The rest is :func:`coverage_gaps`'s: coverage is worked out once, for
    every place, and the gaps and overlaps are read from it.
    ``records`` (the role's), ``site`` (their persistent sites to ``end``, as :func:`sites`
    finds them by default) and ``recent`` (their :func:`_recent_demand` to ``end``) save
    reading and finding them again; ``agencies`` is the agencies' coverage of those records
    being worked out meanwhile, if it is.
    """
    if records is None:
        records = store.records(role=role)
    options = {"days": DEFAULT_DAYS, "walk_m": DEFAULT_WALK_M, "end": end}
    places = _demand_places(records, end=end, demand_nights=DEMAND_NIGHTS, site=site, recent=recent)
    demand = named_places(places, wards=wards, role=role)
    covered = coverage.demand_coverage(demand, records, **options)
    return Coverage(
        demand=covered.loc[demand["demand"].eq("hotspot").to_numpy()],
        gaps=coverage.gaps_among(covered, top=BRIEF_TOP),
        overlaps=coverage.overlaps_among(covered),
        agencies=(  # areas only
            agencies.result()
            if agencies is not None
            else coverage.agency_coverage(records, **options, shapes=False)
        ),
        wards=pd.DataFrame(),
    )


def _alongside(pool: ThreadPoolExecutor, work: Callable[..., object], /, *args, **kwargs) -> Future:
    """``work(*args, **kwargs)`` on ``pool``, in this thread's context: the acting user and the
    council being read travel with it, as they would if it ran here."""
    return pool.submit(contextvars.copy_context().run, work, *args, **kwargs)
