"""Outreach Atlas, run on every page view: sets up the page, who is using it, and the
navigation of the pages their role may open.

Start it with ``streamlit run streamlit_app.py`` (which checks where it may listen first). Until
a real store is begun (on the Import page) it shows the synthetic demo borough, built in a store
of its own on first start, and says so. Who is using it comes from the identity provider and the
users table, or is the one local user (:mod:`ui.signin`).
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
from ui import data, session, signin  # noqa: E402
from ui.pages import ACCESS_PAGE, SIGN_IN_PAGE, pages_for  # noqa: E402
from ui.text import plain  # noqa: E402

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

auth = signin.auth_settings()
demo = data.is_demo(current)
if auth is None:
    access = signin.local_access(demo=demo)
elif not st.user.is_logged_in:
    st.navigation([st.Page(SIGN_IN_PAGE, title="Sign in", icon=":material/login:")]).run()
    st.stop()
elif signin.session_expired():
    st.session_state["expired"] = True
    st.logout()
    st.stop()
else:
    access = signin.resolve(current)
    if access is None:  # signed in, but the users table does not know them: whom to ask
        st.navigation([st.Page(ACCESS_PAGE, title="No access yet", icon=":material/block:")]).run()
        st.stop()
signin.act_as(access)

with st.sidebar:
    if auth is None:
        st.caption(
            "**Local mode**: no sign-in; one user on this computer"
            + (", looking through each role's eyes on the demo." if demo else ", as coordinator.")
            + " To let others in, configure sign-in (SECURITY.md)."
        )
    if auth is None and demo:
        st.selectbox(
            "View as",
            ROLES,
            key="role",
            help="On the synthetic demo borough only, see what each role gets. With real data,"
            " each person's role comes from the users table when they sign in.",
        )
    elif auth is not None:
        agency = f", {access.agency}" if access.agency else ""
        st.caption(f"Signed in as **{plain(access.email)}** ({access.role}{agency})")
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            current.record_event("sign out", {})
            st.logout()
    if demo:
        st.warning(data.DEMO_LABEL, icon=":material/science:")
if auth is not None and not st.session_state.get("signed_in_logged"):
    current.record_event("sign in", {"provider": st.user.get("iss")})
    st.session_state["signed_in_logged"] = True

# Only the pages this role may open are registered: the others cannot be reached at all.
pages = [
    st.Page(page.path, title=page.title, icon=page.icon, default=i == 0)
    for i, page in enumerate(pages_for(session.role()))
]
chosen = st.navigation(pages)
try:
    chosen.run()
finally:  # after the page, so the view is logged with the filters the page settled on
    session.log_view(current, chosen.title)
