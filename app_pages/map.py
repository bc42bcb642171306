"""Records map: records (as the role may see them) over the wards, services and the police.uk
anti-social behaviour overlay. Coordinators and police only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.errors import AccessDenied
from geo.schema import is_demand
from layers import maps
from ui import data, session
from ui.offline_maps import show_map

role = session.role()
store = data.store()
version = store.version()
wards = data.wards(store.location, version)

st.title("Records map")
if wards.empty:
    st.warning("No wards in the store yet: import a ward boundary file on the Import page.")
    st.stop()

try:
    records = data.records(store.location, version, role)
except AccessDenied as err:
    records = None
    st.info(f"{err}. Records are not shown to this role.")

services = data.services(store.location, version)
police = data.police(store.location, version)

with st.sidebar:
    show_records = st.toggle("Records", value=True, key="map_records", disabled=records is None)
    show_heat = st.toggle("Heat", value=False, key="map_heat", disabled=records is None)
    show_services = st.toggle("Services", value=True, key="map_services")
    show_police = st.toggle("police.uk ASB", value=False, key="map_police")

if records is not None and len(records):
    last = records["night"].max()
    recent = records[(records["night"] > last - pd.Timedelta(days=28)) & is_demand(records["kind"])]
    cols = st.columns(4)
    cols[0].metric("People counted, last 28 nights", int(recent["people"].sum()))
    cols[1].metric("Sightings and contacts", len(recent))
    cols[2].metric("Agencies", records["agency"].nunique())
    cols[3].metric("Latest night", f"{last:%d %b %Y}")
    by_ward = recent.groupby("area_code")["people"].sum()
    shaded = wards.assign(people=wards["area_code"].map(by_ward).fillna(0).astype(int))
else:
    shaded = wards.assign(people=None)
    recent = None

m = maps.base_map(tuple(wards.total_bounds))
maps.add_areas(
    m,
    shaded.set_index("area_code", drop=False),
    value_column="people" if recent is not None else None,
    legend_title="People counted, last 28 nights",
)
if recent is not None and len(recent):
    if show_records:
        columns = [
            c
            for c in ("night", "agency", "kind", "people", "location_text", "outcome")
            if c in recent.columns
        ]
        points = recent.assign(night=recent["night"].dt.strftime("%d %b %Y"))
        maps.add_points(m, points, label="Records", popup_columns=columns)
    if show_heat:
        maps.add_heat(m, recent, weight_column="people")
if show_services and len(services):
    maps.add_points(
        m,
        services,
        label="Services",
        popup_columns=["name", "service_type", "opening_hours"],
        cluster=False,
        colour="#1b7837",
    )
if show_police and len(police):
    asb = police[police["crime_type"] == "Anti-social behaviour"]
    maps.add_points(
        m, asb, label="ASB (police.uk)", popup_columns=["month", "location"], colour="#762a83"
    )
maps.add_layer_control(m)
show_map(m, key=f"map-{role}", height=620)
st.caption(
    "Boundaries: ONS / OS, Open Government Licence. No map tiles are loaded from the internet."
)
