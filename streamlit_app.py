"""Outreach Atlas: the app's entry point. Sets up the page, the role and the navigation.

Run it with ``streamlit run streamlit_app.py``. Until a real store is begun (on the Import page)
it shows the synthetic demo borough, built in a store of its own on first start, and says so.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

st.set_page_config(
    page_title="Outreach Atlas",
    page_icon=str(Path(__file__).parent / "static" / "favicon.png"),  # local: no icon CDN
    layout="wide",
)

# The first start of a fresh install compiles the geospatial stack for a few seconds: say so.
starting = st.empty()
starting.caption("Starting Outreach Atlas...")

from geo.errors import AtlasError  # noqa: E402  (set_page_config must come first)
from geo.privacy import ROLES  # noqa: E402
from ui import data, session  # noqa: E402
from ui.pages import pages_for  # noqa: E402

starting.empty()

try:
    current = data.store()
    built = data.ensure_demo(current)
except AtlasError as err:
    st.error(f"The store cannot be opened: {err}")
    st.stop()

if built:
    st.info(
        "No store was found, so the **synthetic demo borough** was built and loaded. "
        "It is made-up data: no real people or places. To use your own files, start a real "
        "store on the Import page: the demo is kept apart in a store of its own."
    )
elif data.wards(current.location, current.version()).empty:
    st.info(
        "This store is empty. Import your ward boundaries first (on the Import page, or"
        " `python -m geo import wards FILE`), then your postcode directory and records."
    )

with st.sidebar:
    st.selectbox(
        "View as",
        ROLES,
        key="role",
        help="Until sign-in arrives the role is chosen here. What each role gets is enforced "
        "where data leaves the store, whatever is chosen.",
    )
    if data.is_demo(current):
        st.warning(data.DEMO_LABEL, icon=":material/science:")

# Only the pages this role may open are registered: the others cannot be reached at all.
pages = [
    st.Page(page.path, title=page.title, icon=page.icon, default=i == 0)
    for i, page in enumerate(pages_for(session.role()))
]
st.navigation(pages).run()
