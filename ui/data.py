"""Cached loaders: the only module with ``st.cache_data``.

Every cache key holds the store location, the store version or its cache key (version and a
random token, which changes on every import) and, for anything personal or any figure, the
role, so one role's view is never served to another.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import questions
from geo.analysis.ward_figures import AreaSummary
from geo.demo import DEMO_LABEL, load_demo
from geo.filters import Filters
from geo.privacy.roles import Role
from geo.store import Store, default_store_path, open_store

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"


def store() -> Store:
    """The store this server uses (``OUTREACH_ATLAS_STORE`` or var/outreach-atlas.sqlite)."""
    return _store(str(default_store_path().resolve()))


@st.cache_resource
def _store(location: str) -> Store:
    return open_store(location)


def ensure_demo(current: Store) -> bool:
    """Build the synthetic demo borough in an empty store; True if it was built now."""
    counts = current.counts()
    if counts["areas"] or counts["records"]:
        return False
    with st.status("First start: building the synthetic demo borough...", expanded=True) as s:
        load_demo(current, directory=DEMO_DIR)
        s.update(label="Demo borough built (synthetic data)", state="complete", expanded=False)
    return True


def is_demo(current: Store) -> bool:
    """Whether the store holds the demo borough (so every page says it is synthetic)."""
    log = imports(current.location, current.version())
    return bool(log["source"].astype(str).str.startswith("demo/").any()) if len(log) else False


@st.cache_data(show_spinner=False)
def imports(location: str, version: int) -> pd.DataFrame:
    return open_store(location).imports()


@st.cache_data(show_spinner=False)
def wards(location: str, version: int) -> gpd.GeoDataFrame:
    return open_store(location).areas(layer="ward")


@st.cache_data(show_spinner=False)
def records(location: str, version: int, role: Role) -> pd.DataFrame:
    return open_store(location).records(role=role)


@st.cache_data(show_spinner=False, max_entries=64)
def area_summary(location: str, key: str, role: Role, filters: Filters) -> AreaSummary:
    """Ward figures as ``role`` may see them (``key``: the store's :meth:`Store.cache_key`)."""
    return questions.area_summary(open_store(location), role=role, filters=filters)


@st.cache_data(show_spinner=False)
def agencies(location: str, version: int) -> tuple[str, ...]:
    """The agencies of the imports so far (organisations, not people): for the filters."""
    log = open_store(location).imports()
    if log.empty or "agency" not in log.columns:
        return ()
    return tuple(sorted(log["agency"].dropna().astype(str).unique()))


@st.cache_data(show_spinner=False)
def services(location: str, version: int) -> pd.DataFrame:
    return open_store(location).services()


@st.cache_data(show_spinner=False)
def police(location: str, version: int) -> pd.DataFrame:
    return open_store(location).police_incidents()


__all__ = [
    "DEMO_LABEL",
    "agencies",
    "area_summary",
    "ensure_demo",
    "imports",
    "is_demo",
    "police",
    "records",
    "services",
    "store",
    "wards",
]
