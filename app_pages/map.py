"""Records map: records (as the role may see them) over the wards, services and the police.uk
anti-social behaviour overlay. Coordinators and police only.

The wards, shaded by people counted, are the base; the layers switched in the sidebar come from
the layer registry and are sent apart from it, so switching one keeps the map where it is.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.errors import AccessDenied
from geo.schema import is_demand
from layers import maps
from layers.registry import add_layer_scripts, build_layer, layers_for
from ui import data, session
from ui.basemap import base_tiles
from ui.offline_maps import show_map

#: The registry's layers this page offers, where the role has them.
PAGE_LAYERS = ("records", "heat", "services", "police_asb")

role = session.role()
store = data.store()
version = data.keys(store)[0]
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

frames = {"services": services, "police_incidents": police}
if recent is not None:
    frames["records"] = recent
specs = [spec for spec in layers_for(role) if spec.name in PAGE_LAYERS]
with st.sidebar:
    st.subheader("Map layers")
    shown = [
        spec
        for spec in specs
        if st.toggle(
            spec.title,
            value=spec.on_by_default,
            key=f"map_layer_{spec.name}",
            disabled=spec.source not in frames,
        )
        and spec.source in frames
    ]

base = maps.base_map(tuple(wards.total_bounds), tiles=base_tiles(store.location))
maps.add_areas(
    base,
    shaded.set_index("area_code", drop=False),
    value_column="people" if recent is not None else None,
    legend_title="People counted, last 28 nights",
    classes="counts",
)
add_layer_scripts(base, specs)
show_map(
    base,
    key=f"map-{role}",
    overlays=[build_layer(s.name, frames[s.source], role=role) for s in shown],
    layer_control=True,
    height=620,
)
st.caption(
    "Boundaries: ONS / OS, Open Government Licence. No map tiles are loaded from the internet."
)
