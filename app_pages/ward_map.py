"""Ward map: people counted per ward as the role may see them, the same figures as a table,
and a ward's profile. Councillors see small numbers hidden; nothing here is a record."""

from __future__ import annotations

import streamlit as st

from geo.analysis import ward_view
from geo.analysis.context import profile_rows
from geo.errors import AtlasError
from geo.io.exports import table_csv, table_xlsx, ward_map_png
from layers import maps
from layers.wards import add_ward_figures
from ui import data, filters, session
from ui.basemap import base_tiles
from ui.downloads import download_button
from ui.offline_maps import show_map
from ui.text import plain


def _about_the_ward(code: str) -> None:
    """The ward's context (population, deprivation, rural or urban), if any was imported."""
    context = data.ward_context(store.location, key, role)
    if context.empty:
        return
    st.write("**About the ward**")
    rows = profile_rows(context, code)
    if rows.empty:
        st.write(f"Not in {plain(context.source)}.")
        return
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(f"From {plain(context.source)}: background, not a measure of need or risk.")


role = session.role()
store = data.store()
version, key = data.keys(store)
chosen = filters.sidebar(role, agencies=data.agencies(store.location, version))
st.title("Ward map")
wards = data.wards(store.location, version)
if wards.empty:
    st.warning("No wards in the store yet: import a ward boundary file on the Import page.")
    st.stop()
cold_only = False
if role == "coordinator" and len(data.activations(store.location, key, role)):
    cold_only = st.toggle(
        "Cold-weather nights only",
        key="ward_map_activation_nights",
        help="Count only the nights of the cold-weather activations recorded on the Hotspots"
        " page: how many people were out while the emergency protocol was on.",
    )
try:
    summary = data.area_summary(store.location, key, role, chosen, cold_only)
except AtlasError as err:
    st.error(plain(err))
    st.stop()

rows = ward_view.last_period(summary)
when = ward_view.period_words(summary)
st.caption(
    f"People counted in each ward, {when}"
    + (", on cold-weather activation nights only." if cold_only else ".")
    + (" Counts from 1 to 4 are shown as 'fewer than 5'." if role != "coordinator" else "")
)
left, right = st.columns([3, 2], gap="medium")
with left:
    m = maps.base_map(tuple(wards.total_bounds), tiles=base_tiles(store.location))
    add_ward_figures(m, rows, boundaries=wards, title=f"People counted, {when}")
    show_map(m, key=f"ward-map-{role}", height=560)
with right:
    table = ward_view.ward_table(summary)
    st.dataframe(table, hide_index=True, width="stretch")
    about = f"People counted per ward, {when}, as the {role} role sees them"
    # one under the other: side by side in the narrow column their labels were cut short
    who = f"{session.user()}, Outreach Atlas"  # the file says who made it
    download_button(
        "Table (CSV)",
        data=table_csv(table).encode("utf-8-sig"),
        file_name="ward-figures.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="ward_table_csv",
        width="stretch",
    )
    download_button(
        "Table (Excel)",
        data=lambda: table_xlsx(table, about=about, made_by=who),
        file_name="ward-figures.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/table:",
        key="ward_table_xlsx",
        width="stretch",
    )
    download_button(
        "Map (PNG)",
        data=lambda: ward_map_png(wards, rows, title=f"People counted, {when}"),
        file_name="ward-map.png",
        mime="image/png",
        on_click="ignore",
        icon=":material/image:",
        key="ward_map_png",
        width="stretch",
    )

st.subheader("Ward profile")
names = dict(zip(rows["area_name"].astype(str), rows["area_code"], strict=True))
picked = st.selectbox("Ward", list(names), key="ward_profile_ward")
if picked:
    profile = ward_view.ward_profile(summary, names[picked], data.services(store.location, version))
    st.write(plain(profile.emerging))
    a, b = st.columns(2, gap="medium")
    with a:
        st.write("**People counted, period by period**")
        if profile.trend["people"].notna().any():
            st.bar_chart(profile.trend, x="period_start", y="people", height=220)
        else:
            st.write("Not shown: the counts are small.")
        _about_the_ward(names[picked])
        st.write("**Services in the ward**")
        if profile.services.empty:
            st.write("None recorded.")
        else:
            st.dataframe(profile.services, hide_index=True, width="stretch")
    with b:
        st.write(f"**Needs, {when}**")
        st.dataframe(
            profile.needs.rename(columns={"need": "Need", "shown": "People"}),
            hide_index=True,
            width="stretch",
        )
        st.write("**Interpreter languages needed**")
        if profile.languages.empty:
            st.write("None recorded.")
        else:
            st.dataframe(
                profile.languages.rename(columns={"language": "Language", "shown": "Sightings"}),
                hide_index=True,
                width="stretch",
            )
