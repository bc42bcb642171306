"""Tasking brief: for police and partners at a tasking meeting, this period against the last,
hot patches, new and repeat places, who covers what, gaps and overlaps, ASB and needs; one
button makes the PDF. Police see places worked out from points snapped to 100 m."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.errors import AtlasError
from geo.io.exports import Image
from ui import data, filters, session
from ui.downloads import download_button
from ui.text import plain

role = session.role()
store = data.store()
version, key = data.keys(store)
chosen = filters.sidebar(role, agencies=data.agencies(store.location, version))
st.title("Tasking brief")
try:
    with st.spinner("Putting the brief together..."):
        brief = data.tasking_brief(store.location, key, role, chosen)
except AtlasError as err:
    st.error(plain(err))
    st.stop()

st.caption(f"{brief.marking}. {plain(brief.caveat)}")
if role == "police":
    st.caption(
        "Places are worked out from points snapped to a 100 m grid; nationality and no recourse"
        " to public funds are not part of the police brief."
    )
who = f"{session.user()}, Outreach Atlas"  # the file says who made it
download_button(
    "Make the PDF",
    data=lambda: data.brief_pdf(brief, made_by=who),
    file_name=f"tasking-brief-{brief.made_at:%Y-%m-%d}.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
    type="primary",
    key="brief_pdf",
)
for heading, part in brief.sections():
    st.subheader(heading)
    if isinstance(part, pd.DataFrame):
        if part.empty:
            st.write("None this period.")
        else:
            st.dataframe(part, hide_index=True, width="stretch")
    elif isinstance(part, Image):
        st.image(part.png, caption=part.alt, width="stretch")
    else:
        for sentence in part:
            st.write(plain(sentence))
