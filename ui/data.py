"""Cached loaders: the only module with ``st.cache_data``.

Every cache key holds the store location, the store version or its cache key (version and a
random token, which changes on every import) and, for anything personal or any figure, the
role, so one role's view is never served to another. Pages take the version and cache key from
:func:`keys`, which adds the council the signed-in user is bound to: a user of one council
reads only that council's records and wards, so no answer worked out for one council is ever
served to another's user.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import questions
from geo.analysis import brief as analysis_brief
from geo.analysis.brief import Brief
from geo.analysis.completeness import Completeness
from geo.analysis.context import WardContext
from geo.analysis.flow import Flow
from geo.analysis.interpreters import SharedInterpreters
from geo.analysis.patrol import Patrol
from geo.analysis.referrals import ReferralFigures
from geo.analysis.safeguarding import QueueFigures
from geo.analysis.site_life import SiteLife
from geo.analysis.snapshot import Snapshot
from geo.analysis.swep import ColdWeatherList
from geo.analysis.tension import Tension
from geo.analysis.ward_figures import AreaSummary
from geo.demo import DEMO_LABEL, load_demo
from geo.filters import Filters
from geo.importing import quality
from geo.privacy.roles import Role
from geo.questions import (
    completeness,
    interpreters,
    links,
    people,
    referrals,
    safeguarding,
    snapshot,
    swep,
)
from geo.questions import context as context_questions
from geo.questions import partnership as partnership_questions
from geo.questions import site_life as questions_site_life
from geo.questions import tension as tension_questions
from geo.store import Store, app_store_location, default_store_path, demo_store_path, open_store
from geo.store.audit import current_actor

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"


def keys(current: Store) -> tuple[str, str]:
    """The version and the cache key the loaders below are keyed on, for whoever is reading:
    the store's own (:meth:`Store.version`, :meth:`Store.cache_key`) with the reader's council
    (``""`` for a user bound to none)."""
    council = current_actor().council or ""
    return f"{current.version()}@{council}", f"{current.cache_key()}@{council}"


def store() -> Store:
    """The store pages read: the real store (``OUTREACH_ATLAS_STORE`` or
    var/outreach-atlas.sqlite) once it has been begun, else the demo borough's own store beside
    it (see :func:`geo.store.demo_store_path`). Made-up and real people are never mixed."""
    return _store(app_store_location())  # a postgresql:// URL as given; a file, or the demo


def start_real_store() -> Store:
    """Begin the real store (empty), so every page of every session shows it from now on; the
    demo borough stays in its own store, untouched."""
    return _store(str(default_store_path().resolve()))


def showing_demo_store(current: Store) -> bool:
    """Whether ``current`` is the demo borough's own store (not a real one)."""
    real = default_store_path().resolve()
    return current.location == str(demo_store_path(real))


@st.cache_resource
def _store(location: str) -> Store:
    return open_store(location)


def ensure_demo(current: Store) -> bool:
    """Build the synthetic demo borough in the demo's own store when it is empty; True if it
    was built now. A real store is never filled with the demo."""
    if not showing_demo_store(current):
        return False
    counts = current.counts()
    if counts["areas"] or counts["records"]:
        return False
    with st.status("First start: building the synthetic demo borough...", expanded=True) as s:
        load_demo(current, directory=DEMO_DIR)
        s.update(label="Demo borough built (synthetic data)", state="complete", expanded=False)
    return True


def is_demo(current: Store) -> bool:
    """Whether the store holds the demo borough (so every page says it is synthetic)."""
    log = imports(current.location, keys(current)[0])
    return bool(log["source"].astype(str).str.startswith("demo/").any()) if len(log) else False


@st.cache_data(show_spinner=False)
def imports(location: str, version: str) -> pd.DataFrame:
    return open_store(location).imports()


@st.cache_data(show_spinner=False)
def wards(location: str, version: str) -> gpd.GeoDataFrame:
    return open_store(location).areas(layer="ward")


@st.cache_data(show_spinner=False)
def records(location: str, version: str, role: Role) -> pd.DataFrame:
    return open_store(location).records(role=role)


@st.cache_data(show_spinner=False, max_entries=64)
def area_summary(
    location: str, key: str, role: Role, filters: Filters, activation_nights: bool = False
) -> AreaSummary:
    """Ward figures as ``role`` may see them (``key``: the store's :meth:`Store.cache_key`);
    ``activation_nights``: only the nights of recorded cold-weather activations."""
    return questions.area_summary(
        open_store(location), role=role, filters=filters, activation_nights=activation_nights
    )


@st.cache_data(show_spinner=False, max_entries=16)
def partnership(location: str, key: str, role: Role, filters: Filters) -> AreaSummary:
    """Each council's figures side by side as ``role`` may see them, for the filters' period
    (one period: the page's)."""
    return partnership_questions.partnership(
        open_store(location),
        role=role,
        period=filters.period,
        start=filters.start if filters.period == "range" else None,
        end=filters.end,
        periods=1,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def people_flow(
    location: str, key: str, role: Role, filters: Filters, lookback_months: int | None
) -> Flow:
    """New, stock and returning people per ward as ``role`` may see them."""
    return people.people_flow(
        open_store(location), role=role, filters=filters, lookback_months=lookback_months
    )


@st.cache_data(show_spinner=False, max_entries=16)
def snapshot_night(location: str, key: str, role: Role, night: date | None) -> Snapshot:
    """The snapshot figures of ``night`` per ward (coordinators; others are refused)."""
    return snapshot.snapshot_night(open_store(location), role=role, night=night)


@st.cache_data(show_spinner=False, max_entries=16)
def links_of_night(location: str, key: str, role: Role, night: date) -> pd.DataFrame:
    """The records counted as one person on ``night`` (coordinators; others are refused)."""
    return links.links(open_store(location), role=role, start=night, end=night)


@st.cache_data(show_spinner=False, max_entries=16)
def referral_figures(location: str, key: str, role: Role, filters: Filters) -> ReferralFigures:
    """Referrals per ward and period, followed up or not, as ``role`` may see them."""
    return referrals.referral_follow_up(open_store(location), role=role, filters=filters)


@st.cache_data(show_spinner=False, max_entries=16)
def referral_queue(location: str, key: str, role: Role, end: date | None) -> pd.DataFrame:
    """Referrals not yet followed up, oldest first (coordinators; others are refused)."""
    return referrals.referral_queue(open_store(location), role=role, end=end)


@st.cache_data(show_spinner=False, max_entries=16)
def cold_weather(location: str, key: str, role: Role, end: date | None) -> ColdWeatherList:
    """Everyone and every site seen in the 14 nights to ``end``, longest unseen first."""
    return swep.cold_weather_list(open_store(location), role=role, night=end)


@st.cache_data(show_spinner=False, max_entries=16)
def activations(location: str, key: str, role: Role) -> pd.DataFrame:
    """The cold-weather activations recorded so far."""
    return swep.activations(open_store(location), role=role)


@st.cache_data(show_spinner=False, max_entries=16)
def recording_completeness(location: str, key: str, role: Role, filters: Filters) -> Completeness:
    """How complete each agency's records are (police and councillors: the partnership's)."""
    return completeness.recording_completeness(open_store(location), role=role, filters=filters)


def tension(location: str, key: str, role: Role, end: date | None) -> Tension:
    """The tension watch, the three months to ``end``'s month, as ``role`` may see it.

    The watch is by calendar month, so it is cached by ``end``'s month: moving the period's
    last night within a month asks for the same answer."""
    return _tension(location, key, role, None if end is None else end.replace(day=1))


@st.cache_data(show_spinner=False, max_entries=16)
def _tension(location: str, key: str, role: Role, month: date | None) -> Tension:
    return tension_questions.tension(open_store(location), role=role, end=month)


@st.cache_data(show_spinner=False, max_entries=8)
def ward_context(location: str, key: str, role: Role) -> WardContext:
    """Figures about each ward from outside the partnership (empty if none imported)."""
    return context_questions.ward_context(open_store(location), role=role)


@st.cache_data(show_spinner=False, max_entries=16)
def interpreter_sharing(
    location: str, key: str, role: Role, filters: Filters
) -> SharedInterpreters:
    """Languages needed by two or more agencies in one ward and period."""
    return interpreters.interpreter_sharing(open_store(location), role=role, filters=filters)


@st.cache_data(show_spinner=False, max_entries=16)
def safeguarding_queue(location: str, key: str, role: Role) -> pd.DataFrame:
    """Under-18 and trafficking-concern sightings with no referral since (coordinators)."""
    return safeguarding.queue(open_store(location), role=role)


@st.cache_data(show_spinner=False, max_entries=16)
def safeguarding_counts(location: str, key: str, role: Role, filters: Filters) -> QueueFigures:
    """Items waiting for a safeguarding referral per ward in the filters' period, as ``role``
    may see them (police and councillors: small numbers hidden)."""
    return safeguarding.queue_counts(open_store(location), role=role, filters=filters, periods=1)


@st.cache_data(show_spinner=False, max_entries=16)
def tasking_brief(location: str, key: str, role: Role, filters: Filters) -> Brief:
    """The tasking brief for ``role`` (police and coordinators); see :mod:`geo.analysis.brief`."""
    return questions.tasking_brief(open_store(location), role=role, filters=filters)


def brief_pdf(brief: Brief, *, made_by: str) -> bytes:
    """The brief as a PDF, made when the button is clicked (not cached: it says when)."""
    return analysis_brief.brief_pdf(brief, made_by=made_by)


@st.cache_data(show_spinner=False)
def has_postcodes(location: str, key: str) -> bool:
    """Whether the store keeps a postcode directory (so postcodes can be looked up)."""
    return "postcodes" in open_store(location).lookups()


@st.cache_data(show_spinner=False)
def agencies(location: str, version: str) -> tuple[str, ...]:
    """The agencies of the imports so far (organisations, not people): for the filters."""
    log = open_store(location).imports()
    if log.empty or "agency" not in log.columns:
        return ()
    return tuple(sorted(log["agency"].dropna().astype(str).unique()))


@st.cache_data(show_spinner=False)
def services(location: str, version: str) -> pd.DataFrame:
    return open_store(location).services()


@st.cache_data(show_spinner=False)
def police(location: str, version: str) -> pd.DataFrame:
    return open_store(location).police_incidents()


# --- Import and data quality (issue 12): counts only; every key holds the store, its cache key
# and the role (the role decides whether the counts come from records or the import log).


@st.cache_data(show_spinner=False, max_entries=16)
def import_log(location: str, key: str, role: Role) -> pd.DataFrame:
    """The imports so far in plain words, newest first (see :func:`quality.import_log`)."""
    return quality.import_log(open_store(location), role=role)


@st.cache_data(show_spinner=False, max_entries=16)
def how_located(location: str, key: str, role: Role) -> quality.Located:
    """How records were located, per agency, as ``role`` may count them."""
    return quality.how_located(open_store(location), role=role)


__all__ = [
    "DEMO_LABEL",
    "agencies",
    "area_summary",
    "coverage",
    "ensure_demo",
    "has_postcodes",
    "hotspot_cells",
    "how_located",
    "import_log",
    "imports",
    "is_demo",
    "patrol",
    "police",
    "records",
    "services",
    "showing_demo_store",
    "site_history",
    "sites",
    "start_real_store",
    "store",
    "wards",
]


# --- Hotspots and patrols (issue 12): every key holds the store, its cache key and the role. ---


@st.cache_data(show_spinner=False, max_entries=32)
def hotspot_cells(
    location: str, key: str, role: Role, nights: int, end: date | None
) -> gpd.GeoDataFrame:
    """Gi* cells over the ``nights`` nights to ``end`` as ``role`` may see them."""
    return questions.hotspot_cells(open_store(location), role=role, nights=nights, end=end)


@st.cache_data(show_spinner=False, max_entries=32)
def sites(location: str, key: str, role: Role, end: date | None) -> gpd.GeoDataFrame:
    """Persistent sites to ``end``, named for people, as ``role`` may see them."""
    return questions.sites(open_store(location), role=role, end=end)


@st.cache_data(show_spinner=False, max_entries=32)
def site_history(location: str, key: str, role: Role, end: date | None) -> SiteLife:
    """Every site persistent in the history to ``end``, with its status, as ``role`` may see it."""
    return questions_site_life.site_history(open_store(location), role=role, end=end)


@st.cache_data(show_spinner=False, max_entries=32)
def coverage(
    location: str, key: str, role: Role, days: int, end: date | None, time_of_day: str
) -> questions.Coverage:
    """Coverage by agency, gaps and overlaps over the ``days`` nights to ``end``."""
    return questions.coverage_gaps(
        open_store(location),
        role=role,
        days=days,
        end=end,
        time_of_day=time_of_day,  # type: ignore[arg-type]
    )


@st.cache_data(show_spinner=False, max_entries=64)
def patrol(
    location: str,
    key: str,
    role: Role,
    start: tuple[float, float] | None,
    stops: int | None,
    budget_minutes: float | None,
    days: int,
    end: date | None,
    return_to_start: bool,
    through: str = "sites",
) -> Patrol:
    """A patrol from ``start`` (lon, lat; None: the most urgent place) for ``role``: through
    persistent sites and hot cells, or (``through="everyone"``, in cold weather) through the
    last places of everyone seen lately."""
    if through == "everyone":
        return swep.swep_patrol(
            open_store(location),
            role=role,
            night=end,
            start_lonlat=start,
            stops=stops,
            budget_minutes=budget_minutes,
            return_to_start=return_to_start,
        )
    return questions.plan(
        open_store(location),
        role=role,
        start_lonlat=start,
        stops=stops,
        budget_minutes=budget_minutes,
        days=days,
        end=end,
        return_to_start=return_to_start,
    )
